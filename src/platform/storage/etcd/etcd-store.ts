// The platform's storage on etcd v3, for several platform replicas on one etcd cluster (issue 14).
//
// Reads stay synchronous: each replica keeps a mirror of the whole keyspace, fed by one etcd watch from
// the revision of its first snapshot (kube-apiserver's watch cache), and serves get/list from it at the
// mirror's revision. resourceVersion is etcd's revision: an object's is its key's mod_revision, a list's
// the mirror's revision. A write transaction runs `work` synchronously against the mirror and commits as
// one etcd Txn that compares what it read (see transaction.ts); `transact` is therefore async, and
// resolves only once this replica's mirror has applied the commit, so a replica reads its own writes.
// Change events come from the watch, so every replica publishes every replica's writes, in revision
// order, once each.
//
// The server picks it with `--storage etcd` (open-storage.ts) and maps StorageUnavailableError to 503,
// ResourceExpiredError to 410 (reason Expired) and StorageConflictError to 409; it passes `mayBeStale`
// (its 404/409 errors) so a dry run or a 422 costs no round trip to etcd. A transaction that removes a
// logical cluster whole (a workspace's deletion) commits a marker, and the cluster's keys go afterwards
// in batches (cluster-deletions.ts), since one Txn is capped by etcd's --max-txn-ops.
// Reads (get, list, listAfter, countAfter, listEverywhere, resourceVersion, events) keep their
// signatures; CollectionSnapshot takes either engine (SnapshotSource), and `listAt` reads a page at an
// older revision from etcd itself. The cluster index and the tokens live in this keyspace too, under
// reserved logical clusters (see etcd-cluster-index.ts, etcd-token-store.ts): they ride the same mirror
// and transactions, and never show in a list across clusters or in the event feed (mirror.ts).
// Every key is under `keyPrefix`, so several platforms can share one etcd.
//
// What a read does when etcd is unreachable or has lost quorum: `isCurrent()` turns false within
// `staleAfterMs`; a read that asks for the current state (a list or get without resourceVersion) should
// call `ensureCurrent()`, which throws StorageUnavailableError (503) rather than answer stale data as
// current. Watches and reads at an explicit older resourceVersion may still be served from the mirror,
// as kube-apiserver's watch cache serves them.

import type { KubeObject } from '../../api/object.js';
import { EventLog, type EventLogOptions, type ChangeEvent } from '../event-log.js';
import type { CollectionScope, ListPosition, ObjectKey } from '../object-key.js';
import type { PlatformStore, StoredEntry } from '../store.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, EtcdConnection, type EtcdConnectionOptions } from './client.js';
import { DELETIONS_CLUSTER, deletionMarkerKey } from './cluster-deletions.js';
import { ResourceExpiredError, StorageConflictError, StorageUnavailableError } from './errors.js';
import { keyAfter, KeyLayout, prefixEnd } from './keys.js';
import { decodeObject, KeyspaceMirror, type KeyChange } from './mirror.js';
import { EtcdTransaction } from './transaction.js';
import { RevisionWaiters } from './revision-waiters.js';
import { WatchFeed } from './watch-feed.js';
import { replayHistory } from './history.js';
import { loadSnapshot } from './snapshot.js';

export interface EtcdStoreOptions extends EtcdConnectionOptions {
  /**
   * Where this platform's keys live (default `/kplane/`), as kube-apiserver's --etcd-prefix: platforms with
   * different prefixes share one etcd and see nothing of each other.
   */
  keyPrefix?: string;
  history?: EventLogOptions;
  /** How many times a transaction runs before a lost compare-and-swap becomes a conflict (409). */
  maxAttempts?: number;
  /** How often the replica asks etcd for its revision, to know whether its mirror is current. */
  probeIntervalMs?: number;
  /** How long after the last answer from etcd the mirror stops counting as current. */
  staleAfterMs?: number;
  /**
   * Which errors thrown by a transaction's work may come from a mirror behind etcd (a 404 or a
   * resourceVersion 409 right after a write made through another replica): for those the replica asks
   * etcd for its revision and, when it was behind, runs the work again once caught up. Every error by
   * default; the server passes its 404/409 test so a 422 costs no round trip to etcd.
   */
  mayBeStale?: (err: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// The deletes' watch answer carries every deleted object (prev_kv), each up to etcd's 1.5 MiB.
const DEFAULT_CLUSTER_DELETE_BATCH = 100;
/** How long after a failed cluster deletion (etcd unreachable) the replica tries it again. */
const CLUSTER_DELETION_RETRY_MS = 5000;

export class EtcdStore implements PlatformStore {
  readonly events: EventLog;
  private open: EtcdTransaction | undefined;
  private readonly waiters: RevisionWaiters;
  private readonly feed: WatchFeed;
  private readonly probeTimer: NodeJS.Timeout;
  private lastProbe = { at: 0, revision: 0 };
  private previousProbeRevision = 0;
  private compacted = 0;
  /** The newest revision etcd said the watch has seen everything up to (it may name writes outside /kplane/). */
  private progressRevision = 0;
  /** The newest revision this replica wrote: no read of the current state may be answered without it. */
  private ownWrite = 0;
  /** Transactions that lost a compare-and-swap retry one at a time, so they do not keep beating each other. */
  private retryLane: Promise<unknown> = Promise.resolve();
  private readonly maxAttempts: number;
  private readonly staleAfterMs: number;
  private readonly mayBeStale: (err: unknown) => boolean;
  private readonly keys: KeyLayout;
  private deletionRetry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly connection: EtcdConnection,
    private readonly mirror: KeyspaceMirror,
    options: EtcdStoreOptions,
  ) {
    this.keys = mirror.keys;
    this.events = new EventLog(mirror.revision, options.history);
    this.maxAttempts = options.maxAttempts ?? 8;
    const probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.staleAfterMs = options.staleAfterMs ?? 3 * probeIntervalMs;
    this.mayBeStale = options.mayBeStale ?? (() => true);
    this.lastProbe = { at: Date.now(), revision: mirror.revision };
    this.previousProbeRevision = mirror.revision;
    this.waiters = new RevisionWaiters(
      () => this.mirror.revision,
      () => this.progressRevision,
      () => this.feed.requestProgress(),
    );
    this.feed = new WatchFeed(connection, this.keys.root, {
      resumeAfter: () => this.mirror.revision,
      changes: (changes) => this.apply(changes),
      // etcd before 3.4.25 may report progress ahead of events it has yet to send (etcd issue #15220),
      // so a progress report wakes waiters but never moves the mirror past an event it has not applied.
      progress: (revision) => {
        this.progressRevision = Math.max(this.progressRevision, revision);
        this.wake();
      },
      compacted: (revision) => this.resync(revision),
    });
    this.probeTimer = setInterval(() => void this.probe(), probeIntervalMs);
    this.probeTimer.unref();
  }

  /**
   * Connects, reads a snapshot of every object and follows etcd from its revision; resolves once the
   * watch is established, so a store just opened is current.
   */
  static async open(options: EtcdStoreOptions): Promise<EtcdStore> {
    // A bad prefix is refused before anything connects.
    const keys = new KeyLayout(options.keyPrefix);
    const connection = await EtcdConnection.connect(options);
    let store: EtcdStore | undefined;
    try {
      store = new EtcdStore(connection, await loadSnapshot(connection, keys), options);
      store.feed.start();
      await store.feed.established(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
      void store.finishClusterDeletions();
      return store;
    } catch (err) {
      if (store) store.close();
      else connection.close();
      throw err;
    }
  }

  /** The revision this replica's reads reflect. */
  get resourceVersion(): number {
    return this.mirror.revision;
  }

  /** The newest revision etcd is known to have compacted away: a watch from before it is 410 Gone. */
  get compactedRevision(): number {
    return this.compacted;
  }

  get(key: ObjectKey): KubeObject | undefined {
    return this.mirror.get(key);
  }

  list(scope: CollectionScope): StoredEntry[] {
    return this.mirror.list(scope);
  }

  listAfter(scope: CollectionScope, after: ListPosition | undefined, count: number): StoredEntry[] {
    return this.mirror.listAfter(scope, after, count);
  }

  countAfter(scope: CollectionScope, after: ListPosition | undefined): number {
    return this.mirror.countAfter(scope, after);
  }

  listEverywhere(resource: string): StoredEntry[] {
    return this.mirror.listEverywhere(resource);
  }

  /**
   * Whether the mirror is known to be current: the watch is established, etcd answered a
   * linearizable read within `staleAfterMs` whose revision the mirror has reached since, and the mirror
   * holds every write this replica made. False while etcd is unreachable or without quorum, and while a
   * write acknowledged before its event arrived (the wait for it timed out) is not in the mirror yet.
   */
  isCurrent(): boolean {
    return (
      this.feed.connected &&
      Date.now() - this.lastProbe.at <= this.staleAfterMs &&
      this.seen() >= this.previousProbeRevision &&
      this.mirror.revision >= this.ownWrite
    );
  }

  /** Throws StorageUnavailableError when the mirror cannot vouch that it is current. */
  ensureCurrent(): void {
    if (!this.isCurrent())
      throw new StorageUnavailableError(
        'etcd is unavailable: this replica cannot confirm its data is current',
      );
  }

  /**
   * A consistent read's fence, as kube-apiserver's consistent reads from cache: writes a fence key
   * (with quorum, so it is ordered after every write acknowledged anywhere) and waits until the
   * mirror has applied that write's event, hence every change before it. Returns that revision.
   * A write rather than a read of the current revision plus a progress report, because etcd before
   * 3.4.25 may report progress ahead of events it has yet to send (etcd issue #15220).
   */
  async syncToLatest(): Promise<number> {
    const response = await this.connection.txn({
      success: [{ request_put: { key: Buffer.from(this.keys.fence), value: Buffer.alloc(0) } }],
    });
    const revision = Number(response.header.revision);
    await this.waitForOwnWrite(revision);
    return revision;
  }

  /**
   * Runs `work` as one optimistic transaction and commits it as one etcd Txn. When another replica
   * changed what `work` read, the mirror catches up and `work` runs again, up to `maxAttempts` times,
   * then StorageConflictError (409). An error `work` throws (a precondition's 409 among them) rejects
   * at once, unless the mirror turns out to have been behind etcd: then it runs once more on the latest
   * state, so a request that follows a write made through another replica is not judged on older data.
   * A nested call joins the open transaction and runs synchronously, throwing as `work` throws.
   */
  transact<T>(work: (tx: EtcdTransaction) => T): Promise<T> {
    if (this.open) return Promise.resolve(work(this.open));
    return this.attempt(work, true).then((first) => {
      if (!first.lost) return first.result;
      if (this.maxAttempts <= 1) throw new StorageConflictError(1);
      // Transactions of this replica that lost to each other would keep losing together: after the
      // first loss they retry one at a time, each against the mirror caught up with the winner.
      const retried = this.retryLane.then(async () => {
        await this.waitFor(first.revision).catch(() => undefined);
        for (let attempt = 2; ; attempt++) {
          const outcome = await this.attempt(work, false);
          if (!outcome.lost) return outcome.result;
          if (attempt >= this.maxAttempts) throw new StorageConflictError(attempt);
          await this.waitFor(outcome.revision).catch(() => undefined);
          // The replica that won has the next head start (its mirror already holds its write): a
          // random pause, growing with each loss, gives the other replicas their turn.
          await sleep(Math.random() * Math.min(2 ** attempt, 64));
        }
      });
      this.retryLane = retried.catch(() => undefined);
      return retried;
    });
  }

  /**
   * Runs `work` once and commits it. `lost` (with etcd's revision then) when another writer changed
   * what it read. When `work` throws on the first attempt and the mirror turns out to have been behind
   * etcd, it runs once more on the caught-up mirror before the error counts.
   */
  private async attempt<T>(
    work: (tx: EtcdTransaction) => T,
    mayCatchUp: boolean,
  ): Promise<{ lost: false; result: T } | { lost: true; revision: number }> {
    for (;;) {
      const tx = new EtcdTransaction(this.mirror);
      let outcome: { result: T } | { error: unknown };
      this.open = tx;
      try {
        outcome = { result: work(tx) };
      } catch (error) {
        outcome = { error };
      } finally {
        // Cleared before any await: a transaction started meanwhile must not join this one.
        this.open = undefined;
      }
      if ('error' in outcome) {
        if (
          mayCatchUp &&
          !(outcome.error instanceof StorageUnavailableError) &&
          this.mayBeStale(outcome.error)
        ) {
          mayCatchUp = false;
          if (await this.caughtUpWithEtcd(tx.baseRevision)) continue;
        }
        throw outcome.error;
      }
      const result = outcome.result;
      const request = tx.toTxn();
      if (!request) return { lost: false, result };
      const response = await this.connection.txn(request);
      const revision = Number(response.header.revision);
      if (!response.succeeded) return { lost: true, revision };
      tx.committedAt(revision);
      // The write is durable in etcd whatever happens next; waiting is for reading it back here.
      await this.waitForOwnWrite(revision).catch(() => undefined);
      for (const cluster of tx.clustersToEmpty) await this.emptyCluster(cluster);
      return { lost: false, result };
    }
  }

  /**
   * Runs `work` in the transaction open now, synchronously, for writes that must commit or roll back with
   * the caller's (the cluster index, written by a workspace's creation). Outside one it throws: such a
   * write on its own would be a programming error, not a condition to recover from.
   */
  inOpenTransaction<T>(what: string, work: (tx: EtcdTransaction) => T): T {
    if (!this.open) throw new Error(`${what} must be called inside a storage transaction (store.transact)`);
    return work(this.open);
  }

  /**
   * One page of a collection as it was at `revision`, read from etcd itself (what kube-apiserver's
   * paged lists do): `limit` entries after `after`, whether more follow, and the revision read.
   * A revision etcd has compacted away is ResourceExpiredError (410). `revision` 0 reads the latest.
   */
  async listAt(
    scope: CollectionScope,
    revision: number,
    after: ListPosition | undefined,
    limit: number,
  ): Promise<{ entries: StoredEntry[]; more: boolean; revision: number }> {
    const response = await this.connection
      .range({
        key: Buffer.from(this.keys.rangeStart(scope, after)),
        range_end: Buffer.from(prefixEnd(this.keys.collectionPrefix(scope))),
        limit,
        ...(revision > 0 ? { revision } : {}),
      })
      .catch((err: unknown) => {
        throw this.expired(err, revision);
      });
    const entries: StoredEntry[] = [];
    for (const kv of response.kvs) {
      const key = this.keys.parseObjectKey(kv.key.toString());
      if (key) entries.push({ key, object: decodeObject(kv.value.toString(), Number(kv.mod_revision)) });
    }
    // etcd's header names its newest revision, not the one read at; a page continues at the one read.
    const readAt = revision > 0 ? revision : Number(response.header.revision);
    return { entries, more: response.more, revision: readAt };
  }

  /**
   * Every change after `revision` up to the mirror's revision, read from etcd's history, for a watch
   * that resumes from further back than the replica's own event log reaches. ResourceExpiredError
   * (410) when etcd has compacted that history.
   */
  async eventsSince(revision: number): Promise<ChangeEvent[]> {
    const until = this.mirror.revision;
    if (revision >= until) return [];
    if (revision < this.compacted) throw new ResourceExpiredError(revision, this.compacted);
    try {
      return await replayHistory(this.connection, this.keys, revision, until);
    } catch (err) {
      if (err instanceof ResourceExpiredError)
        this.compacted = Math.max(this.compacted, err.compactedRevision);
      throw err;
    }
  }

  /** Compacts etcd's history up to `revision`, as kube-apiserver's compactor does every few minutes. */
  async compact(revision: number): Promise<void> {
    await this.connection.compact(revision).catch((err: unknown) => {
      // Compacting twice to the same revision is no failure.
      if (!(err instanceof ResourceExpiredError)) throw err;
    });
    this.compacted = Math.max(this.compacted, revision);
  }

  /**
   * Deletes every key of a logical cluster in transactions of at most `batchSize` keys each, so deleting
   * a large workspace never makes one huge etcd request. Returns how many objects it deleted; watchers
   * see a DELETED event for each.
   */
  async deleteCluster(cluster: string, batchSize = DEFAULT_CLUSTER_DELETE_BATCH): Promise<number> {
    const prefix = this.keys.clusterPrefix(cluster);
    const end = Buffer.from(prefixEnd(prefix));
    let deleted = 0;
    for (;;) {
      const page = await this.connection.range({
        key: Buffer.from(prefix),
        range_end: end,
        limit: batchSize,
        keys_only: true,
      });
      const last = page.kvs.at(-1);
      if (!last) break;
      // One delete of the range up to the page's last key: at most `batchSize` keys, one op for etcd.
      const response = await this.connection.txn({
        success: [
          {
            request_delete_range: {
              key: Buffer.from(prefix),
              range_end: Buffer.from(keyAfter(last.key.toString())),
            },
          },
        ],
      });
      const removed = Number(response.responses[0]?.response_delete_range?.deleted ?? 0);
      deleted += removed;
      // A delete that found nothing (another replica was quicker) made no revision, hence no event to wait for.
      if (removed > 0) await this.waitForOwnWrite(Number(response.header.revision)).catch(() => undefined);
    }
    return deleted;
  }

  /**
   * Finishes every cluster deletion a marker names (cluster-deletions.ts): ones a replica committed and
   * did not get to finish.
   */
  async finishClusterDeletions(): Promise<void> {
    for (const { key } of this.mirror.listCluster(DELETIONS_CLUSTER)) await this.emptyCluster(key.name);
  }

  /** Deletes a removed cluster's keys in batches, then its marker; when etcd fails, tries again later. */
  private async emptyCluster(cluster: string): Promise<void> {
    try {
      await this.deleteCluster(cluster);
      const marker = Buffer.from(this.keys.objectKey(deletionMarkerKey(cluster)));
      const response = await this.connection.txn({ success: [{ request_delete_range: { key: marker } }] });
      // Another replica's sweep may have deleted it first: then no event of ours is coming.
      if (Number(response.responses[0]?.response_delete_range?.deleted ?? 0) > 0)
        await this.waitForOwnWrite(Number(response.header.revision)).catch(() => undefined);
    } catch {
      if (this.closed || this.deletionRetry) return;
      this.deletionRetry = setTimeout(() => {
        this.deletionRetry = undefined;
        void this.finishClusterDeletions();
      }, CLUSTER_DELETION_RETRY_MS);
      this.deletionRetry.unref();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.deletionRetry);
    clearInterval(this.probeTimer);
    this.feed.close();
    this.connection.close();
    this.waiters.releaseAll();
  }

  private expired(err: unknown, revision: number): unknown {
    if (err instanceof ResourceExpiredError) {
      return new ResourceExpiredError(revision, Math.max(this.compacted, revision + 1));
    }
    return err;
  }

  private apply(changes: KeyChange[]): void {
    for (const change of changes) {
      const event = this.mirror.apply(change);
      if (!event) continue;
      this.events.publish(event);
    }
    this.wake();
  }

  private waitFor(revision: number, withinMs = this.staleAfterMs * 2): Promise<void> {
    return this.waiters.waitFor(revision, withinMs);
  }

  /**
   * Waits for the event of a write this replica made (under the watched prefix, so an event comes): a
   * progress report does not count, since etcd before 3.4.25 may send one ahead of the events (see
   * revision-waiters.ts), and the write would then be acknowledged before this replica can read it.
   * Until the event is in, isCurrent() is false, also when the caller stops waiting.
   */
  private waitForOwnWrite(revision: number): Promise<void> {
    this.ownWrite = Math.max(this.ownWrite, revision);
    return this.waiters.waitFor(revision, this.staleAfterMs * 2, { eventsOnly: true });
  }

  private wake(): void {
    this.waiters.wake();
  }

  /** The newest revision the watch has brought: by its events, or by etcd's word that nothing else came. */
  private seen(): number {
    return Math.max(this.mirror.revision, this.progressRevision);
  }

  private async currentRevision(): Promise<number> {
    const response = await this.connection.range({ key: Buffer.from(this.keys.probe), count_only: true });
    const revision = Number(response.header.revision);
    this.previousProbeRevision = this.lastProbe.revision;
    this.lastProbe = { at: Date.now(), revision };
    return revision;
  }

  private async probe(): Promise<void> {
    try {
      const revision = await this.currentRevision();
      if (revision > this.seen()) this.feed.requestProgress();
    } catch {
      // isCurrent() turns false once the last answer is older than staleAfterMs.
    }
  }

  /**
   * Whether the mirror has moved past `ranAt` (the revision a failed work ran at) now that it caught
   * up with etcd. One linearizable read when it had nothing to catch up (no write, unlike
   * syncToLatest), since most errors have nothing to do with staleness.
   */
  private async caughtUpWithEtcd(ranAt: number): Promise<boolean> {
    try {
      const revision = await this.currentRevision();
      if (ranAt >= revision) return false;
      await this.waitFor(revision);
      return this.mirror.revision > ranAt;
    } catch {
      return false;
    }
  }

  /**
   * The watch could not resume because etcd compacted the revisions the mirror had not seen yet (the
   * replica was cut off for longer than the compaction interval). The mirror is rebuilt from a fresh
   * snapshot and the differences are published as events at the snapshot's revision, so watchers of
   * this replica converge instead of missing them.
   */
  private async resync(compactRevision: number): Promise<void> {
    this.compacted = Math.max(this.compacted, compactRevision);
    const fresh = await loadSnapshot(this.connection, this.keys);
    const changes = this.mirror.changesTo(fresh);
    const revision = fresh.revision;
    this.apply(changes);
    this.mirror.advance(revision);
    this.wake();
  }
}
