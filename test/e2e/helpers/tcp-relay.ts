import { createConnection, createServer, type Socket } from 'node:net';

// A TCP relay on loopback in front of one etcd member, for tests of what a replica does when the network
// fails: `sever` resets every connection through it and each new one, as when the member's host drops off
// the network, until `restore`; `cut` stops relaying bytes without closing anything, as a partition does,
// so requests get no answer and only their deadline ends them.

export interface TcpRelay {
  endpoint: string;
  sever(): void;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpRelay(target: string): Promise<TcpRelay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let severed = false;
  let relaying = true;
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
      from.on('data', (chunk: Buffer) => {
        if (relaying) to.write(chunk);
      });
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
    cut: () => void (relaying = false),
    restore: () => void (severed = false),
    close: () =>
      new Promise((resolve) => {
        resetAll();
        server.close(() => resolve());
      }),
  };
}
