import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';

/** The cluster's namespace on the hub (OCM: named after the cluster), where its works and its lease live. */
export async function ensureClusterNamespace(hub: RestClient, clusterName: string): Promise<void> {
  try {
    await hub.post('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: clusterName },
    });
  } catch (error) {
    if (!isStatusCode(error, 409)) throw error;
  }
}
