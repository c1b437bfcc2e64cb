import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * A `fetch` for openid-client that trusts the given CA certificates (PEM) on top of nothing else when some are
 * given, else the system's: the platform's discovery document may name the CA of a company's (or the demo's)
 * OpenID provider. Only https: a token or a code never crosses the network in clear text.
 */
export function httpsFetch(caPem?: string): typeof fetch {
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (url.protocol !== 'https:') {
        reject(new Error(`refusing to talk to the OpenID provider over ${url.protocol} (${url.origin})`));
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = httpsRequest(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          ...(caPem ? { ca: caPem } : {}),
          signal: init.signal ?? undefined,
        },
        (res) => {
          const received = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(', ') : value);
          const status = res.statusCode ?? 0;
          const body =
            status === 204 || status === 304
              ? null
              : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, headers: received }));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${url.origin} within 30s`)));
      req.on('error', reject);
      const body = init.body;
      req.end(body === undefined || body === null ? undefined : String(body));
    })) as typeof fetch;
}
