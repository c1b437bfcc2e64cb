import type { AuthenticationConfig } from './config.js';

/** `GET /.well-known/kplane-login`: what `kplane login` needs to start an OpenID Connect flow. */
export const LOGIN_DISCOVERY_PATH = ['.well-known', 'kplane-login'];

export interface LoginDiscoveryDocument {
  issuer: string;
  clientId: string;
  scopes: string[];
  certificateAuthority?: string;
}

/**
 * The first JWT authenticator's issuer, with its first audience as the client id (an ID token's
 * audience is the client it was issued to). Undefined when the platform takes no JWTs. The document
 * is public: it names where to log in, nothing secret; the CLI trusts it because it came over the
 * platform's verified TLS.
 */
export function loginDiscoveryDocument(
  config: AuthenticationConfig | undefined,
): LoginDiscoveryDocument | undefined {
  const first = config?.jwt[0];
  if (!first) return undefined;
  const document: LoginDiscoveryDocument = {
    issuer: first.issuer.url,
    clientId: first.issuer.audiences[0] ?? '',
    scopes: ['openid', 'profile', 'email', 'offline_access'],
  };
  if (first.issuer.certificateAuthority !== undefined)
    document.certificateAuthority = first.issuer.certificateAuthority;
  return document;
}
