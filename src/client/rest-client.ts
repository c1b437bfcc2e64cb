import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { UnreachableError } from '../cli/errors.js';
import { ApiStatusError, type KubernetesStatus } from './api-error.js';
import type { Connection } from './connection.js';
import { resolveBearerToken } from './credentials.js';

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  timeoutMs?: number;
}

const defaultTimeoutMs = 15_000;
const unauthorizedMessage = 'You must be logged in to the server (Unauthorized)';

/**
 * A thin JSON client for one platform. Paths are absolute below the base URL (`/clusters/root/api`), so one
 * client serves every workspace of the platform; connections are kept alive because a `ws use` makes several
 * requests in a row.
 */
export class RestClient {
  private readonly agent: http.Agent;
  private tokenPromise: Promise<string | undefined> | undefined;

  constructor(private readonly connection: Connection) {
    const isHttps = connection.baseUrl.startsWith('https:');
    this.agent = isHttps
      ? new https.Agent({
          keepAlive: true,
          ca: certificateAuthority(connection),
          rejectUnauthorized: !connection.insecureSkipTlsVerify,
          servername: connection.tlsServerName,
        })
      : new http.Agent({ keepAlive: true });
  }

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
    const url = new URL(this.connection.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const headers = await this.baseHeaders();
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const { statusCode, text } = await this.send(url, method, headers, payload, options.timeoutMs);
    const body = parseJson(text);
    if (statusCode >= 200 && statusCode < 300) return body as T;
    if (statusCode === 401) {
      // kubectl's wording, so the fix people already know applies.
      throw new ApiStatusError(401, { code: 401, reason: 'Unauthorized', message: unauthorizedMessage });
    }
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
    const url = new URL(this.connection.baseUrl + path);
    for (const [key, value] of Object.entries({ ...query, watch: 'true' })) url.searchParams.set(key, value);
    const headers = await this.baseHeaders();
    const transport = url.protocol === 'https:' ? https : http;
    await new Promise<void>((resolve, reject) => {
      const request = transport.request(
        url,
        { method: 'GET', headers, agent: this.agent, signal },
        (response) => {
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
        },
      );
      request.on('error', (error: Error & { name?: string }) =>
        error.name === 'AbortError'
          ? resolve()
          : reject(
              new UnreachableError(
                `cannot reach the platform at ${url.origin}: ${describeNetworkError(error)}`,
              ),
            ),
      );
      request.end();
    });
  }

  /** Lets the process exit without waiting for idle keep-alive sockets to time out. */
  close(): void {
    this.agent.destroy();
  }

  private async baseHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kplane' };
    const token = await this.bearerToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  private bearerToken(): Promise<string | undefined> {
    this.tokenPromise ??= resolveBearerToken(this.connection);
    return this.tokenPromise;
  }

  private send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    payload: string | undefined,
    timeoutMs = defaultTimeoutMs,
  ): Promise<{ statusCode: number; text: string }> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      });
      request.setTimeout(timeoutMs, () =>
        request.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)),
      );
      request.on('error', (error) =>
        reject(
          new UnreachableError(`cannot reach the platform at ${url.origin}: ${describeNetworkError(error)}`),
        ),
      );
      request.end(payload);
    });
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

function describeNetworkError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (is the platform running?)';
  if (error.code === 'ENOTFOUND') return 'unknown host';
  return error.message;
}
