import { createConnection, createServer, type Socket } from 'node:net';

// A TCP relay on loopback in front of one etcd member, which a test can sever: every connection through it
// is reset and new ones are reset at once, as when the member's host drops off the network, until restored.

export interface TcpRelay {
  endpoint: string;
  sever(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpRelay(target: string): Promise<TcpRelay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let severed = false;
  const server = createServer((client) => {
    if (severed) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: relayPort } = server.address() as { port: number };
  const resetAll = () => {
    for (const socket of sockets) socket.resetAndDestroy();
  };
  return {
    endpoint: `http://127.0.0.1:${relayPort}`,
    sever: () => {
      severed = true;
      resetAll();
    },
    restore: () => void (severed = false),
    close: () =>
      new Promise((resolve) => {
        resetAll();
        server.close(() => resolve());
      }),
  };
}
