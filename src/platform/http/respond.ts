import type { ServerResponse } from 'node:http';
import { holdAnswer } from './answer-ledger.js';
import type { ApiError } from './errors.js';

/**
 * kube-apiserver's request timeout. An answer whose client takes nothing of it for this long (checked
 * at this interval, so within two of them) is dropped with the connection: a client that asks for a
 * large list and never reads would otherwise keep it in the server's memory for as long as the
 * connection lives. (Watches have their own limits: watch-stream.ts.)
 */
export const UNREAD_ANSWER_MS = 60_000;

/**
 * The slowest a client may take a large answer in all: the request timeout plus a second for every
 * 256 KiB, so a trickle cannot keep a large list in memory for hours while a slow link still gets it.
 */
export const SLOWEST_BYTES_PER_SECOND = 256 * 1024;

/** Sent in pieces this large, so the server sees even a slow client take them. */
const PIECE_BYTES = 64 * 1024;

/** Pieces are queued until this much waits unsent, so a client that keeps up never waits on a 'drain'. */
const WINDOW_BYTES = 1024 * 1024;

/**
 * Ends the answer with `payload`, sent a piece at a time as the client takes it; drops the
 * connection when the client takes nothing for `unreadMs`, or has not taken all of it in time.
 */
export function endAnswer(
  res: ServerResponse,
  payload: string,
  { unreadMs = UNREAD_ANSWER_MS, slowestBytesPerSecond = SLOWEST_BYTES_PER_SECOND } = {},
): void {
  // The client left while the request waited (authentication, storage): nothing to send.
  if (res.destroyed) return;
  if (payload.length <= PIECE_BYTES) {
    res.end(payload);
    // What fits Node's buffer (16 KiB) costs nothing to keep; only an answer the client is behind on is timed.
    if (!res.writableNeedDrain) return;
    const unread = setTimeout(() => res.destroy(), unreadMs);
    const settle = () => clearTimeout(unread);
    res.once('finish', settle);
    res.once('close', settle);
    return;
  }
  const bytes = Buffer.from(payload);
  let offset = 0;
  let progressed = true;
  let release: () => void = () => undefined;
  const settle = () => {
    clearInterval(stallCheck);
    clearTimeout(deadline);
    res.off('drain', pump);
    release();
  };
  const drop = () => {
    settle();
    res.destroy();
  };
  const pump = () => {
    progressed = true;
    while (offset < bytes.length) {
      if (res.writableLength >= WINDOW_BYTES) return;
      const piece = bytes.subarray(offset, offset + PIECE_BYTES);
      offset += piece.length;
      res.write(piece);
    }
    settle();
    res.end();
  };
  // Progress is a refill after 'drain', or a queued piece that went out since the last look.
  let waitingAtLastLook = Infinity;
  const stallCheck = setInterval(() => {
    if (!progressed && res.writableLength >= waitingAtLastLook) drop();
    progressed = false;
    waitingAtLastLook = res.writableLength;
  }, unreadMs);
  const deadline = setTimeout(drop, unreadMs + (bytes.length / slowestBytesPerSecond) * 1000);
  // Counted against whoever it answers, which may drop it (or another of theirs) at once.
  release = holdAnswer(res, bytes.length, drop);
  if (res.destroyed) return;
  res.on('drain', pump);
  res.once('close', settle);
  pump();
}

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = 'application/json',
  warnings: string[] = [],
): void {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(payload)),
    'Cache-Control': 'no-cache, private',
  };
  // RFC 7234 warning headers, the way the apiserver reports unknown fields under fieldValidation=Warn.
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  endAnswer(res, payload);
}

export function writeError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (error.details?.retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  writeJson(res, error.code, error.toStatus());
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  endAnswer(res, text);
}
