// A small HTTP/1.1 client: one connection to a platform, with GETs pipelined on it. `ws use` asks two things at
// once; on one connection that is one TLS handshake instead of two, and none of Node's `http`/`https` machinery
// (which costs more to load than the two requests take). Non-idempotent requests are never pipelined: they go out
// alone once the connection is quiet. When a connection drops with GETs unanswered, they are sent again, once, on
// a new one (RFC 9112 §9.3.2 allows that for idempotent requests; servers may close an idle connection at any time).
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface Http1Target {
  secure: boolean;
  /** A host name or IP address (without IPv6 brackets). */
  host: string;
  port: number;
  /** PEM bundle to trust instead of the default roots. */
  ca?: string;
  rejectUnauthorized: boolean;
  /** The name to send in SNI and to check the certificate against, when it is not `host`. */
  servername?: string;
}

export interface Http1Request {
  method: string;
  /** Path and query, as sent on the request line. */
  path: string;
  /** The Host header value (host:port as in the URL). */
  authority: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs: number;
  /** A POST that changes nothing (an access review) may be pipelined and sent again like a GET. */
  idempotent?: boolean;
}

export interface Http1Response {
  statusCode: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

interface Pending {
  request: Http1Request;
  resolve(response: Http1Response): void;
  reject(error: Error): void;
  sends: number;
  timer?: NodeJS.Timeout;
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS']);
const headerEnd = Buffer.from('\r\n\r\n');
const lineEnd = Buffer.from('\r\n');

export class Http1Connection {
  private socket: Socket | undefined;
  private connected = false;
  /** Sent, answered in this order. */
  private inFlight: Pending[] = [];
  /** Not sent yet. */
  private queued: Pending[] = [];
  private parser = new ResponseParser();

  constructor(private readonly target: Http1Target) {}

  request(request: Http1Request): Promise<Http1Response> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { request, resolve, reject, sends: 0 };
      pending.timer = setTimeout(() => {
        this.forget(pending);
        // ETIMEDOUT for this request and for the ones dropped with it, so every caller can say it timed out.
        const timedOut = Object.assign(new Error(`no answer within ${request.timeoutMs / 1000}s`), {
          code: 'ETIMEDOUT',
        });
        reject(timedOut);
        // The answer may still come and would be taken for the next request's: start afresh.
        this.drop(timedOut);
      }, request.timeoutMs);
      this.queued.push(pending);
      this.pump();
    });
  }

  /** Requests sent or waiting, not answered yet. */
  get outstanding(): number {
    return this.inFlight.length + this.queued.length;
  }

  /** Whether a pipelinable request would go out at once, behind the ones in flight. */
  get pipelines(): boolean {
    return this.queued.length === 0 && this.inFlight.every(isIdempotent);
  }

  /** Closes the connection; requests still waiting are abandoned. */
  close(): void {
    for (const pending of [...this.inFlight, ...this.queued]) clearTimeout(pending.timer);
    this.inFlight = [];
    this.queued = [];
    this.socket?.destroy();
    this.socket = undefined;
  }

  private pump(): void {
    while (this.queued.length > 0) {
      const next = this.queued[0]!;
      const pipelinable = isIdempotent(next) && this.inFlight.every(isIdempotent);
      if (this.inFlight.length > 0 && !pipelinable) return;
      this.queued.shift();
      this.inFlight.push(next);
      next.sends += 1;
      this.open().write(encode(next.request));
    }
    this.socket?.[this.inFlight.length > 0 ? 'ref' : 'unref']();
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const { secure, host, port, ca, rejectUnauthorized, servername } = this.target;
    const socket = secure
      ? connectTls({
          host,
          port,
          ca,
          rejectUnauthorized,
          servername: servername ?? (isIP(host) ? undefined : host),
          ALPNProtocols: ['http/1.1'],
        })
      : connectTcp({ host, port });
    socket.setNoDelay(true);
    this.connected = false;
    this.parser = new ResponseParser();
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      if (this.socket === socket) this.connected = true;
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.receive(chunk);
    });
    socket.on('end', () => {
      if (this.socket !== socket) return;
      // A response that runs until the connection ends is complete now.
      const last = this.parser.finish();
      if (last) this.answer(last);
      this.drop(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));
    });
    socket.on('error', (error) => {
      if (this.socket === socket) this.drop(error);
    });
    socket.on('close', () => {
      if (this.socket === socket)
        this.drop(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    });
    this.socket = socket;
    return socket;
  }

  private receive(chunk: Buffer): void {
    // Bytes nobody asked for (say, a 408 on an idle connection) would be taken for the next request's answer.
    if (this.inFlight.length === 0) {
      this.drop(new Error('the server sent data that answers no request'));
      return;
    }
    this.parser.push(chunk);
    for (;;) {
      const method = this.inFlight[0]?.request.method;
      if (method === undefined) return;
      let response: Http1Response | undefined;
      try {
        response = this.parser.next(method);
      } catch (error) {
        // Not HTTP we can read: nothing more on this connection can be trusted, nor sent again blindly.
        for (const pending of this.inFlight) pending.sends = Infinity;
        this.drop(error as Error);
        return;
      }
      if (!response) return;
      const closing = wantsClose(response);
      this.answer(response);
      if (closing) {
        // Whatever was sent after an answer that closes the connection was never read: send it again.
        for (const pending of this.inFlight) pending.sends -= 1;
        this.drop(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));
        return;
      }
    }
  }

  private answer(response: Http1Response): void {
    const pending = this.inFlight.shift();
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.resolve(response);
    this.pump();
  }

  /**
   * The connection is gone. Before it ever connected, every request fails with its error; after, unanswered
   * idempotent requests that were sent once go out again on a new connection, and the rest fail.
   */
  private drop(error: Error): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    socket.destroy();
    const unanswered = this.inFlight;
    this.inFlight = [];
    const neverConnected = !this.connected;
    const retry: Pending[] = [];
    for (const pending of unanswered) {
      if (!neverConnected && isIdempotent(pending) && pending.sends < 2) retry.push(pending);
      else {
        clearTimeout(pending.timer);
        pending.reject(error);
      }
    }
    if (neverConnected) {
      for (const pending of this.queued) {
        clearTimeout(pending.timer);
        pending.reject(error);
      }
      this.queued = [];
    }
    this.queued = [...retry, ...this.queued];
    if (this.queued.length > 0) this.pump();
  }

  private forget(pending: Pending): void {
    this.inFlight = this.inFlight.filter((p) => p !== pending);
    this.queued = this.queued.filter((p) => p !== pending);
  }
}

function isIdempotent(pending: Pending): boolean {
  return pending.request.idempotent ?? idempotent.has(pending.request.method);
}

function encode(request: Http1Request): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nHost: ${request.authority}\r\n`;
  for (const [name, value] of Object.entries(request.headers)) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${request.body ?? ''}`;
}

function wantsClose(response: Http1Response): boolean {
  return /(^|,)\s*close\s*(,|$)/i.test(response.headers.connection ?? '');
}

/**
 * Reads responses off a byte stream, one after another (HTTP/1.1 framing: RFC 9112 §6). Incremental: body
 * bytes are taken as they come, so a large list costs one pass, however many packets it arrives in.
 */
export class ResponseParser {
  /** Bytes received and not consumed yet. */
  private input: Buffer = Buffer.alloc(0);
  private state: 'head' | 'length' | 'size' | 'data' | 'data-end' | 'trailers' | 'close' = 'head';
  private response: { statusCode: number; headers: Record<string, string>; body: Buffer[] } | undefined;
  private remaining = 0;

  push(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
  }

  /** The next complete response to a `method` request, or undefined until more bytes arrive. */
  next(method: string): Http1Response | undefined {
    for (;;) {
      switch (this.state) {
        case 'head': {
          const end = this.input.indexOf(headerEnd);
          if (end < 0) return undefined;
          const { statusCode, headers } = parseHead(this.input.subarray(0, end).toString('latin1'));
          this.input = this.input.subarray(end + headerEnd.length);
          // 1xx answers come before the real one (RFC 9112 §6.3); skip them.
          if (statusCode >= 100 && statusCode < 200 && statusCode !== 101) continue;
          this.response = { statusCode, headers, body: [] };
          const framing = framingOf(method, statusCode, headers);
          if (framing.kind === 'none') return this.complete();
          if (framing.kind === 'length') {
            this.remaining = framing.length;
            this.state = 'length';
          } else this.state = framing.kind === 'chunked' ? 'size' : 'close';
          continue;
        }
        case 'length':
          this.take();
          if (this.remaining > 0) return undefined;
          return this.complete();
        case 'size': {
          const line = this.line();
          if (line === undefined) return undefined;
          const sizeText = line.split(';')[0]!.trim();
          if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size "${sizeText}"`);
          this.remaining = parseInt(sizeText, 16);
          this.state = this.remaining === 0 ? 'trailers' : 'data';
          continue;
        }
        case 'data':
          this.take();
          if (this.remaining > 0) return undefined;
          this.state = 'data-end';
          continue;
        case 'data-end':
          if (this.input.length < lineEnd.length) return undefined;
          this.input = this.input.subarray(lineEnd.length);
          this.state = 'size';
          continue;
        case 'trailers': {
          // Trailer fields, then an empty line.
          const line = this.line();
          if (line === undefined) return undefined;
          if (line === '') return this.complete();
          continue;
        }
        case 'close':
          this.remaining = this.input.length;
          this.take();
          return undefined;
      }
    }
  }

  /** At the end of the stream: the response whose body ran until the close, if that is what is waiting. */
  finish(): Http1Response | undefined {
    return this.state === 'close' ? this.complete() : undefined;
  }

  private take(): void {
    const count = Math.min(this.remaining, this.input.length);
    if (count === 0) return;
    this.response!.body.push(this.input.subarray(0, count));
    this.input = this.input.subarray(count);
    this.remaining -= count;
  }

  private line(): string | undefined {
    const end = this.input.indexOf(lineEnd);
    if (end < 0) return undefined;
    const text = this.input.subarray(0, end).toString('latin1');
    this.input = this.input.subarray(end + lineEnd.length);
    return text;
  }

  private complete(): Http1Response {
    const { statusCode, headers, body } = this.response!;
    this.response = undefined;
    this.state = 'head';
    return { statusCode, headers, body: Buffer.concat(body) };
  }
}

type Framing =
  { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

function framingOf(method: string, statusCode: number, headers: Record<string, string>): Framing {
  if (method === 'HEAD' || statusCode === 204 || statusCode === 304) return { kind: 'none' };
  if (/(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '')) return { kind: 'chunked' };
  const length = headers['content-length'];
  if (length !== undefined) {
    const value = Number(length.split(',')[0]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad Content-Length "${length}"`);
    return { kind: 'length', length: value };
  }
  return { kind: 'close' };
}

function parseHead(head: string): { statusCode: number; headers: Record<string, string> } {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(statusLine.slice(0, 40))}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { statusCode: Number(match[1]), headers };
}
