import type { IOStreams } from '../cli/io.js';
import { readUnexpiredToken } from '../client/stored-token.js';

const execCredentialApiVersion = 'client.authentication.k8s.io/v1';

/**
 * `auth token`: what kubectl runs before every request. It prints an ExecCredential for the platform and never
 * prompts, because kubectl may run it without a terminal. The token never goes anywhere but stdout.
 */
export async function printExecCredential(server: string, io: IOStreams, now = new Date()): Promise<void> {
  const stored = await readUnexpiredToken(server, now);
  io.out(
    JSON.stringify({
      apiVersion: requestedApiVersion() ?? execCredentialApiVersion,
      kind: 'ExecCredential',
      status: { token: stored.token, ...(stored.expiresAt ? { expirationTimestamp: stored.expiresAt } : {}) },
    }),
  );
}

/** kubectl says which ExecCredential version it speaks in KUBERNETES_EXEC_INFO; answer in the same one. */
function requestedApiVersion(): string | undefined {
  const info = process.env.KUBERNETES_EXEC_INFO;
  if (!info) return undefined;
  try {
    const version = (JSON.parse(info) as { apiVersion?: string }).apiVersion;
    return version?.startsWith('client.authentication.k8s.io/') ? version : undefined;
  } catch {
    return undefined;
  }
}
