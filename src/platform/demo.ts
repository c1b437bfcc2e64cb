import type { ResourceRegistry } from './api/registry.js';
import type { RequestScope, ResourceService } from './api/resource-service.js';
import { ADMIN_GROUPS, ADMIN_USER } from './auth/user.js';
import { COMPUTE_PATH } from './compute/constants.js';
import { seedDemoCompute } from './compute/demo-inventory.js';
import type { WorkspaceController } from './controllers/workspace-controller.js';
import type { ClusterIndex } from './storage/cluster-index.js';
import { NAMESPACES } from './tenancy/constants.js';
import { ensureWorkspace } from './tenancy/ensure-workspace.js';
import { joinPath, ROOT_PATH } from './tenancy/paths.js';

export interface DemoDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  controller: WorkspaceController;
}

const ORGANIZATION = 'acme';
const TEAMS = ['web', 'api', 'ci'];

const CONFIG_MAPS: {
  workspace: string;
  name: string;
  labels: Record<string, string>;
  data: Record<string, string>;
}[] = [
  { workspace: 'web', name: 'web-config', labels: { app: 'web' }, data: { LOG_LEVEL: 'info', PORT: '8080' } },
  {
    workspace: 'web',
    name: 'feature-flags',
    labels: { app: 'web', kind: 'flags' },
    data: { newCheckout: 'true', darkMode: 'false' },
  },
  {
    workspace: 'api',
    name: 'api-config',
    labels: { app: 'api' },
    data: { LOG_LEVEL: 'debug', DATABASE_POOL: '10' },
  },
];

/**
 * The demo tree: organization root:acme with teams web, api and ci, a few config maps, and compute
 * in root:compute (eight ManagedClusters, the sets `global` and `eu`). Written
 * as the admin through the normal API path, and only what is missing, so restarts change nothing.
 */
export async function seedDemo(deps: DemoDeps): Promise<void> {
  const { service, registry } = deps;
  const user = { name: ADMIN_USER, groups: ADMIN_GROUPS };
  const scopeOf = async (path: string): Promise<RequestScope> => {
    await deps.controller.settle();
    const cluster = deps.clusters.resolve(path);
    if (!cluster) throw new Error(`demo: workspace ${path} did not come up`);
    return { cluster, user };
  };

  const rootScope = await scopeOf(ROOT_PATH);
  await service.store.transact((tx) =>
    ensureWorkspace(service.within(tx), registry, rootScope, ORGANIZATION, 'organization'),
  );
  const organization = joinPath(ROOT_PATH, ORGANIZATION);
  const orgScope = await scopeOf(organization);
  await service.store.transact((tx) => {
    for (const team of TEAMS) ensureWorkspace(service.within(tx), registry, orgScope, team, 'team');
  });

  const configMaps = registry.get('configmaps');
  const namespaces = registry.get(NAMESPACES);
  for (const cm of CONFIG_MAPS) {
    const workspace = await scopeOf(joinPath(organization, cm.workspace));
    // A user who deleted the namespace meant it; the demo does not bring it back.
    if (!service.find(namespaces, workspace, 'default')) continue;
    const scope = { ...workspace, namespace: 'default' };
    if (service.find(configMaps, scope, cm.name)) continue;
    await service.create(configMaps, scope, {
      metadata: { name: cm.name, labels: cm.labels },
      data: cm.data,
    });
  }

  await seedDemoCompute(service, registry, await scopeOf(COMPUTE_PATH));
}
