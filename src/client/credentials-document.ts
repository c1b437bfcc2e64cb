import { readFileSync } from 'node:fs';
import { AccessDeniedError } from '../cli/errors.js';
import { credentialsFile } from './config-dir.js';
import { jwtExpiry } from './jwt-claims.js';

// Reading `credentials.json` and the tokens kept in files, apart from the keyring and the writing: this is all
// `auth token` needs for a token kept in a file, and the launcher answers it with nothing else loaded
// (cached-exec-credential.ts).

/**
 * Where each platform's token lives. `credentials.json` (mode 0600) records, per platform URL, whether the
 * token is in the OS keyring or, where there is none, in the file itself. Recording the choice keeps
 * `auth token` (run by kubectl on every call) from probing a keyring that is not there.
 */
export type TokenLocation = 'keyring' | 'file';

export interface CredentialsDocument {
  version: 1;
  platforms: Record<string, StoredRecord>;
}

/** Where an OIDC login's ID token came from and how to renew it (nothing secret: the refresh token is apart). */
export interface OidcSession {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** PEM of the provider's CA, when the platform's discovery document named one. */
  certificateAuthority?: string;
}

export interface StoredRecord {
  location: TokenLocation;
  token?: string;
  expiresAt?: string;
  /** `login --insecure-plaintext-token`: the person accepted sending this token over plain HTTP. */
  insecurePlaintextToken?: true;
  /** `login` through an OpenID provider: the ID token is the bearer token, renewed with the refresh token. */
  oidc?: OidcSession;
  /** The refresh token, when the token itself is kept in this file rather than the keyring. */
  refreshToken?: string;
  /**
   * `login --token-file`: a file a CI system (re)writes with a fresh ID token; read on every `auth token`, as
   * kubelet reads a projected service-account token. The token itself is never copied here.
   */
  tokenFile?: string;
}

export interface StoredToken {
  token: string;
  location: TokenLocation;
  /** RFC 3339, when the platform said the token expires. */
  expiresAt?: string;
  /** Login was told the token may travel over plain HTTP. */
  insecurePlaintextToken?: true;
  oidc?: OidcSession;
  tokenFile?: string;
}

export function readCredentialsDocument(file = credentialsFile()): CredentialsDocument {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as CredentialsDocument;
    if (parsed && typeof parsed.platforms === 'object') return parsed;
  } catch {
    // missing or unreadable: no stored tokens
  }
  return { version: 1, platforms: {} };
}

/** True when the record's token is in credentials.json or in a token file, not in the keyring. */
export function isKeptInFiles(record: StoredRecord): boolean {
  return Boolean(record.tokenFile) || record.location === 'file';
}

/** What the record says about its token, beside the token itself. */
export function aboutToken(
  record: StoredRecord,
): Pick<StoredToken, 'expiresAt' | 'insecurePlaintextToken' | 'oidc'> {
  return {
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(record.insecurePlaintextToken === true ? { insecurePlaintextToken: true as const } : {}),
    ...(record.oidc ? { oidc: record.oidc } : {}),
  };
}

/**
 * The token of a record that `isKeptInFiles`: read afresh from its token file, or kept in credentials.json
 * itself (undefined when that one is empty).
 */
export function tokenKeptInFiles(platformUrl: string, record: StoredRecord): StoredToken | undefined {
  const about = aboutToken(record);
  if (record.tokenFile) return readTokenFile(platformUrl, record.tokenFile, about);
  return record.token ? { token: record.token, location: 'file', ...about } : undefined;
}

function readTokenFile(
  platformUrl: string,
  tokenFile: string,
  about: Pick<StoredToken, 'insecurePlaintextToken'>,
): StoredToken {
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (error) {
    throw new AccessDeniedError(
      `cannot read the token file ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): ` +
        `write a fresh ID token there, or run kplane login ${platformUrl} again`,
    );
  }
  const expiresAt = jwtExpiry(token);
  return {
    token,
    location: 'file',
    tokenFile,
    ...(expiresAt ? { expiresAt } : {}),
    ...(about.insecurePlaintextToken ? { insecurePlaintextToken: true as const } : {}),
  };
}
