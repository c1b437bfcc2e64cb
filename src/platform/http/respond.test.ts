import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endAnswer } from './respond.js';

// A client that asks for a large answer and never reads it must not keep it in the server's memory
// for as long as its connection lives.

let server: Server | undefined;
let socket: Socket | undefined;

afterEach(async () => {
  socket?.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const BODY = 'x'.repeat(30_000_000);

/** A server answering every request with `body` (dropped after 300 ms without progress), and its last response. */
async function answering(
  body = BODY,
  slowestBytesPerSecond?: number,
): Promise<{ port: number; last: () => ServerResponse | undefined }> {
  let last: ServerResponse | undefined;
  server = createServer((_req, res) => {
    last = res;
    res.writeHead(200, { 'Content-Length': String(body.length) });
    endAnswer(res, body, { unreadMs: 300, ...(slowestBytesPerSecond ? { slowestBytesPerSecond } : {}) });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, last: () => last };
}

/** A raw client of the server; `read` false takes nothing of the answer. */
function ask(
  port: number,
  read: boolean,
): { received: () => number; closed: () => boolean; take: (bytes: number) => void } {
  let received = 0;
  let closed = false;
  socket = connect(port, '127.0.0.1');
  if (read) socket.on('data', (chunk: Buffer) => (received += chunk.length));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  socket.write('GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  return { received: () => received, closed: () => closed, take: (bytes) => (received += bytes) };
}

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('an answer', () => {
  it('that its client does not take in time is dropped with the connection', async () => {
    const { port, last } = await answering();
    ask(port, false);
    await until(() => last() !== undefined);
    expect(last()!.writableFinished).toBe(false);
    await until(() => last()!.destroyed, 3000);
    expect(last()!.destroyed).toBe(true);
  });

  it('that its client reads slowly is sent whole, however long it takes past the limit', async () => {
    const { port } = await answering();
    const client = ask(port, false);
    // Reading 10 ms out of every 170: 30 MB takes over a second, several times the limit, and no
    // 300 ms pass without the client taking some.
    socket!.on('data', (chunk: Buffer) => client.take(chunk.length));
    socket!.pause();
    const started = Date.now();
    const slowly = setInterval(() => {
      socket!.resume();
      setTimeout(() => socket!.pause(), 10);
    }, 170);
    try {
      await until(() => client.received() > BODY.length || client.closed(), 60_000);
    } finally {
      clearInterval(slowly);
    }
    expect(client.received()).toBeGreaterThan(BODY.length);
    expect(client.closed()).toBe(false);
    expect(Date.now() - started).toBeGreaterThan(600);
  });

  it('that its client trickles is dropped once it has had the time a slow link needs for it', () => {
    vi.useFakeTimers();
    try {
      // A response whose client takes one 64 KiB piece every 100 ms: never stalled, but 12 MB would
      // take 19 s, and may take 300 ms plus a second per 4 MB here.
      const res = Object.assign(new EventEmitter(), {
        destroyed: false,
        pieces: 0,
        writableLength: 0,
        write(piece: Buffer) {
          this.pieces++;
          this.writableLength += piece.length;
          return false;
        },
        end() {},
        destroy() {
          this.destroyed = true;
        },
      });
      const trickle = setInterval(() => {
        res.writableLength = Math.max(0, res.writableLength - 65_536);
        res.emit('drain');
      }, 100);
      endAnswer(res as unknown as ServerResponse, 'y'.repeat(12_000_000), {
        unreadMs: 300,
        slowestBytesPerSecond: 4_000_000,
      });
      vi.advanceTimersByTime(3_250);
      expect(res.destroyed).toBe(false);
      vi.advanceTimersByTime(100);
      expect(res.destroyed).toBe(true);
      expect(res.pieces).toBeLessThan(12_000_000 / 65_536);
      clearInterval(trickle);
    } finally {
      vi.useRealTimers();
    }
  });
});
