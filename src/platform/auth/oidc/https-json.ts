import { get } from 'node:https';

const MAX_BYTES = 1024 * 1024;
const TIMEOUT_MS = 5_000;

/**
 * GET a JSON document over HTTPS, trusting `ca` when given (else the system's CAs). Bounded in size
 * and time, and no redirects: an issuer's keys come from where its configuration says, nowhere else.
 */
export function fetchJson(url: string, ca?: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get(
      url,
      { ...(ca !== undefined ? { ca } : {}), timeout: TIMEOUT_MS, headers: { Accept: 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${url} answered ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) {
            request.destroy(new Error(`GET ${url}: more than ${MAX_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new Error(`GET ${url}: not JSON`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer in ${TIMEOUT_MS}ms`)));
    request.on('error', reject);
  });
}
