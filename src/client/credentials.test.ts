import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccessDeniedError, ExitCode, KplaneError } from '../cli/errors.js';
import type { Connection } from './connection.js';
import { resolveBearerToken } from './credentials.js';

const platform = 'https://127.0.0.1:6443';
let dir: string;

/** What `kplane login` leaves behind where there is no keyring: the token in the owner-only file. */
function storeTokenInFile(
  token: string,
  expiresAt?: string,
  { at = platform, ...extra }: { at?: string; insecurePlaintextToken?: true } = {},
): void {
  const config = path.join(dir, 'config', 'kplane');
  mkdirSync(config, { recursive: true });
  const record = { location: 'file', token, ...(expiresAt ? { expiresAt } : {}), ...extra };
  writeFileSync(
    path.join(config, 'credentials.json'),
    JSON.stringify({ version: 1, platforms: { [at]: record } }),
  );
}

function execConnection(command: string, args: string[], baseUrl = platform): Connection {
  return {
    baseUrl,
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command,
      args,
      env: [],
      provideClusterInfo: false,
    },
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-credentials-'));
  vi.stubEnv('XDG_CONFIG_HOME', path.join(dir, 'config'));
  // Nothing called kplane on PATH: a plugin process for it could not even start.
  vi.stubEnv('PATH', path.join(dir, 'empty'));
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe("kplane's own exec plugin", () => {
  const own = execConnection('kplane', ['auth', 'token', '--server', platform]);

  it('reads the stored token in this process', async () => {
    storeTokenInFile('t0ken');
    await expect(resolveBearerToken(own)).resolves.toBe('t0ken');
  });

  it('a workspace URL of the platform finds the platform’s token, as the plugin does', async () => {
    storeTokenInFile('t0ken');
    const workspace = execConnection('kplane', ['auth', 'token', `--server=${platform}/clusters/root:acme`]);
    await expect(resolveBearerToken(workspace)).resolves.toBe('t0ken');
  });

  it('not logged in: access denied, saying to run kplane login', async () => {
    const failure = resolveBearerToken(own);
    await expect(failure).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(failure).rejects.toThrow(`not logged in to ${platform}: run kplane login ${platform}`);
  });

  it('an expired token is refused before any request, saying when it expired', async () => {
    storeTokenInFile('old', '2020-01-01T00:00:00Z');
    const failure = resolveBearerToken(own);
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.accessDenied });
    await expect(failure).rejects.toThrow(
      `your token for ${platform} expired at 2020-01-01T00:00:00Z: run kplane login ${platform}`,
    );
  });
});

describe('any other exec plugin', () => {
  /** A plugin that prints an ExecCredential, whatever it is called with. */
  function pluginScript(name: string, token: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\necho '{"status":{"token":"${token}"}}'\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('runs as a process', async () => {
    const command = pluginScript('cloud-auth', 'from-plugin');
    await expect(resolveBearerToken(execConnection(command, ['get-token']))).resolves.toBe('from-plugin');
  });

  it('a program named kplane that is not this one runs as a process too', async () => {
    storeTokenInFile('stored');
    const command = pluginScript('kplane', 'from-plugin');
    const connection = execConnection(command, ['auth', 'token', '--server', platform]);
    await expect(resolveBearerToken(connection)).resolves.toBe('from-plugin');
  });

  it('a plugin that cannot start fails with its name', async () => {
    const failure = resolveBearerToken(execConnection('no-such-plugin', []));
    await expect(failure).rejects.toBeInstanceOf(KplaneError);
    await expect(failure).rejects.toThrow('credential plugin "no-such-plugin" failed');
  });
});

describe('a token over plain HTTP', () => {
  const plain = 'http://127.0.0.1:8080';
  const ownAt = (server: string) => execConnection('kplane', ['auth', 'token', '--server', server], plain);

  it('goes out only when login recorded --insecure-plaintext-token for that platform', async () => {
    storeTokenInFile('t0ken', undefined, { at: plain, insecurePlaintextToken: true });
    await expect(resolveBearerToken(ownAt(plain))).resolves.toBe('t0ken');
  });

  it('is refused when it was stored without that flag (a login from before it existed)', async () => {
    storeTokenInFile('t0ken', undefined, { at: plain });
    const failure = resolveBearerToken(ownAt(plain));
    await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(failure).rejects.toThrow(`kplane login ${plain} --insecure-plaintext-token`);
  });

  it('is refused when the plugin names an https platform but the kubeconfig sends to http', async () => {
    storeTokenInFile('t0ken');
    await expect(resolveBearerToken(ownAt(platform))).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });

  it('is refused from an inline token, a token file or another plugin, which cannot record consent', async () => {
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, 'from-file\n');
    const sources: Connection[] = [
      { baseUrl: plain, token: 'inline' },
      { baseUrl: plain, tokenFile },
      execConnection('no-such-plugin', [], plain),
    ];
    for (const connection of sources) {
      const failure = resolveBearerToken(connection);
      await expect(failure).rejects.toMatchObject({ exitCode: ExitCode.usage });
      await expect(failure).rejects.toThrow(`refusing to send a bearer token in clear text to ${plain}`);
    }
  });

  it('is not needed when there is no token at all', async () => {
    await expect(resolveBearerToken({ baseUrl: plain })).resolves.toBeUndefined();
  });
});
