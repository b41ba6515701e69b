// Covers electron/main/crash-reports.ts: dumps stay local unless policy names an upload endpoint.
import { describe, expect, it } from 'vitest';
import { crashReporterOptions } from '../../electron/main/crash-reports';
import { defaultPolicy } from '../../electron/core/policy';

describe('crash reports', () => {
  it('are kept on the computer and never uploaded by default', () => {
    expect(defaultPolicy.crashReports.uploadUrl).toBeNull();
    expect(crashReporterOptions(defaultPolicy.crashReports)).toMatchObject({ uploadToServer: false, submitURL: '' });
  });

  it('are uploaded to the endpoint policy names, and only there', () => {
    expect(crashReporterOptions({ uploadUrl: 'https://crash.example.edu.cn/minidump' })).toMatchObject({
      uploadToServer: true,
      submitURL: 'https://crash.example.edu.cn/minidump',
    });
  });
});
