import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

const TLS_HANDSHAKE = 0x16;

/** How long a connection may take over each step before the server closes it. */
export interface ConnectionTimeouts {
  /** From accept to the first byte, and again from there to a finished TLS handshake. */
  handshakeMs: number;
  /** From the start of a request to its last header line: a client that trickles headers is dropped. */
  headersMs: number;
  /** How long a kept-alive connection may sit between two requests. */
  keepAliveMs: number;
}

/**
 * kube-apiserver's figures: Go's TLS handshake timeout (10 s), a ReadHeaderTimeout of 32 s and an
 * IdleTimeout of 90 s (which matches client-go's idle connections, so neither side closes a
 * connection the other is about to reuse). A response in progress, such as a watch, has no limit.
 */
export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = {
  handshakeMs: 10_000,
  headersMs: 32_000,
  keepAliveMs: 90_000,
};

/**
 * Receiving a whole request (headers and body) may take this long; bodies are bounded in size, and a
 * watch is a GET whose request ends with its headers, so this never cuts a stream.
 */
const REQUEST_RECEIVE_MS = 60_000;

export interface DualProtocolServer {
  /** The listening socket; both protocols share its port. */
  front: NetServer;
  http: HttpServer;
  https: HttpsServer;
  /** Destroys every open connection, including ones that have not sent a byte yet. */
  destroyConnections(): void;
}

/**
 * HTTPS and plain HTTP on one port. kubectl needs https, while plain-HTTP probes (health, version)
 * keep working: the first byte of a connection tells a TLS ClientHello (0x16) from an HTTP request
 * line, and the socket goes to the matching server. `plainListener` answers what arrives in clear
 * text, so it decides what may be served without TLS.
 */
export function createDualProtocolServer(
  listener: RequestListener,
  plainListener: RequestListener,
  tls: { cert: string; key: string },
  timeouts: ConnectionTimeouts = DEFAULT_CONNECTION_TIMEOUTS,
): DualProtocolServer {
  const serverTimeouts = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: Math.max(REQUEST_RECEIVE_MS, timeouts.headersMs),
    keepAliveTimeout: timeouts.keepAliveMs,
    // Node checks the two limits above on this interval (30 s by default), so it bounds how late they act.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
  };
  const http = createHttpServer(serverTimeouts, plainListener);
  const https = createHttpsServer(
    { ...serverTimeouts, cert: tls.cert, key: tls.key, handshakeTimeout: timeouts.handshakeMs },
    listener,
  );
  const route = (socket: Socket, silence: NodeJS.Timeout) => {
    const first = socket.read(1) as Buffer | null;
    if (first === null) {
      socket.once('readable', () => route(socket, silence));
      return;
    }
    clearTimeout(silence);
    socket.unshift(first);
    (first[0] === TLS_HANDSHAKE ? https : http).emit('connection', socket);
  };
  const sockets = new Set<Socket>();
  // Sockets handed over by 'connection' skip the http servers' own noDelay; without it Nagle holds a response's
  // last small write until the client's delayed ACK, 40 ms later.
  const front = createNetServer({ pauseOnConnect: false, noDelay: true }, (socket) => {
    sockets.add(socket);
    // Until its first byte a connection belongs to neither server, so neither server's limits cover it.
    const silence = setTimeout(() => socket.destroy(), timeouts.handshakeMs);
    socket.once('close', () => {
      clearTimeout(silence);
      sockets.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    route(socket, silence);
  });
  // Node starts checking headersTimeout and requestTimeout when a server starts listening. These two never
  // listen (the front socket hands them connections), so they are told when the front one does, and
  // stopped with it.
  front.once('listening', () => {
    http.emit('listening');
    https.emit('listening');
  });
  front.once('close', () => {
    http.close(() => undefined);
    https.close(() => undefined);
  });
  const destroyConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  return { front, http, https, destroyConnections };
}
