import { InvalidInputError } from '../../cli/errors.js';
import { isStatusCode } from '../../client/api-error.js';
import type { OidcSession } from '../../client/credential-store.js';
import type { RestClient } from '../../client/rest-client.js';

/** The platform's public answer to "where do I log in?" (served without authentication). */
export const loginDiscoveryPath = '/.well-known/kplane-login';

interface LoginDiscoveryDocument {
  issuer?: unknown;
  clientId?: unknown;
  scopes?: unknown;
  certificateAuthority?: unknown;
}

export interface OidcOverrides {
  issuer?: string;
  clientId?: string;
  scopes?: string[];
}

const defaultScopes = ['openid', 'profile', 'email', 'offline_access'];

/**
 * Where and as whom to log in: the platform's discovery document (trusted because it came over the platform's
 * verified TLS), with the flags taking precedence. Undefined when the platform has no OpenID login and no flag
 * names one: then login asks for a token as before.
 */
export async function oidcLoginSettings(
  client: RestClient,
  overrides: OidcOverrides,
): Promise<OidcSession | undefined> {
  let document: LoginDiscoveryDocument = {};
  try {
    document = await client.get<LoginDiscoveryDocument>(loginDiscoveryPath);
  } catch (error) {
    if (!isStatusCode(error, 404)) throw error;
  }
  const issuer = overrides.issuer ?? (typeof document.issuer === 'string' ? document.issuer : undefined);
  const clientId =
    overrides.clientId ?? (typeof document.clientId === 'string' ? document.clientId : undefined);
  if (issuer === undefined && clientId === undefined) return undefined;
  if (!issuer || !clientId) {
    throw new InvalidInputError(
      `the platform names no OpenID ${issuer ? 'client id' : 'issuer'}: pass ${issuer ? '--oidc-client-id' : '--oidc-issuer'}`,
    );
  }
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new InvalidInputError(`the OpenID issuer ${issuer} is not a URL`);
  }
  if (issuerUrl.protocol !== 'https:') {
    throw new InvalidInputError(
      `the OpenID issuer ${issuer} is not https://: tokens never travel in clear text`,
    );
  }
  const scopes =
    overrides.scopes ??
    (Array.isArray(document.scopes) && document.scopes.every((scope) => typeof scope === 'string')
      ? (document.scopes as string[])
      : defaultScopes);
  const certificateAuthority =
    overrides.issuer === undefined && typeof document.certificateAuthority === 'string'
      ? document.certificateAuthority
      : undefined;
  return {
    issuer,
    clientId,
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    ...(certificateAuthority ? { certificateAuthority } : {}),
  };
}
