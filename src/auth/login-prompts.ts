import { canShowPicker } from '../cli/prompts.js';
import type { IOStreams } from '../cli/io.js';
import type { LoginPrompts } from './login.js';

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
