import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loopback } from '../../../test/helpers/loopback.js';
import { ApiError } from './errors.js';
import { WatchRegistry } from './watch-registry.js';
import { streamWatch, WATCH_LIMITS, type WatchLimits, type WatchWrite } from './watch-stream.js';

const WATCH_BACKLOG_BYTES = WATCH_LIMITS.backlogBytes;

// Issue #16, finding 3: a watcher that never reads must not grow the server's memory without bound.

interface Watcher {
  owner: string;
  res: ServerResponse;
  write: WatchWrite;
  /** Ends the watch as the platform does after a last ERROR event. */
  end: () => void;
  /** The most bytes this watch ever held unsent. */
  maxBacklog: number;
}

const net = loopback();

/** What a watch starting from the current state sends first: 30 frames of 1 MB, numbered. */
const START_FRAMES = 30;
/** How many of those frames the server has made so far, over all watches. */
let framesMade = 0;
function* startFrames(): Generator<unknown> {
  for (let i = 0; i < START_FRAMES; i++) {
    framesMade++;
    yield { type: 'ADDED', object: { i, blob: 'x'.repeat(1_000_000) } };
  }
}

/**
 * A loopback server whose every request becomes a watch the test writes to, owned by the user the
 * path names (`/watch/alice`); `/watch/alice/state` starts with START_FRAMES frames. A refusal is
 * answered with its status code.
 */
async function watchServer(
  registry: WatchRegistry,
  limits: Partial<WatchLimits> = {},
): Promise<{ port: number; watchers: Watcher[] }> {
  const watchers: Watcher[] = [];
  framesMade = 0;
  const port = await net.listen((req, res) => {
    const [, , owner = '', start] = req.url?.split('/') ?? [];
    try {
      streamWatch(res, { registry, owner, limits }, (write, end, replay) => {
        if (start === 'state') replay(startFrames());
        const watcher: Watcher = {
          owner,
          res,
          end,
          maxBacklog: 0,
          write: (frame) => {
            write(frame);
            watcher.maxBacklog = Math.max(watcher.maxBacklog, res.writableLength);
          },
        };
        watchers.push(watcher);
        return () => undefined;
      });
    } catch (error) {
      res.writeHead(error instanceof ApiError ? error.code : 500).end();
    }
  });
  return { port, watchers };
}

/** A raw HTTP client of the watch; `read` false leaves everything the server sends unread. */
function openClient(
  port: number,
  read: boolean,
  owner = 'someone',
  path = '',
): {
  received: () => number;
  closed: () => boolean;
  resume: () => void;
  head: () => string;
  numbers: () => number[];
} {
  const socket = net.connect(port);
  let received = 0;
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  let head = '';
  // Each frame's `i`, in the order they arrived (frames are JSON lines inside HTTP chunks); the
  // last few characters are kept unscanned in case a frame's start spans two chunks.
  const numbers: number[] = [];
  let unscanned = '';
  socket.write(`GET /watch/${owner}${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  socket.on('data', (chunk: Buffer) => {
    if (received === 0) head = chunk.toString('latin1', 0, 20);
    received += chunk.length;
    unscanned += chunk.toString('latin1');
    const frameStart = /\{"type":"ADDED","object":\{"i":(\d+)[,}]/g;
    let scannedTo = 0;
    for (let match; (match = frameStart.exec(unscanned)); scannedTo = frameStart.lastIndex)
      numbers.push(Number(match[1]));
    unscanned = unscanned.slice(Math.max(scannedTo, unscanned.length - 40));
  });
  if (!read) socket.pause();
  return {
    received: () => received,
    closed: () => closed,
    resume: () => socket.resume(),
    head: () => head,
    numbers: () => [...numbers],
  };
}

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('streamWatch', () => {
  it('closes a watcher that stops reading once its backlog is full, and serves the others in full', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry);
    const reader = openClient(port, true);
    await until(() => watchers.length === 1);
    const stalled = openClient(port, false);
    await until(() => watchers.length === 2);
    const [reading, slow] = watchers as [Watcher, Watcher];

    // 30 events of 1 MB: what a tenant writing big config maps sends every watcher.
    const blob = 'x'.repeat(1_000_000);
    for (let i = 0; i < 30; i++) {
      for (const watcher of watchers) watcher.write({ type: 'ADDED', object: { i, blob } });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => reader.received() >= 30 * 1_000_000);

    // The stalled watch was dropped with what it held; the server never kept more than the budget.
    expect(slow.res.destroyed).toBe(true);
    expect(slow.maxBacklog).toBeLessThanOrEqual(WATCH_BACKLOG_BYTES + 1_100_000);
    // Reading at last, the stalled client finds its stream cut short, not waiting for more.
    stalled.resume();
    await until(() => stalled.closed());
    expect(stalled.closed()).toBe(true);
    expect(stalled.received()).toBeLessThan(30 * 1_000_000);
    // The reading watch got every event and is still open.
    expect(reader.received()).toBeGreaterThanOrEqual(30 * 1_000_000);
    expect(reading.res.destroyed).toBe(false);
    expect(registry.size).toBe(1);
  });

  it('sends a single event larger than the budget whole to a client that keeps up', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry);
    const reader = openClient(port, true);
    await until(() => watchers.length === 1);
    const huge = 'y'.repeat(WATCH_BACKLOG_BYTES + 1_000_000);
    watchers[0]!.write({ type: 'ADDED', object: { huge } });
    await until(() => reader.received() > huge.length);
    watchers[0]!.write({ type: 'ADDED', object: { small: true } });
    await until(() => reader.received() > huge.length + 40);
    expect(reader.received()).toBeGreaterThan(huge.length + 40);
    expect(watchers[0]!.res.destroyed).toBe(false);
    expect(registry.size).toBe(1);
  });
});

describe('one user’s watches together', () => {
  const MB = 1_000_000;

  it('hold no more unread than the user’s budget, while another user’s stalled watch keeps its own', async () => {
    const registry = new WatchRegistry();
    const limits = { backlogBytes: 4 * MB, ownerBacklogBytes: 6 * MB };
    const { port, watchers } = await watchServer(registry, limits);
    for (let i = 0; i < 5; i++) openClient(port, false, 'mallory');
    openClient(port, false, 'erin');
    const reader = openClient(port, true, 'erin');
    await until(() => watchers.length === 7);

    let mostHeldByMallory = 0;
    const blob = 'x'.repeat(MB);
    for (let i = 0; i < 12; i++) {
      for (const watcher of watchers) watcher.write({ type: 'ADDED', object: { i, blob } });
      mostHeldByMallory = Math.max(mostHeldByMallory, registry.heldBy('mallory'));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => reader.received() >= 12 * MB);

    // Alone, each of mallory's five could have held 4 MB (20 MB); together they held at most 6 MB
    // (plus the one event a write may carry past the line), and the rest were closed.
    expect(mostHeldByMallory).toBeLessThanOrEqual(6 * MB + 1.1 * MB);
    const mallorys = watchers.filter((w) => w.owner === 'mallory');
    expect(mallorys.filter((w) => w.res.destroyed).length).toBeGreaterThanOrEqual(3);
    // Erin's stalled watch was judged against her own budget: it held up to 4 MB, as alone.
    const erinStalled = watchers.find((w) => w.owner === 'erin' && w.res !== watchers.at(-1)!.res)!;
    expect(erinStalled.maxBacklog).toBeGreaterThan(3 * MB);
    expect(reader.received()).toBeGreaterThanOrEqual(12 * MB);
  });

  it('beyond the user’s count are refused with 429, and the count frees as watches close', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { ownerMaxWatches: 2 });
    openClient(port, true, 'mallory');
    openClient(port, true, 'mallory');
    await until(() => watchers.length === 2);
    const third = openClient(port, true, 'mallory');
    await until(() => third.head() !== '');
    expect(third.head()).toContain('HTTP/1.1 429');
    // Another user is not counted against mallory.
    openClient(port, true, 'erin');
    await until(() => watchers.length === 3);
    expect(registry.openBy('erin')).toBe(1);

    watchers[0]!.res.destroy();
    await until(() => registry.openBy('mallory') === 1);
    openClient(port, true, 'mallory');
    await until(() => watchers.length === 4);
    expect(registry.openBy('mallory')).toBe(2);
  });
});

describe('a watch that has ended', () => {
  it('keeps what its client has not read counted against its owner, and drops it when not taken in time', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { backlogBytes: 64_000_000, stallMs: 300 });
    openClient(port, false, 'mallory');
    await until(() => watchers.length === 1);
    const [watcher] = watchers as [Watcher];
    const blob = 'x'.repeat(1_000_000);
    for (let i = 0; i < 30; i++) watcher.write({ type: 'ADDED', object: { i, blob } });
    watcher.end();
    expect(registry.heldBy('mallory')).toBeGreaterThan(1_000_000);
    expect(registry.openBy('mallory')).toBe(1);
    // The connection closes a moment after the server drops it, and the watch is let go then.
    await until(() => watcher.res.destroyed && registry.openBy('mallory') === 0, 3000);
    expect(watcher.res.destroyed).toBe(true);
    expect(registry.openBy('mallory')).toBe(0);
  });

  it('is let go as soon as its client has read the rest', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { backlogBytes: 64_000_000, stallMs: 60_000 });
    const client = openClient(port, false, 'erin');
    await until(() => watchers.length === 1);
    const blob = 'x'.repeat(1_000_000);
    for (let i = 0; i < 30; i++) watchers[0]!.write({ type: 'ADDED', object: { i, blob } });
    watchers[0]!.end();
    client.resume();
    await until(() => registry.openBy('erin') === 0 && client.received() > 30_000_000);
    expect(registry.openBy('erin')).toBe(0);
    expect(client.received()).toBeGreaterThan(30_000_000);
  });
});

describe('what a watch starts with', () => {
  it('is sent as the client reads it, however much it is, and live events follow it in order', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { backlogBytes: 4_000_000 });
    const client = openClient(port, true, 'erin', '/state');
    await until(() => watchers.length === 1);
    for (let i = START_FRAMES; i < START_FRAMES + 3; i++)
      watchers[0]!.write({ type: 'ADDED', object: { i } });
    await until(() => client.received() > START_FRAMES * 1_000_000 + 100);
    await until(() => client.numbers().length === START_FRAMES + 3);
    expect(client.numbers()).toEqual(Array.from({ length: START_FRAMES + 3 }, (_, i) => i));
    expect(watchers[0]!.res.destroyed).toBe(false);
  });

  it('is made only as the client takes it: a client that takes nothing costs the server a few frames', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry);
    openClient(port, false, 'mallory', '/state');
    await until(() => watchers.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Node's buffers and the kernel's take a few MB before the client's window closes.
    expect(framesMade).toBeGreaterThan(0);
    expect(framesMade).toBeLessThan(START_FRAMES / 2);
  });

  it('is dropped with the watch when its client takes nothing for the stall limit', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { stallMs: 300 });
    openClient(port, false, 'mallory', '/state');
    await until(() => watchers.length === 1);
    expect(registry.size).toBe(1);
    await until(() => watchers[0]!.res.destroyed, 3000);
    expect(watchers[0]!.res.destroyed).toBe(true);
    expect(registry.size).toBe(0);
  });

  it('may be in progress for a few watches per user: the next is refused with 429, others are not', async () => {
    const registry = new WatchRegistry();
    const { port, watchers } = await watchServer(registry, { ownerMaxReplays: 2 });
    openClient(port, false, 'mallory', '/state');
    openClient(port, false, 'mallory', '/state');
    await until(() => watchers.length === 2);
    const third = openClient(port, true, 'mallory', '/state');
    await until(() => third.head() !== '');
    expect(third.head()).toContain('HTTP/1.1 429');
    expect(registry.openBy('mallory')).toBe(2);
    // A watch with nothing to start with, and another user's, are served.
    openClient(port, true, 'mallory');
    openClient(port, false, 'erin', '/state');
    await until(() => registry.openBy('mallory') === 3 && registry.openBy('erin') === 1);
    expect(registry.openBy('mallory')).toBe(3);
    expect(registry.openBy('erin')).toBe(1);
  });
});

describe('timeoutSeconds', () => {
  it('beyond what a Node timer holds (~24.8 days) keeps the watch open instead of ending it at once', async () => {
    const registry = new WatchRegistry();
    let response: ServerResponse | undefined;
    const port = await net.listen((_req, res) => {
      response = res;
      streamWatch(res, { registry, timeoutSeconds: 3_000_000 }, () => () => undefined);
    });
    openClient(port, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(response).toBeDefined();
    expect(response!.writableEnded).toBe(false);
  });
});
