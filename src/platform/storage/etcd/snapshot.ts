import type { EtcdConnection } from './client.js';
import { keyAfter, prefixEnd, type KeyLayout } from './keys.js';
import { KeyspaceMirror } from './mirror.js';

// Each value may be up to etcd's --max-request-bytes (1.5 MiB by default): pages of 100 keep one answer
// under about 150 MiB however large the objects are.
const SNAPSHOT_PAGE = 100;

/** Every object under the layout's prefix at one revision, read in pages that all name that revision. */
export async function loadSnapshot(connection: EtcdConnection, keys: KeyLayout): Promise<KeyspaceMirror> {
  const end = Buffer.from(prefixEnd(keys.objects));
  let start = Buffer.from(keys.objects);
  let revision: number | undefined;
  const entries: { key: string; value: string; modRevision: number }[] = [];
  for (;;) {
    const page = await connection.range({
      key: start,
      range_end: end,
      limit: SNAPSHOT_PAGE,
      ...(revision === undefined ? {} : { revision }),
    });
    revision ??= Number(page.header.revision);
    for (const kv of page.kvs)
      entries.push({
        key: kv.key.toString(),
        value: kv.value.toString(),
        modRevision: Number(kv.mod_revision),
      });
    const last = page.kvs.at(-1);
    if (!page.more || !last) break;
    start = Buffer.from(keyAfter(last.key.toString()));
  }
  const mirror = new KeyspaceMirror(revision, keys);
  for (const entry of entries) mirror.load(entry.key, entry.value, entry.modRevision);
  return mirror;
}
