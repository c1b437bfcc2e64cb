import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

const TLS_HANDSHAKE = 0x16;

export interface DualProtocolServer {
  /** The listening socket; both protocols share its port. */
  front: NetServer;
  http: HttpServer;
  https: HttpsServer;
  /** Destroys every open connection, including ones that have not sent a byte yet. */
  destroyConnections(): void;
}

/**
 * HTTPS and plain HTTP on one port. kubectl needs https (client-go drops credentials for http
 * servers), while plain-HTTP probes keep working: the first byte of a connection tells a TLS
 * ClientHello (0x16) from an HTTP request line, and the socket goes to the matching server.
 */
export function createDualProtocolServer(
  listener: RequestListener,
  tls: { cert: string; key: string },
): DualProtocolServer {
  const http = createHttpServer(listener);
  const https = createHttpsServer({ cert: tls.cert, key: tls.key }, listener);
  const route = (socket: Socket) => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) {
      socket.once('readable', () => route(socket));
      return;
    }
    socket.unshift(first);
    (first[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
  };
  const sockets = new Set<Socket>();
  // Sockets handed over by 'connection' skip the http servers' own noDelay; without it Nagle holds a response's
  // last small write until the client's delayed ACK, 40 ms later.
  const front = createNetServer({ pauseOnConnect: false, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    route(socket);
  });
  const destroyConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return { front, http, https, destroyConnections };
}
