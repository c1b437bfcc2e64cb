import { readFileSync } from 'node:fs';
import { isThisKplane, ownAuthTokenServer } from './own-exec-plugin.js';
import { isPlainHttp, plaintextTokenRefused } from './plaintext-token.js';
import { KplaneError } from '../cli/errors.js';
import type { Connection } from './connection.js';

/**
 * Finds the bearer token the way kubectl does for the fields kplane writes: an inline token, a token file, or
 * an exec credential plugin (client.authentication.k8s.io/v1). A token goes to an http:// server only when it
 * is kplane's own for that http:// platform, which `auth token` hands out only with the consent login
 * recorded; nothing else can record consent, so any other token for an http:// server is refused.
 */
export async function resolveBearerToken(connection: Connection): Promise<string | undefined> {
  if (!isPlainHttp(connection.baseUrl) || connection.plaintextTokenAccepted)
    return findBearerToken(connection);
  const own =
    !connection.token && !connection.tokenFile && connection.exec
      ? ownAuthTokenServer(connection.exec, (command) => isThisKplane(command))
      : undefined;
  if (own !== undefined && isPlainHttp(own)) return readOwnToken(own);
  if (connection.token || connection.tokenFile || connection.exec || connection.currentToken)
    throw plaintextTokenRefused(connection.baseUrl);
  return undefined;
}

async function findBearerToken(connection: Connection): Promise<string | undefined> {
  if (connection.currentToken) return connection.currentToken();
  if (connection.token) return connection.token;
  if (connection.tokenFile) {
    try {
      return readFileSync(connection.tokenFile, 'utf8').trim();
    } catch (error) {
      throw new KplaneError(
        `cannot read the token file ${connection.tokenFile}: ${(error as Error).message}`,
      );
    }
  }
  if (connection.exec) {
    const server = ownAuthTokenServer(connection.exec, (command) => isThisKplane(command));
    return server === undefined ? runExecCredentialPlugin(connection) : readOwnToken(server);
  }
  return undefined;
}

/**
 * The plugin is kplane's own `auth token`: the same code runs here instead of in a second Node process (most
 * of what `ws use` would otherwise wait for), and fails as `auth token` itself does (not logged in, expired),
 * with its message and exit code. Loaded lazily: only this case needs the credential store.
 */
async function readOwnToken(server: string): Promise<string> {
  const { readUnexpiredToken } = await import('./stored-token.js');
  return (await readUnexpiredToken(server)).token;
}

async function runExecCredentialPlugin(connection: Connection): Promise<string | undefined> {
  // Imported here, not at the top, so a hot-path run that starts no plugin does not compile it (~3 ms).
  const { execFile } = await import('node:child_process');
  const exec = connection.exec!;
  const apiVersion = exec.apiVersion || 'client.authentication.k8s.io/v1';
  const env = { ...process.env };
  for (const { name, value } of exec.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server: connection.baseUrl } },
  });
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(exec.command, exec.args, { env, timeout: 30_000 }, (error, out, errText) => {
      if (error)
        reject(
          new KplaneError(`credential plugin "${exec.command}" failed: ${errText.trim() || error.message}`),
        );
      else resolve(out);
    });
  });
  try {
    const credential = JSON.parse(stdout) as { status?: { token?: string } };
    return credential.status?.token;
  } catch {
    throw new KplaneError(
      `credential plugin "${exec.command}" printed something that is not an ExecCredential`,
    );
  }
}
