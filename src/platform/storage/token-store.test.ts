import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteTokenStore } from './token-store.js';

describe('SqliteTokenStore', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens a data folder of an older platform keeping its tokens, which stay unbound', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-token-store-'));
    const file = path.join(dir, 'platform.db');
    const old = new Database(file);
    old.exec(
      'CREATE TABLE tokens (hash TEXT PRIMARY KEY, user TEXT NOT NULL, groups TEXT NOT NULL, expires_at INTEGER, created_at INTEGER NOT NULL)',
    );
    old.prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?)').run('aa', 'alice', '["dev"]', null, 1);
    old.close();

    const db = openDatabase(file);
    const tokens = new SqliteTokenStore(db);
    expect(tokens.find('aa')).toEqual({ hash: 'aa', user: 'alice', groups: ['dev'] });
    tokens.add({
      hash: 'bb',
      user: 'system:serviceaccount:ci:deployer',
      groups: [],
      expiresAt: 5_000,
      boundTo: { cluster: 'c1', uid: 'u1' },
    });
    expect(tokens.find('bb')?.boundTo).toEqual({ cluster: 'c1', uid: 'u1' });
    tokens.addDroppingExpired(
      {
        hash: 'cc',
        user: 'system:serviceaccount:ci:deployer',
        groups: [],
        expiresAt: 9_000,
        boundTo: { cluster: 'c1', uid: 'u1' },
      },
      5_000,
    );
    expect(tokens.find('bb')).toBeUndefined();
    expect(tokens.find('cc')?.expiresAt).toBe(9_000);
    expect(tokens.forgetExpiredBound(9_000)).toBe(1);
    expect(tokens.find('aa')).toBeDefined();
    db.close();
    // Opening again adds nothing twice.
    openDatabase(file).close();
  });
});
