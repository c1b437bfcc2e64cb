import type { ServerResponse } from 'node:http';

/** Open watch streams, so shutdown can end them instead of waiting for clients to hang up. */
export class WatchRegistry {
  private readonly open = new Set<() => void>();

  add(close: () => void): () => void {
    this.open.add(close);
    return () => this.open.delete(close);
  }

  closeAll(): void {
    for (const close of [...this.open]) close();
  }

  get size(): number {
    return this.open.size;
  }
}

// The apiserver ends watches after its minimum request timeout when the client sets none.
const DEFAULT_TIMEOUT_SECONDS = 1800;

export interface WatchStreamOptions {
  timeoutSeconds?: number;
  registry: WatchRegistry;
}

/**
 * Serves a watch as chunked JSON lines. Headers go out at once because clients wait for them before
 * reading events. `start` receives the writer and returns the unsubscribe function, or undefined
 * when the watch already ended (an ERROR event was its last word).
 */
export function streamWatch(
  res: ServerResponse,
  options: WatchStreamOptions,
  start: (write: (frame: unknown) => void) => (() => void) | undefined,
): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  let finished = false;
  let unsubscribe: () => void = () => undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    unsubscribe();
    deregister();
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(finish, (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  const deregister = options.registry.add(finish);
  // The response (not the request, which closes once its body is read) tells us the client left.
  res.on('close', finish);
  const stop = start((frame) => {
    if (!finished) res.write(`${JSON.stringify(frame)}\n`);
  });
  if (!stop) finish();
  else if (finished) stop();
  else unsubscribe = stop;
}
