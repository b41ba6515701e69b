import type { Logger } from '../core/ports';

/** Field names whose values are never written, whatever a caller passes by mistake. */
const secretField = /pass(word)?|code|token|secret|seed|otp|key/i;

function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = secretField.test(name) ? '[redacted]' : value;
  return out;
}

/** One JSON line per event on stderr, so stdout stays free for what a command prints. */
export function createConsoleLogger(scope: string, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const emit = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, scope, message, ...redact(fields) }));
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}
