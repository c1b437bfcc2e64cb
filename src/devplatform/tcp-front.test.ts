import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpFront, type TcpFront } from './tcp-front.js';

// Real sockets on loopback: each backend greets with its name, then echoes what it reads.

interface NamedBackend {
  port: number;
  /** Connections it accepted that are still open. */
  open: Set<Socket>;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function backend(name: string): Promise<NamedBackend> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    socket.write(`${name}\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { port: typeof address === 'object' && address ? address.port : 0, open, close };
}

/** A port nothing listens on: taken, then given back. */
async function refusingPort(): Promise<number> {
  const gone = await backend('gone');
  await gone.close();
  return gone.port;
}

async function front(ports: number[]): Promise<TcpFront> {
  const started = await startTcpFront({
    port: 0,
    backends: ports.map((port) => ({ host: '127.0.0.1', port })),
  });
  cleanups.push(() => started.close());
  return started;
}

/** Connects through the front and resolves with the greeting line, keeping the socket open. */
function greeting(port: number): Promise<{ name: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve({ name: text.split('\n')[0]!, socket });
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before a greeting (got ${JSON.stringify(text)})`)));
    cleanups.push(async () => {
      socket.destroy();
    });
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('startTcpFront', () => {
  it('spreads connections round-robin over the backends', async () => {
    const [a, b, c] = await Promise.all([backend('a'), backend('b'), backend('c')]);
    const spread = await front([a!.port, b!.port, c!.port]);
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push((await greeting(spread.port)).name);
    expect(names).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('passes bytes through both ways untouched', async () => {
    const a = await backend('a');
    const spread = await front([a.port]);
    const { socket } = await greeting(spread.port);
    const echoed = new Promise<string>((resolve) =>
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    socket.write('\u0016\u0003\u0001 hello');
    expect(await echoed).toBe('\u0016\u0003\u0001 hello');
  });

  it('skips a backend that refuses', async () => {
    const dead = await refusingPort();
    const [a, b] = await Promise.all([backend('a'), backend('b')]);
    const spread = await front([a.port, dead, b.port]);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((await greeting(spread.port)).name);
    expect(names).not.toContain('gone');
    expect(new Set(names)).toEqual(new Set(['a', 'b']));
  });

  it('closes the client when no backend accepts', async () => {
    const spread = await front([await refusingPort(), await refusingPort()]);
    const socket = connect(spread.port, '127.0.0.1');
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await closed(socket);
    expect(received).toBe('');
  });

  it('closing the front ends the connections it carries, on both sides', async () => {
    const a = await backend('a');
    const spread = await startTcpFront({ port: 0, backends: [{ host: '127.0.0.1', port: a.port }] });
    const { socket } = await greeting(spread.port);
    expect(a.open.size).toBe(1);
    await spread.close();
    await closed(socket);
    await new Promise<void>((resolve) => {
      const check = () => (a.open.size === 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(a.open.size).toBe(0);
    // And it no longer listens.
    const refused = connect(spread.port, '127.0.0.1');
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => refused.once('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
  });
});
