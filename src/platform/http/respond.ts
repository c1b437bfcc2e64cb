import type { ServerResponse } from 'node:http';
import type { ApiError } from './errors.js';

/**
 * kube-apiserver's request timeout. An answer whose client takes nothing of it for this long (checked
 * at this interval, so between one and two of them) is dropped with the connection: a client that asks for a large list and never reads would otherwise
 * keep it in the server's memory for as long as the connection lives. A client that reads, however
 * slowly, gets it whole. (Watches have their own limits: watch-stream.ts.)
 */
export const UNREAD_ANSWER_MS = 60_000;

/** Sent in pieces this large, so the server sees the client take them. */
const PIECE_BYTES = 1 << 20;

/**
 * Ends the answer with `payload`, sent a piece at a time as the client takes it, and drops the
 * connection when the client takes nothing for `unreadMs`.
 */
export function endAnswer(res: ServerResponse, payload: string, unreadMs = UNREAD_ANSWER_MS): void {
  if (payload.length <= PIECE_BYTES) {
    res.end(payload);
    return;
  }
  const bytes = Buffer.from(payload);
  let offset = 0;
  let progressed = true;
  const pump = () => {
    progressed = true;
    while (offset < bytes.length) {
      const piece = bytes.subarray(offset, offset + PIECE_BYTES);
      offset += piece.length;
      if (!res.write(piece)) return;
    }
    settle();
    res.end();
  };
  const stalled = setInterval(() => {
    if (!progressed) {
      settle();
      res.destroy();
    }
    progressed = false;
  }, unreadMs);
  const settle = () => {
    clearInterval(stalled);
    res.off('drain', pump);
  };
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
