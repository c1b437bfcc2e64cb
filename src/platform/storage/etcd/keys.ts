import { keyPrefixProblem } from '../../../shared/etcd-key-prefix.js';
import type { CollectionScope, ListPosition, ObjectKey } from '../object-key.js';

export { keyPrefixProblem };

// Layout: <prefix>objects/<cluster>/<resource>/<namespace>!<name>, and <prefix>meta/… for the store's own
// keys. The prefix (default /kplane/) lets several platforms share one etcd, as kube-apiserver's
// --etcd-prefix does: each watches, snapshots and deletes only under its own.
//
// One prefix per logical cluster makes deleting a workspace a walk over one range, and one prefix per
// (cluster, resource) makes a list of a collection one etcd range, as kube-apiserver's
// /registry/<resource>/<namespace>/<name> does for one cluster. The namespace ends with `!` rather than
// `/` so that byte order is the (namespace, name) order the SQLite store and the paging code use:
// a namespace is a DNS label ([a-z0-9-]) and `!` sorts below every character of one, so `team!x`
// comes before `team-a!x` as ('team', 'x') comes before ('team-a', 'x'); with `/` it would not.
// A cluster-scoped object has the empty namespace: `.../namespaces/!default`.

export const DEFAULT_KEY_PREFIX = '/kplane/';
const NAMESPACE_END = '!';

/** Where one platform's keys live in etcd, under its prefix. */
export class KeyLayout {
  /** Everything this platform writes starts with this: the range its watch follows. */
  readonly root: string;
  readonly objects: string;
  readonly probe: string;
  readonly fence: string;

  constructor(prefix = DEFAULT_KEY_PREFIX) {
    const problem = keyPrefixProblem(prefix);
    if (problem) throw new Error(problem);
    this.root = prefix;
    this.objects = `${prefix}objects/`;
    this.probe = `${prefix}meta/probe`;
    this.fence = `${prefix}meta/fence`;
  }

  objectKey(key: ObjectKey): string {
    return `${this.objects}${key.cluster}/${key.resource}/${key.namespace}${NAMESPACE_END}${key.name}`;
  }

  /** The ObjectKey an etcd key names, or undefined for a key outside the object layout. */
  parseObjectKey(etcdKey: string): ObjectKey | undefined {
    if (!etcdKey.startsWith(this.objects)) return undefined;
    const rest = etcdKey.slice(this.objects.length);
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
  clusterPrefix(cluster: string): string {
    return `${this.objects}${cluster}/`;
  }

  /** Every key of the collection (one resource in one cluster, and one namespace when given) starts with this. */
  collectionPrefix(scope: CollectionScope): string {
    const resource = `${this.clusterPrefix(scope.cluster)}${scope.resource}/`;
    return scope.namespace === undefined ? resource : `${resource}${scope.namespace}${NAMESPACE_END}`;
  }

  /** Where a page of the collection starts: its first key, or the key after the previous page's last. */
  rangeStart(scope: CollectionScope, after: ListPosition | undefined): string {
    return after
      ? keyAfter(this.objectKey({ cluster: scope.cluster, resource: scope.resource, ...after }))
      : this.collectionPrefix(scope);
  }
}

/**
 * The logical clusters the platform keeps records of its own in (the cluster index, the tokens), so they
 * ride the mirror and the transactions as objects do. No workspace can have one of these names: a
 * workspace's id is `root`, a member's DNS-label name or 16 base36 characters, none with a colon.
 */
const RESERVED_CLUSTER_PREFIX = 'system:';

export function isReservedCluster(cluster: string): boolean {
  return cluster.startsWith(RESERVED_CLUSTER_PREFIX);
}

/** The layout under the default prefix. */
export const DEFAULT_KEYS = new KeyLayout();

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
