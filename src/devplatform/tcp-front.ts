import { createConnection, createServer, type Server, type Socket } from 'node:net';

// The front of `dev up --replicas N`: one loopback port (the platform's usual one, the one kubeconfigs
// name) whose connections go round-robin to the replicas. It forwards bytes and nothing else: TLS passes
// through to a replica, and every replica serves the same certificate from the shared data folder, so a
// client cannot tell which one answered. A replica that refuses (killed, restarting) is skipped.

export interface Backend {
  host: string;
  port: number;
}

export interface TcpFrontOptions {
  backends: Backend[];
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** A connection beyond this many is refused rather than queued: a client cannot pile up sockets. */
  maxConnections?: number;
  /** How long a replica may take to accept before the next one is tried. */
  connectTimeoutMs?: number;
}

export interface TcpFront {
  host: string;
  port: number;
  /** Stops accepting and ends every connection it carries, both sides. */
  close(): Promise<void>;
}

const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

export async function startTcpFront(options: TcpFrontOptions): Promise<TcpFront> {
  if (options.backends.length === 0) throw new Error('a front needs at least one backend');
  const host = options.host ?? '127.0.0.1';
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  // Tries each backend once, starting with the next in turn; undefined when none accepts.
  const connectAny = async (): Promise<Socket | undefined> => {
    const start = next;
    next = (next + 1) % options.backends.length;
    for (let i = 0; i < options.backends.length; i++) {
      const backend = options.backends[(start + i) % options.backends.length]!;
      const socket = await connectTo(backend, connectTimeoutMs);
      if (socket) return socket;
    }
    return undefined;
  };

  // The client's bytes wait (pauseOnConnect) until a replica is there to take them.
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy());
    void connectAny().then((backend) => {
      if (!backend || client.destroyed) {
        backend?.destroy();
        client.destroy();
        return;
      }
      track(backend);
      backend.on('error', () => backend.destroy());
      // Either side gone ends the other: a half-dead pair would hold a connection slot for nothing.
      backend.once('close', () => client.destroy());
      client.once('close', () => backend.destroy());
      client.pipe(backend);
      backend.pipe(client);
    });
  });
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    close: () =>
      (closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

function connectTo(backend: Backend, timeoutMs: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: backend.host, port: backend.port });
    const give = (result: Socket | undefined) => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.setTimeout(0);
      resolve(result);
    };
    const onConnect = () => give(socket);
    const onError = () => {
      socket.destroy();
      give(undefined);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      give(undefined);
    });
  });
}
