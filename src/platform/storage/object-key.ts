/**
 * Where an object lives: its logical cluster id, its group/resource (`configmaps`,
 * `workspaces.tenancy.kcp.io`), its namespace ('' when cluster-scoped) and its name.
 */
export interface ObjectKey {
  cluster: string;
  resource: string;
  namespace: string;
  name: string;
}

export interface CollectionScope {
  cluster: string;
  resource: string;
  /** Undefined lists every namespace. */
  namespace?: string;
}

/** Where a page of a list ends: the key of its last object within the collection. */
export interface ListPosition {
  namespace: string;
  name: string;
}
