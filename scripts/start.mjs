// `npm start [-- --demo] [-- --user-data-dir DIR]`: builds and starts the Electron app.
import { spawn, spawnSync } from 'node:child_process';
import { electronBinaryPath, electronMissingMessage } from './electron-binary.mjs';

const binary = electronBinaryPath();
if (!binary) {
  console.error(electronMissingMessage);
  process.exit(1);
}
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
