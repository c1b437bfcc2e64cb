import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** `fetch` over HTTPS trusting `ca` (the platform answers only /version and health checks in plain HTTP). */
export function fetchTrusting(ca: Buffer) {
  return (url: string, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = httpsRequest(url, { method: init.method ?? 'GET', headers, ca }, (res) => {
        const received = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(', ') : value);
        const body = Readable.toWeb(res) as unknown as globalThis.ReadableStream<Uint8Array>;
        resolve(new Response(body, { status: res.statusCode ?? 0, headers: received }));
      });
      req.on('error', reject);
      req.end(init.body as string | undefined);
    });
}
