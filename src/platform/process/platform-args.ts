import { parseArgs } from 'node:util';
import { parseStorageFlags, StorageFlagsError, type StorageChoice } from '../../shared/storage-flags.js';
import { DurationError, parseDuration } from '../auth/duration.js';

export type { StorageChoice };

// The platform process's command line as plain data, checked before anything starts. Pure (no file is
// read here) so every rule has a table test; main.ts loads the files it names and exits 2 with the
// message of a PlatformArgsError.

export const PLATFORM_USAGE =
  'usage: node dist/platform/main.js --port N --data-dir DIR [--demo] [--watch-history DURATION (default 5m)] [--authentication-config FILE]\n' +
  '         [--storage sqlite|etcd (default sqlite)] [--etcd-endpoints URL[,URL...]] [--etcd-ca FILE [--etcd-cert FILE --etcd-key FILE]]\n' +
  '         [--etcd-prefix /PREFIX/ (default /kplane/)] [--replica-id ID]\n' +
  '       node dist/platform/main.js --members demo|FILE --port N --data-dir DIR [--exit-with PID]   (dev member clusters)';

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
    storage: storageFrom(values),
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

/** The storage rules are shared with `kplane dev up`, which checks them before it starts anything. */
function storageFrom(values: Parameters<typeof parseStorageFlags>[0]): StorageChoice {
  try {
    return parseStorageFlags(values);
  } catch (err) {
    if (!(err instanceof StorageFlagsError)) throw err;
    throw new PlatformArgsError(err.message);
  }
}
