import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from './keys.js';
import { encodeObject, KeyspaceMirror } from './mirror.js';
import { EtcdTransaction } from './transaction.js';

const objectKey = DEFAULT_KEYS.objectKey.bind(DEFAULT_KEYS);

const key = (name: string, namespace = 'default') => ({
  cluster: 'root',
  resource: 'configmaps',
  namespace,
  name,
});
const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

function mirrorWith(...names: string[]): KeyspaceMirror {
  const mirror = new KeyspaceMirror(10);
  names.forEach((name, i) => mirror.load(objectKey(key(name)), encodeObject(cm(name)), i + 1));
  return mirror;
}

const compares = (tx: EtcdTransaction) =>
  (tx.toTxn()?.compare ?? []).map((c) =>
    [
      c.key?.toString(),
      c.range_end?.toString() ?? '',
      c.target,
      c.result,
      c.mod_revision ?? c.create_revision,
    ].join(' '),
  );

describe('EtcdTransaction', () => {
  it('compares every key it read at the revision it saw, and an absent key by create_revision 0', () => {
    const tx = new EtcdTransaction(mirrorWith('a'));
    const a = tx.get(key('a'))!;
    tx.get(key('missing'));
    tx.put(key('a'), { ...a, data: { v: '2' } });
    expect(compares(tx)).toEqual([
      `${objectKey(key('a'))}  Mod Equal 1`,
      `${objectKey(key('missing'))}  Create Equal 0`,
    ]);
  });

  it('guards a list with one range compare, and a listed key it writes exactly', () => {
    const tx = new EtcdTransaction(mirrorWith('a', 'b'));
    const listed = tx.list({ cluster: 'root', resource: 'configmaps', namespace: 'default' });
    tx.put(key('b'), { ...listed[1]!.object, data: { v: '2' } });
    expect(compares(tx)).toEqual([
      `${objectKey(key('b'))}  Mod Equal 2`,
      '/kplane/objects/root/configmaps/default! /kplane/objects/root/configmaps/default" Mod Less 11',
    ]);
  });

  it('reads its own writes, in lists too, and writes each key once however often it changed', () => {
    const tx = new EtcdTransaction(mirrorWith('a'));
    tx.put(key('b'), cm('b', { v: '1' }));
    tx.put(key('b'), cm('b', { v: '2' }));
    tx.remove(key('a'));
    expect(tx.get(key('b'))?.data).toEqual({ v: '2' });
    expect(tx.get(key('a'))).toBeUndefined();
    expect(tx.list({ cluster: 'root', resource: 'configmaps' }).map((e) => e.key.name)).toEqual(['b']);
    const ops = tx.toTxn()?.success ?? [];
    expect(
      ops.map((op) =>
        op.request_put
          ? `put ${op.request_put.key?.toString()}`
          : `delete ${op.request_delete_range?.key?.toString()}`,
      ),
    ).toEqual([`put ${objectKey(key('b'))}`, `delete ${objectKey(key('a'))}`]);
  });

  it('commits nothing when a key it created was deleted again, or when it only read', () => {
    const created = new EtcdTransaction(mirrorWith());
    created.put(key('tmp'), cm('tmp'));
    created.remove(key('tmp'));
    expect(created.toTxn()).toBeUndefined();
    const reader = new EtcdTransaction(mirrorWith('a'));
    reader.get(key('a'));
    expect(reader.toTxn()).toBeUndefined();
  });

  it('stores what was written when it was written, and stamps what it handed out with the commit revision', () => {
    const tx = new EtcdTransaction(mirrorWith());
    const object = cm('a', { v: '1' });
    const stored = tx.put(key('a'), object);
    object.data.v = 'changed after the write';
    const reread = tx.get(key('a'))!;
    const value = JSON.parse(tx.toTxn()!.success![0]!.request_put!.value!.toString()) as {
      data: unknown;
      metadata: object;
    };
    expect(value.data).toEqual({ v: '1' });
    expect(value.metadata).toEqual({ name: 'a' });
    tx.committedAt(42);
    expect([stored.metadata.resourceVersion, reread.metadata.resourceVersion]).toEqual(['42', '42']);
  });
});
