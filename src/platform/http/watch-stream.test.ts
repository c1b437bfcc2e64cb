import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { streamWatch, WATCH_BACKLOG_BYTES, WatchRegistry, type WatchWrite } from './watch-stream.js';

// Issue #16, finding 3: a watcher that never reads must not grow the server's memory without bound.

interface Watcher {
  res: ServerResponse;
  write: WatchWrite;
  /** The most bytes this watch ever held unsent. */
  maxBacklog: number;
}

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A loopback server whose every request becomes a watch the test writes to. */
async function watchServer(registry: WatchRegistry): Promise<{ port: number; watchers: Watcher[] }> {
  const watchers: Watcher[] = [];
  server = createServer((_req, res) => {
    streamWatch(res, { registry }, (write) => {
      const watcher: Watcher = {
        res,
        maxBacklog: 0,
        write: (frame) => {
          write(frame);
          watcher.maxBacklog = Math.max(watcher.maxBacklog, res.writableLength);
        },
      };
      watchers.push(watcher);
      return () => undefined;
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, watchers };
}

/** A raw HTTP client of the watch; `read` false leaves everything the server sends unread. */
function openClient(
  port: number,
  read: boolean,
): { received: () => number; closed: () => boolean; resume: () => void } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = 0;
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  socket.write('GET /watch HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  if (!read) socket.pause();
  return { received: () => received, closed: () => closed, resume: () => socket.resume() };
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

describe('timeoutSeconds', () => {
  it('beyond what a Node timer holds (~24.8 days) keeps the watch open instead of ending it at once', async () => {
    const registry = new WatchRegistry();
    let response: ServerResponse | undefined;
    server = createServer((_req, res) => {
      response = res;
      streamWatch(res, { registry, timeoutSeconds: 3_000_000 }, () => () => undefined);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    openClient((server.address() as AddressInfo).port, true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(response).toBeDefined();
    expect(response!.writableEnded).toBe(false);
  });
});
