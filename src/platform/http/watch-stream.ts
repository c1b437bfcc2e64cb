import type { ServerResponse } from 'node:http';
import { tooManyRequests } from './errors.js';

interface OpenWatch {
  close: () => void;
  owner: string;
  /** Bytes the server holds for the client: unsent in the response, and serialized events waiting behind a replay. */
  heldBytes: () => number;
  /** Whether the watch is still sending the state or history it started with. */
  replaying: () => boolean;
}

/**
 * Open watch streams: so shutdown can end them instead of waiting for clients to hang up, and so
 * one user's watches, together, stay within what a user may hold of the server (see streamWatch).
 */
export class WatchRegistry {
  private readonly open = new Set<OpenWatch>();
  private readonly byOwner = new Map<string, Set<OpenWatch>>();

  add(watch: OpenWatch): () => void {
    this.open.add(watch);
    let mine = this.byOwner.get(watch.owner);
    if (!mine) this.byOwner.set(watch.owner, (mine = new Set()));
    mine.add(watch);
    return () => {
      this.open.delete(watch);
      mine.delete(watch);
      if (mine.size === 0 && this.byOwner.get(watch.owner) === mine) this.byOwner.delete(watch.owner);
    };
  }

  closeAll(): void {
    for (const watch of [...this.open]) watch.close();
  }

  get size(): number {
    return this.open.size;
  }

  /** How many watches `owner` holds open. */
  openBy(owner: string): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }

  /** How many of `owner`'s watches are still sending what they started with. */
  replayingBy(owner: string): number {
    let count = 0;
    for (const watch of this.byOwner.get(owner) ?? []) if (watch.replaying()) count++;
    return count;
  }

  /** The bytes the server holds unsent across all of `owner`'s watches. */
  backlogOf(owner: string): number {
    let bytes = 0;
    for (const watch of this.byOwner.get(owner) ?? []) bytes += watch.heldBytes();
    return bytes;
  }
}

// The apiserver ends watches after its minimum request timeout when the client sets none.
const DEFAULT_TIMEOUT_SECONDS = 1800;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How much a watcher may leave unread before it is closed. Whatever a client does not read waits
 * in the server's memory, so a few watchers that never read could otherwise take all of it; the
 * apiserver's watch cache likewise closes a watcher whose queue stays full. A single event is
 * always sent whole (objects are bounded by the request body limit), and the state or history a
 * watch starts with is sent as the client takes it, so a reading client never trips this however
 * large the objects or the namespace.
 */
export const WATCH_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * What one user's watches may leave unread together, and how many they may hold open: without them
 * a tenant opening many watches and reading none (40 took the server from 99 to 565 MB) would spend
 * the memory every other tenant is served from. Four stalled watches' worth; a watch that would go
 * beyond it is closed like one over its own budget, and a watch beyond the count is refused with 429
 * (client-go's reflectors back off and retry). The apiserver keeps no such count; kplane's platform
 * is shared by tenants on one process, so it does.
 */
export const OWNER_BACKLOG_BYTES = 4 * WATCH_BACKLOG_BYTES;
export const OWNER_MAX_WATCHES = 1000;

/**
 * A watch that starts with the current state (no resourceVersion) or a stretch of history holds it
 * until the client has taken it, as a list answer does. So a user may have this many such starts in
 * progress at once (a reading client finishes one in milliseconds), and one whose client takes
 * nothing for a minute (kube-apiserver's request timeout) is closed.
 */
export const OWNER_MAX_REPLAYS = 8;
export const REPLAY_STALL_MS = 60_000;

export interface WatchStreamOptions {
  timeoutSeconds?: number;
  registry: WatchRegistry;
  /** The user the watch serves (the name authentication gave); their watches share one budget. */
  owner?: string;
  /** Unread bytes that close the watch; WATCH_BACKLOG_BYTES unless a test sets less. */
  backlogBytes?: number;
  /** Unread bytes across the owner's watches that close the one writing; OWNER_BACKLOG_BYTES unless a test sets less. */
  ownerBacklogBytes?: number;
  /** Open watches of the owner beyond which a new one is refused; OWNER_MAX_WATCHES unless a test sets less. */
  ownerMaxWatches?: number;
  /** The owner's watches still sending their start beyond which a new one is refused; OWNER_MAX_REPLAYS unless a test sets less. */
  ownerMaxReplays?: number;
  /** How long events may wait for a client that takes nothing; REPLAY_STALL_MS unless a test sets less. */
  stallMs?: number;
}

/** Sends one event frame; frames after the watch has ended are dropped. */
export type WatchWrite = (frame: unknown) => void;

const lineOf = (frame: unknown) => `${JSON.stringify(frame)}\n`;

/**
 * Serves a watch as chunked JSON lines. `start` receives the writer and a way to end the watch early
 * (after a last ERROR event, say), and returns the unsubscribe function, or undefined when the watch
 * already ended (an ERROR event was its last word). What `start` writes (the state or history the
 * watch begins with) is sent as the client takes it, and live events wait behind it; headers go out
 * as soon as `start` returns, because clients wait for them before reading events.
 */
export function streamWatch(
  res: ServerResponse,
  options: WatchStreamOptions,
  start: (write: WatchWrite, end: () => void) => (() => void) | undefined,
): void {
  const { registry } = options;
  const owner = options.owner ?? '';
  const maxWatches = options.ownerMaxWatches ?? OWNER_MAX_WATCHES;
  if (registry.openBy(owner) >= maxWatches)
    throw tooManyRequests(
      `too many open watches for user "${owner}" (${maxWatches}): close some before opening more`,
      1,
    );
  const backlogBytes = options.backlogBytes ?? WATCH_BACKLOG_BYTES;
  const ownerBacklogBytes = options.ownerBacklogBytes ?? OWNER_BACKLOG_BYTES;
  const stallMs = options.stallMs ?? REPLAY_STALL_MS;

  let starting = true;
  let finished = false;
  /** Ending once what waits is sent: the watch's own end, after its last ERROR event. */
  let ending = false;
  // What `start` wrote, kept as frames and serialized one at a time as the client reads.
  let replay: unknown[] = [];
  let replayed = 0;
  // Live events that arrived while the client was behind, serialized (they count against the budget).
  const waiting: string[] = [];
  let waitingBytes = 0;
  // The watch's end (timeoutSeconds), set once headers are out; the stall limit, while events wait.
  const timers: { end?: NodeJS.Timeout; stall?: NodeJS.Timeout } = {};
  let unsubscribe: () => void = () => undefined;

  const replaying = () => replayed < replay.length;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timers.end);
    clearTimeout(timers.stall);
    unsubscribe();
    deregister();
    replay = [];
    waiting.length = 0;
    if (res.headersSent && !res.writableEnded) res.end();
  };
  // A client that stopped reading would never take the rest, so the backlog is dropped with the
  // connection rather than ended politely behind it.
  const abandon = () => {
    finish();
    res.destroy();
  };
  const end = () => {
    if (finished || ending) return;
    ending = true;
    unsubscribe();
    unsubscribe = () => undefined;
    if (!starting) pump();
  };
  const overBudget = (bytes: number) =>
    res.writableLength + waitingBytes + bytes > backlogBytes ||
    registry.backlogOf(owner) + bytes > ownerBacklogBytes;

  /** Sends what waits for as long as the client keeps up; waits for 'drain' otherwise. */
  const pump = () => {
    if (finished) return;
    while (!res.writableNeedDrain && (replaying() || waiting.length > 0)) {
      if (replaying()) {
        const frame = replay[replayed];
        replay[replayed++] = undefined;
        res.write(lineOf(frame));
      } else {
        const line = waiting.shift()!;
        waitingBytes -= Buffer.byteLength(line);
        res.write(line);
      }
    }
    clearTimeout(timers.stall);
    if (replaying() || waiting.length > 0) {
      timers.stall = setTimeout(abandon, stallMs);
      return;
    }
    replay = [];
    replayed = 0;
    if (ending) finish();
  };

  const write: WatchWrite = (frame) => {
    if (finished || ending) return;
    if (starting) {
      replay.push(frame);
      return;
    }
    const line = lineOf(frame);
    if (replaying() || waiting.length > 0) {
      if (overBudget(Buffer.byteLength(line))) return abandon();
      waiting.push(line);
      waitingBytes += Buffer.byteLength(line);
      // writableNeedDrain: an earlier write() answered false and the client has not caught up since.
    } else if (res.writableNeedDrain && overBudget(Buffer.byteLength(line))) abandon();
    else res.write(line);
  };

  const deregister = registry.add({
    close: finish,
    owner,
    heldBytes: () => res.writableLength + waitingBytes,
    replaying,
  });
  let stop: (() => void) | undefined;
  try {
    stop = start(write, end);
  } catch (error) {
    finish();
    throw error;
  }
  starting = false;
  const maxReplays = options.ownerMaxReplays ?? OWNER_MAX_REPLAYS;
  if (replaying() && !ending && stop && registry.replayingBy(owner) > maxReplays) {
    stop();
    finish();
    throw tooManyRequests(
      `too many watches of user "${owner}" still sending their initial state (${maxReplays}): read them, or wait`,
      1,
    );
  }
  if (!stop) ending = true;
  else if (ending) stop();
  else unsubscribe = stop;

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  // Node fires a timer beyond 2^31-1 ms at once: a watch asking for longer than ~24.8 days gets that long.
  timers.end = setTimeout(
    finish,
    Math.min((options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000, MAX_TIMER_MS),
  );
  // The response (not the request, which closes once its body is read) tells us the client left.
  res.on('close', finish);
  res.on('drain', pump);
  pump();
}
