import { describe, expect, it } from 'vitest';
import { parsePlatformArgs, PlatformArgsError } from './platform-args.js';

const base = ['--port', '0', '--data-dir', '/tmp/kp'];

describe('parsePlatformArgs', () => {
  it('defaults to SQLite, one process, as before', () => {
    expect(parsePlatformArgs([...base, '--demo'])).toEqual({
      port: 0,
      dataDir: '/tmp/kp',
      demo: true,
      storage: { engine: 'sqlite' },
    });
  });

  it('reads etcd storage with its default key prefix', () => {
    const args = parsePlatformArgs([
      ...base,
      '--storage',
      'etcd',
      '--etcd-endpoints',
      'http://127.0.0.1:2379, http://127.0.0.1:22379',
      '--replica-id',
      'r2',
    ]);
    expect(args.storage).toEqual({
      engine: 'etcd',
      endpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
      keyPrefix: '/kplane/',
    });
    expect(args.replicaId).toBe('r2');
  });

  it('reads TLS client files and a key prefix', () => {
    const args = parsePlatformArgs([
      ...base,
      '--storage=etcd',
      '--etcd-endpoints=https://127.0.0.1:2379',
      '--etcd-ca=/c/ca.crt',
      '--etcd-cert=/c/client.crt',
      '--etcd-key=/c/client.key',
      '--etcd-prefix=/team-a/kplane/',
    ]);
    expect(args.storage).toEqual({
      engine: 'etcd',
      endpoints: ['https://127.0.0.1:2379'],
      keyPrefix: '/team-a/kplane/',
      tls: { caFile: '/c/ca.crt', certFile: '/c/client.crt', keyFile: '/c/client.key' },
    });
  });

  it('accepts server-verified TLS without a client certificate', () => {
    const args = parsePlatformArgs([
      ...base,
      '--storage=etcd',
      '--etcd-endpoints=https://etcd.example:2379',
      '--etcd-ca=/c/ca.crt',
    ]);
    expect(args.storage).toMatchObject({ tls: { caFile: '/c/ca.crt' } });
  });

  it.each([
    [
      'an unknown engine',
      ['--storage', 'postgres'],
      '--storage "postgres": use sqlite (the default) or etcd',
    ],
    ['etcd without endpoints', ['--storage', 'etcd'], '--storage etcd needs --etcd-endpoints URL[,URL...]'],
    [
      'etcd flags without --storage etcd',
      ['--etcd-endpoints', 'http://127.0.0.1:2379'],
      '--etcd-endpoints applies to etcd storage: add --storage etcd',
    ],
    [
      'an endpoint that is no URL',
      ['--storage', 'etcd', '--etcd-endpoints', '127.0.0.1:2379'],
      '"127.0.0.1:2379" is not an etcd client URL',
    ],
    [
      'an endpoint with a path',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://127.0.0.1:2379/v3'],
      'is not an etcd client URL',
    ],
    [
      'an empty endpoint in the list',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://127.0.0.1:2379,'],
      '"" is not an etcd client URL',
    ],
    [
      'http and https mixed',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://a:2379,https://b:2379', '--etcd-ca', 'ca'],
      'use all http:// or all https://',
    ],
    [
      'https without a CA',
      ['--storage', 'etcd', '--etcd-endpoints', 'https://127.0.0.1:2379'],
      'https:// --etcd-endpoints need --etcd-ca FILE',
    ],
    [
      'a CA for plain http',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://127.0.0.1:2379', '--etcd-ca', 'ca'],
      '--etcd-ca is for TLS: give https:// --etcd-endpoints',
    ],
    [
      'a certificate without its key',
      ['--storage', 'etcd', '--etcd-endpoints', 'https://h:1', '--etcd-ca', 'ca', '--etcd-cert', 'c'],
      '--etcd-cert and --etcd-key go together',
    ],
    [
      'a key without its certificate',
      ['--storage', 'etcd', '--etcd-endpoints', 'https://h:1', '--etcd-ca', 'ca', '--etcd-key', 'k'],
      '--etcd-cert and --etcd-key go together',
    ],
    [
      'a prefix without its slashes',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://h:1', '--etcd-prefix', 'kplane'],
      `--etcd-prefix "kplane": give a key prefix that begins and ends with '/'`,
    ],
    [
      'a replica on SQLite',
      ['--replica-id', 'r1'],
      '--replica-id: replicas share one store, and SQLite serves one process',
    ],
    [
      'a replica id that could leave the data folder',
      ['--storage', 'etcd', '--etcd-endpoints', 'http://h:1', '--replica-id', '../x'],
      `--replica-id "../x": use 1-32 lower-case letters`,
    ],
    [
      'members on etcd',
      ['--members', 'demo', '--storage', 'etcd', '--etcd-endpoints', 'http://h:1'],
      'it takes no --storage etcd',
    ],
    ['members and the demo tree', ['--members', 'demo', '--demo'], 'it takes no --demo'],
    ['a bad port', ['--port', '70000'], '--port must be 0-65535'],
    ['an unknown flag', ['--replicas', '2'], "Unknown option '--replicas'"],
    ['a bad watch history', ['--watch-history', '0s'], '--watch-history: invalid duration "0s"'],
  ])('refuses %s with a message saying what to do', (_, extra, message) => {
    const argv = extra.includes('--port') ? ['--data-dir', '/tmp/kp', ...extra] : [...base, ...extra];
    expect(() => parsePlatformArgs(argv)).toThrow(PlatformArgsError);
    expect(() => parsePlatformArgs(argv)).toThrow(message);
  });

  it('requires the data folder', () => {
    expect(() => parsePlatformArgs(['--port', '0'])).toThrow('--data-dir is required');
  });
});
