import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { credentialExec } from '../auth/exec-command.js';
import { forgetToken, storeToken, storeTokenFile } from './credential-store.js';
import { cachedExecCredential } from './cached-exec-credential.js';
import { PREPARED_CREDENTIALS_DIR, preparedAnswer, preparedCredentialName } from './prepared-credentials.js';

// The credential entry `kplane login` writes, run as kubectl runs it against the files the real credential store
// writes, under every POSIX shell a user's /bin/sh may be that is installed here (.ci/run installs them). A
// stand-in for kplane says when the shell went on to it instead of answering.

const shells = [
  ['/bin/sh'],
  ['bash', '--posix'], // macOS's /bin/sh
  ['busybox', 'sh'], // Alpine images
  ['zsh', '--emulate', 'sh'], // where sh links to zsh
].filter(([command, ...flags]) => spawnSync(command!, [...flags, '-c', 'exit 0']).status === 0);

const platform = 'https://127.0.0.1:6443';
let dir: string;
let configHome: string;
let standIn: string;
let shell: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-prepared-'));
  configHome = path.join(dir, 'config');
  vi.stubEnv('XDG_CONFIG_HOME', configHome);
  standIn = path.join(dir, 'kplane');
  writeFileSync(
    standIn,
    '#!/bin/sh\necho "kplane ran: $* extra=${NODE_EXTRA_CA_CERTS-unset} deferred=${KPLANE_EXTRA_CA_CERTS-unset}"\n',
    { mode: 0o755 },
  );
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** The entry for `platform`, run with `env` (kubectl passes its own environment and KUBERNETES_EXEC_INFO). */
function runEntry(
  env: Record<string, string> = {},
  forPlatform = platform,
  edit = (args: string[]) => args,
): string {
  const entry = credentialExec(forPlatform, 'linux');
  expect(entry.command).toBe('/bin/sh');
  const args = edit(entry.args.map((arg, index) => (index === 3 ? standIn : arg)));
  const [command, ...flags] = shell;
  const result = spawnSync(command!, [...flags, ...args], {
    env: { PATH: process.env.PATH, XDG_CONFIG_HOME: configHome, ...env },
    encoding: 'utf8',
    // As kubectl runs a plugin that may not prompt: nothing on stdin (and no socket there, which bash takes for
    // sshd and answers by reading ~/.bashrc).
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

const ranKplane = `kplane ran: auth token --server ${platform} extra=unset deferred=unset\n`;

const v1 = JSON.stringify({
  kind: 'ExecCredential',
  apiVersion: 'client.authentication.k8s.io/v1',
  spec: { interactive: false },
});

/** What the launcher's own cached answer prints for the same files (the full command prints the same). */
function launcherAnswer(): string | undefined {
  const answer = cachedExecCredential(['auth', 'token', '--server', platform], {
    XDG_CONFIG_HOME: configHome,
  });
  return answer === undefined ? undefined : `${answer}\n`;
}

describe.each(shells)('the credential entry login writes on Linux and macOS, run by %s', (...command) => {
  beforeEach(() => {
    shell = command;
  });

  it('prints a stored token without starting kplane, byte for byte what kplane prints', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    await storeToken(platform, 't0ken', expiresAt, { location: 'file' });
    const printed = runEntry({ KUBERNETES_EXEC_INFO: v1 });
    expect(printed).toBe(launcherAnswer());
    expect(JSON.parse(printed).status).toEqual({ token: 't0ken', expirationTimestamp: expiresAt });
    expect(runEntry()).toBe(printed);
  });

  it('keeps the prepared answer owner-only', async () => {
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    const folder = path.join(configHome, 'kplane', PREPARED_CREDENTIALS_DIR);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readdirSync(folder)).toEqual([preparedCredentialName(platform)]);
    expect(statSync(path.join(folder, preparedCredentialName(platform))).mode & 0o777).toBe(0o600);
  });

  it('goes on to kplane once the token is due, so kplane renews it or says to log in', async () => {
    await storeToken(platform, 't0ken', new Date(Date.now() - 1000).toISOString(), { location: 'file' });
    expect(runEntry()).toBe(ranKplane);
    // An ID token is renewed a minute before it expires: due already, with 30 s left.
    const oidc = { issuer: 'https://idp.example.com', clientId: 'kplane', scopes: ['openid'] };
    const soon = new Date(Date.now() + 30_000).toISOString();
    await storeToken(platform, 'id-t0ken', soon, { location: 'file', oidc });
    expect(launcherAnswer()).toBeUndefined();
    expect(runEntry()).toBe(ranKplane);
    await storeToken(platform, 't0ken', soon, { location: 'file' });
    expect(runEntry()).toBe(launcherAnswer());
  });

  it('goes on to kplane after logout, and for a token file or a keyring, which only kplane reads', async () => {
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    await forgetToken(platform);
    expect(runEntry()).toMatch(/^kplane ran: /);
    const tokenFile = path.join(dir, 'id-token');
    writeFileSync(tokenFile, 'from-ci');
    await storeTokenFile(platform, tokenFile);
    expect(runEntry()).toMatch(/^kplane ran: /);
  });

  it('answers each platform with its own token', async () => {
    const other = 'https://platform.example.com';
    await storeToken(platform, 'mine', undefined, { location: 'file' });
    await storeToken(other, 'theirs', undefined, { location: 'file' });
    expect(JSON.parse(runEntry()).status.token).toBe('mine');
    expect(JSON.parse(runEntry({}, other)).status.token).toBe('theirs');
    await forgetToken(other);
    expect(JSON.parse(runEntry()).status.token).toBe('mine');
    expect(runEntry({}, other)).toMatch(/^kplane ran: /);
  });

  it('answers only while credentials.json has the bytes the answer came from, whoever changed it', async () => {
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    const kplaneDir = path.join(configHome, 'kplane');
    const credentials = path.join(kplaneDir, 'credentials.json');
    const before = readFileSync(credentials);
    const answers = path.join(dir, 'answers-before');
    copyFileSync(path.join(kplaneDir, PREPARED_CREDENTIALS_DIR, preparedCredentialName(platform)), answers);
    // An older kplane's logout, or a hand edit, in the same second and with the old timestamp kept.
    const { atime, mtime } = statSync(credentials);
    writeFileSync(credentials, JSON.stringify({ version: 1, platforms: {} }));
    utimesSync(credentials, atime, mtime);
    expect(runEntry()).toBe(ranKplane);
    // The same bytes back (a restore): the answer holds again, as kplane would answer the same.
    writeFileSync(credentials, before);
    expect(runEntry()).toBe(launcherAnswer());
    // A login that raced a logout and wrote its answer last: the answer names a file that is gone.
    await forgetToken(platform);
    mkdirSync(path.join(kplaneDir, PREPARED_CREDENTIALS_DIR), { recursive: true });
    copyFileSync(answers, path.join(kplaneDir, PREPARED_CREDENTIALS_DIR, preparedCredentialName(platform)));
    expect(runEntry()).toBe(ranKplane);
  });

  it('answers up to the due second, not in it, and not when the clock cannot be read', async () => {
    const due = 2_000_000_000;
    await storeToken(platform, 't0ken', new Date(due * 1000 + 500).toISOString(), { location: 'file' });
    const clock = path.join(dir, 'clock');
    mkdirSync(clock);
    const at = (now: string) => {
      writeFileSync(path.join(clock, 'date'), `#!/bin/sh\necho '${now}'\n`, { mode: 0o755 });
      return runEntry({ PATH: `${clock}${path.delimiter}${process.env.PATH}` });
    };
    expect(at(String(due - 1))).toBe(launcherAnswer());
    expect(at(String(due))).toBe(ranKplane);
    expect(at('')).toBe(ranKplane);
    expect(at('soon')).toBe(ranKplane);
  });

  it("takes a link where the answers go for a folder of its own, and leaves the link's target alone", async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(path.join(elsewhere, 'keep'), 'mine');
    mkdirSync(path.join(configHome, 'kplane'), { recursive: true });
    symlinkSync(elsewhere, path.join(configHome, 'kplane', PREPARED_CREDENTIALS_DIR));
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    expect(readdirSync(elsewhere)).toEqual(['keep']);
    expect(JSON.parse(runEntry()).status.token).toBe('t0ken');
  });

  it('goes on to kplane when kubectl asks for another ExecCredential version, or the fast path is off', async () => {
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    const v1beta1 = v1.replace('/v1"', '/v1beta1"');
    expect(runEntry({ KUBERNETES_EXEC_INFO: v1beta1 })).toMatch(/^kplane ran: /);
    expect(runEntry({ KPLANE_NO_FAST_PATH: '1' })).toMatch(/^kplane ran: /);
  });

  it('answers only the words it was prepared for', async () => {
    const other = 'https://platform.example.com';
    await storeToken(platform, 'mine', undefined, { location: 'file' });
    // An entry copied for another platform with only its URL changed.
    const copied = runEntry({}, platform, (args) => [...args.slice(0, -1), other]);
    expect(copied).toBe(`kplane ran: auth token --server ${other} extra=unset deferred=unset\n`);
    expect(runEntry({}, platform, (args) => [...args, '--v=9'])).toMatch(/^kplane ran: /);
  });

  it('leaves to kplane a config folder named through .., and a request kubectl would not write', async () => {
    await storeToken(platform, 't0ken', undefined, { location: 'file' });
    mkdirSync(path.join(dir, 'sub'));
    expect(runEntry({ XDG_CONFIG_HOME: `${dir}/sub/../config` })).toMatch(/^kplane ran: /);
    const spaced = '{"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1"}';
    expect(runEntry({ KUBERNETES_EXEC_INFO: spaced })).toMatch(/^kplane ran: /);
  });

  it('hands NODE_EXTRA_CA_CERTS to kplane instead of Node, only when it is set', () => {
    expect(runEntry({ NODE_EXTRA_CA_CERTS: '/now/company.pem' })).toBe(
      `kplane ran: auth token --server ${platform} extra= deferred=/now/company.pem\n`,
    );
    expect(runEntry()).toBe(`kplane ran: auth token --server ${platform} extra=unset deferred=unset\n`);
  });

  it('is the plain command on Windows, which has no /bin/sh', () => {
    expect(credentialExec(platform, 'win32').args).toEqual(['auth', 'token', '--server', platform]);
  });
});

describe('preparedAnswer', () => {
  const record = { location: 'file' as const, token: 't' };
  const only = (key: string, extra: object = {}) => ({
    version: 1 as const,
    platforms: { [key]: { ...record, ...extra } },
  });
  const due = (key: string, extra: object = {}) => preparedAnswer(key, only(key, extra), new Date(0))?.due;

  it('rounds the due second down and keeps 0 for a token without expiry', () => {
    expect(due(platform, { expiresAt: '2033-05-18T03:33:20.999Z' })).toBe(2_000_000_000);
    expect(due(platform, { expiresAt: '2033-05-18T05:33:20.999+02:00' })).toBe(2_000_000_000);
    expect(due(platform)).toBe(0);
    expect(due(platform, { expiresAt: '1970-01-01T00:00:00.500Z' })).toBe(1);
  });

  it('prepares nothing where the answer would depend on more than the document and the clock', () => {
    // Read in the local time zone, which may differ between the writer and the reader.
    expect(due(platform, { expiresAt: '2033-05-18T03:33:20' })).toBeUndefined();
    expect(due(platform, { expiresAt: 'whenever' })).toBeUndefined();
    // kplane would look these keys up as https://example.com, another record.
    expect(due('https://example.com:443')).toBeUndefined();
    expect(due('https://Example.com')).toBeUndefined();
    // Consent for plain HTTP is `true` itself, as kplane reads it.
    expect(due('http://127.0.0.1:8080')).toBeUndefined();
    expect(due('http://127.0.0.1:8080', { insecurePlaintextToken: 1 })).toBeUndefined();
    expect(due('http://127.0.0.1:8080', { insecurePlaintextToken: true })).toBe(0);
    expect(preparedAnswer(platform, { version: 1, platforms: { [platform]: { location: 'keyring' } } })).toBe(
      undefined,
    );
  });
});
