import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { CollectionScope, ObjectKey } from '../storage/object-key.js';
import type { KubeObject } from './object.js';

// The contract between a kind served as a projection (see projection.ts) and whoever computes its
// view. It lives apart from projection.ts so that the registry, which only names the contract on a
// definition, does not import the machinery that serves projections (and, through it, the registry).

/** What a projection may read: storage (any workspace) and the workspace paths. */
export interface ProjectionSource {
  reader: {
    get(key: ObjectKey): KubeObject | undefined;
    list(scope: CollectionScope): { object: KubeObject }[];
  };
  clusters: ClusterIndex;
}

export interface Projection {
  /** Every object the workspace sees, sorted by (namespace and) name. */
  list(): KubeObject[];
  /** Whether a committed change could alter what list() returns; a cheap test on the key. */
  affectedBy(event: ChangeEvent): boolean;
  /** Why writes are refused here, for the 405. */
  readOnlyMessage: string;
  /** A sharper reason for one object of the view (e.g. what to change instead), when there is one. */
  readOnlyMessageFor?(namespace: string | undefined, name: string): string | undefined;
}

/** Set on a kind served as a projection in some workspaces; undefined means "stored here, as usual". */
export type ProjectionOf = (cluster: ClusterRef, source: ProjectionSource) => Projection | undefined;
