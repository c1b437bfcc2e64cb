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
function storeTokenInFile(token: string, expiresAt?: string): void {
  const config = path.join(dir, 'config', 'kplane');
  mkdirSync(config, { recursive: true });
  const record = { location: 'file', token, ...(expiresAt ? { expiresAt } : {}) };
  writeFileSync(
    path.join(config, 'credentials.json'),
    JSON.stringify({ version: 1, platforms: { [platform]: record } }),
  );
}

function execConnection(command: string, args: string[]): Connection {
  return {
    baseUrl: platform,
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
