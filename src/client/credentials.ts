import { readFile } from 'node:fs/promises';
import { KplaneError } from '../cli/errors.js';
import type { Connection } from './connection.js';

/**
 * Finds the bearer token the way kubectl does for the fields kplane writes: an inline token, a token file, or
 * an exec credential plugin (client.authentication.k8s.io/v1).
 */
export async function resolveBearerToken(connection: Connection): Promise<string | undefined> {
  if (connection.token) return connection.token;
  if (connection.tokenFile) {
    try {
      return (await readFile(connection.tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new KplaneError(
        `cannot read the token file ${connection.tokenFile}: ${(error as Error).message}`,
      );
    }
  }
  if (connection.exec) return runExecCredentialPlugin(connection);
  return undefined;
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
