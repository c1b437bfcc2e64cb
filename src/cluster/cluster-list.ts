import { printList, renderTable, age } from '../cli/table.js';
import type { IOStreams, OutputFormat } from '../cli/io.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { withComputeSession } from './compute-session.js';

export interface ManagedClusterObject {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: { hubAcceptsClient?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

export interface ClusterListOptions {
  kubeconfig: WorkspaceSelector;
  output: OutputFormat;
}

/** One row of `cluster list`, as people read it. */
export function clusterRow(cluster: ManagedClusterObject, now = Date.now()): string[] {
  const available = cluster.status?.conditions?.find((c) => c.type === 'ManagedClusterConditionAvailable');
  const labels = Object.entries(cluster.metadata.labels ?? {})
    // The platform's own bookkeeping labels say nothing a person picked.
    .filter(([key]) => !key.includes('open-cluster-management.io/'))
    .map(([key, value]) => `${key}=${value}`);
  return [
    cluster.metadata.name,
    cluster.spec?.hubAcceptsClient === true ? 'true' : 'pending',
    available?.status ?? 'Unknown',
    labels.length > 3 ? `${labels.slice(0, 3).join(',')},+${labels.length - 3}` : labels.join(','),
    age(cluster.metadata.creationTimestamp, now),
  ];
}

/** `kplane cluster list`: the clusters of the compute workspace, accepted or waiting to be. */
export function listClusters(options: ClusterListOptions, io: IOStreams): Promise<void> {
  return withComputeSession(options.kubeconfig, async (session, base) => {
    const list = await session.client.get<{ items?: ManagedClusterObject[] }>(
      `${base}/apis/cluster.open-cluster-management.io/v1/managedclusters`,
    );
    const items = (list.items ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    await printList(io, options.output, items, `No clusters in ${session.path}.`, () =>
      renderTable(
        io,
        ['name', 'accepted', 'available', 'labels', 'age'],
        items.map((cluster) => clusterRow(cluster)),
      ),
    );
  });
}
