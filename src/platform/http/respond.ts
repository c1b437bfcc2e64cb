import type { ServerResponse } from 'node:http';
import type { ApiError } from './errors.js';

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
  res.end(payload);
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
  res.end(text);
}
