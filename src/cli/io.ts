import { styleText } from 'node:util';
import { InvalidInputError } from './errors.js';

export type OutputFormat = 'text' | 'json' | 'yaml';

/**
 * The only way output leaves kplane: data on stdout, notes and errors on stderr. It knows whether it talks
 * to a terminal, so commands never decide colour or prompting themselves.
 */
export interface IOStreams {
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly colorEnabled: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function processIOStreams(): IOStreams {
  const stdoutIsTTY = Boolean(process.stdout.isTTY);
  return {
    stdoutIsTTY,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    colorEnabled: stdoutIsTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

export function dim(io: IOStreams, text: string): string {
  return io.colorEnabled ? styleText('dim', text) : text;
}

export function bold(io: IOStreams, text: string): string {
  return io.colorEnabled ? styleText('bold', text) : text;
}

/** One exporter for machine-readable output, so every command's `-o json|yaml` looks the same. */
export async function printData(io: IOStreams, format: OutputFormat, value: unknown): Promise<void> {
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    io.out(stringify(value));
    return;
  }
  io.out(JSON.stringify(value, null, 2));
}

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new InvalidInputError(`unknown output format "${value}": use json or yaml`);
}
