import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { printExecCredential } from '../auth/exec-credential.js';
import type { IOStreams } from '../cli/io.js';
import { cachedExecCredential } from './cached-exec-credential.js';

const platform = 'https://127.0.0.1:6443';
const now = new Date('2026-06-01T12:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${part({ alg: 'RS256' })}.${part(claims)}.c2ln`;
const session = { issuer: 'https://issuer.example', clientId: 'kplane', scopes: ['openid'] };
const inAnHour = new Date(now.getTime() + 3600_000).toISOString();
const anHourAgo = new Date(now.getTime() - 3600_000).toISOString();

let dir: string;

function storeRecords(platforms: Record<string, object>): void {
  const config = path.join(dir, 'config', 'kplane');
  mkdirSync(config, { recursive: true });
  writeFileSync(path.join(config, 'credentials.json'), JSON.stringify({ version: 1, platforms }));
}

const authToken = (server = platform) => ['auth', 'token', '--server', server];

/** What the full command (the hot path and oclif both run it) prints, or the error it fails with. */
async function fullCommand(server: string): Promise<string> {
  const lines: string[] = [];
  const io: IOStreams = {
    stdoutIsTTY: false,
    stdinIsTTY: false,
    colorEnabled: false,
    out: (text) => lines.push(text),
    err: (text) => lines.push(text),
  };
  await printExecCredential(server, io, now);
  return lines.join('\n');
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-cached-credential-'));
  vi.stubEnv('XDG_CONFIG_HOME', path.join(dir, 'config'));
  vi.stubEnv('KUBERNETES_EXEC_INFO', undefined);
  vi.stubEnv('KPLANE_NO_FAST_PATH', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('the launcher answers auth token from the cache exactly as the full command would', () => {
  const tokenFile = () => path.join(dir, 'ci-token');
  const answered: [string, () => void, string?][] = [
    ['a token kept in the file', () => storeRecords({ [platform]: { location: 'file', token: 't0ken' } })],
    [
      'a token with its expiry',
      () => storeRecords({ [platform]: { location: 'file', token: 't0ken', expiresAt: inAnHour } }),
    ],
    [
      'a workspace URL of the platform',
      () => storeRecords({ [platform]: { location: 'file', token: 't0ken' } }),
      `${platform}/clusters/root:acme`,
    ],
    [
      "an OIDC login's ID token that is not due for renewal",
      () =>
        storeRecords({
          [platform]: {
            location: 'file',
            token: jwt({ iat: seconds(now) - 60, exp: seconds(now) + 3600 }),
            expiresAt: inAnHour,
            oidc: session,
            refreshToken: 'r',
          },
        }),
    ],
    [
      'a token file a CI system writes',
      () => {
        writeFileSync(tokenFile(), `${jwt({ exp: seconds(now) + 600 })}\n`);
        storeRecords({ [platform]: { location: 'file', tokenFile: tokenFile() } });
      },
    ],
    [
      'an http:// platform the person consented to',
      () =>
        storeRecords({
          'http://127.0.0.1:8080': { location: 'file', token: 't0ken', insecurePlaintextToken: true },
        }),
      'http://127.0.0.1:8080',
    ],
  ];

  it.each(answered)('%s', async (_name, store, server = platform) => {
    store();
    const line = cachedExecCredential(authToken(server), process.env, now);
    expect(line).toBeDefined();
    expect(line).toBe(await fullCommand(server));
  });

  it('in the ExecCredential version kubectl asked for, and with --server=URL', async () => {
    storeRecords({ [platform]: { location: 'file', token: 't0ken', expiresAt: inAnHour } });
    vi.stubEnv(
      'KUBERNETES_EXEC_INFO',
      JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1' }),
    );
    const line = cachedExecCredential(['auth', 'token', `--server=${platform}`], process.env, now);
    expect(JSON.parse(line!)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: 't0ken', expirationTimestamp: inAnHour },
    });
    expect(line).toBe(await fullCommand(platform));
  });
});

describe('the launcher hands everything else to the full command', () => {
  it('any words but `auth token --server URL`, and KPLANE_NO_FAST_PATH', () => {
    storeRecords({ [platform]: { location: 'file', token: 't0ken' } });
    for (const argv of [
      ['auth', 'token'],
      ['auth', 'token', '--server', platform, '--help'],
      ['auth', 'token', '--server'],
      ['auth', 'login', '--server', platform],
      ['ws', 'use', 'root'],
      [],
    ]) {
      expect(cachedExecCredential(argv, process.env, now), argv.join(' ')).toBeUndefined();
    }
    vi.stubEnv('KPLANE_NO_FAST_PATH', '1');
    expect(cachedExecCredential(authToken(), process.env, now)).toBeUndefined();
  });

  const refused: [string, () => void, string?][] = [
    ['not logged in (no credentials file)', () => {}],
    [
      'not logged in to this platform',
      () => storeRecords({ 'https://other:6443': { location: 'file', token: 't' } }),
    ],
    ['a token in the keyring', () => storeRecords({ [platform]: { location: 'keyring' } })],
    ['an empty token', () => storeRecords({ [platform]: { location: 'file', token: '' } })],
    [
      'an expired token',
      () => storeRecords({ [platform]: { location: 'file', token: 't0ken', expiresAt: anHourAgo } }),
    ],
    [
      "an OIDC login's ID token due for renewal",
      () =>
        storeRecords({
          [platform]: {
            location: 'file',
            token: jwt({ iat: seconds(now) - 3570, exp: seconds(now) + 30 }),
            expiresAt: new Date(now.getTime() + 30_000).toISOString(),
            oidc: session,
            refreshToken: 'r',
          },
        }),
    ],
    [
      'a token file that cannot be read',
      () => storeRecords({ [platform]: { location: 'file', tokenFile: path.join(dir, 'missing') } }),
    ],
    [
      'an http:// platform without consent',
      () => storeRecords({ 'http://127.0.0.1:8080': { location: 'file', token: 't0ken' } }),
      'http://127.0.0.1:8080',
    ],
    ['a URL that is no platform', () => storeRecords({}), 'ftp://127.0.0.1'],
  ];

  it.each(refused)('%s', (_name, store, server = platform) => {
    store();
    expect(cachedExecCredential(authToken(server), process.env, now)).toBeUndefined();
  });
});
