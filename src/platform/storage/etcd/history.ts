import type { ChangeEvent } from '../event-log.js';
import { translateEtcdError, type EtcdConnection } from './client.js';
import { ResourceExpiredError, StorageUnavailableError } from './errors.js';
import { prefixEnd, type KeyLayout } from './keys.js';
import { KeyspaceMirror } from './mirror.js';
import { toKeyChanges } from './watch-feed.js';

const REPLAY_TIMEOUT_MS = 10_000;

/**
 * Every change after `from` up to `until`, read from etcd's history with a watch of its own: what a
 * watch that resumes from further back than a replica's event log needs. ResourceExpiredError (410)
 * when etcd has compacted that history.
 */
export async function replayHistory(
  connection: EtcdConnection,
  keys: KeyLayout,
  from: number,
  until: number,
): Promise<ChangeEvent[]> {
  // An empty mirror is enough: each change's prev_kv carries what the key held before it.
  const replay = new KeyspaceMirror(from, keys);
  const stream = await connection.client.watchClient.watch().catch((err: unknown) => {
    throw translateEtcdError(err);
  });
  try {
    return await new Promise<ChangeEvent[]>((resolve, reject) => {
      const events: ChangeEvent[] = [];
      // etcd reports progress only to a watch that has caught up: ask until it has.
      const nudge = setInterval(() => stream.write({ progress_request: {} }), 100);
      const timer = setTimeout(
        () => finish(() => reject(new StorageUnavailableError('etcd did not replay its history in time'))),
        REPLAY_TIMEOUT_MS,
      );
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        clearInterval(nudge);
        outcome();
      };
      stream.on('error', (err) => finish(() => reject(translateEtcdError(err))));
      stream.on('data', (response) => {
        const compactRevision = Number(response.compact_revision ?? 0);
        if (compactRevision > 0) {
          finish(() => reject(new ResourceExpiredError(from, compactRevision)));
          return;
        }
        if (response.created) return;
        for (const change of toKeyChanges(response)) {
          if (change.revision > until) continue;
          const event = replay.apply(change);
          if (event) events.push(event);
        }
        const caughtUp =
          (response.events ?? []).length === 0 ? Number(response.header.revision) : replay.revision;
        if (caughtUp >= until) finish(() => resolve(events));
      });
      stream.write({
        create_request: {
          key: Buffer.from(keys.objects),
          range_end: Buffer.from(prefixEnd(keys.objects)),
          start_revision: from + 1,
          prev_kv: true,
        },
      });
    });
  } finally {
    stream.cancel();
  }
}
