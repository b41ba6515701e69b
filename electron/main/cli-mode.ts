/**
 * The IT command line inside the app's own main process: `Mailwarden --cli -- <command> …`.
 *
 * Release builds fuse ELECTRON_RUN_AS_NODE off (scripts/after-pack.cjs), so the launchers
 * (resources/bin/mailwarden, mailwarden.cmd) can no longer run out/main/cli.js as plain Node.
 * They start the app with `--cli --` instead, and electron/main/index.ts hands the rest of the
 * command line to electron/cli's runCli before anything of the desktop app exists: no single-
 * instance lock (a running app must not be focused, nor this process quit because of it), no
 * window, no menu, no custom protocol.
 *
 * It runs during the main module's top-level await. Electron pumps Node's event loop until the
 * main ES module has finished evaluating (NodeBindings::JoinAppCode) and only then initialises
 * the display platform, installs Chromium's SIGTERM/SIGINT handlers and emits `ready`. So the
 * command does its Node work (files, the keychain, a Unix socket, `serve` waiting for SIGTERM)
 * with no display, and `app.exit` before `ready` exits the process directly.
 */

/** The switch the launchers pass. A `--` after it ends Chromium's switch parsing. */
const cliSwitch = '--cli';

/**
 * The command line's own arguments when the app was started as `… --cli [--] <args>`, else null.
 * `--cli` counts only before a `--`: anything after that is the user's, never ours.
 */
export function cliArguments(argv: readonly string[]): string[] | null {
  const end = argv.indexOf('--');
  const at = argv.indexOf(cliSwitch);
  if (at < 0 || (end >= 0 && at > end)) return null;
  const rest = argv.slice(at + 1);
  return rest[0] === '--' ? rest.slice(1) : rest;
}

export interface CliProcess {
  readonly run: (argv: readonly string[], out: (s: string) => void, errOut: (s: string) => void) => Promise<number>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** app.exit: before `ready` it ends the process at once, so the streams are flushed first. */
  readonly exit: (code: number) => void;
}

/** Waits until everything written so far to `stream` has been handed to the OS. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

/** Runs the command, flushes its output, exits with its code (1 if it threw). */
export async function runCliInMainProcess(argv: readonly string[], io: CliProcess): Promise<void> {
  let code: number;
  try {
    code = await io.run(
      argv,
      (text) => void io.stdout.write(text),
      (text) => void io.stderr.write(text),
    );
  } catch (cause) {
    io.stderr.write(`mailwarden: ${cause instanceof Error ? cause.message : String(cause)}\n`);
    code = 1;
  }
  await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  io.exit(code);
}
