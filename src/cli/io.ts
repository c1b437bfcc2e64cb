import { writeSync } from 'node:fs';
import { styleText } from 'node:util';
import { InvalidInputError } from './errors.js';
import { escapeC1InData, ownSequence, printableText } from './terminal-text.js';

export type OutputFormat = 'text' | 'json' | 'yaml';

/**
 * The only way output leaves kplane: data on stdout, notes and errors on stderr. It knows whether it talks
 * to a terminal, so commands never decide colour or prompting themselves. Control characters in the text (from
 * a server, say) are shown, never obeyed: see terminal-text.ts.
 */
export interface IOStreams {
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly colorEnabled: boolean;
  out(text: string): void;
  err(text: string): void;
}

/**
 * The process's streams, touched only when needed: creating `process.stdout` and `process.stdin` loads Node's
 * stream and socket code, a good part of what `ws --short` and `auth token` would cost. Lines go out with a
 * synchronous write to the descriptor (what process.stdout does on Linux anyway) and fall back to the stream
 * when the descriptor would block.
 */
export function processIOStreams(): IOStreams {
  return {
    get stdoutIsTTY() {
      return Boolean(process.stdout.isTTY);
    },
    get stdinIsTTY() {
      return Boolean(process.stdin.isTTY);
    },
    get colorEnabled() {
      return this.stdoutIsTTY && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
    },
    out: (text) => writeLine(1, text),
    err: (text) => writeLine(2, text),
  };
}

const streamFor = { 1: () => process.stdout, 2: () => process.stderr };
const usingStream = new Set<1 | 2>();

/** The bytes `out`/`err` write for `text`: its printable form, ending in one newline. */
export function outputLine(text: string): string {
  const printable = printableText(text);
  return printable.endsWith('\n') ? printable : `${printable}\n`;
}

function writeLine(fd: 1 | 2, text: string): void {
  const line = outputLine(text);
  if (usingStream.has(fd)) {
    streamFor[fd]().write(line);
    return;
  }
  const bytes = Buffer.from(line);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Nobody is reading (a prompt's pipe closed early): there is no one left to tell.
    if (code === 'EPIPE') return;
    if (code !== 'EAGAIN') throw error;
    usingStream.add(fd);
    streamFor[fd]().write(bytes.subarray(written));
  }
}

export function bold(io: IOStreams, text: string): string {
  if (!io.colorEnabled) return text;
  const [on, off] = styleText('bold', '\0').split('\0') as [string, string];
  return `${ownSequence(on)}${text}${ownSequence(off)}`;
}

/** Clears the terminal and puts the cursor at the top (for output that redraws itself). */
export function clearScreen(): string {
  return ownSequence('\x1b[2J\x1b[H');
}

/** One exporter for machine-readable output, so every command's `-o json|yaml` looks the same. */
export async function printData(io: IOStreams, format: OutputFormat, value: unknown): Promise<void> {
  if (format === 'yaml') {
    const { stringify } = await import('yaml');
    io.out(escapeC1InData(stringify(value)));
    return;
  }
  io.out(escapeC1InData(JSON.stringify(value, null, 2)));
}

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new InvalidInputError(`unknown output format "${value}": use json or yaml`);
}
