import { deepClone, isPlainObject, type JsonObject } from '../api/object.js';
import { memberNamespace, TENANT_WORKSPACE_ANNOTATION, tenantLabels } from './tenant-namespace.js';

// Turns the manifests a tenant asked for (a ManifestWorkReplicaSet in workspace W, namespace N) into
// the manifests a member receives: every object moved into the member namespace derived from W and N
// and labelled with both, led by that namespace itself. What could reach beyond the tenant is
// refused as a whole, with a message saying what to change: a cluster-scoped kind (it would be
// shared by every tenant of the member), an object of another namespace, or a kind whose scope the
// workspace does not know (it could be cluster-scoped on the member).

export type KindScope = 'Namespaced' | 'Cluster';

export interface Tenant {
  workspacePath: string;
  namespace: string;
  /** The scope of a kind in the tenant's workspace; undefined when the workspace does not serve it. */
  scopeOf(apiVersion: string, kind: string): KindScope | undefined;
}

export type TenantManifests =
  { ok: true; namespace: string; manifests: JsonObject[] } | { ok: false; message: string };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** What a user would call the manifest in a message: `ConfigMap settings` or `manifest 3`. */
function describe(manifest: JsonObject, index: number): string {
  const kind = text(manifest.kind);
  const name = isPlainObject(manifest.metadata) ? text(manifest.metadata.name) : '';
  return kind && name ? `manifest ${index + 1} (${kind} ${name})` : `manifest ${index + 1}`;
}

function refusal(manifest: unknown, index: number, tenant: Tenant): string | undefined {
  if (!isPlainObject(manifest)) return `manifest ${index + 1} is not an object`;
  const what = describe(manifest, index);
  const apiVersion = text(manifest.apiVersion);
  const kind = text(manifest.kind);
  const metadata = isPlainObject(manifest.metadata) ? manifest.metadata : {};
  if (!apiVersion || !kind || !text(metadata.name)) return `${what} needs apiVersion, kind and metadata.name`;
  const scope = tenant.scopeOf(apiVersion, kind);
  if (scope === undefined)
    return `${what}: ${apiVersion} ${kind} is not served in workspace ${tenant.workspacePath}, so its scope is unknown; create its CustomResourceDefinition there first`;
  if (scope === 'Cluster')
    return `${what} is cluster-scoped; a workspace delivers only namespaced objects (they land in the tenant's own namespace on each cluster)`;
  const namespace = text(metadata.namespace);
  if (namespace && namespace !== tenant.namespace)
    return `${what} names namespace ${namespace}; objects are delivered from namespace ${tenant.namespace} only (leave metadata.namespace out or set it to ${tenant.namespace})`;
  return undefined;
}

export function tenantManifests(manifests: readonly unknown[], tenant: Tenant): TenantManifests {
  if (manifests.length === 0) return { ok: false, message: 'the work holds no manifests' };
  const problems = manifests.map((m, i) => refusal(m, i, tenant)).filter((p) => p !== undefined);
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  const namespace = memberNamespace(tenant.workspacePath, tenant.namespace);
  const labels = tenantLabels(tenant.workspacePath, tenant.namespace);
  const moved = manifests.map((manifest) => {
    const copy = deepClone(manifest as JsonObject);
    const metadata = copy.metadata as JsonObject;
    metadata.namespace = namespace;
    metadata.labels = { ...(isPlainObject(metadata.labels) ? metadata.labels : {}), ...labels };
    return copy;
  });
  const home: JsonObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels,
      annotations: { [TENANT_WORKSPACE_ANNOTATION]: tenant.workspacePath },
    },
  };
  return { ok: true, namespace, manifests: [home, ...moved] };
}

/**
 * The template's manifestConfigs as the member needs them: a resourceIdentifier names an object
 * where the tenant put it (its own namespace, or none), and the agent finds the object where it
 * landed, so those point at the member namespace. Other namespaces match nothing, as before.
 */
export function tenantManifestConfigs(configs: unknown, tenantNamespace: string, memberNs: string): unknown {
  if (!Array.isArray(configs)) return configs;
  return configs.map((config) => {
    if (!isPlainObject(config) || !isPlainObject(config.resourceIdentifier)) return config;
    const namespace = text(config.resourceIdentifier.namespace);
    if (namespace !== '' && namespace !== tenantNamespace) return config;
    return { ...config, resourceIdentifier: { ...config.resourceIdentifier, namespace: memberNs } };
  });
}
