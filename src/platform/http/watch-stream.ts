import type { ServerResponse } from 'node:http';
import { tooManyRequests } from './errors.js';
import type { WatchRegistry } from './watch-registry.js';

// The apiserver ends watches after its minimum request timeout when the client sets none.
const DEFAULT_TIMEOUT_SECONDS = 1800;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a watch, and one owner's watches together, may hold of the server. */
export interface WatchLimits {
  /**
   * How much a watcher may leave unread before it is closed. Whatever a client does not read waits
   * in the server's memory, so a few watchers that never read could otherwise take all of it; the
   * apiserver's watch cache likewise closes a watcher whose queue stays full. A single event is
   * always sent whole (objects are bounded by the request body limit), and the state or history a
   * watch starts with is read from the store as the client takes it, so a reading client never
   * trips this however large the objects or the namespace.
   */
  backlogBytes: number;
  /**
   * What one owner's watches may leave unread together: without it a tenant opening many watches
   * and reading none (40 took the server from 99 to 565 MB) would spend the memory every other
   * tenant is served from. Past it, the owner's watch holding the most is closed.
   */
  ownerBacklogBytes: number;
  /**
   * How many watches one owner may hold open, and how many of them may still be sending what they
   * started with; a watch beyond either is refused with 429 (client-go's reflectors back off and
   * retry). The apiserver keeps no such counts; kplane's platform serves its tenants from one
   * process, so it does.
   */
  ownerMaxWatches: number;
  ownerMaxReplays: number;
  /**
   * How long events may wait for a client that takes none of them (kube-apiserver's request
   * timeout) before the watch is closed.
   */
  stallMs: number;
}

export const WATCH_LIMITS: WatchLimits = {
  backlogBytes: 8 * 1024 * 1024,
  ownerBacklogBytes: 32 * 1024 * 1024,
  ownerMaxWatches: 1000,
  ownerMaxReplays: 8,
  stallMs: 60_000,
};

export interface WatchStreamOptions {
  timeoutSeconds?: number;
  registry: WatchRegistry;
  /** Whose limits the watch counts against (identityKey); their watches share one budget. */
  owner?: string;
  /** WATCH_LIMITS unless a test sets less. */
  limits?: Partial<WatchLimits>;
}

/** Sends one event frame; frames after the watch has ended are dropped. */
export type WatchWrite = (frame: unknown) => void;

/**
 * Queues frames the watch starts with, produced only as the client takes them: the watch reads
 * the state it starts from out of the store page by page instead of holding all of it.
 */
export type WatchReplay = (frames: Iterable<unknown>) => void;

export type WatchStart = (
  write: WatchWrite,
  end: () => void,
  replay: WatchReplay,
) => (() => void) | undefined;

// Frames hold stored objects and are serialized only when sent; stored objects are never changed
// in place (a write stores a new object), so what is sent is what was current when it was queued.
const lineOf = (frame: unknown) => `${JSON.stringify(frame)}\n`;

/**
 * Serves a watch as chunked JSON lines. `start` receives the writer, a way to end the watch early
 * (after a last ERROR event, say) and a way to queue the frames it starts with; it returns the
 * unsubscribe function, or undefined when the watch already ended (an ERROR event was its last
 * word). Everything written during `start` is sent as the client takes it, and live events wait
 * behind it; headers go out as soon as `start` returns, because clients wait for them.
 */
export function streamWatch(res: ServerResponse, options: WatchStreamOptions, start: WatchStart): void {
  // The client left while the request waited (authentication, storage): nothing to serve.
  if (res.destroyed) return;
  const { registry } = options;
  const owner = options.owner ?? '';
  const limits = { ...WATCH_LIMITS, ...options.limits };
  if (registry.openBy(owner) >= limits.ownerMaxWatches)
    throw tooManyRequests(
      `too many open watches for "${owner}" (${limits.ownerMaxWatches}): close some before opening more`,
      1,
    );

  let starting = true;
  let finished = false;
  /** Ending once what waits is sent: the watch's own end, after its last ERROR event. */
  let ending = false;
  // What `start` queued, serialized a frame at a time as the client reads.
  const sources: Iterable<unknown>[] = [];
  let startFrames: unknown[] = [];
  let replay: Iterator<unknown> | undefined;
  let nextFrame: IteratorResult<unknown> = { done: true, value: undefined };
  // Live events that arrived while the client was behind, serialized (they count against the budget).
  const waiting: string[] = [];
  let waitingBytes = 0;
  const timers: { timeout?: NodeJS.Timeout; stall?: NodeJS.Timeout } = {};
  let unsubscribe: () => void = () => undefined;

  const replaying = () => starting || nextFrame.done !== true;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timers.timeout);
    clearTimeout(timers.stall);
    unsubscribe();
    replay = undefined;
    nextFrame = { done: true, value: undefined };
    waiting.length = 0;
    waitingBytes = 0;
    if (res.headersSent && !res.writableEnded) res.end();
    if (res.destroyed || res.writableFinished || !res.headersSent) return deregister();
    // What the client has not read of an ended watch still counts against its owner until it is
    // taken, and is dropped with the connection if the client does not take it in time.
    const unread = setTimeout(() => res.destroy(), limits.stallMs);
    const release = () => {
      clearTimeout(unread);
      deregister();
    };
    res.once('finish', release);
    res.once('close', release);
  };
  // A client that stopped reading would never take the rest, so the backlog is dropped with the
  // connection rather than ended politely behind it. So is a watch cut off in the middle of what it
  // started with: ended politely, it would look complete to the client.
  const abandon = () => {
    res.destroy();
    finish();
  };
  const timeUp = () => (replaying() ? abandon() : finish());
  const end = () => {
    if (finished || ending) return;
    ending = true;
    unsubscribe();
    unsubscribe = () => undefined;
    if (!starting) pump();
  };
  const behind = () => replaying() || waiting.length > 0;
  /**
   * Whether queuing `bytes` more keeps this watch within its budget, and its owner within theirs
   * (dropping the owner's watch that holds the most when not).
   */
  const withinBudget = (bytes: number) => {
    if (res.writableLength + waitingBytes + bytes > limits.backlogBytes) return false;
    if (registry.heldBy(owner) + bytes > limits.ownerBacklogBytes) {
      registry.dropLargest(owner);
      if (finished) return false;
    }
    registry.charge(owner, bytes);
    return true;
  };

  const nextLine = (): string => {
    if (nextFrame.done !== true) {
      const line = lineOf(nextFrame.value);
      nextFrame = replay!.next();
      return line;
    }
    const line = waiting.shift()!;
    waitingBytes -= Buffer.byteLength(line);
    return line;
  };
  /** Sends what waits for as long as the client keeps up; waits for 'drain' otherwise. */
  const pump = () => {
    if (finished) return;
    try {
      while (!res.writableNeedDrain && behind()) res.write(nextLine());
    } catch {
      // A frame that cannot be serialized, or a store read that failed mid-replay: the client must re-list.
      return abandon();
    }
    clearTimeout(timers.stall);
    if (behind()) timers.stall = setTimeout(abandon, limits.stallMs);
    else if (ending) finish();
  };

  const write: WatchWrite = (frame) => {
    if (finished || ending) return;
    if (starting) {
      startFrames.push(frame);
      return;
    }
    const line = lineOf(frame);
    // writableNeedDrain: an earlier write() answered false and the client has not caught up since.
    if (!behind() && !res.writableNeedDrain) return void res.write(line);
    const bytes = Buffer.byteLength(line);
    if (!withinBudget(bytes)) abandon();
    else if (behind()) {
      waiting.push(line);
      waitingBytes += bytes;
    } else res.write(line);
  };
  const queueReplay: WatchReplay = (frames) => {
    if (finished || ending) return;
    if (!starting) {
      for (const frame of frames) write(frame);
      return;
    }
    sources.push(startFrames, frames);
    startFrames = [];
  };

  res.on('close', finish);
  const deregister = registry.add({
    owner,
    close: timeUp,
    drop: abandon,
    heldBytes: () => res.writableLength + waitingBytes,
    replaying,
  });
  let stop: (() => void) | undefined;
  try {
    stop = start(write, end, queueReplay);
    sources.push(startFrames);
    replay = (function* () {
      for (const source of sources) yield* source;
    })();
    nextFrame = replay.next();
  } catch (error) {
    stop?.();
    finish();
    throw error;
  }
  starting = false;
  if (replaying() && !ending && stop && registry.replayingBy(owner) > limits.ownerMaxReplays) {
    stop();
    finish();
    throw tooManyRequests(
      `too many watches of "${owner}" still sending the state they start with (${limits.ownerMaxReplays}): read them, or wait`,
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
  // As kube-apiserver: timeoutSeconds=0 means the default, not at once.
  const timeoutMs = Math.min((options.timeoutSeconds || DEFAULT_TIMEOUT_SECONDS) * 1000, MAX_TIMER_MS);
  timers.timeout = setTimeout(timeUp, timeoutMs);
  res.on('drain', pump);
  pump();
}
