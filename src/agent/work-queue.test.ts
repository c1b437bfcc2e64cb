import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('WorkQueue', () => {
  it('handles a key added many times while it waits once', async () => {
    const handled: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const queue = new WorkQueue(
      async (key) => {
        handled.push(key);
        if (key === 'first') await blocked;
      },
      { firstMs: 10, maxMs: 100 },
    );
    queue.add('first');
    queue.add('web');
    queue.add('web');
    queue.add('web');
    release();
    await queue.idle();
    expect(handled).toEqual(['first', 'web']);
  });

  it('handles a key again when it was added while being handled, so the newest state gets a pass', async () => {
    const handled: string[] = [];
    const queue: WorkQueue = new WorkQueue(
      (key) => {
        handled.push(key);
        if (handled.length === 1) queue.add('web');
        return Promise.resolve();
      },
      { firstMs: 10, maxMs: 100 },
    );
    queue.add('web');
    await queue.idle();
    expect(handled).toEqual(['web', 'web']);
  });

  it('brings a failed key back after a delay that doubles up to the maximum, and afresh after forget', async () => {
    vi.useFakeTimers();
    const handledAt: number[] = [];
    const queue: WorkQueue = new WorkQueue(
      () => {
        handledAt.push(Date.now());
        queue.retryLater('web');
        return Promise.resolve();
      },
      { firstMs: 100, maxMs: 300 },
    );
    const start = Date.now();
    queue.add('web');
    await vi.advanceTimersByTimeAsync(100 + 200 + 300 + 300);
    expect(handledAt.map((at) => at - start)).toEqual([0, 100, 300, 600, 900]);
    queue.forget('web');
    queue.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(handledAt).toHaveLength(5);
  });

  it('a retry waiting for its time is taken over by a new add at once', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const queue: WorkQueue = new WorkQueue(
      () => {
        calls += 1;
        if (calls === 1) queue.retryLater('web');
        return Promise.resolve();
      },
      { firstMs: 10_000, maxMs: 10_000 },
    );
    queue.add('web');
    await queue.idle();
    queue.add('web');
    await queue.idle();
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls).toBe(2);
  });

  it('keeps going when a handler throws, and tries that key again later', async () => {
    vi.useFakeTimers();
    const handled: string[] = [];
    const queue = new WorkQueue(
      (key) => {
        handled.push(key);
        return handled.length === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      { firstMs: 50, maxMs: 50 },
    );
    queue.add('bad');
    queue.add('good');
    await queue.idle();
    expect(handled).toEqual(['bad', 'good']);
    await vi.advanceTimersByTimeAsync(50);
    expect(handled).toEqual(['bad', 'good', 'bad']);
  });
});
