import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RevisionWaiters } from './revision-waiters.js';

// The mirror's applied revision and etcd's progress reports are plain numbers here; fake timers stand in for
// the nudges, so each test is a sequence of events rather than a race.

function waitersOver() {
  const state = { applied: 10, progressed: 10, progressRequests: 0 };
  const waiters = new RevisionWaiters(
    () => state.applied,
    () => state.progressed,
    () => void state.progressRequests++,
  );
  return { state, waiters };
}

function settled(promise: Promise<void>) {
  const seen = { done: false, failed: undefined as unknown };
  promise.then(
    () => (seen.done = true),
    (err: unknown) => (seen.failed = err),
  );
  return seen;
}

describe('RevisionWaiters', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("lets a wait for a revision that brings no event of ours go on etcd's progress report", async () => {
    const { state, waiters } = waitersOver();
    const wait = settled(waiters.waitFor(15, 5000));
    state.progressed = 15;
    await vi.advanceTimersByTimeAsync(400);
    expect(state.progressRequests).toBeGreaterThan(0);
    expect(wait.done).toBe(true);
  });

  it("keeps a wait for this replica's own write until its event is applied, whatever progress etcd reports", async () => {
    // etcd before 3.4.25 answers a progress request with its current revision even while a re-created
    // watch is still catching up (etcd issue #15220): the report can run ahead of events yet to come.
    const { state, waiters } = waitersOver();
    const wait = settled(waiters.waitFor(15, 5000, { eventsOnly: true }));
    state.progressed = 20;
    await vi.advanceTimersByTimeAsync(1000);
    waiters.wake();
    expect(wait.done).toBe(false);

    state.applied = 15;
    waiters.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(wait.done).toBe(true);
  });

  it('gives up on an own write whose event never comes, as any wait does', async () => {
    const { state, waiters } = waitersOver();
    const wait = settled(waiters.waitFor(15, 2000, { eventsOnly: true }));
    state.progressed = 20;
    await vi.advanceTimersByTimeAsync(2000);
    expect(wait.done).toBe(false);
    expect((wait.failed as Error).message).toMatch(/did not arrive in time/);
  });
});
