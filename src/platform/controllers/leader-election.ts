import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../api/object.js';
import { StorageConflictError } from '../storage/etcd/errors.js';
import type { ObjectKey } from '../storage/object-key.js';
import {
  CONTROLLERS_LEASE_KEY,
  leaseObject,
  microTime,
  readLeaseRecord,
  sameRecord,
  type LeaseRecord,
} from './leader-lease.js';

// Leader election for the platform's controllers when several replicas share one etcd (issue 14), with
// client-go's leaderelection semantics on a coordination.k8s.io/v1 Lease:
// - No replica trusts another's clock. A candidate remembers the record it last read and when it first
//   read it, on its own monotonic clock, and takes the Lease only once that record has stayed the same
//   for the record's leaseDurationSeconds (or nobody holds it, or it names this replica). A renewTime
//   far in the past or future means nothing; a record that keeps changing is never taken.
// - The leader renews every retryPeriod and counts each renewal from the moment it started it (the
//   record it wrote is no older, so no candidate can have started counting earlier). When no renewal
//   has succeeded for renewDeadline, which is shorter than leaseDuration, it steps down, before any
//   candidate could count the Lease as expired: at no moment do two replicas lead.
// - A lost compare-and-swap (two candidates at once, a mirror behind etcd) is the election working, not
//   an error: the loser reads the winner's record on its next try.
// - On stop the leader first stops its controllers, then clears holderIdentity (client-go's
//   ReleaseOnCancel) so the next replica takes over at its next try instead of after leaseDuration.
//   client-go releases before OnStoppedLeading returns; here the order is reversed so the next leader's
//   controllers never run beside this one's.

/** What the elector needs of a store; ObjectStore (SQLite) and EtcdStore both satisfy it. */
export interface LeaseStore {
  transact<T>(work: (tx: LeaseTransaction) => T): T | Promise<T>;
}

export interface LeaseTransaction {
  get(key: ObjectKey): KubeObject | undefined;
  put(key: ObjectKey, object: KubeObject): KubeObject;
}

export interface LeaderCallbacks {
  /** This replica now leads: start the controllers. A slow start does not hold up renewals. */
  onStartedLeading(): void | Promise<void>;
  /** This replica no longer leads (renewals failed, or stop): stop the controllers. */
  onStoppedLeading(): void | Promise<void>;
}

export interface LeaderElectorOptions {
  store: LeaseStore;
  /** Who holds the Lease; unique per process: `<hostname>_<pid>_<random>` unless set. */
  identity?: string;
  leaseKey?: ObjectKey;
  /** How long candidates wait on an unchanged record before taking it over. */
  leaseDurationMs?: number;
  /** How long the leader keeps leading without a successful renewal. */
  renewDeadlineMs?: number;
  /** How often the leader renews and a candidate tries to acquire. */
  retryPeriodMs?: number;
  /** A monotonic clock in ms (performance.now): the only clock durations are measured on. */
  clock?: () => number;
  /** The wall clock, for the Lease's acquireTime and renewTime, which only people read. */
  wallClock?: () => Date;
  /** Failures other than a lost compare-and-swap, each reported once until the next success. */
  onError?: (err: unknown) => void;
}

// Kubernetes' controller managers use 15 s / 10 s / 2 s, made for a busy apiserver a network away. The
// platform's replicas talk to an etcd next to them, and while nobody leads no workspace, binding or
// placement is reconciled, so the platform takes over after seconds: a dead leader's Lease is taken
// 6-7 s after its last renewal, and a leader cut off from etcd gives up after 4 s, 2 s before that.
export const DEFAULT_LEASE_DURATION_MS = 6000;
export const DEFAULT_RENEW_DEADLINE_MS = 4000;
export const DEFAULT_RETRY_PERIOD_MS = 1000;

/** Whether the attempt ended holding the Lease, and the record it saw (or wrote) then. */
interface Attempt {
  held: boolean;
  observed: { record: LeaseRecord; at: number } | undefined;
}

export class LeaderElector {
  readonly identity: string;
  readonly leaseKey: ObjectKey;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly store: LeaseStore;
  private readonly clock: () => number;
  private readonly wallClock: () => Date;
  private readonly reportError: (err: unknown) => void;

  /** The record this replica last read and when it first read it, on `clock`. */
  private observed: Attempt['observed'];
  private leading = false;
  /** While leading: the moment (on `clock`) this replica must have stopped leading unless it renews. */
  private leadsUntil = Number.NEGATIVE_INFINITY;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private callbacks: LeaderCallbacks | undefined;
  /** The running onStartedLeading, so onStoppedLeading comes only after it. */
  private started: Promise<void> = Promise.resolve();
  /** A step-down in progress: nothing is acquired before the controllers it stops have stopped. */
  private stepping: Promise<void> = Promise.resolve();
  private wroteLease = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastError: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.store = options.store;
    this.identity = options.identity ?? defaultIdentity();
    this.leaseKey = options.leaseKey ?? CONTROLLERS_LEASE_KEY;
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.clock = options.clock ?? (() => performance.now());
    this.wallClock = options.wallClock ?? (() => new Date());
    this.reportError =
      options.onError ??
      ((err) =>
        process.stderr.write(`kplane platform: leader election: ${(err as Error)?.message ?? err}\n`));
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs))
      throw new Error(
        `leader election needs leaseDuration > renewDeadline > retryPeriod, got ${this.leaseDurationMs} ms, ${this.renewDeadlineMs} ms, ${this.retryPeriodMs} ms`,
      );
    if (!this.identity) throw new Error('leader election needs a non-empty identity');
  }

  /** Whether this replica leads now: false from the moment its last renewal is renewDeadline old. */
  get isLeader(): boolean {
    return this.leading && this.clock() < this.leadsUntil;
  }

  /** Starts trying to acquire the Lease, then to keep it, until stop(). */
  run(callbacks: LeaderCallbacks): void {
    if (this.loop) throw new Error('the leader elector is already running');
    this.callbacks = callbacks;
    this.loop = this.tryUntilStopped();
  }

  /**
   * Stops trying; a leader stops its controllers (onStoppedLeading) and then releases the Lease.
   * Resolves when both are done; a release etcd refuses is reported, and the Lease then runs out.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopAndRelease();
    return this.stopped;
  }

  private async stopAndRelease(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.stepDown();
    if (this.wroteLease) await this.release();
  }

  private async tryUntilStopped(): Promise<void> {
    while (!this.stopping) {
      await this.stepping;
      if (this.stopping) break;
      const startedAt = this.clock();
      const outcome = await this.tryAcquireOrRenew();
      if (this.stopping) break;
      // A renewal that took longer than the deadline arrived after this replica had to stop leading.
      if (outcome === 'held' && this.clock() - startedAt < this.renewDeadlineMs) this.renewed(startedAt);
      // Another replica holds it (an edited Lease, a leaseDuration shorter elsewhere): it leads now.
      else if (outcome === 'held-by-another') void this.stepDown();
      await this.pause(this.retryPeriodMs);
    }
  }

  /** One read-decide-write of the Lease. */
  private async tryAcquireOrRenew(): Promise<'held' | 'held-by-another' | 'failed'> {
    try {
      // The work may run more than once (etcd re-runs it after a lost compare-and-swap), so it changes
      // nothing here; what it observed is kept only once the transaction has settled.
      const attempt = await this.store.transact((tx) => this.decide(tx));
      this.observed = attempt.observed;
      this.lastError = undefined;
      if (!attempt.held) return 'held-by-another';
      this.wroteLease = true;
      return 'held';
    } catch (err) {
      if (!(err instanceof StorageConflictError)) this.report(err);
      return 'failed';
    }
  }

  private decide(tx: LeaseTransaction): Attempt {
    const now = this.clock();
    const existing = tx.get(this.leaseKey);
    const record = readLeaseRecord(existing);
    let observed: Attempt['observed'];
    if (record)
      observed =
        this.observed && sameRecord(this.observed.record, record) ? this.observed : { record, at: now };
    if (record && observed) {
      const held = record.holderIdentity !== '' && record.holderIdentity !== this.identity;
      const durationMs = (record.leaseDurationSeconds || Math.ceil(this.leaseDurationMs / 1000)) * 1000;
      if (held && now < observed.at + durationMs) return { held: false, observed };
    }
    const wall = this.wallClock();
    const renewing = record !== undefined && record.holderIdentity === this.identity;
    const next: LeaseRecord = {
      holderIdentity: this.identity,
      // Whole seconds, rounded up: a candidate then waits at least as long as this replica assumes.
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: renewing && record.acquireTime ? record.acquireTime : microTime(wall),
      renewTime: microTime(wall),
      leaseTransitions: !record ? 0 : renewing ? record.leaseTransitions : record.leaseTransitions + 1,
    };
    tx.put(this.leaseKey, leaseObject(this.leaseKey, existing, next, wall));
    return { held: true, observed: { record: next, at: now } };
  }

  private renewed(startedAt: number): void {
    this.leadsUntil = startedAt + this.renewDeadlineMs;
    clearTimeout(this.deadlineTimer);
    // The timer, not the next failed attempt, ends leadership: an attempt may hang until etcd's deadline.
    this.deadlineTimer = setTimeout(() => void this.stepDown(), this.leadsUntil - this.clock());
    this.deadlineTimer.unref();
    if (this.leading) return;
    this.leading = true;
    const callbacks = this.callbacks!;
    this.started = this.invoke(() => callbacks.onStartedLeading());
  }

  /** Stops leading at once (isLeader turns false now), then runs onStoppedLeading after the start. */
  private stepDown(): Promise<void> {
    if (!this.leading) return this.stepping;
    this.leading = false;
    this.leadsUntil = Number.NEGATIVE_INFINITY;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const started = this.started;
    const callbacks = this.callbacks!;
    this.stepping = started.then(() => this.invoke(() => callbacks.onStoppedLeading()));
    return this.stepping;
  }

  /** Clears holderIdentity when the Lease still names this replica, so the next one need not wait. */
  private async release(): Promise<void> {
    try {
      await this.store.transact((tx) => {
        const existing = tx.get(this.leaseKey);
        const record = readLeaseRecord(existing);
        if (!record || record.holderIdentity !== this.identity) return;
        const wall = this.wallClock();
        // client-go's release: no holder, a 1 s duration, the transitions count kept.
        const released: LeaseRecord = {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: microTime(wall),
          renewTime: microTime(wall),
          leaseTransitions: record.leaseTransitions,
        };
        tx.put(this.leaseKey, leaseObject(this.leaseKey, existing, released, wall));
      });
    } catch (err) {
      this.report(err);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async invoke(callback: () => void | Promise<void>): Promise<void> {
    try {
      await callback();
    } catch (err) {
      this.report(err);
    }
  }

  /** Once per distinct failure: a store that stays down for minutes writes one line, not one a second. */
  private report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (message === this.lastError) return;
    this.lastError = message;
    this.reportError(err);
  }
}

function defaultIdentity(): string {
  return `${hostname()}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
