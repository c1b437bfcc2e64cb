import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessDeniedError, KplaneError, UnreachableError } from '../../cli/errors.js';
import type { IOStreams } from '../../cli/io.js';
import type { OidcSession } from '../../client/credential-store.js';
import { jwtExpiry } from '../../client/jwt-claims.js';
import { openIdConfiguration } from '../../client/oidc/configuration.js';
import { openBrowser } from './open-browser.js';
import { describeError } from '../../client/oidc/describe-error.js';

export interface OidcTokens {
  idToken: string;
  refreshToken?: string;
  expiresAt?: string;
}

export interface OidcLoginMode {
  /** RFC 8628: a code to confirm on another device; for SSH sessions and machines without a browser. */
  device: boolean;
  /** Auth code flow only: start the browser (else only print the URL). */
  openBrowser: boolean;
  /** How long to wait for the person, in ms. */
  timeoutMs?: number;
}

const defaultTimeoutMs = 5 * 60_000;

/** Logs the person in at their OpenID provider and returns the ID token (and refresh token) it issued. */
export async function obtainIdToken(
  session: OidcSession,
  mode: OidcLoginMode,
  io: IOStreams,
): Promise<OidcTokens> {
  const oidc = await import('openid-client');
  const config = await openIdConfiguration(session);
  const scope = session.scopes.join(' ');
  let tokens: { id_token?: string; refresh_token?: string };
  try {
    tokens = mode.device
      ? await deviceGrant(oidc, config, scope, io, mode.timeoutMs ?? defaultTimeoutMs)
      : await authorizationCodeGrant(oidc, config, scope, io, mode);
  } catch (error) {
    if (error instanceof KplaneError) throw error;
    if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
      throw new AccessDeniedError(
        `the OpenID provider ${session.issuer} refused the login (${error.error}${error.error_description ? `: ${error.error_description}` : ''})`,
      );
    }
    throw new UnreachableError(`login at ${session.issuer} failed: ${describeError(error)}`);
  }
  if (!tokens.id_token)
    throw new AccessDeniedError(`the OpenID provider ${session.issuer} returned no ID token`);
  const expiresAt = jwtExpiry(tokens.id_token);
  return {
    idToken: tokens.id_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

type OpenIdClient = typeof import('openid-client');
type Configuration = Awaited<ReturnType<typeof openIdConfiguration>>;

async function deviceGrant(
  oidc: OpenIdClient,
  config: Configuration,
  scope: string,
  io: IOStreams,
  timeoutMs: number,
) {
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new KplaneError(
      `the OpenID provider ${config.serverMetadata().issuer} offers no device login; run kplane login without --device on a machine with a browser`,
    );
  }
  const device = await oidc.initiateDeviceAuthorization(config, { scope });
  io.err(`To log in, open ${device.verification_uri_complete ?? device.verification_uri}`);
  io.err(`and confirm the code ${device.user_code}. Waiting…`);
  return oidc.pollDeviceAuthorizationGrant(config, device, undefined, {
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/**
 * Authorization code with PKCE and a loopback redirect (RFC 8252): a one-shot HTTP listener on 127.0.0.1 takes
 * the provider's redirect; the state and the code verifier never leave this process.
 */
async function authorizationCodeGrant(
  oidc: OpenIdClient,
  config: Configuration,
  scope: string,
  io: IOStreams,
  mode: OidcLoginMode,
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const listener = await listenOnLoopback();
  try {
    const redirectUri = `http://127.0.0.1:${listener.port}/callback`;
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const opened = mode.openBrowser && (await openBrowser(url.href));
    io.err(
      opened
        ? `Opened your browser to log in. If it did not open, visit:\n  ${url.href}`
        : `To log in, open this URL in a browser on this machine:\n  ${url.href}`,
    );
    const callback = await listener.next(mode.timeoutMs ?? defaultTimeoutMs);
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback.url, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      callback.answer(200, 'You are logged in to kplane. You may close this window.');
      return tokens;
    } catch (error) {
      callback.answer(400, 'kplane could not log you in; see the terminal.');
      throw error;
    }
  } finally {
    listener.close();
  }
}

interface LoopbackCallback {
  url: URL;
  answer(status: number, text: string): void;
}

async function listenOnLoopback(): Promise<{
  port: number;
  next(timeoutMs: number): Promise<LoopbackCallback>;
  close(): void;
}> {
  let deliver: (callback: LoopbackCallback) => void = () => undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1`);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    url.port = String((server.address() as AddressInfo).port);
    deliver({
      url,
      answer: (status, text) =>
        res
          .writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' })
          .end(`${text}\n`),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    next: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new KplaneError(`no login within ${Math.round(timeoutMs / 1000)}s; run kplane login again`),
            ),
          timeoutMs,
        );
        timer.unref();
        deliver = (callback) => {
          clearTimeout(timer);
          resolve(callback);
        };
      }),
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
