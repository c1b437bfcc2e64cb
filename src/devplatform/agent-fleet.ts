import { readFileSync } from 'node:fs';
import { runWorkAgent } from '../agent/agent.js';
import { ensureClusterNamespace } from '../agent/cluster-namespace.js';
import { clientFromKubeconfigFile } from '../agent/member-client.js';
import type { RestClient } from '../client/rest-client.js';

// The agents of the dev compute: one `kplane agent` loop per member cluster, in one process so a hundred
// members cost one Node.js runtime rather than a hundred. Each loop is the very runWorkAgent a user runs
// next to a real cluster; only the process around it is shared.

export interface FleetMember {
  name: string;
  /** The member's admin kubeconfig. */
  kubeconfig: string;
  /** The labels its agent reports (region, zone, provider, tier, …). */
  labels: Record<string, string>;
}

/** `fleet.json`, written by `dev up` beside the members it names. */
export interface FleetConfig {
  /** A kubeconfig for the hub's compute workspace. */
  hubKubeconfig: string;
  leaseSeconds: number;
  resyncSeconds: number;
  members: FleetMember[];
}

export function readFleetConfig(file: string): FleetConfig {
  const config = JSON.parse(readFileSync(file, 'utf8')) as FleetConfig;
  if (!config.hubKubeconfig || !Array.isArray(config.members))
    throw new Error(`${file}: expected hubKubeconfig and members`);
  return config;
}

/**
 * Runs every member's agent until `signal` aborts. The hub client is shared: in dev every agent holds the same
 * credential, and a hundred agents then share a handful of connections instead of opening a hundred.
 */
export async function runAgentFleet(
  config: FleetConfig,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<void> {
  const hub = await clientFromKubeconfigFile(config.hubKubeconfig);
  const members: RestClient[] = [];
  try {
    await Promise.all(
      config.members.map(async (entry) => {
        const member = await clientFromKubeconfigFile(entry.kubeconfig);
        members.push(member);
        // The demo's clusters were accepted when the hub seeded them; an OCM hub makes an accepted cluster's
        // namespace then, and the agent's lease lives there.
        await ensureClusterNamespace(hub, entry.name).catch((error: unknown) =>
          log(`${entry.name}: cannot make its namespace on the hub yet: ${(error as Error).message}`),
        );
        await runWorkAgent({
          hub,
          member,
          clusterName: entry.name,
          resyncMs: config.resyncSeconds * 1000,
          registration: {
            clusterName: entry.name,
            labels: entry.labels,
            capacityFlags: {},
            autoAccept: true,
            leaseDurationSeconds: config.leaseSeconds,
          },
          signal,
          log: (line) => log(`${entry.name}: ${line}`),
        });
      }),
    );
  } finally {
    hub.close();
    for (const member of members) member.close();
  }
}
