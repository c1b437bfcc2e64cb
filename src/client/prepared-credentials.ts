import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { outputLine } from '../cli/io.js';
import { storedAnswer } from './cached-exec-credential.js';
import type { CredentialsDocument } from './credentials-document.js';
import { platformBaseUrl } from './platform-url.js';
import { posixCksum } from './posix-cksum.js';

// kubectl runs the credential entry before every call, and Node's start-up alone costs 40 ms to well over 100 ms
// (Node 20 with NODE_EXTRA_CA_CERTS). Where a stored token is answered as it is, the answer is written out here
// beside credentials.json, and the entry's shell line (own-exec-plugin.ts) prints it without starting Node while
// it is due. Each answer names the `cksum` of the credentials.json it came from, and the shell prints it only
// while that file still has those bytes: whoever changes the file (a logout, a renewal, a concurrent login, an
// older kplane, a restore from backup) makes every answer prepared before it void at once. Every write also
// removes the answers first, so no copy of a forgotten token stays on disk.
/** The folder of prepared answers, inside kplane's config folder (owner-only, as credentials.json). */
export const PREPARED_CREDENTIALS_DIR = 'exec-credentials';

/** The file name of a platform's prepared answer: the platform URL's SHA-256, safe as a name and in a shell. */
export function preparedCredentialName(platform: string): string {
  return createHash('sha256').update(platform).digest('hex');
}

/**
 * What the shell line may print for `auth token --server platform`, and until when (whole seconds since the
 * epoch, 0 for ever): what kplane answers from `document` alone now (cached-exec-credential.ts), where that
 * answer depends on nothing but the document and the clock. Undefined where only kplane itself can answer: a
 * token in the keyring or in a token file (read afresh every time), a platform key that kplane would not look up
 * as written (kplane first normalises `--server`), an expiry without a time zone (read in the local one).
 */
export function preparedAnswer(
  platform: string,
  document: CredentialsDocument,
  now = new Date(),
): { due: number; line: string } | undefined {
  const record = Object.hasOwn(document.platforms, platform) ? document.platforms[platform] : undefined;
  if (!record || record.tokenFile || !looksUpAsWritten(platform)) return undefined;
  if (record.expiresAt !== undefined && !ZONED_TIME.test(record.expiresAt)) return undefined;
  const stored = storedAnswer(platform, document, {}, now);
  if (!stored) return undefined;
  const { usableUntil } = stored;
  // Rounded down, as the shell answers only while `date +%s` is below it: never past `usableUntil`. At least 1,
  // since 0 means no expiry.
  const due = usableUntil === undefined ? 0 : Math.max(1, Math.floor(usableUntil / 1000));
  return { due, line: outputLine(stored.line) };
}

const ZONED_TIME = /(?:Z|[+-]\d{2}:\d{2})$/i;

function looksUpAsWritten(platform: string): boolean {
  try {
    return platformBaseUrl(platform) === platform;
  } catch {
    return false;
  }
}

/** The folder of the answers prepared beside `credentialsFile`. */
function preparedDir(credentialsFile: string): string {
  return path.join(path.dirname(credentialsFile), PREPARED_CREDENTIALS_DIR);
}

/** Removes every prepared answer (the folder itself: a link there is removed, not followed). */
export function withdrawPreparedCredentials(credentialsFile: string): void {
  rmSync(preparedDir(credentialsFile), { recursive: true, force: true });
}

/**
 * Writes the prepared answers for `written`, the text just written to `credentialsFile`: read back as any
 * reader of that file reads it. Not on Windows, where the credential entry is kplane itself and nothing would
 * read them.
 */
export function writePreparedCredentials(
  written: string,
  credentialsFile: string,
  platformName: NodeJS.Platform = process.platform,
): void {
  if (platformName === 'win32') return;
  const document = JSON.parse(written) as CredentialsDocument;
  const answers = Object.keys(document.platforms).flatMap((platform) => {
    const prepared = preparedAnswer(platform, document);
    return prepared === undefined ? [] : [{ platform, ...prepared }];
  });
  if (answers.length === 0) return;
  const dir = preparedDir(credentialsFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const source = posixCksum(Buffer.from(written));
  for (const { platform, due, line } of answers) {
    const file = path.join(dir, preparedCredentialName(platform));
    const partial = `${file}.${process.pid}.partial`;
    // The platform too: the shell answers only the `--server` this answer is for.
    writeFileSync(partial, `${source}\n${due}\n${platform}\n${line}`, { mode: 0o600 });
    renameSync(partial, file);
  }
}
