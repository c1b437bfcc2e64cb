// One suite, both storage engines, for the two pieces of shared state beside the objects: the cluster
// index (workspace path <-> logical cluster id, resolved on every request) and the bearer tokens (found on
// every request). On etcd they must be shared by every replica, and join the caller's transaction as the
// SQLite tables do.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteClusterIndex, type ClusterIndex } from '../../src/platform/storage/cluster-index.js';
import { openDatabase } from '../../src/platform/storage/database.js';
import { EtcdClusterIndex } from '../../src/platform/storage/etcd/etcd-cluster-index.js';
import { EtcdStore } from '../../src/platform/storage/etcd/etcd-store.js';
import { EtcdTokenStore } from '../../src/platform/storage/etcd/etcd-token-store.js';
import { EventLog, type ChangeEvent } from '../../src/platform/storage/event-log.js';
import { ObjectStore } from '../../src/platform/storage/object-store.js';
import {
  SqliteTokenStore,
  type TokenRecord,
  type TokenStore,
} from '../../src/platform/storage/token-store.js';
import { etcdMissing, startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { eventually } from './helpers/wait.js';

/** One replica of a platform's storage: its transactions, its index and its tokens. */
interface Replica {
  transact<T>(work: () => T): Promise<T>;
  clusters: ClusterIndex;
  tokens: TokenStore;
}

/** A platform's storage, and another replica of the same (a second connection to the SQLite file). */
interface Engine {
  first: Replica;
  peer: () => Promise<Replica>;
  /** Every event the first replica published. */
  events: ChangeEvent[];
}

let etcd: EtcdCluster | undefined;
let sequence = 0;
const cleanups: (() => void)[] = [];

const engines: { name: string; skip: string | undefined; open: () => Promise<Engine> }[] = [
  {
    name: 'SQLite',
    skip: undefined,
    open: () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-index-contract-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const replica = (): Replica => {
        const db = openDatabase(path.join(dir, 'platform.db'));
        cleanups.unshift(() => db.close());
        const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
        return {
          transact: async (work) => store.transact(work),
          clusters: new SqliteClusterIndex(db),
          tokens: new SqliteTokenStore(db),
        };
      };
      return Promise.resolve({ first: replica(), peer: () => Promise.resolve(replica()), events: [] });
    },
  },
  {
    name: 'etcd',
    skip: etcdMissing,
    open: async () => {
      // A prefix of its own per test: the tests share one etcd and none sees another's records.
      const keyPrefix = `/contract/t${++sequence}/`;
      const replica = async () => {
        const store = await EtcdStore.open({ endpoints: etcd!.endpoints, requestTimeoutMs: 1500, keyPrefix });
        cleanups.unshift(() => store.close());
        return {
          store,
          replica: {
            transact: <T>(work: () => T) => store.transact(() => work()),
            clusters: new EtcdClusterIndex(store),
            tokens: new EtcdTokenStore(store),
          },
        };
      };
      const { store, replica: first } = await replica();
      const events: ChangeEvent[] = [];
      store.events.subscribe((event) => events.push(event));
      return { first, peer: async () => (await replica()).replica, events };
    },
  },
];

beforeAll(async () => {
  if (!etcdMissing) etcd = await startEtcd(1);
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const id = (n: number) => `a${String(n).padStart(15, '0')}`;
const token = (hash: string, user: string, more: Partial<TokenRecord> = {}): TokenRecord => ({
  hash,
  user,
  groups: ['dev'],
  ...more,
});
const soon = <T>(read: () => T, ok: (value: T) => boolean) =>
  eventually(() => Promise.resolve(read()), ok, 10_000);

describe.each(engines)('cluster index on $name', ({ skip, open }) => {
  it.skipIf(skip)('resolves a workspace by path and by id; a path wins over an id', async () => {
    const { first } = await open();
    const { transact, clusters } = first;
    await transact(() => {
      clusters.add({ id: 'root', path: 'root' });
      clusters.add({ id: id(1), path: 'root:acme' });
      // An id that reads like another cluster's path: resolving that text finds the path.
      clusters.add({ id: 'root:acme:web', path: 'root:other' });
    });
    expect(clusters.resolve('root')).toEqual({ id: 'root', path: 'root' });
    expect(clusters.resolve('root:acme')).toEqual({ id: id(1), path: 'root:acme' });
    expect(clusters.resolve(id(1))).toEqual({ id: id(1), path: 'root:acme' });
    expect(clusters.resolve('root:nope')).toBeUndefined();
    await transact(() => clusters.add({ id: id(2), path: 'root:acme:web' }));
    expect(clusters.resolve('root:acme:web')).toEqual({ id: id(2), path: 'root:acme:web' });
  });

  it.skipIf(skip)('moves an id to its new path, and gives a path to the cluster that takes it', async () => {
    const { transact, clusters } = (await open()).first;
    await transact(() => clusters.add({ id: id(1), path: 'root:a' }));
    await transact(() => clusters.add({ id: id(1), path: 'root:b' }));
    expect(clusters.resolve('root:a')).toBeUndefined();
    expect(clusters.resolve('root:b')).toEqual({ id: id(1), path: 'root:b' });
    await transact(() => clusters.add({ id: id(2), path: 'root:b' }));
    expect(clusters.resolve('root:b')).toEqual({ id: id(2), path: 'root:b' });
    expect(clusters.resolve(id(1))).toBeUndefined();
  });

  it.skipIf(skip)('removes a cluster by id, its path with it', async () => {
    const { transact, clusters } = (await open()).first;
    await transact(() => {
      clusters.add({ id: id(1), path: 'root:a' });
      clusters.add({ id: id(2), path: 'root:b' });
    });
    await transact(() => clusters.remove(id(1)));
    expect(clusters.resolve('root:a')).toBeUndefined();
    expect(clusters.resolve(id(1))).toBeUndefined();
    expect(clusters.resolve('root:b')).toEqual({ id: id(2), path: 'root:b' });
    await transact(() => clusters.remove(id(3)));
  });

  it.skipIf(skip)('keeps nothing of a transaction whose work throws', async () => {
    const { transact, clusters } = (await open()).first;
    await transact(() => clusters.add({ id: id(1), path: 'root:kept' }));
    await expect(
      transact(() => {
        clusters.add({ id: id(2), path: 'root:lost' });
        clusters.remove(id(1));
        throw new Error('precondition failed');
      }),
    ).rejects.toThrow('precondition failed');
    expect(clusters.resolve('root:lost')).toBeUndefined();
    expect(clusters.resolve(id(2))).toBeUndefined();
    expect(clusters.resolve('root:kept')).toEqual({ id: id(1), path: 'root:kept' });
  });

  it.skipIf(skip)("shows one replica's index writes to another", async () => {
    const { first, peer } = await open();
    const other = await peer();
    await first.transact(() => first.clusters.add({ id: id(1), path: 'root:shared' }));
    expect(await soon(() => other.clusters.resolve('root:shared'), Boolean)).toEqual({
      id: id(1),
      path: 'root:shared',
    });
    await other.transact(() => other.clusters.remove(id(1)));
    expect(
      await soon(
        () => first.clusters.resolve(id(1)),
        (ref) => ref === undefined,
      ),
    ).toBeUndefined();
  });
});

describe.each(engines)('token store on $name', ({ skip, open }) => {
  it.skipIf(skip)('finds a token by its hash with its user, groups, expiry and binding', async () => {
    const { tokens } = (await open()).first;
    const bound = token('h2', 'system:serviceaccount:ci:deployer', {
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'],
      expiresAt: 5_000,
      boundTo: { cluster: id(1), uid: 'u1' },
    });
    await tokens.add(token('h1', 'alice', { groups: ['dev', 'ops'] }));
    await tokens.add(bound);
    expect(tokens.find('h1')).toEqual({ hash: 'h1', user: 'alice', groups: ['dev', 'ops'] });
    expect(tokens.find('h2')).toEqual(bound);
    expect(tokens.find('h3')).toBeUndefined();
  });

  it.skipIf(skip)('revokes every token of one user and says how many', async () => {
    const { tokens } = (await open()).first;
    for (const record of [token('a1', 'alice'), token('a2', 'alice'), token('b1', 'bob')])
      await tokens.add(record);
    expect(await tokens.revokeUser('alice')).toBe(2);
    expect(tokens.find('a1')).toBeUndefined();
    expect(tokens.find('a2')).toBeUndefined();
    expect(tokens.find('b1')?.user).toBe('bob');
    expect(await tokens.revokeUser('alice')).toBe(0);
  });

  it.skipIf(skip)('drops the bound tokens that ran out when one is added, and only those', async () => {
    const { tokens } = (await open()).first;
    const bound = { cluster: id(1), uid: 'u1' };
    await tokens.add(token('expired', 'sa', { expiresAt: 1_000, boundTo: bound }));
    await tokens.add(token('valid', 'sa', { expiresAt: 9_000, boundTo: bound }));
    await tokens.add(token('person-expired', 'alice', { expiresAt: 1_000 }));
    await tokens.addDroppingExpired(token('fresh', 'sa', { expiresAt: 9_000, boundTo: bound }), 5_000);
    expect(tokens.find('expired')).toBeUndefined();
    expect(tokens.find('fresh')?.expiresAt).toBe(9_000);
    expect(tokens.find('valid')).toBeDefined();
    // A person's token is kept (it is refused when used): the owner revokes people's tokens.
    expect(tokens.find('person-expired')).toBeDefined();
    expect(await tokens.forgetExpiredBound(9_000)).toBe(2);
    expect(tokens.find('valid')).toBeUndefined();
    expect(await tokens.forgetExpiredBound(9_000)).toBe(0);
  });

  it.skipIf(skip)('works off more expired or revoked tokens than one etcd transaction holds', async () => {
    const { transact, tokens } = (await open()).first;
    // More removals than the local etcd's --max-txn-ops (1024) allows in one transaction.
    const pile = 1100;
    const bound = { cluster: id(1), uid: 'u1' };
    const addAll = async (make: (i: number) => TokenRecord) => {
      for (let start = 0; start < pile; start += 550)
        await transact(() => {
          for (let i = start; i < start + 550; i++) void tokens.add(make(i));
        });
    };
    await addAll((i) => token(`old-${i}`, 'sa', { expiresAt: 1_000, boundTo: bound }));
    await addAll((i) => token(`bulk-${i}`, 'leaked'));
    await tokens.addDroppingExpired(token('new', 'sa', { expiresAt: 9_000, boundTo: bound }), 5_000);
    expect(tokens.find('new')).toBeDefined();
    const left = await tokens.forgetExpiredBound(5_000);
    expect(pile - left).toBeGreaterThan(0);
    for (let i = 0; i < pile; i++) expect(tokens.find(`old-${i}`)).toBeUndefined();
    expect(await tokens.revokeUser('leaked')).toBe(pile);
    expect(tokens.find(`bulk-${pile - 1}`)).toBeUndefined();
    expect(tokens.find('new')).toBeDefined();
  });

  it.skipIf(skip)("joins the caller's transaction, keeping nothing when it throws", async () => {
    const { transact, tokens } = (await open()).first;
    await expect(
      transact(() => {
        void tokens.add(token('rolled-back', 'alice'));
        throw new Error('precondition failed');
      }),
    ).rejects.toThrow('precondition failed');
    expect(tokens.find('rolled-back')).toBeUndefined();
    await transact(() => void tokens.add(token('committed', 'alice')));
    expect(tokens.find('committed')?.user).toBe('alice');
  });

  it.skipIf(skip)("shows one replica's minted and revoked tokens to another", async () => {
    const { first, peer } = await open();
    const other = await peer();
    await first.tokens.add(token('minted-here', 'carol'));
    expect(await soon(() => other.tokens.find('minted-here'), Boolean)).toMatchObject({ user: 'carol' });
    expect(await other.tokens.revokeUser('carol')).toBe(1);
    expect(
      await soon(
        () => first.tokens.find('minted-here'),
        (t) => t === undefined,
      ),
    ).toBeUndefined();
  });
});

describe.skipIf(etcdMissing)('index and tokens on etcd, seen from the API', () => {
  it('never shows an index or token record in a list across clusters or in the event feed', async () => {
    const store = await EtcdStore.open({
      endpoints: etcd!.endpoints,
      requestTimeoutMs: 1500,
      keyPrefix: `/contract/t${++sequence}/`,
    });
    cleanups.push(() => store.close());
    const seen: ChangeEvent[] = [];
    store.events.subscribe((event) => seen.push(event));
    const start = store.resourceVersion;
    const [clusters, tokens] = [new EtcdClusterIndex(store), new EtcdTokenStore(store)];
    await store.transact(() => clusters.add({ id: id(1), path: 'root:hidden' }));
    await tokens.add(token('hidden', 'alice'));
    await store.transact((tx) =>
      tx.put(
        { cluster: id(1), resource: 'configmaps', namespace: 'default', name: 'visible' },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'visible' } },
      ),
    );
    // Replayed before any fence: etcd before 3.4.25 may report a watch's progress ahead of its events
    // (etcd issue #15220), and a replay up to a fence's revision would then end early.
    expect((await store.eventsSince(start)).map((e) => e.key.name)).toEqual(['visible']);
    await store.syncToLatest();
    expect(seen.map((e) => `${e.key.cluster} ${e.key.name}`)).toEqual([`${id(1)} visible`]);
    for (const resource of EtcdClusterIndex.RESOURCES.concat(EtcdTokenStore.RESOURCE))
      expect(store.listEverywhere(resource)).toEqual([]);
    // No request can name the reserved clusters: the index resolves only workspaces.
    for (const reserved of [EtcdClusterIndex.CLUSTER, EtcdTokenStore.CLUSTER])
      expect(clusters.resolve(reserved)).toBeUndefined();
  });

  it('lets a token record that is not what the platform writes authenticate nobody', async () => {
    const store = await EtcdStore.open({ endpoints: etcd!.endpoints, requestTimeoutMs: 1500 });
    cleanups.push(() => store.close());
    const tokens = new EtcdTokenStore(store);
    const forged = (name: string, fields: Record<string, unknown>) =>
      store.transact((tx) =>
        tx.put(
          { cluster: EtcdTokenStore.CLUSTER, resource: EtcdTokenStore.RESOURCE, namespace: '', name },
          { metadata: { name }, ...fields },
        ),
      );
    await forged('no-groups', { user: 'mallory' });
    await forged('odd-binding', { user: 'mallory', groups: [], boundTo: 'root' });
    await forged('odd-expiry', { user: 'mallory', groups: [], expiresAt: 'never' });
    for (const hash of ['no-groups', 'odd-binding', 'odd-expiry']) expect(tokens.find(hash)).toBeUndefined();
  });

  it('refuses an index write outside a transaction, a programming error', async () => {
    const store = await EtcdStore.open({ endpoints: etcd!.endpoints, requestTimeoutMs: 1500 });
    cleanups.push(() => store.close());
    const clusters = new EtcdClusterIndex(store);
    expect(() => clusters.add({ id: id(1), path: 'root:x' })).toThrow(/inside a storage transaction/);
    expect(() => clusters.remove(id(1))).toThrow(/inside a storage transaction/);
  });
});
