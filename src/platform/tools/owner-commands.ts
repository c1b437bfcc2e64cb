import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DurationError, parseDuration } from '../auth/duration.js';
import { hashToken, mintToken } from '../auth/tokens.js';
import { isReservedUserName } from '../auth/user.js';
import { DATABASE_FILE, openDatabase } from '../storage/database.js';
import { EtcdStore } from '../storage/etcd/etcd-store.js';
import { EtcdTokenStore } from '../storage/etcd/etcd-token-store.js';
import { readStorageConfig, StorageConfigError, type StorageConfig } from '../storage/storage-config.js';
import { SqliteTokenStore, type TokenStore } from '../storage/token-store.js';

// The platform owner's tools, run as `node dist/platform/main.js <command> …` (`kplane dev token`
// spawns them). They open the data folder's database directly, whether or not a server is running
// on it: SQLite in WAL mode with a busy timeout lets both processes write, and the server reads
// tokens from the database on every request, so a new or revoked token counts at once. A platform on
// etcd names its etcd in the folder's storage.json: the tools then open a store of their own there,
// and every replica sees the change through its watch.
//
// Contract: `token` prints only the token and a newline on stdout; `revoke-tokens` prints one line.
// Exit 0 on success, 1 when the folder holds no platform, 2 for bad arguments; messages on stderr.

export const OWNER_COMMANDS = ['token', 'revoke-tokens'] as const;
export type OwnerCommand = (typeof OWNER_COMMANDS)[number];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const USAGE = {
  token:
    'usage: node dist/platform/main.js token --data-dir DIR --user USER [--group GROUP]... [--ttl DURATION]',
  'revoke-tokens': 'usage: node dist/platform/main.js revoke-tokens --data-dir DIR --user USER',
};

class UsageError extends Error {}

export function isOwnerCommand(name: string | undefined): name is OwnerCommand {
  return (OWNER_COMMANDS as readonly string[]).includes(name ?? '');
}

// Names end up in RBAC subjects and error messages; control characters would only cause trouble.
function checkName(what: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${what} is required`);
  if (/[\p{Cc}]/u.test(value) || value.trim() !== value)
    throw new UsageError(`--${what} ${JSON.stringify(value)} has spaces or control characters at its ends`);
  return value;
}

/**
 * The longest `--ttl`: a year. A token that outlives the people and reasons it was minted for is a
 * liability, and far beyond this its expiry no longer fits a Date at all.
 */
export const MAX_TOKEN_TTL_DAYS = 365;
const MAX_TOKEN_TTL_MS = MAX_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000;

function parseTtl(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    if (err instanceof DurationError) throw new UsageError(`--ttl: ${err.message}`);
    throw err;
  }
  if (ms > MAX_TOKEN_TTL_MS)
    throw new UsageError(
      `--ttl ${text} is longer than the maximum of ${MAX_TOKEN_TTL_DAYS}d: mint a shorter-lived token and a new one when it ends`,
    );
  return ms;
}

const TOKEN_OPTIONS = {
  'data-dir': { type: 'string' },
  user: { type: 'string' },
  group: { type: 'string', multiple: true },
  ttl: { type: 'string' },
} satisfies ParseArgsConfig['options'];

const REVOKE_OPTIONS = {
  'data-dir': { type: 'string' },
  user: { type: 'string' },
} satisfies ParseArgsConfig['options'];

function parse(command: OwnerCommand, args: string[]) {
  let values: { 'data-dir'?: string; user?: string; group?: string[]; ttl?: string };
  try {
    const options = command === 'token' ? TOKEN_OPTIONS : REVOKE_OPTIONS;
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const dataDir = values['data-dir'];
  if (typeof dataDir !== 'string' || dataDir === '') throw new UsageError('--data-dir is required');
  const user = checkName('user', values.user);
  // Revoking stays possible for every name: it is how a leaked admin token is made useless.
  if (command === 'token' && isReservedUserName(user))
    throw new UsageError(
      `--user ${JSON.stringify(user)} is reserved for the platform's own identities (kplane-admin, system:…): pick another name`,
    );
  const groups = (values.group ?? []).map((group) => checkName('group', group));
  const ttlMs = typeof values.ttl === 'string' ? parseTtl(values.ttl) : undefined;
  return { dataDir: resolve(dataDir), user, groups: [...new Set(groups)], ttlMs };
}

async function withTokens<T>(dataDir: string, work: (tokens: TokenStore) => T | Promise<T>): Promise<T> {
  const storage = readStorageConfig(dataDir);
  if (storage) return withEtcdTokens(storage, work);
  const file = join(dataDir, DATABASE_FILE);
  // Opening would create an empty database; a folder without one is a mistake, not a platform.
  if (!existsSync(file))
    throw new MissingPlatformError(`no kplane platform data in ${dataDir}: run kplane dev up first`);
  const db = openDatabase(file);
  try {
    return await work(new SqliteTokenStore(db));
  } finally {
    db.close();
  }
}

async function withEtcdTokens<T>(
  storage: StorageConfig,
  work: (tokens: TokenStore) => T | Promise<T>,
): Promise<T> {
  let store: EtcdStore;
  try {
    store = await EtcdStore.open({
      endpoints: storage.endpoints,
      keyPrefix: storage.keyPrefix,
      ...(storage.tls ? { tls: storage.tls } : {}),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the platform's etcd at ${storage.endpoints.join(', ')}: ${(err as Error).message}`,
    );
  }
  try {
    return await work(new EtcdTokenStore(store));
  } finally {
    store.close();
  }
}

class MissingPlatformError extends Error {}

/** Runs one owner command; never rejects for expected failures, never touches process state. */
export async function runOwnerCommand(
  command: OwnerCommand,
  args: string[],
  now = Date.now(),
): Promise<CommandResult> {
  try {
    const options = parse(command, args);
    if (command === 'revoke-tokens') {
      const count = await withTokens(options.dataDir, (tokens) => tokens.revokeUser(options.user));
      return { code: 0, stdout: `revoked ${count} token(s) of user ${options.user}\n`, stderr: '' };
    }
    const token = mintToken();
    await withTokens(options.dataDir, (tokens) =>
      tokens.add({
        hash: hashToken(token),
        user: options.user,
        groups: options.groups,
        ...(options.ttlMs !== undefined ? { expiresAt: now + options.ttlMs } : {}),
      }),
    );
    return { code: 0, stdout: `${token}\n`, stderr: '' };
  } catch (err) {
    if (err instanceof UsageError)
      return { code: 2, stdout: '', stderr: `${err.message}\n${USAGE[command]}\n` };
    if (err instanceof MissingPlatformError || err instanceof StorageConfigError)
      return { code: 1, stdout: '', stderr: `${err.message}\n` };
    return { code: 1, stdout: '', stderr: `kplane platform ${command}: ${(err as Error).message}\n` };
  }
}
