import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../cli/errors.js';
import { namesStorage, rememberedStorage } from './remembered-storage.js';

const dirs: string[] = [];
function folder(storage?: unknown, localClientPort?: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-remembered-'));
  dirs.push(dir);
  if (storage !== undefined)
    writeFileSync(
      path.join(dir, 'storage.json'),
      typeof storage === 'string' ? storage : JSON.stringify(storage),
    );
  if (localClientPort !== undefined) {
    mkdirSync(path.join(dir, 'etcd'));
    writeFileSync(path.join(dir, 'etcd', 'ports.json'), JSON.stringify({ client: localClientPort, peer: 1 }));
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('rememberedStorage (dev up again on a folder that ran on etcd)', () => {
  it('is nothing for a new folder or one on SQLite', () => {
    expect(rememberedStorage(folder())).toBeUndefined();
  });

  it("is dev up's own local etcd when the folder's storage.json names it", () => {
    const dir = folder(
      { engine: 'etcd', endpoints: ['http://127.0.0.1:40123'], keyPrefix: '/kplane/' },
      40123,
    );
    expect(rememberedStorage(dir)).toEqual({ storage: 'etcd', etcdPrefix: '/kplane/' });
  });

  it("is the user's etcd with the same prefix and TLS files otherwise", () => {
    const dir = folder(
      {
        engine: 'etcd',
        endpoints: ['https://etcd-0:2379', 'https://etcd-1:2379'],
        keyPrefix: '/team-a/',
        tls: { caFile: '/c/ca.crt', certFile: '/c/client.crt', keyFile: '/c/client.key' },
      },
      40123,
    );
    expect(rememberedStorage(dir)).toEqual({
      storage: 'etcd',
      etcdEndpoints: 'https://etcd-0:2379,https://etcd-1:2379',
      etcdPrefix: '/team-a/',
      etcdCa: '/c/ca.crt',
      etcdCert: '/c/client.crt',
      etcdKey: '/c/client.key',
    });
  });

  it('refuses a storage.json it cannot read, saying what to give instead', () => {
    for (const bad of ['{not json', { engine: 'mysql', endpoints: [] }]) {
      const dir = folder(bad);
      expect(() => rememberedStorage(dir)).toThrow(InvalidInputError);
      expect(() => rememberedStorage(dir)).toThrow(/give --storage etcd --etcd-endpoints URL/);
    }
  });

  it('steps aside whenever the command line names any storage flag', () => {
    expect(namesStorage({ replicas: 2 })).toBe(false);
    expect(namesStorage({ storage: 'sqlite' })).toBe(true);
    expect(namesStorage({ etcdPrefix: '/x/' })).toBe(true);
  });
});
