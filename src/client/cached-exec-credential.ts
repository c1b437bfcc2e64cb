import { credentialsFile } from './config-dir.js';
import {
  isKeptInFiles,
  readCredentialsDocument,
  tokenKeptInFiles,
  type CredentialsDocument,
} from './credentials-document.js';
import { execCredentialJson } from './exec-credential-json.js';
import { storedTokenUsableUntil } from './oidc/refresh-window.js';
import { authTokenServerArg } from './own-exec-plugin.js';
import { platformBaseUrl } from './platform-url.js';
import { isPlainHttp } from './plaintext-token.js';

/**
 * The ExecCredential that `auth token --server URL` prints when credentials.json and the files it names answer
 * it alone: a token kept in the file or in a token file, usable as it is (not due for renewal, not expired,
 * consented to for an http:// platform). kubectl runs `auth token` before every call, so the launcher prints
 * this before loading anything else. Undefined for everything else (the keyring, a renewal, every error, any
 * other words), which the full command then handles as it always did: this answers only where the full
 * command would print exactly the same line, and never prints an error of its own.
 */
export function cachedExecCredential(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  now = new Date(),
): string | undefined {
  if (env.KPLANE_NO_FAST_PATH) return undefined;
  const server = authTokenServerArg(argv);
  if (server === undefined) return undefined;
  return storedAnswer(server, readCredentialsDocument(credentialsFile(env)), env, now)?.line;
}

export interface StoredAnswer {
  /** What `auth token` prints (without the newline). */
  line: string;
  /** Until when (ms since the epoch) the same line holds; undefined when the token has no expiry. */
  usableUntil?: number;
}

/** What `auth token --server server` answers from `document` alone at `now`, as cachedExecCredential. */
export function storedAnswer(
  server: string,
  document: CredentialsDocument,
  env: NodeJS.ProcessEnv,
  now: Date,
): StoredAnswer | undefined {
  try {
    const platform = platformBaseUrl(server);
    const record = Object.hasOwn(document.platforms, platform) ? document.platforms[platform] : undefined;
    if (!record || !isKeptInFiles(record)) return undefined;
    const stored = tokenKeptInFiles(platform, record);
    if (!stored) return undefined;
    if (isPlainHttp(platform) && !stored.insecurePlaintextToken) return undefined;
    // Past it the token is expired, or (an ID token) due for renewal, which the full command does.
    const usableUntil = storedTokenUsableUntil(stored);
    if (usableUntil !== undefined && usableUntil <= now.getTime()) return undefined;
    return {
      line: execCredentialJson(stored, env),
      ...(usableUntil === undefined ? {} : { usableUntil }),
    };
  } catch {
    // A bad URL or an unreadable token file: the full command says so in its own words.
    return undefined;
  }
}
