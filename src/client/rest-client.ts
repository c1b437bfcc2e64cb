import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { UnreachableError } from '../cli/errors.js';
import { ApiStatusError, type KubernetesStatus } from './api-error.js';
import type { Connection } from './connection.js';
import { resolveBearerToken } from './credentials.js';
import { DEFAULT_BUDGET_MS, type Deadline, formatBudget } from './deadline.js';
import { Http1Connection } from './http1.js';

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  timeoutMs?: number;
  /** A POST that changes nothing (an access review): it may share a connection with GETs and be retried. */
  idempotent?: boolean;
}

/** How often a request answered 429 or 5xx with Retry-After is sent again, as client-go does (kubectl's too). */
const MAX_RETRIES = 10;

/**
 * How long the server asked to wait before sending the request again: a 429 (a limit) or a 5xx (the platform
 * cannot serve it now: etcd unreachable, a replica that cannot vouch its data is current) with Retry-After in
 * whole seconds, which client-go honours for every verb. Undefined for anything else.
 */
function retryAfterMs(statusCode: number, retryAfter: string | undefined): number | undefined {
  if (statusCode !== 429 && statusCode < 500) return undefined;
  if (retryAfter === undefined || !/^\d+$/.test(retryAfter.trim())) return undefined;
  return Number(retryAfter.trim()) * 1000;
}

/** Connections per platform: GETs share one (pipelined); other requests open more rather than wait. */
const maxConnections = 4;

export interface RestClientOptions {
  /** One budget shared by every request of this client (a command's), on top of each request's own timeout. */
  deadline?: Deadline;
}

/**
 * A thin JSON client for one platform. Paths are absolute below the base URL (`/clusters/root/api`), so one
 * client serves every workspace of the platform. Requests go out on kept-alive HTTP/1.1 connections (http1.ts),
 * GETs pipelined on one; watches, which stream, use Node's https on their own connections.
 */
export class RestClient {
  private readonly pool: Http1Connection[] = [];
  private watchAgent: Agent | undefined;
  private tokenPromise: Promise<string | undefined> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly options: RestClientOptions = {},
  ) {}

  get baseUrl(): string {
    return this.connection.baseUrl;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.urlFor(path, options.query);
    const headers = await this.baseHeaders();
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const started = Date.now();
    let answer = await this.send(url, method, headers, payload, options);
    for (let retries = 0; retries < MAX_RETRIES; retries++) {
      const waitMs = retryAfterMs(answer.statusCode, answer.retryAfter);
      if (waitMs === undefined || !this.mayWait(waitMs, started, options)) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      answer = await this.send(url, method, headers, payload, options);
    }
    const { statusCode, text } = answer;
    const body = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) return body as T;
    if (statusCode === 401) throw this.unauthorized(headers.Authorization !== undefined);
    throw new ApiStatusError(statusCode, statusFrom(body, statusCode, text));
  }

  /**
   * Watches a collection: calls `onEvent` for every `{type, object}` line the server streams, until `signal`
   * aborts or the server ends the stream. Errors before the stream starts are thrown like any request's.
   */
  async watch<T>(
    path: string,
    query: Record<string, string>,
    onEvent: (event: { type: string; object: T }) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const url = this.urlFor(path, { ...query, watch: 'true' });
    const headers = await this.baseHeaders();
    const secure = url.protocol === 'https:';
    // Loaded here, not at the top: the hot path never watches, and Node's http stack costs to load.
    const transport = secure ? await import('node:https') : await import('node:http');
    this.watchAgent ??= secure
      ? new (transport as typeof import('node:https')).Agent({
          keepAlive: true,
          ca: certificateAuthority(this.connection),
          rejectUnauthorized: !this.connection.insecureSkipTlsVerify,
          servername: this.connection.tlsServerName,
        })
      : new transport.Agent({ keepAlive: true });
    const agent = this.watchAgent;
    await new Promise<void>((resolve, reject) => {
      const request = transport.request(url, { method: 'GET', headers, agent, signal }, (response) => {
        if ((response.statusCode ?? 0) >= 300) {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () =>
            reject(
              new ApiStatusError(
                response.statusCode ?? 0,
                statusFrom(parseJson(text), response.statusCode ?? 0, text),
              ),
            ),
          );
          return;
        }
        let buffered = '';
        response.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) onEvent(JSON.parse(line) as { type: string; object: T });
          }
        });
        response.on('end', resolve);
        response.on('error', reject);
      });
      request.on('error', (error: Error & { name?: string }) =>
        error.name === 'AbortError' ? resolve() : reject(unreachable(url, error)),
      );
      request.end();
    });
  }

  private urlFor(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(this.connection.baseUrl + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  /** Lets the process exit without waiting for idle keep-alive sockets to time out. */
  close(): void {
    for (const connection of this.pool.splice(0)) connection.close();
    this.watchAgent?.destroy();
  }

  private async baseHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kplane' };
    const token = await this.bearerToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  private bearerToken(): Promise<string | undefined> {
    if (this.connection.currentToken) return resolveBearerToken(this.connection);
    this.tokenPromise ??= resolveBearerToken(this.connection);
    return this.tokenPromise;
  }

  /**
   * A 401 on kplane's own commands: the platform no longer takes the token kplane holds (revoked, expired, or
   * from another platform), and logging in again is the fix. Still an ApiStatusError(401), so callers that
   * branch on the code keep working, and it keeps kubectl's "Unauthorized".
   */
  private unauthorized(sentToken: boolean): ApiStatusError {
    const base = this.connection.baseUrl;
    const message = sentToken
      ? `the platform at ${base} refused your token (Unauthorized: revoked, expired or invalid): run kplane login ${base}`
      : `the platform at ${base} asks who you are (Unauthorized): run kplane login ${base}`;
    return new ApiStatusError(401, { code: 401, reason: 'Unauthorized', message });
  }

  /** Whether waiting `waitMs` more still leaves the request (and the command) time to be answered. */
  private mayWait(
    waitMs: number,
    started: number,
    { timeoutMs = DEFAULT_BUDGET_MS }: RequestOptions,
  ): boolean {
    const left = Math.min(
      timeoutMs - (Date.now() - started),
      this.options.deadline?.remainingMs() ?? Infinity,
    );
    return waitMs < left;
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    payload: string | undefined,
    { timeoutMs: ownTimeoutMs = DEFAULT_BUDGET_MS, idempotent }: RequestOptions,
  ): Promise<{ statusCode: number; text: string; retryAfter: string | undefined }> {
    const { deadline } = this.options;
    const timeoutMs = Math.min(ownTimeoutMs, deadline?.remainingMs() ?? Infinity);
    // What the user waited for, in all: the command's budget when there is one.
    const waited = () => `no answer within ${formatBudget(deadline?.budgetMs ?? ownTimeoutMs)}`;
    if (timeoutMs <= 0) throw unreachable(url, new Error(waited()));
    const pipelinable = idempotent ?? ['GET', 'HEAD'].includes(method);
    try {
      const response = await this.connectionFor(url, pipelinable).request({
        method,
        path: `${url.pathname}${url.search}`,
        authority: url.host,
        headers,
        body: payload,
        timeoutMs,
        idempotent,
      });
      return {
        statusCode: response.statusCode,
        text: response.body.toString('utf8'),
        retryAfter: response.headers['retry-after'],
      };
    } catch (error) {
      const timedOut = (error as { code?: string }).code === 'ETIMEDOUT';
      throw unreachable(url, timedOut ? new Error(waited()) : (error as Error));
    }
  }

  /**
   * An idle connection, else (for a pipelinable request) one it can be pipelined on, else a new one up to
   * maxConnections, else the least busy. Every URL of this client has the base URL's origin.
   */
  private connectionFor(url: URL, pipelinable: boolean): Http1Connection {
    const idle = this.pool.find((connection) => connection.outstanding === 0);
    if (idle) return idle;
    const shared = pipelinable ? this.pool.find((connection) => connection.pipelines) : undefined;
    if (shared) return shared;
    if (this.pool.length < maxConnections) {
      const secure = url.protocol === 'https:';
      const connection = new Http1Connection({
        secure,
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(url.port) || (secure ? 443 : 80),
        ca: secure ? certificateAuthority(this.connection) : undefined,
        rejectUnauthorized: !this.connection.insecureSkipTlsVerify,
        servername: this.connection.tlsServerName,
      });
      this.pool.push(connection);
      return connection;
    }
    return this.pool.reduce((least, connection) =>
      connection.outstanding < least.outstanding ? connection : least,
    );
  }
}

function certificateAuthority(connection: Connection): string | undefined {
  if (connection.certificateAuthorityData) {
    return Buffer.from(connection.certificateAuthorityData, 'base64').toString('utf8');
  }
  if (connection.certificateAuthorityFile) return readFileSync(connection.certificateAuthorityFile, 'utf8');
  return undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function statusFrom(body: unknown, statusCode: number, text: string): KubernetesStatus {
  if (body && typeof body === 'object' && (body as KubernetesStatus).kind === 'Status')
    return body as KubernetesStatus;
  return { code: statusCode, message: text.trim() || `the server answered ${statusCode}` };
}

function unreachable(url: URL, error: Error & { code?: string }): UnreachableError {
  return new UnreachableError(`cannot reach the platform at ${url.origin}: ${describeNetworkError(error)}`);
}

function describeNetworkError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (is the platform running?)';
  if (error.code === 'ENOTFOUND') return 'unknown host';
  return error.message;
}
