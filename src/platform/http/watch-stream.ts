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
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How much a watcher may leave unread before it is closed. Whatever a client does not read waits
 * in the server's memory, so a few watchers that never read could otherwise take all of it; the
 * apiserver's watch cache likewise closes a watcher whose queue stays full. A single event is
 * always sent whole (objects are bounded by the request body limit), so a reading client never
 * trips this however large the objects are.
 */
export const WATCH_BACKLOG_BYTES = 8 * 1024 * 1024;

export interface WatchStreamOptions {
  timeoutSeconds?: number;
  registry: WatchRegistry;
  /** Unread bytes that close the watch; WATCH_BACKLOG_BYTES unless a test sets less. */
  backlogBytes?: number;
}

/** Sends one event frame; frames after the watch has ended are dropped. */
export type WatchWrite = (frame: unknown) => void;

/**
 * Serves a watch as chunked JSON lines. Headers go out at once because clients wait for them before
 * reading events. `start` receives the writer and a way to end the watch early (after a last ERROR
 * event, say), and returns the unsubscribe function, or undefined when the watch already ended (an
 * ERROR event was its last word).
 */
export function streamWatch(
  res: ServerResponse,
  options: WatchStreamOptions,
  start: (write: WatchWrite, end: () => void) => (() => void) | undefined,
): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const backlogBytes = options.backlogBytes ?? WATCH_BACKLOG_BYTES;
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
  // A client that stopped reading would never take the rest, so the backlog is dropped with the
  // connection rather than ended politely behind it.
  const abandon = () => {
    finish();
    res.destroy();
  };
  // Node fires a timer beyond 2^31-1 ms at once: a watch asking for longer than ~24.8 days gets that long.
  const timer = setTimeout(
    finish,
    Math.min((options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, MAX_TIMER_MS),
  );
  const deregister = options.registry.add(finish);
  // The response (not the request, which closes once its body is read) tells us the client left.
  res.on('close', finish);
  const write: WatchWrite = (frame) => {
    if (finished) return;
    const line = `${JSON.stringify(frame)}\n`;
    // writableNeedDrain: an earlier write() answered false and the client has not caught up since.
    if (res.writableNeedDrain && res.writableLength + Buffer.byteLength(line) > backlogBytes) abandon();
    else res.write(line);
  };
  const stop = start(write, finish);
  if (!stop) finish();
  else if (finished) stop();
  else unsubscribe = stop;
}
