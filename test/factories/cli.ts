/** The IT command line run in this process, its output captured (electron/cli/commands.ts). */
import { expect, vi } from 'vitest';
import { runCli } from '../../electron/cli/commands';
import { serveCommand } from '../../electron/cli/serve';

type Writer = (s: string) => void;

/** Runs one command with its standard output and error each collected into a string. */
export async function captured(run: (out: Writer, err: Writer) => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

export async function runCliCaptured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return captured((out, err) => runCli(argv, out, err));
}

/** Starts serve in this process; `stop()` ends it as a signal would and gives its exit code and output. */
export function startServe(argv: string[]) {
  let out = '';
  let err = '';
  let stop: () => void = () => undefined;
  const until = new Promise<void>((resolve) => (stop = resolve));
  const exited = serveCommand(
    argv,
    (s) => (out += s),
    (s) => (err += s),
    until,
  );
  return {
    output: () => out,
    errors: () => err,
    exited,
    ready: () => vi.waitFor(() => expect(out).toContain('answering on'), { timeout: 15_000, interval: 20 }),
    stop: async () => {
      stop();
      return { code: await exited, out, err };
    },
  };
}
