import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { credentialsFile } from './config-dir.js';
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

interface StoredRecord {
  location: TokenLocation;
  token?: string;
  expiresAt?: string;
  /** `login --insecure-plaintext-token`: the person accepted sending this token over plain HTTP. */
  insecurePlaintextToken?: true;
}

export interface StoredToken {
  token: string;
  location: TokenLocation;
  /** RFC 3339, when the platform said the token expires. */
  expiresAt?: string;
  /** Login was told the token may travel over plain HTTP. */
  insecurePlaintextToken?: true;
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
  options: { insecurePlaintextToken?: boolean } = {},
): Promise<TokenLocation> {
  const inKeyring = await writeKeyringSecret(platformUrl, token);
  const document = readCredentialsDocument();
  const about = {
    ...(expiresAt ? { expiresAt } : {}),
    ...(options.insecurePlaintextToken ? { insecurePlaintextToken: true as const } : {}),
  };
  document.platforms[platformUrl] = inKeyring
    ? { location: 'keyring', ...about }
    : { location: 'file', token, ...about };
  await writeCredentialsDocument(document);
  return inKeyring ? 'keyring' : 'file';
}

export async function readStoredToken(platformUrl: string): Promise<StoredToken | undefined> {
  const record = readCredentialsDocument().platforms[platformUrl];
  if (!record) return undefined;
  const about = {
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(record.insecurePlaintextToken === true ? { insecurePlaintextToken: true as const } : {}),
  };
  if (record.location === 'file') {
    return record.token ? { token: record.token, location: 'file', ...about } : undefined;
  }
  const token = await readKeyringSecret(platformUrl);
  return token ? { token, location: 'keyring', ...about } : undefined;
}

/** Forgets the token wherever it is; true when there was one. */
export async function forgetToken(platformUrl: string): Promise<boolean> {
  const document = readCredentialsDocument();
  const record = document.platforms[platformUrl];
  if (!record) return false;
  if (record.location === 'keyring') await deleteKeyringSecret(platformUrl);
  delete document.platforms[platformUrl];
  await writeCredentialsDocument(document);
  return true;
}
