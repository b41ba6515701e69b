/** The IT command line run in this process, its output captured (electron/cli/commands.ts). */
import { runCli } from '../../electron/cli/commands';

export async function runCliCaptured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}
