/**
 * Crash dumps (Crashpad): always written on this computer (app.getPath('crashDumps')), uploaded
 * only when policy names an https:// endpoint of the organisation's (`crashReports.uploadUrl`).
 * Nothing goes to a third party by default. Dumps hold process memory, so an upload may carry
 * whatever was on screen: the endpoint is IT's choice, and SECURITY.md says so.
 */
import type { CrashReportsPolicy } from '../core/policy';

export interface CrashReporterOptions {
  readonly submitURL: string;
  readonly uploadToServer: boolean;
  readonly compress: boolean;
  readonly ignoreSystemCrashHandler: boolean;
}

export function crashReporterOptions(policy: CrashReportsPolicy): CrashReporterOptions {
  return {
    submitURL: policy.uploadUrl ?? '',
    uploadToServer: policy.uploadUrl !== null,
    compress: true,
    // The OS's own crash reporting (Windows Error Reporting, macOS's) is left as IT configured it.
    ignoreSystemCrashHandler: false,
  };
}
