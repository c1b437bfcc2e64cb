import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyPrefixProblem } from './etcd-key-prefix.js';
import { DEFAULT_ETCD_PREFIX, type EtcdTlsChoice } from './storage-flags.js';

// `storage.json` in a platform's data folder says where its data lives when that is not the folder's
// SQLite database: the platform writes it when it starts on etcd (and removes it when it starts on SQLite);
// the owner tools (`kplane dev token`, `revoke-tokens`) read it to reach the tokens the platform uses, and
// `kplane dev up` without storage flags reads it to come back on the same etcd. It names endpoints and
// certificate files, never a secret; it is owner-only as everything in the folder.

export const STORAGE_CONFIG_FILE = 'storage.json';

export interface StorageConfig {
  engine: 'etcd';
  /** Client URLs of etcd's members. */
  endpoints: string[];
  /** Where the platform's keys live in etcd (EtcdStoreOptions.keyPrefix). */
  keyPrefix: string;
  tls?: EtcdTlsChoice;
}

export class StorageConfigError extends Error {}

/**
 * The folder's storage.json, or undefined when it has none (the platform runs on the folder's SQLite
 * database). StorageConfigError, naming the file and the field, when it holds something else.
 */
export function readStorageConfig(dataDir: string): StorageConfig | undefined {
  const file = join(dataDir, STORAGE_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StorageConfigError(`${file} is not valid JSON (${(err as Error).message}): ${FIX}`);
  }
  return checkStorageConfig(file, parsed);
}

const FIX = 'fix it, or start the platform again to rewrite it';

/** `value` as a StorageConfig, or StorageConfigError naming `file` and the field that is wrong. */
export function checkStorageConfig(file: string, value: unknown): StorageConfig {
  const fail = (problem: string) => new StorageConfigError(`${file}: ${problem}: ${FIX}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('it must hold a JSON object');
  const config = value as Record<string, unknown>;
  if (config.engine !== 'etcd') throw fail(`engine must be "etcd", not ${JSON.stringify(config.engine)}`);
  const endpoints = config.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0 || !endpoints.every((e) => typeof e === 'string'))
    throw fail('endpoints must list the client URLs of the etcd members');
  for (const endpoint of endpoints as string[])
    if (!/^https?:\/\/[^/]+\/?$/.test(endpoint))
      throw fail(`endpoint ${JSON.stringify(endpoint)} must be http:// or https:// and a host:port`);
  const keyPrefix = config.keyPrefix ?? DEFAULT_ETCD_PREFIX;
  if (typeof keyPrefix !== 'string') throw fail('keyPrefix must be a string');
  const prefixProblem = keyPrefixProblem(keyPrefix);
  if (prefixProblem) throw fail(`keyPrefix: ${prefixProblem}`);
  const checked: StorageConfig = { engine: 'etcd', endpoints: [...(endpoints as string[])], keyPrefix };
  if (config.tls !== undefined) checked.tls = validateTls(config.tls, fail);
  return checked;
}

function validateTls(value: unknown, fail: (problem: string) => Error): EtcdTlsChoice {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('tls must be an object of file names');
  const tls = value as Record<string, unknown>;
  const named = (field: string) => typeof tls[field] === 'string' && tls[field] !== '';
  if (!named('caFile')) throw fail("tls.caFile must name the CA that signed etcd's certificate");
  for (const field of ['certFile', 'keyFile'])
    if (tls[field] !== undefined && !named(field)) throw fail(`tls.${field} must be a file name`);
  if (named('certFile') !== named('keyFile')) throw fail('tls.certFile and tls.keyFile go together');
  return {
    caFile: tls.caFile as string,
    ...(named('certFile') ? { certFile: tls.certFile as string, keyFile: tls.keyFile as string } : {}),
  };
}
