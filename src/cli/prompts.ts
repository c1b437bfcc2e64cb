import type { LoginPrompts } from '../auth/login.js';
import type { IOStreams } from './io.js';

/** Interactive pickers and prompts need a terminal on both ends, and never run in CI. */
export function canShowPicker(io: IOStreams): boolean {
  return io.stdinIsTTY && io.stdoutIsTTY && !process.env.CI;
}

/** Prompts only in a terminal; the prompt library is imported only when a prompt is about to be shown. */
export function loginPrompts(io: IOStreams): LoginPrompts | undefined {
  if (!canShowPicker(io)) return undefined;
  return {
    token: async () => {
      const { default: password } = await import('@inquirer/password');
      return password({ message: 'Token:', mask: '*' });
    },
    trustCertificate: async ({ fingerprint }) => {
      const { default: confirm } = await import('@inquirer/confirm');
      return confirm({ message: `Trust the certificate with SHA-256 ${fingerprint}?`, default: false });
    },
  };
}

export async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
