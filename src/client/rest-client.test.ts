import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createTcpServer } from 'node:net';
import { UnreachableError } from '../cli/errors.js';
import { Deadline } from './deadline.js';
import { RestClient } from './rest-client.js';

let server: Server | undefined;
let client: RestClient | undefined;

afterEach(async () => {
  client?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});

/** A server that answers every request after `delayMs`, counting connections and the most requests at once. */
async function slowServer(delayMs: number) {
  const seen = { connections: new Set<Socket>(), active: 0, mostAtOnce: 0 };
  server = createServer((req, res) => {
    seen.connections.add(req.socket);
    seen.active++;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.active);
    req.resume();
    setTimeout(() => {
      seen.active--;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ path: req.url, method: req.method }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  client = new RestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return { seen, client };
}

describe('RestClient connections', () => {
  it('pipelines GETs on one connection', async () => {
    const { seen, client } = await slowServer(10);
    const answers = await Promise.all(['/a', '/b', '/c'].map((path) => client.get<{ path: string }>(path)));
    expect(answers.map((a) => a.path)).toEqual(['/a', '/b', '/c']);
    expect(seen.connections.size).toBe(1);
  });

  it('sends writes side by side on up to four connections instead of queueing them', async () => {
    const { seen, client } = await slowServer(30);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.post<{ method: string }>(`/objects/${i}`, { i })),
    );
    expect(answers.every((a) => a.method === 'POST')).toBe(true);
    expect(seen.connections.size).toBe(4);
    expect(seen.mostAtOnce).toBe(4);
  });

  it('lets a POST that changes nothing share the connection with GETs', async () => {
    const { seen, client } = await slowServer(10);
    await Promise.all([
      client.get('/apis'),
      client.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {}, { idempotent: true }),
      client.get('/api'),
    ]);
    expect(seen.connections.size).toBe(1);
  });
});

describe('RestClient deadline', () => {
  it('shares one budget between requests made one after another, and says the budget it waited', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      client = new RestClient({ baseUrl: `http://127.0.0.1:${port}` }, { deadline: new Deadline(400) });
      const started = Date.now();
      const errors: unknown[] = [];
      for (const path of ['/probe', '/apis']) errors.push(await client.get(path).catch((e: unknown) => e));
      expect(Date.now() - started).toBeLessThan(700);
      for (const error of errors) {
        expect(error).toBeInstanceOf(UnreachableError);
        expect((error as Error).message).toBe(
          `cannot reach the platform at http://127.0.0.1:${port}: no answer within 0.4s`,
        );
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('RestClient and Retry-After', () => {
  /** A server that answers `status` with `retryAfter` to the first `refusals` requests, then 200. */
  async function refusingServer(refusals: number, status: number, retryAfter?: string) {
    const seen = { requests: 0 };
    server = createServer((req, res) => {
      req.resume();
      seen.requests++;
      res.setHeader('Content-Type', 'application/json');
      if (seen.requests <= refusals) {
        res.statusCode = status;
        if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfter);
        res.end(JSON.stringify({ kind: 'Status', code: status, message: 'storage is unavailable' }));
        return;
      }
      res.end(JSON.stringify({ method: req.method }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    client = new RestClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    return { seen, client };
  }

  it('sends a request again when the platform answers 503 with Retry-After, as kubectl does', async () => {
    const { seen, client } = await refusingServer(3, 503, '0');
    await expect(client.post('/objects', { a: 1 })).resolves.toEqual({ method: 'POST' });
    expect(seen.requests).toBe(4);
  });

  it('and when it answers 429 with Retry-After', async () => {
    const { client } = await refusingServer(1, 429, '0');
    await expect(client.get('/objects')).resolves.toEqual({ method: 'GET' });
  });

  it('does not send it again without Retry-After', async () => {
    const { seen, client } = await refusingServer(1, 503);
    await expect(client.get('/objects')).rejects.toMatchObject({ code: 503 });
    expect(seen.requests).toBe(1);
  });

  it('nor for an answer that is not about waiting', async () => {
    const { seen, client } = await refusingServer(1, 409, '0');
    await expect(client.get('/objects')).rejects.toMatchObject({ code: 409 });
    expect(seen.requests).toBe(1);
  });

  it('nor when the wait would outlast the time the request was given', async () => {
    const { seen, client } = await refusingServer(1, 503, '5');
    const started = Date.now();
    await expect(client.get('/objects', { timeoutMs: 2000 })).rejects.toMatchObject({ code: 503 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(seen.requests).toBe(1);
  });

  it('gives up after ten more tries, as client-go does', async () => {
    const { seen, client } = await refusingServer(100, 503, '0');
    await expect(client.get('/objects')).rejects.toMatchObject({ code: 503 });
    expect(seen.requests).toBe(11);
  });
});
