import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYS } from './keys.js';
import { encodeObject, KeyspaceMirror } from './mirror.js';

const objectKey = DEFAULT_KEYS.objectKey.bind(DEFAULT_KEYS);

const key = (name: string, namespace = 'default') => ({
  cluster: 'root',
  resource: 'configmaps',
  namespace,
  name,
});
const value = (name: string, data: Record<string, string> = {}) =>
  encodeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: '999' }, data });

describe('KeyspaceMirror', () => {
  it("stores objects without resourceVersion and reads them back stamped with the key's revision", () => {
    expect(JSON.parse(value('a')).metadata).toEqual({ name: 'a' });
    const mirror = new KeyspaceMirror(10);
    mirror.load(objectKey(key('a')), value('a'), 7);
    expect(mirror.get(key('a'))?.metadata.resourceVersion).toBe('7');
    expect(mirror.revision).toBe(10);
  });

  it('turns puts and deletes into ADDED, MODIFIED and DELETED events that carry the object before', () => {
    const mirror = new KeyspaceMirror(1);
    const k = objectKey(key('a'));
    const added = mirror.apply({ etcdKey: k, revision: 2, value: value('a', { v: '1' }) });
    const modified = mirror.apply({ etcdKey: k, revision: 3, value: value('a', { v: '2' }) });
    const deleted = mirror.apply({ etcdKey: k, revision: 4 });
    expect([added?.type, modified?.type, deleted?.type]).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(modified?.previous?.data).toEqual({ v: '1' });
    expect(modified?.previous?.metadata.resourceVersion).toBe('2');
    expect(deleted?.object.metadata.resourceVersion).toBe('4');
    expect(deleted?.object.data).toEqual({ v: '2' });
    expect(mirror.get(key('a'))).toBeUndefined();
    expect(mirror.revision).toBe(4);
  });

  it('prefers the previous value etcd sent (prev_kv) over its own copy', () => {
    const mirror = new KeyspaceMirror(1);
    const k = objectKey(key('a'));
    mirror.apply({ etcdKey: k, revision: 2, value: value('a', { v: 'mine' }) });
    const event = mirror.apply({
      etcdKey: k,
      revision: 3,
      value: value('a', { v: 'new' }),
      previous: { value: value('a', { v: 'etcd' }), modRevision: 2 },
    });
    expect(event?.previous?.data).toEqual({ v: 'etcd' });
  });

  it('ignores a change older than what it holds, so a resumed watch never repeats an event', () => {
    const mirror = new KeyspaceMirror(5);
    expect(mirror.apply({ etcdKey: objectKey(key('a')), revision: 4, value: value('a') })).toBeUndefined();
    expect(mirror.get(key('a'))).toBeUndefined();
    // Several keys written by one etcd Txn share its revision.
    expect(mirror.apply({ etcdKey: objectKey(key('b')), revision: 6, value: value('b') })?.type).toBe(
      'ADDED',
    );
    expect(mirror.apply({ etcdKey: objectKey(key('c')), revision: 6, value: value('c') })?.type).toBe(
      'ADDED',
    );
  });

  it('moves its revision over keys outside the object layout without an event', () => {
    const mirror = new KeyspaceMirror(1);
    expect(mirror.apply({ etcdKey: '/kplane/meta/fence', revision: 9, value: '' })).toBeUndefined();
    expect(mirror.revision).toBe(9);
  });

  it('lists and pages one collection in (namespace, name) order', () => {
    const mirror = new KeyspaceMirror(1);
    let revision = 1;
    for (const [namespace, name] of [
      ['team-a', 'x'],
      ['team', 'z'],
      ['team', 'a'],
      ['other', 'm'],
    ] as const)
      mirror.apply({ etcdKey: objectKey(key(name, namespace)), revision: ++revision, value: value(name) });
    mirror.apply({
      etcdKey: objectKey({ cluster: 'root', resource: 'secrets', namespace: 'team', name: 's' }),
      revision: ++revision,
      value: value('s'),
    });
    const scope = { cluster: 'root', resource: 'configmaps' };
    const names = (entries: { key: { namespace: string; name: string } }[]) =>
      entries.map((e) => `${e.key.namespace}/${e.key.name}`);
    expect(names(mirror.list(scope))).toEqual(['other/m', 'team/a', 'team/z', 'team-a/x']);
    expect(names(mirror.listAfter(scope, { namespace: 'team', name: 'a' }, 2))).toEqual([
      'team/z',
      'team-a/x',
    ]);
    expect(names(mirror.list({ ...scope, namespace: 'team' }))).toEqual(['team/a', 'team/z']);
    expect(mirror.countAfter(scope, { namespace: 'other', name: 'm' })).toBe(3);
    expect(names(mirror.listCluster('root', 'team'))).toEqual(['team/a', 'team/z', 'team/s']);
    expect(names(mirror.listEverywhere('secrets'))).toEqual(['team/s']);
  });
});

describe('KeyspaceMirror.changesTo', () => {
  it('turns a mirror cut off past compaction into a fresh snapshot, as events at its revision', () => {
    const stale = new KeyspaceMirror(5);
    stale.load(objectKey(key('kept')), value('kept'), 2);
    stale.load(objectKey(key('changed')), value('changed', { v: '1' }), 3);
    stale.load(objectKey(key('gone')), value('gone'), 4);
    const fresh = new KeyspaceMirror(20);
    fresh.load(objectKey(key('kept')), value('kept'), 2);
    fresh.load(objectKey(key('changed')), value('changed', { v: '2' }), 12);
    fresh.load(objectKey(key('new')), value('new'), 15);
    const events = stale.changesTo(fresh).map((change) => stale.apply(change));
    expect(events.map((e) => `${e?.rv} ${e?.type} ${e?.key.name}`).sort()).toEqual([
      '20 ADDED new',
      '20 DELETED gone',
      '20 MODIFIED changed',
    ]);
    // Objects keep the revision etcd holds for them, so a compare-and-swap on them still matches.
    expect(stale.list({ cluster: 'root', resource: 'configmaps' }).map((e) => e.object)).toEqual(
      fresh.list({ cluster: 'root', resource: 'configmaps' }).map((e) => e.object),
    );
  });

  it('keeps records of the reserved clusters readable, out of lists across clusters and out of the feed', () => {
    const mirror = new KeyspaceMirror(1);
    const reserved = { cluster: 'system:tokens', resource: 'configmaps', namespace: '', name: 'h1' };
    expect(mirror.apply({ etcdKey: objectKey(reserved), revision: 2, value: value('h1') })).toBeUndefined();
    expect(mirror.get(reserved)?.metadata.name).toBe('h1');
    expect(mirror.revision).toBe(2);
    mirror.apply({ etcdKey: objectKey(key('a')), revision: 3, value: value('a') });
    expect(mirror.listEverywhere('configmaps').map((e) => e.key.cluster)).toEqual(['root']);
    expect(mirror.apply({ etcdKey: objectKey(reserved), revision: 4 })).toBeUndefined();
    expect(mirror.get(reserved)).toBeUndefined();
  });
});
