import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from './server.js';

// A connection that never gets to a request must not hold a socket for ever: the platform closes one
// that stays silent, stops after the TLS handshake or sends half a header, while an open watch that is
// quiet for longer than any of these limits stays open. The limits are set small here (300 ms); the
// defaults are kube-apiserver's.

const LIMIT_MS = 300;
/** How long a test waits for the server to close a connection before calling it left open. */
const BOUND_MS = 3_000;

describe('connections the platform closes', () => {
  let dataDir: string;
  let platform: RunningPlatform;
  let ca: Buffer;
  let token: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kplane-unit-connections-'));
    platform = await startPlatform({
      port: 0,
      dataDir,
      connectionTimeouts: { handshakeMs: LIMIT_MS, headersMs: LIMIT_MS, keepAliveMs: LIMIT_MS },
    });
    ca = readFileSync(platform.caFile);
    token = readFileSync(platform.tokenFile, 'utf8').trim();
  });

  afterAll(async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Milliseconds until the server closed `socket`; rejects (and destroys it) when it stays open past BOUND_MS. */
  const closedBy = (socket: Socket, opened = Date.now()) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server left the connection open for ${BOUND_MS} ms`));
      }, BOUND_MS);
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - opened);
      });
    });

  const plainSocket = () => netConnect({ host: '127.0.0.1', port: platform.port });
  const tlsSocket = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: platform.port, ca, servername: '127.0.0.1' });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', reject);
    });

  it('closes a connection that sends nothing', async () => {
    const elapsed = await closedBy(plainSocket());
    expect(elapsed).toBeGreaterThanOrEqual(LIMIT_MS - 50);
  });

  it('closes a connection that starts a TLS handshake and stops', async () => {
    const socket = plainSocket();
    socket.write(Buffer.from([0x16, 0x03, 0x01]));
    await closedBy(socket);
  });

  it('closes a connection that finishes the TLS handshake and sends nothing', async () => {
    await closedBy(await tlsSocket());
  });

  it('closes a connection that sends half a header, over TLS and over plain HTTP', async () => {
    const secure = await tlsSocket();
    secure.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const plain = plainSocket();
    plain.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await Promise.all([closedBy(secure), closedBy(plain)]);
  });

  it('closes a kept-alive connection that sits idle after its request', async () => {
    const socket = await tlsSocket();
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    await answered;
    await closedBy(socket);
  });

  it('keeps an open watch that stays quiet for longer than every limit', async () => {
    const path = '/clusters/root/api/v1/namespaces/default/configmaps?watch=true';
    const received: string[] = [];
    const request = httpsRequest(`${platform.url}${path}`, {
      ca,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    const closed = new Promise<void>((resolve) => request.once('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        request.once('response', (res) => {
          expect(res.statusCode).toBe(200);
          res.on('data', (chunk: Buffer) => received.push(chunk.toString('utf8')));
          resolve();
        });
        request.once('error', reject);
        request.end();
      });
      await new Promise((resolve) => setTimeout(resolve, 4 * LIMIT_MS));
      const created = await new Promise<number>((resolve, reject) => {
        const create = httpsRequest(
          `${platform.url}/clusters/root/api/v1/namespaces/default/configmaps`,
          {
            method: 'POST',
            ca,
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        create.once('error', reject);
        create.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quiet' } }));
      });
      expect(created).toBe(201);
      const deadline = Date.now() + BOUND_MS;
      while (!received.join('').includes('"quiet"') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received.join('')).toContain('"ADDED"');
      expect(received.join('')).toContain('"quiet"');
    } finally {
      request.destroy();
      await closed;
    }
  });
});
