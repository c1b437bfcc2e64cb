import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { AUTHENTICATED_GROUP } from '../rbac/bootstrap.js';
import { isReservedUserName, TOKEN_EXPIRY_EXTRA, type UserInfo } from '../user.js';
import type { CompiledExpression, PlainValue } from './cel.js';
import type { AuthenticationConfig, ClaimSource, JwtAuthenticatorConfig } from './config.js';
import { IssuerKeys, type IssuerKeysOptions } from './issuer-keys.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * Why a token was refused. It goes to the server's log only: every refusal answers the same 401, so a
 * caller cannot learn which check to work around. The message never contains the token.
 */
export class TokenRejected extends Error {}

/** Signatures by an issuer's public key only: `none` and HMAC (HS*) are never accepted. */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** How far apart the issuer's clock and ours may be for exp, nbf and iat. */
export const CLOCK_SKEW_SECONDS = 10;

export type KeyOptions = Pick<IssuerKeysOptions, 'minRefetchIntervalMs' | 'maxAgeMs' | 'now' | 'fetch'>;

/** The JWT authenticators of an AuthenticationConfiguration, chosen by the token's `iss`. */
export class JwtAuthenticators {
  private readonly byIssuer = new Map<string, IssuerAuthenticator>();
  private readonly verified: VerifiedTokens;

  constructor(config: AuthenticationConfig, keyOptions: KeyOptions = {}) {
    this.verified = new VerifiedTokens(keyOptions.now);
    for (const jwt of config.jwt) this.byIssuer.set(jwt.issuer.url, new IssuerAuthenticator(jwt, keyOptions));
  }

  get size(): number {
    return this.byIssuer.size;
  }

  /** The user the token names; TokenRejected (with the reason, for the log) otherwise. */
  async authenticate(token: string): Promise<UserInfo> {
    const known = this.verified.get(token);
    if (known) return known;
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejected('not a JWT');
    }
    // The issuer is read before the signature is checked only to pick whose keys check it.
    const authenticator = typeof unverified.iss === 'string' ? this.byIssuer.get(unverified.iss) : undefined;
    if (!authenticator) throw new TokenRejected('the token names an issuer that is not configured');
    const user = await authenticator.authenticate(token);
    this.verified.remember(token, user);
    return user;
  }
}

class IssuerAuthenticator {
  private readonly keys: IssuerKeys;

  constructor(
    private readonly config: JwtAuthenticatorConfig,
    keyOptions: KeyOptions,
  ) {
    const { url, discoveryURL, certificateAuthority } = config.issuer;
    this.keys = new IssuerKeys({ url, discoveryURL, certificateAuthority, ...keyOptions });
  }

  async authenticate(token: string): Promise<UserInfo> {
    const { issuer } = this.config;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.keys.getKey, {
        issuer: issuer.url,
        audience: issuer.audiences,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new TokenRejected(`${issuer.url}: ${code ? `${code}: ` : ''}${(err as Error).message}`);
    }
    return this.userFrom(claims);
  }

  private userFrom(claims: JWTPayload): UserInfo {
    const { claimValidationRules, claimMappings, userValidationRules } = this.config;
    const reject = (reason: string): never => {
      throw new TokenRejected(`${this.config.issuer.url}: ${reason}`);
    };
    for (const rule of claimValidationRules) {
      if ('claim' in rule) {
        if (claimOf(claims, rule.claim) !== rule.requiredValue)
          reject(`claim ${rule.claim} does not have the required value`);
      } else if (evaluate(rule.expression, claims, reject) !== true) {
        reject(`claim validation rule failed${rule.message ? `: ${rule.message}` : ''}`);
      }
    }
    const username = singleValue(claimMappings.username, claims, 'username', reject);
    if (!username) reject('the username mapping gave an empty name');
    if (
      claimMappings.username.claim === 'email' &&
      'email_verified' in claims &&
      claims.email_verified !== true
    )
      reject('the email claim is not verified');
    const groups = claimMappings.groups ? listValue(claimMappings.groups, claims, 'groups', reject) : [];
    const user: UserInfo = { name: username, groups };
    if (claimMappings.uid) {
      const uid = singleValue(claimMappings.uid, claims, 'uid', reject);
      if (uid) user.uid = uid;
    }
    const extra: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
    for (const { key, valueExpression } of claimMappings.extra) {
      const values = stringList(evaluate(valueExpression, claims, reject), `extra ${key}`, reject);
      if (values.length > 0) extra[key] = values;
    }
    // The platform's own identities and Kubernetes' system: names (system:masters!) are granted by the
    // platform, never by whoever runs the identity provider: grant access through RBAC instead.
    if (isReservedUserName(username)) reject(`the username ${username} is reserved for the platform`);
    const reserved = groups.find((group) => group.startsWith('system:'));
    if (reserved !== undefined) reject(`the group ${reserved} is reserved for the platform`);
    const review = { username, uid: user.uid ?? '', groups, extra };
    for (const rule of userValidationRules) {
      if (evaluate(rule.expression, review, reject) !== true)
        reject(`user validation rule failed${rule.message ? `: ${rule.message}` : ''}`);
    }
    user.groups = [...groups, AUTHENTICATED_GROUP];
    if (typeof claims.exp === 'number') extra[TOKEN_EXPIRY_EXTRA] = [rfc3339(claims.exp * 1000)];
    if (Object.keys(extra).length > 0) user.extra = { ...extra };
    return user;
  }
}

type Reject = (reason: string) => never;

function claimOf(claims: JWTPayload, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

function evaluate(expression: CompiledExpression, input: object, reject: Reject): PlainValue {
  try {
    return expression(input);
  } catch (err) {
    return reject(`an expression failed: ${(err as Error).message}`);
  }
}

function singleValue(source: ClaimSource, claims: JWTPayload, what: string, reject: Reject): string {
  if (source.expression) {
    const value = evaluate(source.expression, claims, reject);
    if (typeof value !== 'string') reject(`the ${what} expression did not give a string`);
    return value as string;
  }
  const value = claimOf(claims, source.claim);
  if (typeof value !== 'string') return reject(`claim ${source.claim} (${what}) is missing or not a string`);
  return `${source.prefix}${value}`;
}

function listValue(source: ClaimSource, claims: JWTPayload, what: string, reject: Reject): string[] {
  if (source.expression) return stringList(evaluate(source.expression, claims, reject), what, reject);
  const value = claimOf(claims, source.claim);
  // As kube-apiserver: a token without the groups claim simply has no groups.
  if (value === undefined) return [];
  return stringList(value as PlainValue, `claim ${source.claim} (${what})`, reject).map(
    (v) => `${source.prefix}${v}`,
  );
}

function stringList(value: PlainValue, what: string, reject: Reject): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  return reject(`${what} is not a string or a list of strings`);
}

/** Whole seconds, as the static tokens' expiry is shown. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
