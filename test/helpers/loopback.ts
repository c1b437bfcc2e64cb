import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach } from 'vitest';

/**
 * Loopback HTTP servers and raw client sockets for the tests of one file, all closed after each test, so a
 * test that leaves a client stalled on purpose leaves nothing behind.
 */
export function loopback(): {
  /** Starts a server on 127.0.0.1 and a free port; resolves to the port. */
  listen(handler: RequestListener): Promise<number>;
  /** A raw TCP client of `port` on 127.0.0.1. */
  connect(port: number): Socket;
} {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  return {
    listen: async (handler) => {
      const server = createServer(handler);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    connect: (port) => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      return socket;
    },
  };
}
