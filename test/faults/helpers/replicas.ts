import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalEtcd } from '../../../src/platform/storage/etcd/local-etcd.js';
import {
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
  type RawResponse,
} from '../../e2e/helpers/platform.js';

// A platform replica as the fault tests use it: its own process and data folder (its own serving CA), one
// etcd key prefix shared with the other replicas, so together they are one platform.

export interface Replica {
  name: string;
  dataDir: string;
  process: PlatformProcess;
  /** The CA this replica's serving certificate chains to. */
  ca: Buffer;
  url: string;
}

/** Starts (or, on the same folder, restarts) replica `name` on `etcd` under `keyPrefix`. */
export async function startReplica(
  name: string,
  dataDir: string,
  etcd: LocalEtcd,
  keyPrefix: string,
): Promise<Replica> {
  const process = await startPlatformProcess({
    dataDir,
    args: [
      '--storage',
      'etcd',
      '--etcd-endpoints',
      etcd.endpoints.join(','),
      '--etcd-prefix',
      keyPrefix,
      '--replica-id',
      name,
    ],
  });
  return { name, dataDir, process, ca: readFileSync(path.join(dataDir, 'ca.crt')), url: process.url };
}

/** What a client got: an answer, or none (connection refused or reset, or no answer within the time). */
export type Outcome = ({ answered: true } & RawResponse) | { answered: false; why: string };

/**
 * One HTTPS request to a replica that never waits longer than `withinMs`: a replica that hangs instead of
 * answering shows as "no answer", as a dead one does.
 */
export async function call(
  replica: Replica,
  urlPath: string,
  options: { token: string; method?: string; body?: unknown },
  withinMs = 10_000,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const noAnswer = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ answered: false, why: `no answer within ${withinMs} ms` }), withinMs);
  });
  const answer = rawRequest(replica.url, urlPath, {
    token: options.token,
    ca: replica.ca,
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  }).then(
    (response): Outcome => ({ answered: true, ...response }),
    (err: unknown): Outcome => ({ answered: false, why: (err as Error).message }),
  );
  try {
    return await Promise.race([answer, noAnswer]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Kubernetes Status (or any object) from a response body; undefined when it is not JSON. */
export function parsed<T = Record<string, unknown>>(outcome: Outcome): T | undefined {
  if (!outcome.answered) return undefined;
  try {
    return JSON.parse(outcome.body) as T;
  } catch {
    return undefined;
  }
}
