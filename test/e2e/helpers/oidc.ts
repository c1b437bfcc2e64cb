import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startOpenIdProvider, type RunningOpenIdProvider } from '../../../src/devplatform/openid-provider.js';
import { kplaneBin, type RunResult } from './cli.js';
import { startPlatformProcess, type PlatformProcess } from './platform.js';

/** The real platform trusting the real dev OpenID provider, as `kplane dev up` with an OIDC demo would run them. */
export interface OidcWorld {
  provider: RunningOpenIdProvider;
  platform: PlatformProcess;
  /** The platform's CA file, for `kplane login --certificate-authority`. */
  caFile: string;
  stop(): Promise<void>;
}

export async function startOidcWorld(options: { idTokenTtlSeconds: number }): Promise<OidcWorld> {
  const provider = await startOpenIdProvider({ idTokenTtlSeconds: options.idTokenTtlSeconds });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-oidc-world-'));
  const configFile = path.join(dir, 'authentication.yaml');
  writeFileSync(
    configFile,
    stringify({
      apiVersion: 'apiserver.config.k8s.io/v1beta1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: {
            url: provider.issuer,
            // People log in with the `kplane` client; CI jobs bring tokens issued for the CI audience.
            audiences: [provider.clientId, provider.ciAudience],
            audienceMatchPolicy: 'MatchAny',
            certificateAuthority: provider.caPem,
          },
          claimMappings: {
            username: { claim: 'sub', prefix: 'oidc:' },
            groups: { claim: 'groups', prefix: 'oidc:' },
          },
        },
      ],
    }),
  );
  let platform: PlatformProcess;
  try {
    platform = await startPlatformProcess({ args: ['--authentication-config', configFile] });
  } catch (error) {
    await provider.stop();
    throw error;
  }
  return {
    provider,
    platform,
    caFile: path.join(platform.dataDir, 'ca.crt'),
    stop: async () => {
      await platform.stop();
      await provider.stop();
    },
  };
}

export interface BackgroundKplane {
  /** Resolves with the first match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<RunResult>;
}

/** `kplane …` left running (a login waiting for the browser step), its stderr readable as it comes. */
export function kplaneInBackground(args: string[], env: Record<string, string>): BackgroundKplane {
  const child = spawn(process.execPath, [kplaneBin, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of [...listeners]) listener();
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<RunResult>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timeout);
      resolve({ code: code ?? 1, stdout, stderr });
    }),
  );
  return {
    done,
    waitForStderr: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern);
          if (!match) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`kplane ${args.join(' ')} never printed ${pattern}; stderr: ${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}

/** What `kplane login` stored in the sandbox's owner-only credentials file (no keyring in a sandbox). */
export function storedCredentials(
  configHome: string,
  platformUrl: string,
): {
  token?: string;
  refreshToken?: string;
  expiresAt?: string;
  tokenFile?: string;
} {
  const document = JSON.parse(readFileSync(path.join(configHome, 'kplane', 'credentials.json'), 'utf8')) as {
    platforms: Record<
      string,
      { token?: string; refreshToken?: string; expiresAt?: string; tokenFile?: string }
    >;
  };
  return document.platforms[platformUrl] ?? {};
}
