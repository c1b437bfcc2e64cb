// The storage flags of the platform process and of `kplane dev up` (--storage, --etcd-*): one set of
// rules, pure, so the CLI refuses a bad combination before it starts anything and the platform refuses it
// too when started by hand.

export const DEFAULT_ETCD_PREFIX = '/kplane/';

/** TLS to etcd: the CA that signed its serving certificate, and a client certificate when etcd asks for one. */
export interface EtcdTlsChoice {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

export type StorageChoice =
  { engine: 'sqlite' } | { engine: 'etcd'; endpoints: string[]; keyPrefix?: string; tls?: EtcdTlsChoice };

/** A flag combination that cannot work; the message says what to write instead. */
export class StorageFlagsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFlagsError';
  }
}

const ETCD_PREFIX = /^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/;

export type StorageFlags = Partial<
  Record<'storage' | `etcd-${'endpoints' | 'ca' | 'cert' | 'key' | 'prefix'}`, string>
>;

/** `--storage` and the `--etcd-*` flags as given, checked; SQLite when none is given. */
export function parseStorageFlags(values: StorageFlags): StorageChoice {
  const engine = values.storage ?? 'sqlite';
  if (engine !== 'sqlite' && engine !== 'etcd')
    throw new StorageFlagsError(`--storage "${engine}": use sqlite (the default) or etcd`);
  const etcdFlags = (['etcd-endpoints', 'etcd-ca', 'etcd-cert', 'etcd-key', 'etcd-prefix'] as const).filter(
    (flag) => values[flag] !== undefined,
  );
  if (engine === 'sqlite') {
    if (etcdFlags.length > 0)
      throw new StorageFlagsError(
        `--${etcdFlags[0]} applies to etcd storage: add --storage etcd, or leave the --etcd-* flags out`,
      );
    return { engine };
  }
  const endpoints = parseEndpoints(values['etcd-endpoints']);
  const keyPrefix = values['etcd-prefix'] ?? DEFAULT_ETCD_PREFIX;
  if (!ETCD_PREFIX.test(keyPrefix))
    throw new StorageFlagsError(
      `--etcd-prefix "${keyPrefix}": give a key prefix that begins and ends with '/', e.g. /kplane/`,
    );
  const storage: StorageChoice = { engine, endpoints, keyPrefix };
  const tls = parseTls(values, endpoints);
  if (tls) storage.tls = tls;
  return storage;
}

function parseEndpoints(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '')
    throw new StorageFlagsError(
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
      throw new StorageFlagsError(
        `--etcd-endpoints: "${endpoint}" is not an etcd client URL: write http://HOST:PORT or https://HOST:PORT, comma-separated`,
      );
  }
  const schemes = new Set(endpoints.map((endpoint) => new URL(endpoint).protocol));
  if (schemes.size > 1)
    throw new StorageFlagsError(
      '--etcd-endpoints: use all http:// or all https:// (one client talks to them all)',
    );
  return endpoints;
}

function parseTls(values: StorageFlags, endpoints: string[]): EtcdTlsChoice | undefined {
  const secure = endpoints[0]?.startsWith('https:') ?? false;
  const caFile = values['etcd-ca'];
  const certFile = values['etcd-cert'];
  const keyFile = values['etcd-key'];
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new StorageFlagsError(
      '--etcd-cert and --etcd-key go together: the client certificate and its private key',
    );
  if (!secure) {
    if (caFile !== undefined || certFile !== undefined)
      throw new StorageFlagsError(
        `--${caFile !== undefined ? 'etcd-ca' : 'etcd-cert'} is for TLS: give https:// --etcd-endpoints, or leave the TLS files out`,
      );
    return undefined;
  }
  if (caFile === undefined)
    throw new StorageFlagsError(
      "https:// --etcd-endpoints need --etcd-ca FILE: the CA that signed etcd's serving certificate",
    );
  return {
    caFile,
    ...(certFile !== undefined ? { certFile } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
  };
}
