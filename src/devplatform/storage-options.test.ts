import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../cli/errors.js';
import { devStorage } from './storage-options.js';

const certs = mkdtempSync(path.join(os.tmpdir(), 'kplane-storage-options-'));
const pem = (name: string) => {
  const file = path.join(certs, name);
  writeFileSync(file, '');
  return file;
};
afterAll(() => rmSync(certs, { recursive: true, force: true }));

describe('devStorage (dev up --storage, --etcd-*, --replicas)', () => {
  it('keeps the default SQLite platform when nothing is asked', () => {
    expect(devStorage({})).toBeUndefined();
    expect(devStorage({ storage: 'sqlite', replicas: 1 })).toBeUndefined();
  });

  it('runs a local etcd when no endpoints are given', () => {
    expect(devStorage({ storage: 'etcd', replicas: 3 })).toEqual({
      replicas: 3,
      etcd: { keyPrefix: '/kplane/' },
    });
  });

  it("uses the user's etcd with its TLS files", () => {
    const [caFile, certFile, keyFile] = [pem('ca.crt'), pem('client.crt'), pem('client.key')];
    expect(
      devStorage({
        storage: 'etcd',
        etcdEndpoints: 'https://127.0.0.1:2379',
        etcdCa: caFile,
        etcdCert: certFile,
        etcdKey: keyFile,
      }),
    ).toEqual({
      replicas: 1,
      etcd: {
        endpoints: ['https://127.0.0.1:2379'],
        keyPrefix: '/kplane/',
        tls: { caFile, certFile, keyFile },
      },
    });
  });

  it('refuses a TLS file that is not there before anything starts (exit 2)', () => {
    const flags = { storage: 'etcd', etcdEndpoints: 'https://127.0.0.1:2379', etcdCa: '/nonexistent/ca.crt' };
    expect(() => devStorage(flags)).toThrow(InvalidInputError);
    expect(() => devStorage(flags)).toThrow('--etcd-ca /nonexistent/ca.crt: no such file');
  });

  it.each([
    [
      { replicas: 2 },
      '--replicas 2: replicas share one store, and SQLite serves one process: add --storage etcd',
    ],
    [{ storage: 'sqlite', replicas: 2 }, 'add --storage etcd'],
    [{ replicas: 0 }, '--replicas 0: give a whole number of platform processes, 1 or more'],
    [
      { storage: 'etcd', etcdCa: 'ca.crt' },
      '--etcd-ca is for an etcd you run: give its --etcd-endpoints too',
    ],
    [
      { etcdEndpoints: 'http://127.0.0.1:2379' },
      '--etcd-endpoints applies to etcd storage: add --storage etcd',
    ],
    [{ storage: 'etcd', etcdEndpoints: 'localhost:2379' }, '"localhost:2379" is not an etcd client URL'],
    [{ storage: 'etcd', etcdPrefix: 'x' }, '--etcd-prefix "x"'],
    [{ storage: 'memory' }, '--storage "memory": use sqlite (the default) or etcd'],
  ])('refuses %j before anything starts (exit 2)', (flags, message) => {
    expect(() => devStorage(flags)).toThrow(InvalidInputError);
    expect(() => devStorage(flags)).toThrow(message);
  });
});
