import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { KplaneError } from '../cli/errors.js';
import { isProcessAlive } from '../shared/process-alive.js';
import { serverPidFile } from './data-dir.js';

// `kplane dev up --oidc`: a real OpenID provider (oidc-provider, see openid-provider.ts) for the demo users
// beside the platform, and the AuthenticationConfiguration that makes the platform accept its ID tokens. The
// provider runs as its own process (openid-provider-main.ts) so it can outlive `dev up --detach` as the
// platform does; `dev down` stops both.

export const DEMO_USERNAME_PREFIX = 'oidc:';

export interface DemoProviderFacts {
  issuer: string;
  caPem: string;
  clientId: string;
  ciAudience: string;
}

export interface DemoProviderReady {
  ready: true;
  issuer: string;
  /** The AuthenticationConfiguration the platform is to be started with. */
  authenticationConfig: string;
  pid: number;
}

export const demoProviderFiles = (dataDir: string) => ({
  authenticationConfig: path.join(dataDir, 'oidc-authentication.yaml'),
  pid: path.join(dataDir, 'oidc-provider.pid'),
  log: path.join(dataDir, 'oidc-provider.log'),
});

/**
 * Kubernetes' AuthenticationConfiguration for the demo provider: people log in with the `kplane` client, CI
 * jobs present tokens for the CI audience; usernames are the email with an `oidc:` prefix (as kube-apiserver's
 * docs advise, so they never collide with the platform's static-token names), groups the provider's, prefixed.
 */
export function demoAuthenticationConfig(provider: DemoProviderFacts): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1beta1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: {
          url: provider.issuer,
          audiences: [provider.clientId, provider.ciAudience],
          audienceMatchPolicy: 'MatchAny',
          certificateAuthority: provider.caPem,
        },
        claimMappings: {
          username: { claim: 'email', prefix: DEMO_USERNAME_PREFIX },
          groups: { claim: 'groups', prefix: DEMO_USERNAME_PREFIX },
          uid: { claim: 'sub' },
        },
      },
    ],
  });
}

function providerEntryPoint(): string {
  return new URL('./openid-provider-main.js', import.meta.url).pathname;
}

/**
 * Starts the provider process for `dataDir` (a previous one left running is stopped first) and returns once
 * it has written the platform's AuthenticationConfiguration. Its output goes to DATA_DIR/oidc-provider.log.
 */
export async function startDemoProvider(
  dataDir: string,
  options: { detach: boolean; timeoutMs?: number } = { detach: false },
): Promise<DemoProviderReady> {
  // The provider of a platform that is running stays: that platform trusts it, and this start would fail.
  const serverPid = existsSync(serverPidFile(dataDir))
    ? Number(readFileSync(serverPidFile(dataDir), 'utf8'))
    : NaN;
  if (Number.isInteger(serverPid) && serverPid > 0 && isProcessAlive(serverPid))
    throw new KplaneError(`kplane platform is already running on ${dataDir} (pid ${serverPid})`);
  await stopDemoProvider(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const files = demoProviderFiles(dataDir);
  const offset = existsSync(files.log) ? statSync(files.log).size : 0;
  const log = openSync(files.log, 'a', 0o600);
  const child = spawn(process.execPath, [providerEntryPoint(), '--data-dir', dataDir], {
    detached: options.detach,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => (exitCode = code));
  if (options.detach) child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const text = readFileSync(files.log, 'utf8').slice(offset);
    const ready = text
      .split('\n')
      .filter((line) => line.startsWith('{"ready"'))
      .map((line) => JSON.parse(line) as DemoProviderReady)[0];
    if (ready) return ready;
    if (exitCode !== undefined)
      throw new KplaneError(
        `the OpenID provider stopped before it was ready (exit code ${exitCode}):\n${text.trim()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new KplaneError(`the OpenID provider did not start within its time; see ${files.log}`);
}

/** Stops the provider recorded for `dataDir`, if one runs; true when it stopped one. */
export async function stopDemoProvider(dataDir: string, graceMs = 5_000): Promise<boolean> {
  const pidFile = demoProviderFiles(dataDir).pid;
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isProcessAlive(pid))
    await new Promise((resolve) => setTimeout(resolve, 25));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return true;
}
