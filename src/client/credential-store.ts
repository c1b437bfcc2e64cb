import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AccessDeniedError } from '../cli/errors.js';
import { credentialsFile } from './config-dir.js';
import { jwtExpiry } from './jwt-claims.js';
import { deleteKeyringSecret, readKeyringSecret, writeKeyringSecret } from './keyring.js';

/**
 * Where each platform's token lives. `credentials.json` (mode 0600) records, per platform URL, whether the
 * token is in the OS keyring or, where there is none, in the file itself. Recording the choice keeps
 * `auth token` (run by kubectl on every call) from probing a keyring that is not there.
 */
export type TokenLocation = 'keyring' | 'file';

interface CredentialsDocument {
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

interface StoredRecord {
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

export interface StoreTokenOptions {
  insecurePlaintextToken?: boolean;
  oidc?: OidcSession;
  refreshToken?: string;
  /** Keep the token where it is now (a refresh): no keyring probe where there was none. */
  location?: TokenLocation;
}

/** The keyring account of a platform's refresh token, beside the token's own (the platform URL). */
function refreshAccount(platformUrl: string): string {
  return `${platformUrl} refresh-token`;
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

async function writeCredentialsDocument(
  document: CredentialsDocument,
  file = credentialsFile(),
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Loaded only to write: `auth token`, which kubectl runs before every request, only reads.
  const { writeKubeconfigAtomically } = await import('../context/kubeconfig/write.js');
  // Owner-only, whatever the file had: it may hold tokens.
  await writeKubeconfigAtomically(file, `${JSON.stringify(document, null, 2)}\n`, { forceMode: 0o600 });
}

/** Stores the token in the keyring when one works, else in the owner-only file; says which. */
export async function storeToken(
  platformUrl: string,
  token: string,
  expiresAt?: string,
  options: StoreTokenOptions = {},
): Promise<TokenLocation> {
  const { refreshToken } = options;
  const inKeyring =
    options.location !== 'file' &&
    (await writeKeyringSecret(platformUrl, token)) &&
    (refreshToken === undefined || (await writeKeyringSecret(refreshAccount(platformUrl), refreshToken)));
  const document = readCredentialsDocument();
  const about = {
    ...(expiresAt ? { expiresAt } : {}),
    ...(options.insecurePlaintextToken ? { insecurePlaintextToken: true as const } : {}),
    ...(options.oidc ? { oidc: options.oidc } : {}),
  };
  // A login without a refresh token must not leave an earlier one behind.
  if (inKeyring && refreshToken === undefined) await deleteKeyringSecret(refreshAccount(platformUrl));
  document.platforms[platformUrl] = inKeyring
    ? { location: 'keyring', ...about }
    : { location: 'file', token, ...about, ...(refreshToken !== undefined ? { refreshToken } : {}) };
  await writeCredentialsDocument(document);
  return inKeyring ? 'keyring' : 'file';
}

/** `login --token-file`: remember the file, not its token; `auth token` reads it afresh every time. */
export async function storeTokenFile(
  platformUrl: string,
  tokenFile: string,
  options: { insecurePlaintextToken?: boolean } = {},
): Promise<TokenLocation> {
  const document = readCredentialsDocument();
  if (document.platforms[platformUrl]?.location === 'keyring') await deleteKeyringSecret(platformUrl);
  document.platforms[platformUrl] = {
    location: 'file',
    tokenFile,
    ...(options.insecurePlaintextToken ? { insecurePlaintextToken: true as const } : {}),
  };
  await writeCredentialsDocument(document);
  return 'file';
}

export async function readStoredToken(platformUrl: string): Promise<StoredToken | undefined> {
  const record = readCredentialsDocument().platforms[platformUrl];
  if (!record) return undefined;
  const about = {
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(record.insecurePlaintextToken === true ? { insecurePlaintextToken: true as const } : {}),
    ...(record.oidc ? { oidc: record.oidc } : {}),
  };
  if (record.tokenFile) return readTokenFile(platformUrl, record.tokenFile, about);
  if (record.location === 'file') {
    return record.token ? { token: record.token, location: 'file', ...about } : undefined;
  }
  const token = await readKeyringSecret(platformUrl);
  return token ? { token, location: 'keyring', ...about } : undefined;
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

/** The refresh token of an OIDC login, wherever its ID token is kept. */
export async function readRefreshToken(platformUrl: string): Promise<string | undefined> {
  const record = readCredentialsDocument().platforms[platformUrl];
  if (!record?.oidc) return undefined;
  if (record.location === 'file') return record.refreshToken;
  return readKeyringSecret(refreshAccount(platformUrl));
}

/** Forgets the token wherever it is; true when there was one. */
export async function forgetToken(platformUrl: string): Promise<boolean> {
  const document = readCredentialsDocument();
  const record = document.platforms[platformUrl];
  if (!record) return false;
  if (record.location === 'keyring') {
    await deleteKeyringSecret(platformUrl);
    if (record.oidc) await deleteKeyringSecret(refreshAccount(platformUrl));
  }
  delete document.platforms[platformUrl];
  await writeCredentialsDocument(document);
  return true;
}
