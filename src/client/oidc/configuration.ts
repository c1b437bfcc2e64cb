import { UnreachableError } from '../../cli/errors.js';
import type { OidcSession } from '../credential-store.js';
import { httpsFetch } from './https-fetch.js';
import { describeError } from './describe-error.js';

/** The provider's discovery document, read over HTTPS that trusts the CA the platform named (if any). */
export async function openIdConfiguration(
  session: Pick<OidcSession, 'issuer' | 'clientId' | 'certificateAuthority'>,
) {
  const oidc = await import('openid-client');
  const fetchTrusting = httpsFetch(session.certificateAuthority);
  let config: Awaited<ReturnType<typeof oidc.discovery>>;
  try {
    config = await oidc.discovery(new URL(session.issuer), session.clientId, undefined, oidc.None(), {
      [oidc.customFetch]: fetchTrusting,
      timeout: 30,
    });
  } catch (error) {
    throw new UnreachableError(
      `cannot read the OpenID provider's configuration at ${session.issuer}: ${describeError(error)}`,
    );
  }
  config[oidc.customFetch] = fetchTrusting;
  return config;
}
