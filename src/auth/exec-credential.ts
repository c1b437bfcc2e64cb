import type { IOStreams } from '../cli/io.js';
import { execCredentialJson } from '../client/exec-credential-json.js';
import { readUnexpiredToken } from '../client/stored-token.js';

/**
 * `auth token`: what kubectl runs before every request. It prints an ExecCredential for the platform and never
 * prompts, because kubectl may run it without a terminal. The token never goes anywhere but stdout. A token kept
 * in a file that needs nothing more is printed by the launcher before this loads (client/cached-exec-credential.ts).
 */
export async function printExecCredential(server: string, io: IOStreams, now = new Date()): Promise<void> {
  const stored = await readUnexpiredToken(server, now);
  io.out(execCredentialJson(stored));
}
