import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { credentialsFile } from './config-dir.js';
import {
  aboutToken,
  isKeptInFiles,
  readCredentialsDocument,
  tokenKeptInFiles,
  type CredentialsDocument,
  type OidcSession,
  type StoredToken,
  type TokenLocation,
} from './credentials-document.js';
import { deleteKeyringSecret, readKeyringSecret, writeKeyringSecret } from './keyring.js';
import { withdrawPreparedCredentials, writePreparedCredentials } from './prepared-credentials.js';

export {
  readCredentialsDocument,
  type OidcSession,
  type StoredToken,
  type TokenLocation,
} from './credentials-document.js';

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

async function writeCredentialsDocument(
  document: CredentialsDocument,
  file = credentialsFile(),
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Loaded only to write: `auth token`, which kubectl runs before every request, only reads.
  const { writeKubeconfigAtomically } = await import('../context/kubeconfig/write.js');
  withdrawPreparedCredentials(file);
  const text = `${JSON.stringify(document, null, 2)}\n`;
  // Owner-only, whatever the file had: it may hold tokens.
  await writeKubeconfigAtomically(file, text, { forceMode: 0o600 });
  try {
    writePreparedCredentials(text, file);
  } catch {
    // Without its prepared answer the credential entry runs kplane, which answers from the file just written.
  }
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
  if (isKeptInFiles(record)) return tokenKeptInFiles(platformUrl, record);
  const token = await readKeyringSecret(platformUrl);
  return token ? { token, location: 'keyring', ...aboutToken(record) } : undefined;
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
