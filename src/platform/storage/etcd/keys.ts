import type { CollectionScope, ListPosition, ObjectKey } from '../object-key.js';

// Layout: /kplane/objects/<cluster>/<resource>/<namespace>!<name>
//
// One prefix per logical cluster makes deleting a workspace a walk over one range, and one prefix per
// (cluster, resource) makes a list of a collection one etcd range, as kube-apiserver's
// /registry/<resource>/<namespace>/<name> does for one cluster. The namespace ends with `!` rather than
// `/` so that byte order is the (namespace, name) order the SQLite store and the paging code use:
// a namespace is a DNS label ([a-z0-9-]) and `!` sorts below every character of one, so `team!x`
// comes before `team-a!x` as ('team', 'x') comes before ('team-a', 'x'); with `/` it would not.
// A cluster-scoped object has the empty namespace: `.../namespaces/!default`.

export const KEY_ROOT = '/kplane/';
export const OBJECTS_PREFIX = '/kplane/objects/';
const NAMESPACE_END = '!';

export function objectKey(key: ObjectKey): string {
  return `${OBJECTS_PREFIX}${key.cluster}/${key.resource}/${key.namespace}${NAMESPACE_END}${key.name}`;
}

/** The ObjectKey an etcd key names, or undefined for a key outside the object layout. */
export function parseObjectKey(etcdKey: string): ObjectKey | undefined {
  if (!etcdKey.startsWith(OBJECTS_PREFIX)) return undefined;
  const rest = etcdKey.slice(OBJECTS_PREFIX.length);
  const clusterEnd = rest.indexOf('/');
  const resourceEnd = rest.indexOf('/', clusterEnd + 1);
  if (clusterEnd <= 0 || resourceEnd <= clusterEnd + 1) return undefined;
  const tail = rest.slice(resourceEnd + 1);
  // A namespace never holds `!`, so the first one ends it whatever the name holds.
  const namespaceEnd = tail.indexOf(NAMESPACE_END);
  if (namespaceEnd < 0) return undefined;
  return {
    cluster: rest.slice(0, clusterEnd),
    resource: rest.slice(clusterEnd + 1, resourceEnd),
    namespace: tail.slice(0, namespaceEnd),
    name: tail.slice(namespaceEnd + 1),
  };
}

/** Every key of one logical cluster starts with this. */
export function clusterPrefix(cluster: string): string {
  return `${OBJECTS_PREFIX}${cluster}/`;
}

/** Every key of the collection (one resource in one cluster, and one namespace when given) starts with this. */
export function collectionPrefix(scope: CollectionScope): string {
  const resource = `${clusterPrefix(scope.cluster)}${scope.resource}/`;
  return scope.namespace === undefined ? resource : `${resource}${scope.namespace}${NAMESPACE_END}`;
}

/** The first key after `key` in byte order: where the next page of a list starts. */
export function keyAfter(key: string): string {
  return `${key}\0`;
}

/** The end (exclusive) of the range of every key that starts with `prefix`, as etcd's clientv3.GetPrefixRangeEnd. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i] = bytes[i]! + 1;
      return bytes.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

/** Where a page of the collection starts: its first key, or the key after the previous page's last. */
export function rangeStart(scope: CollectionScope, after: ListPosition | undefined): string {
  return after
    ? keyAfter(objectKey({ cluster: scope.cluster, resource: scope.resource, ...after }))
    : collectionPrefix(scope);
}
