import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { authenticate } from '../auth/authenticate.js';
import { openDatabase } from '../storage/database.js';
import { SqliteTokenStore } from '../storage/token-store.js';
import { runOwnerCommand } from './owner-commands.js';

describe('owner commands', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const platformDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-owner-'));
    dirs.push(dir);
    openDatabase(join(dir, 'platform.db')).close();
    return dir;
  };
  const whoHas = (dir: string, token: string, now?: number) => {
    const db = openDatabase(join(dir, 'platform.db'));
    try {
      return authenticate({ authorization: `Bearer ${token}` }, new SqliteTokenStore(db), now);
    } finally {
      db.close();
    }
  };

  const tokenRows = (dir: string) => {
    const db = openDatabase(join(dir, 'platform.db'));
    try {
      return (db.prepare('SELECT count(*) AS n FROM tokens').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('mints a token that prints alone and is stored only as a hash, with groups and expiry', async () => {
    const dir = platformDir();
    const now = 1_000_000;
    const result = await runOwnerCommand(
      'token',
      ['--data-dir', dir, '--user', 'alice', '--group', 'dev', '--group', 'ops', '--ttl', '1h30m'],
      now,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    const token = result.stdout.trim();
    expect(whoHas(dir, token, now)).toEqual({
      name: 'alice',
      groups: ['dev', 'ops', 'system:authenticated'],
      extra: { 'authentication.kplane.dev/expires-at': ['1970-01-01T01:46:40Z'] },
    });
    expect(whoHas(dir, token, now + 5_400_000)).toBeUndefined();
    const db = openDatabase(join(dir, 'platform.db'));
    const rows = db.prepare('SELECT * FROM tokens WHERE user = ?').all('alice') as Record<string, unknown>[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ expires_at: now + 5_400_000 });
  });

  it('revokes every token of one user and says how many', async () => {
    const dir = platformDir();
    const mint = async (user: string) =>
      (await runOwnerCommand('token', ['--data-dir', dir, '--user', user])).stdout.trim();
    const [a1, a2, b] = [await mint('alice'), await mint('alice'), await mint('bob')];
    expect(await runOwnerCommand('revoke-tokens', ['--data-dir', dir, '--user', 'alice'])).toEqual({
      code: 0,
      stdout: 'revoked 2 token(s) of user alice\n',
      stderr: '',
    });
    expect(whoHas(dir, a1)).toBeUndefined();
    expect(whoHas(dir, a2)).toBeUndefined();
    expect(whoHas(dir, b)?.name).toBe('bob');
    expect((await runOwnerCommand('revoke-tokens', ['--data-dir', dir, '--user', 'alice'])).stdout).toBe(
      'revoked 0 token(s) of user alice\n',
    );
  });

  it('refuses a folder without platform data, and creates nothing there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kplane-owner-empty-'));
    dirs.push(empty);
    for (const dir of [empty, join(empty, 'missing')]) {
      const result = await runOwnerCommand('token', ['--data-dir', dir, '--user', 'alice']);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `no kplane platform data in ${dir}: run kplane dev up first\n`,
      });
      expect(existsSync(join(dir, 'platform.db'))).toBe(false);
    }
  });

  it("refuses a folder whose storage.json is not the platform's, and creates nothing there", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-owner-storage-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'storage.json'), '{"engine":"etcd","endpoints":["127.0.0.1:2379"]}');
    const result = await runOwnerCommand('token', ['--data-dir', dir, '--user', 'alice']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(
      `${join(dir, 'storage.json')}: endpoint "127.0.0.1:2379" must be http://`,
    );
    expect(existsSync(join(dir, 'platform.db'))).toBe(false);
  });

  it.each([
    ['99999999d', 'longer than the maximum of 365d'],
    ['366d', 'longer than the maximum of 365d'],
    ['8761h', 'longer than the maximum of 365d'],
  ])('refuses a --ttl of %s beyond a year with exit code 2, and stores nothing', async (ttl, message) => {
    const dir = platformDir();
    const result = await runOwnerCommand('token', ['--data-dir', dir, '--user', 'alice', '--ttl', ttl]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(tokenRows(dir)).toBe(0);
  });

  it('accepts a --ttl of exactly the maximum', async () => {
    const dir = platformDir();
    expect(
      (await runOwnerCommand('token', ['--data-dir', dir, '--user', 'alice', '--ttl', '365d'])).code,
    ).toBe(0);
  });

  it.each(['kplane-admin', 'system:kplane', 'system:masters', 'system:serviceaccount:ci:builder', 'system:'])(
    'refuses to mint a token for the reserved name %s with exit code 2, and stores nothing',
    async (user) => {
      const dir = platformDir();
      const result = await runOwnerCommand('token', ['--data-dir', dir, '--user', user]);
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain(`--user ${JSON.stringify(user)} is reserved`);
      expect(tokenRows(dir)).toBe(0);
    },
  );

  it.each([
    [['--user', 'alice'], '--data-dir is required'],
    [['--data-dir', '.'], '--user is required'],
    [['--data-dir', '.', '--user', ''], '--user is required'],
    [['--data-dir', '.', '--user', 'alice', '--ttl', '1w'], '--ttl: invalid duration "1w"'],
    [['--data-dir', '.', '--user', 'alice', '--ttl', '0s'], '--ttl: invalid duration "0s"'],
    [['--data-dir', '.', '--user', 'alice', '--nope'], "Unknown option '--nope'"],
    [['--data-dir', '.', '--user', 'alice', 'extra'], 'Unexpected argument'],
    [['--data-dir', '.', '--user', 'alice', '--group', ' x'], '--group " x"'],
  ])('rejects %j with exit code 2', async (args, message) => {
    const result = await runOwnerCommand('token', args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: node dist/platform/main.js token');
  });
});
