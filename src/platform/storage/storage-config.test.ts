import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetStorageConfig,
  readStorageConfig,
  STORAGE_CONFIG_FILE,
  StorageConfigError,
  writeStorageConfig,
  type StorageConfig,
} from './storage-config.js';

describe('storage.json', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-storage-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = (dir: string) => path.join(dir, STORAGE_CONFIG_FILE);

  const etcd: StorageConfig = {
    engine: 'etcd',
    endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
    keyPrefix: '/kplane/',
  };

  it('reads back what the platform wrote, owner-only', () => {
    const dir = dataDir();
    writeStorageConfig(dir, etcd);
    expect(statSync(file(dir)).mode & 0o777).toBe(0o600);
    expect(readStorageConfig(dir)).toEqual(etcd);
    const withTls: StorageConfig = {
      ...etcd,
      endpoints: ['https://127.0.0.1:2379'],
      tls: { caFile: '/etc/etcd/ca.crt', certFile: '/etc/etcd/client.crt', keyFile: '/etc/etcd/client.key' },
    };
    writeStorageConfig(dir, withTls);
    expect(readStorageConfig(dir)).toEqual(withTls);
  });

  it('says there is none when the platform runs on SQLite', () => {
    const dir = dataDir();
    expect(readStorageConfig(dir)).toBeUndefined();
    writeStorageConfig(dir, etcd);
    forgetStorageConfig(dir);
    expect(existsSync(file(dir))).toBe(false);
    expect(readStorageConfig(dir)).toBeUndefined();
    forgetStorageConfig(dir);
  });

  it('takes the default prefix when the file names none', () => {
    const dir = dataDir();
    writeFileSync(file(dir), JSON.stringify({ engine: 'etcd', endpoints: ['http://127.0.0.1:2379'] }));
    expect(readStorageConfig(dir)?.keyPrefix).toBe('/kplane/');
  });

  it.each([
    ['not JSON', '{"engine":', /not valid JSON/],
    ['not an object', '[]', /must hold a JSON object/],
    ['another engine', '{"engine":"sqlite","endpoints":["http://127.0.0.1:2379"]}', /engine must be "etcd"/],
    ['no endpoints', '{"engine":"etcd","endpoints":[]}', /endpoints must list/],
    [
      'an endpoint that is no URL',
      '{"engine":"etcd","endpoints":["127.0.0.1:2379"]}',
      /http:\/\/ or https:\/\//,
    ],
    ['a bad prefix', '{"engine":"etcd","endpoints":["http://a:1"],"keyPrefix":"kplane"}', /keyPrefix/],
    [
      'tls without a CA',
      '{"engine":"etcd","endpoints":["https://a:1"],"tls":{"certFile":"c"}}',
      /tls.caFile/,
    ],
    [
      'a client certificate without its key',
      '{"engine":"etcd","endpoints":["https://a:1"],"tls":{"caFile":"a","certFile":"c"}}',
      /certFile and tls.keyFile go together/,
    ],
  ])('refuses a file with %s, naming the file', (_what, text, message) => {
    const dir = dataDir();
    writeFileSync(file(dir), text);
    expect(() => readStorageConfig(dir)).toThrow(StorageConfigError);
    expect(() => readStorageConfig(dir)).toThrow(message);
    expect(() => readStorageConfig(dir)).toThrow(file(dir));
  });

  it('refuses to write what it would refuse to read, leaving the file as it was', () => {
    const dir = dataDir();
    writeStorageConfig(dir, etcd);
    expect(() => writeStorageConfig(dir, { ...etcd, endpoints: [] })).toThrow(/endpoints must list/);
    expect(JSON.parse(readFileSync(file(dir), 'utf8'))).toEqual(etcd);
  });
});
