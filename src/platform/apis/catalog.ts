import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../api/object.js';
import type { Authorizer } from '../auth/authorize.js';
import type { UserInfo } from '../auth/user.js';
import { pathNotFound } from '../http/errors.js';
import { writeJson } from '../http/respond.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import type { PlatformStore } from '../storage/store.js';
import { PATH_ANNOTATION } from '../tenancy/constants.js';
import { bindRequest } from './admission.js';
import { API_EXPORTS } from './constants.js';

// `/services/catalog/apiexports`: every APIExport on the platform that the caller may bind (verb
// `bind` on it, decided by RBAC in its workspace, exactly as binding admission decides). A user
// usually cannot list the workspaces where providers live, so only the platform can answer "what
// may I bind?"; the answer names nothing the caller could not bind anyway. Each item carries its
// workspace path in the `kcp.io/path` annotation.

export interface CatalogDeps {
  store: PlatformStore;
  clusters: ClusterIndex;
  authorizer: Authorizer;
}

export class ExportCatalog {
  constructor(private readonly deps: CatalogDeps) {}

  bindableExports(user: UserInfo): KubeObject[] {
    const items: KubeObject[] = [];
    for (const entry of this.deps.store.listEverywhere(API_EXPORTS)) {
      const cluster = this.deps.clusters.resolve(entry.key.cluster);
      if (!cluster || !this.deps.authorizer.authorize(user, cluster, bindRequest(entry.key.name))) continue;
      const object = structuredClone(entry.object);
      object.metadata.annotations = { ...object.metadata.annotations, [PATH_ANNOTATION]: cluster.path };
      items.push(object);
    }
    const label = (o: KubeObject) => `${o.metadata.annotations?.[PATH_ANNOTATION]}:${o.metadata.name}`;
    return items.sort((a, b) => label(a).localeCompare(label(b)));
  }

  serve(res: ServerResponse, method: string, segments: readonly string[], user: UserInfo): void {
    if (method !== 'GET' || segments.length !== 2 || segments[1] !== 'apiexports') throw pathNotFound();
    writeJson(res, 200, {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExportList',
      metadata: {},
      items: this.bindableExports(user),
    });
  }
}
