import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { fetchJson } from './https-json.js';

export interface IssuerKeysOptions {
  url: string;
  discoveryURL?: string | undefined;
  certificateAuthority?: string | undefined;
  /** An unknown key id refetches the keys at most this often, so junk tokens cannot flood the issuer. */
  minRefetchIntervalMs?: number;
  /** Keys older than this are fetched again before use, so a key the issuer removed stops working. */
  maxAgeMs?: number;
  now?: () => number;
  fetch?: (url: string, ca?: string) => Promise<unknown>;
}

export const DEFAULT_MIN_REFETCH_MS = 10_000;
export const DEFAULT_KEYS_MAX_AGE_MS = 10 * 60_000;

interface KeySet {
  lookUp: JWTVerifyGetKey;
  fetchedAt: number;
}

/**
 * One issuer's signing keys: found through its OpenID configuration (`<url>/.well-known/openid-configuration`,
 * or `discoveryURL`), fetched on first use, cached, and fetched again when a token names a key id the cache
 * does not have (the issuer rotated its keys) or when the cache is old. Concurrent callers share one fetch.
 */
export class IssuerKeys {
  private keys: KeySet | undefined;
  private inFlight: Promise<KeySet> | undefined;
  private lastAttemptAt = -Infinity;
  private readonly now: () => number;
  private readonly fetch: (url: string, ca?: string) => Promise<unknown>;

  constructor(private readonly options: IssuerKeysOptions) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? fetchJson;
  }

  /** jose's key resolver for jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const maxAge = this.options.maxAgeMs ?? DEFAULT_KEYS_MAX_AGE_MS;
    const interval = this.options.minRefetchIntervalMs ?? DEFAULT_MIN_REFETCH_MS;
    let keys = this.keys;
    // An issuer that is down is asked again only after the interval, not once per request.
    if (!keys && !this.inFlight && this.now() - this.lastAttemptAt < interval)
      throw new Error(`the keys of ${this.options.url} could not be fetched; retrying later`);
    if (!keys || this.now() - keys.fetchedAt > maxAge) keys = await this.refresh(keys);
    try {
      return await keys.lookUp(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      // Keys that arrived meanwhile, or a fetch under way, answer this kid too: join them.
      if (this.keys && this.keys !== keys) return this.keys.lookUp(header, token);
      if (!this.inFlight && this.now() - this.lastAttemptAt < interval) throw err;
      return (await this.refresh(keys)).lookUp(header, token);
    }
  };

  /** A failed fetch keeps the keys we had (if any): an issuer's hiccup does not log everyone out. */
  private async refresh(current: KeySet | undefined): Promise<KeySet> {
    this.inFlight ??= this.download().finally(() => (this.inFlight = undefined));
    try {
      this.keys = await this.inFlight;
      return this.keys;
    } catch (err) {
      if (current) return current;
      throw err;
    }
  }

  private async download(): Promise<KeySet> {
    this.lastAttemptAt = this.now();
    const { url, discoveryURL, certificateAuthority: ca } = this.options;
    const configurationUrl = discoveryURL ?? `${url.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const configuration = (await this.fetch(configurationUrl, ca)) as Record<string, unknown> | null;
    if (typeof configuration !== 'object' || configuration === null)
      throw new Error(`${configurationUrl} is not an OpenID configuration`);
    // As go-oidc: the document must be the configured issuer's own, or its keys could be anyone's.
    if (configuration.issuer !== url)
      throw new Error(`${configurationUrl} names issuer ${String(configuration.issuer)}, not ${url}`);
    const jwksUri = configuration.jwks_uri;
    if (typeof jwksUri !== 'string' || !jwksUri.startsWith('https://'))
      throw new Error(`${configurationUrl} has no https jwks_uri`);
    const jwks = (await this.fetch(jwksUri, ca)) as JSONWebKeySet;
    const lookUp = createLocalJWKSet(jwks);
    return { lookUp, fetchedAt: this.now() };
  }
}
