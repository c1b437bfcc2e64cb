import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printableText } from '../cli/terminal-text.js';
import {
  isKeptInFiles,
  tokenKeptInFiles,
  type CredentialsDocument,
  type StoredRecord,
} from './credentials-document.js';
import { execCredentialJson } from './exec-credential-json.js';
import { storedTokenUsableUntil } from './oidc/refresh-window.js';
import { isPlainHttp } from './plaintext-token.js';

// kubectl runs the credential entry before every call, and Node's start-up alone costs 40 ms to well over 100 ms
// (Node 20 with NODE_EXTRA_CA_CERTS). Where a stored token is answered as it is, the answer is written out here
// beside credentials.json, and the entry's shell line (own-exec-plugin.ts) prints it without starting Node while
// it is due. Every write of credentials.json withdraws these answers first and writes them afresh after, so none
// outlives the record it came from; the shell line also ignores any answer older than credentials.json, which
// covers a file written by anything else (an older kplane, a hand edit).

/** The folder of prepared answers, inside kplane's config folder (owner-only, as credentials.json). */
export const PREPARED_CREDENTIALS_DIR = 'exec-credentials';

/** The file name of a platform's prepared answer: the platform URL's SHA-256, safe as a name and in a shell. */
export function preparedCredentialName(platform: string): string {
  return createHash('sha256').update(platform).digest('hex');
}

/**
 * What `auth token --server platform` prints for `record` while it is answered from storage alone, and until
 * when (whole seconds since the epoch, 0 for ever), as the file's two lines; undefined where only kplane itself
 * can answer: a token in the keyring or in a token file (read afresh every time), a plain-HTTP platform without
 * consent, an expiry that does not parse.
 */
export function preparedAnswer(platform: string, record: StoredRecord): string | undefined {
  if (!isKeptInFiles(record) || record.tokenFile || !record.token) return undefined;
  if (isPlainHttp(platform) && !record.insecurePlaintextToken) return undefined;
  const stored = tokenKeptInFiles(platform, record);
  if (!stored) return undefined;
  const until = storedTokenUsableUntil(stored);
  if (until !== undefined && !Number.isFinite(until)) return undefined;
  // Whole seconds, rounded down: the shell compares `date +%s` with it, so it never answers past `until`.
  const untilSeconds = until === undefined ? 0 : Math.max(1, Math.floor(until / 1000));
  return `${untilSeconds}\n${printableText(execCredentialJson(stored, {}))}\n`;
}

/** Removes every prepared answer: before credentials.json changes, so none can outlive its record. */
export function withdrawPreparedCredentials(configDir: string): void {
  const dir = path.join(configDir, PREPARED_CREDENTIALS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) rmSync(path.join(dir, name), { force: true });
}

/**
 * Writes the prepared answers of `document`, just written to `credentialsFile`. Each is stamped a second newer
 * than that file, since the shell line trusts only answers newer than it and some shells compare whole seconds.
 * Not on Windows, where the credential entry is kplane itself and nothing would read them.
 */
export function writePreparedCredentials(
  document: CredentialsDocument,
  credentialsFile: string,
  platformName: NodeJS.Platform = process.platform,
): void {
  if (platformName === 'win32') return;
  const answers = Object.entries(document.platforms).flatMap(([platform, record]) => {
    const answer = preparedAnswer(platform, record);
    return answer === undefined ? [] : [[platform, answer] as const];
  });
  if (answers.length === 0) return;
  const dir = path.join(path.dirname(credentialsFile), PREPARED_CREDENTIALS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = statSync(credentialsFile).mtimeMs / 1000 + 1;
  for (const [platform, answer] of answers) {
    const file = path.join(dir, preparedCredentialName(platform));
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, answer, { mode: 0o600 });
    utimesSync(partial, stamp, stamp);
    renameSync(partial, file);
  }
}
