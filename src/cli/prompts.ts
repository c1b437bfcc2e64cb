import type { IOStreams } from './io.js';

/** Interactive pickers and prompts need a terminal on both ends, and never run in CI. */
export function canShowPicker(io: IOStreams): boolean {
  return io.stdinIsTTY && io.stdoutIsTTY && !process.env.CI;
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
