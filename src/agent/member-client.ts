import { connectionFromSettings } from '../client/connection.js';
import { RestClient } from '../client/rest-client.js';
import { clientSettingsFor } from '../context/kubeconfig/client-settings.js';
import { loadKubeconfig } from '../context/kubeconfig/load.js';

/**
 * A client for one Kubernetes API (a hub or a member) from a kubeconfig file. Its base is the context's whole
 * server URL, so paths are plain Kubernetes paths (`/api/v1/...`): the agent works the same against a kplane
 * workspace (`https://host/clusters/root:m`), kind, k3s or a cloud cluster.
 */
export async function clientFromKubeconfigFile(file: string, context?: string): Promise<RestClient> {
  const { config } = await loadKubeconfig({ explicitPath: file });
  const settings = clientSettingsFor(config, context);
  return new RestClient(connectionFromSettings(settings, settings.server.replace(/\/+$/, '')));
}
