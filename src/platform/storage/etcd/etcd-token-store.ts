import type { KubeObject } from '../../api/object.js';
import type { ObjectKey } from '../object-key.js';
import type { TokenRecord, TokenStore } from '../token-store.js';
import type { EtcdStore } from './etcd-store.js';
import type { EtcdTransaction } from './transaction.js';

// Each token is one record in the store's reserved cluster `system:tokens`, named by its sha256 hash:
// `find` is one map lookup in the replica's mirror, and a token minted or revoked through any replica
// (or by the owner tools, which open a store of their own) counts on every replica once its watch
// brings the change. Writes join the caller's transaction when one is open, as on SQLite.

const CLUSTER = 'system:tokens';
const RESOURCE = 'kplane:tokens';
const SCOPE = { cluster: CLUSTER, resource: RESOURCE };

/**
 * The most tokens one transaction removes. Each removal is a compare and a delete, and etcd refuses a Txn
 * with more than --max-txn-ops (128 by default) compares or operations: a pile of expired tokens must
 * never make minting fail, so it is worked off a batch at a time.
 */
export const MAX_REMOVALS_PER_TXN = 100;

const recordKey = (hash: string): ObjectKey => ({ ...SCOPE, namespace: '', name: hash });

function encode(token: TokenRecord): KubeObject {
  return {
    apiVersion: 'kplane.internal/v1',
    kind: 'Token',
    metadata: { name: token.hash },
    user: token.user,
    groups: token.groups,
    ...(token.expiresAt !== undefined ? { expiresAt: token.expiresAt } : {}),
    ...(token.boundTo ? { boundTo: { cluster: token.boundTo.cluster, uid: token.boundTo.uid } } : {}),
  };
}

const isText = (value: unknown): value is string => typeof value === 'string';

/** The record as a token, or undefined for one that is not what encode writes: it authenticates nobody. */
function decode(object: KubeObject | undefined): TokenRecord | undefined {
  if (!object) return undefined;
  const { user, groups, expiresAt, boundTo } = object;
  if (!isText(user) || !Array.isArray(groups) || !groups.every(isText)) return undefined;
  const token: TokenRecord = { hash: object.metadata.name ?? '', user, groups };
  if (expiresAt !== undefined) {
    if (typeof expiresAt !== 'number') return undefined;
    token.expiresAt = expiresAt;
  }
  if (boundTo !== undefined) {
    const bound = boundTo as Partial<Record<'cluster' | 'uid', unknown>> | null;
    if (!bound || !isText(bound.cluster) || !isText(bound.uid)) return undefined;
    token.boundTo = { cluster: bound.cluster, uid: bound.uid };
  }
  return token;
}

/** Bearer tokens by their sha256 hash in etcd, shared by every replica; the plain token is never stored. */
export class EtcdTokenStore implements TokenStore {
  static readonly CLUSTER = CLUSTER;
  static readonly RESOURCE = RESOURCE;

  constructor(private readonly store: EtcdStore) {}

  find(hash: string): TokenRecord | undefined {
    return decode(this.store.get(recordKey(hash)));
  }

  async add(token: TokenRecord): Promise<void> {
    await this.store.transact((tx) => tx.put(recordKey(token.hash), encode(token)));
  }

  async addDroppingExpired(token: TokenRecord, now = Date.now()): Promise<void> {
    await this.store.transact((tx) => {
      this.removeExpiredBound(tx, now);
      tx.put(recordKey(token.hash), encode(token));
    });
  }

  /**
   * Removes the user's tokens a batch per transaction, until a transaction finds none left. Each lists
   * the tokens in the transaction, so a token of `user` minted meanwhile through another replica makes it
   * run again rather than survive the revocation.
   */
  async revokeUser(user: string): Promise<number> {
    let revoked = 0;
    for (;;) {
      const removed = await this.store.transact((tx) => {
        const mine = tx.list(SCOPE).filter((entry) => entry.object.user === user);
        for (const entry of mine.slice(0, MAX_REMOVALS_PER_TXN)) tx.remove(entry.key);
        return Math.min(mine.length, MAX_REMOVALS_PER_TXN);
      });
      revoked += removed;
      if (removed < MAX_REMOVALS_PER_TXN) return revoked;
    }
  }

  async forgetExpiredBound(now = Date.now()): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const removed = await this.store.transact((tx) => this.removeExpiredBound(tx, now));
      forgotten += removed;
      if (removed < MAX_REMOVALS_PER_TXN) return forgotten;
    }
  }

  /**
   * Reads the replica's mirror rather than listing in the transaction: a token another replica adds
   * meanwhile is no reason to run again (it is not expired), and agents renewing tokens on a timer
   * through several replicas would otherwise keep making each other retry. At most
   * MAX_REMOVALS_PER_TXN; a mint that leaves some for the next keeps the pile shrinking.
   */
  private removeExpiredBound(tx: EtcdTransaction, now: number): number {
    let removed = 0;
    for (const entry of this.store.list(SCOPE)) {
      if (removed === MAX_REMOVALS_PER_TXN) break;
      const token = decode(entry.object);
      if (!token?.boundTo || token.expiresAt === undefined || token.expiresAt > now) continue;
      if (tx.remove(entry.key)) removed++;
    }
    return removed;
  }
}
