import { parseArgs } from 'node:util';
import { DurationError, parseDuration } from '../auth/duration.js';

// The platform process's command line as plain data, checked before anything starts. Pure (no file is
// read here) so every rule has a table test; main.ts loads the files it names and exits 2 with the
// message of a PlatformArgsError.

export const PLATFORM_USAGE =
  'usage: node dist/platform/main.js --port N --data-dir DIR [--demo] [--watch-history DURATION (default 5m)] [--authentication-config FILE]\n' +
  '         [--storage sqlite|etcd (default sqlite)] [--etcd-endpoints URL[,URL...]] [--etcd-ca FILE [--etcd-cert FILE --etcd-key FILE]]\n' +
  '         [--etcd-prefix /PREFIX/ (default /kplane/)] [--replica-id ID]\n' +
  '       node dist/platform/main.js --members demo|FILE --port N --data-dir DIR [--exit-with PID]   (dev member clusters)';

export const DEFAULT_ETCD_PREFIX = '/kplane/';

/** TLS to etcd: the CA that signed its serving certificate, and a client certificate when etcd asks for one. */
export interface EtcdTlsChoice {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

export type StorageChoice =
  { engine: 'sqlite' } | { engine: 'etcd'; endpoints: string[]; keyPrefix?: string; tls?: EtcdTlsChoice };

export interface PlatformArgs {
  port: number;
  dataDir: string;
  demo: boolean;
  watchHistoryMs?: number;
  /** A file for main.ts to load (Kubernetes' AuthenticationConfiguration). */
  authenticationConfigFile?: string;
  /** `demo` or a file, for main.ts to load. */
  members?: string;
  exitWith?: number;
  storage: StorageChoice;
  replicaId?: string;
}

/** A command line the platform cannot start with; the message says what to write instead. */
export class PlatformArgsError extends Error {
  constructor(message: string) {
    super(`${message}\n${PLATFORM_USAGE}`);
    this.name = 'PlatformArgsError';
  }
}

/**
 * A replica id names its pid file and log (`server-ID.pid`), so it keeps to a DNS label's letters: nothing
 * that could climb out of the data folder.
 */
const REPLICA_ID = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
const ETCD_PREFIX = /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/;

export function parsePlatformArgs(argv: string[]): PlatformArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        demo: { type: 'boolean' },
        'watch-history': { type: 'string' },
        'authentication-config': { type: 'string' },
        members: { type: 'string' },
        'exit-with': { type: 'string' },
        storage: { type: 'string' },
        'etcd-endpoints': { type: 'string' },
        'etcd-ca': { type: 'string' },
        'etcd-cert': { type: 'string' },
        'etcd-key': { type: 'string' },
        'etcd-prefix': { type: 'string' },
        'replica-id': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new PlatformArgsError((err as Error).message);
  }
  const port = Number(values.port);
  if (values.port === undefined || !/^\d+$/.test(values.port) || port > 65535)
    throw new PlatformArgsError('--port must be 0-65535');
  if (!values['data-dir']) throw new PlatformArgsError('--data-dir is required');
  const args: PlatformArgs = {
    port,
    dataDir: values['data-dir'],
    demo: values.demo ?? false,
    storage: parseStorage(values),
  };
  if (values['watch-history'] !== undefined) {
    try {
      args.watchHistoryMs = parseDuration(values['watch-history']);
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      throw new PlatformArgsError(`--watch-history: ${err.message}`);
    }
  }
  if (values['authentication-config'] !== undefined)
    args.authenticationConfigFile = values['authentication-config'];
  if (values.members !== undefined) {
    if (args.demo)
      throw new PlatformArgsError('--members serves member clusters, not the platform: it takes no --demo');
    if (args.storage.engine !== 'sqlite')
      throw new PlatformArgsError('--members keeps its clusters in SQLite: it takes no --storage etcd');
    args.members = values.members;
  }
  if (values['exit-with'] !== undefined) {
    if (!/^[1-9]\d*$/.test(values['exit-with']))
      throw new PlatformArgsError('--exit-with must be a process id');
    args.exitWith = Number(values['exit-with']);
  }
  const replicaId = values['replica-id'];
  if (replicaId !== undefined) {
    if (!REPLICA_ID.test(replicaId))
      throw new PlatformArgsError(
        `--replica-id "${replicaId}": use 1-32 lower-case letters, digits and '-', e.g. r1`,
      );
    // Replicas share the data folder; only a shared store makes them one platform.
    if (args.storage.engine !== 'etcd')
      throw new PlatformArgsError(
        '--replica-id: replicas share one store, and SQLite serves one process: add --storage etcd --etcd-endpoints URL',
      );
    args.replicaId = replicaId;
  }
  return args;
}

type Values = Partial<Record<'storage' | `etcd-${'endpoints' | 'ca' | 'cert' | 'key' | 'prefix'}`, string>>;

function parseStorage(values: Values): StorageChoice {
  const engine = values.storage ?? 'sqlite';
  if (engine !== 'sqlite' && engine !== 'etcd')
    throw new PlatformArgsError(`--storage "${engine}": use sqlite (the default) or etcd`);
  const etcdFlags = (['etcd-endpoints', 'etcd-ca', 'etcd-cert', 'etcd-key', 'etcd-prefix'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (engine === 'sqlite') {
    if (etcdFlags.length > 0)
      throw new PlatformArgsError(
        `--${etcdFlags[0]} applies to etcd storage: add --storage etcd, or leave the --etcd-* flags out`,
      );
    return { engine };
  }
  const endpoints = parseEndpoints(values['etcd-endpoints']);
  const keyPrefix = values['etcd-prefix'] ?? DEFAULT_ETCD_PREFIX;
  if (!ETCD_PREFIX.test(keyPrefix))
    throw new PlatformArgsError(
      `--etcd-prefix "${keyPrefix}": give a key prefix that begins and ends with '/', e.g. /kplane/`,
    );
  const storage: StorageChoice = { engine, endpoints, keyPrefix };
  const tls = parseTls(values, endpoints);
  if (tls) storage.tls = tls;
  return storage;
}

function parseEndpoints(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '')
    throw new PlatformArgsError(
      '--storage etcd needs --etcd-endpoints URL[,URL...], e.g. --etcd-endpoints http://127.0.0.1:2379',
    );
  const endpoints = text.split(',').map((part) => part.trim());
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    const bare = url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    if (!url || !bare || url.pathname !== '/' || url.search || url.hash || url.username)
      throw new PlatformArgsError(
        `--etcd-endpoints: "${endpoint}" is not an etcd client URL: write http://HOST:PORT or https://HOST:PORT, comma-separated`,
      );
  }
  const schemes = new Set(endpoints.map((endpoint) => new URL(endpoint).protocol));
  if (schemes.size > 1)
    throw new PlatformArgsError(
      '--etcd-endpoints: use all http:// or all https:// (one client talks to them all)',
    );
  return endpoints;
}

function parseTls(values: Values, endpoints: string[]): EtcdTlsChoice | undefined {
  const secure = endpoints[0]?.startsWith('https:') ?? false;
  const caFile = values['etcd-ca'];
  const certFile = values['etcd-cert'];
  const keyFile = values['etcd-key'];
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new PlatformArgsError(
      '--etcd-cert and --etcd-key go together: the client certificate and its private key',
    );
  if (!secure) {
    if (caFile !== undefined || certFile !== undefined)
      throw new PlatformArgsError(
        `--${caFile !== undefined ? 'etcd-ca' : 'etcd-cert'} is for TLS: give https:// --etcd-endpoints, or leave the TLS files out`,
      );
    return undefined;
  }
  if (caFile === undefined)
    throw new PlatformArgsError(
      "https:// --etcd-endpoints need --etcd-ca FILE: the CA that signed etcd's serving certificate",
    );
  return {
    caFile,
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
  };
}
