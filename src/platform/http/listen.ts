import type { Server } from 'node:net';
import type { DualProtocolServer } from './dual-protocol.js';

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use`);
    this.name = 'PortInUseError';
  }
}

export const LOOPBACK = '127.0.0.1';

/** Listens on loopback only; resolves with the bound port (useful with port 0). */
export function listenOnLoopback(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, LOOPBACK);
  });
}

export function closeServer(server: DualProtocolServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.front.listening) {
      resolve();
      return;
    }
    server.front.close(() => resolve());
    // Idle keep-alive sockets would otherwise hold close() open for seconds.
    server.destroyConnections();
  });
}
