import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { badRequest } from './errors.js';
import { parseRequestTarget } from './request-target.js';
import { writeError } from './respond.js';
import { parseApiRoute } from './routes.js';

/**
 * What the platform answers in clear text: `/version` and the health checks (`/healthz`, `/livez`,
 * `/readyz`), which carry no secret and which probes ask without TLS. Everything else would put a
 * bearer token and tenants' objects on the wire unencrypted, so it gets a 400 that says to use
 * https, before any authentication or routing looks at it.
 */
export function plainHttpListener(listener: RequestListener, httpsBase: () => string): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (isPlainHttpEndpoint(req)) {
      listener(req, res);
      return;
    }
    // The body (if any) is not read; closing the connection keeps it from being taken for a next request.
    res.setHeader('Connection', 'close');
    writeError(res, badRequest(`this platform serves its API over HTTPS only: use ${httpsBase()}`));
  };
}

function isPlainHttpEndpoint(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const { segments } = parseRequestTarget(req.url ?? '/');
  if (!segments.every((segment): segment is string => segment !== undefined)) return false;
  const route = parseApiRoute(segments);
  return route.kind === 'version' || route.kind === 'health';
}
