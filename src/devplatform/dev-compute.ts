import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { FleetConfig } from './agent-fleet.js';
import { agentFleetEntryPoint, agentsLogFile, agentsPidFile, membersDir, serverPidFile } from './data-dir.js';
import {
  startDetached,
  startDetachedProcess,
  stopRecordedProcess,
  type PlatformReady,
  type StopResult,
} from './process.js';

// The dev compute of `kplane dev up --demo`: the demo's clusters as real Kubernetes API endpoints (the
// platform server in member mode, one process for all), each joined to the platform by the same agent code a
// user runs next to a real cluster (one process running one agent loop per member). Both live in
// DATA_DIR/members and stop when the platform does, however it stops.

/** OCM's default lease (ManagedCluster.spec.leaseDurationSeconds) and the agent's default resync. */
const LEASE_SECONDS = 60;
const RESYNC_SECONDS = 2;

export interface DevMember {
  name: string;
  server: string;
  kubeconfig: string;
}

export interface DevComputeReady {
  /** Where the members' kubeconfigs, logs and pid files are. */
  dir: string;
  membersPid: number;
  agentsPid: number;
  members: DevMember[];
}

/**
 * The agents' view of the hub: the admin kubeconfig pointed at root:compute. It names the admin's token file,
 * as the admin kubeconfig does, so no secret is copied.
 */
function writeHubKubeconfig(platform: PlatformReady, dir: string): string {
  const config = parse(readFileSync(platform.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
  };
  for (const entry of config.clusters) entry.cluster.server = `${platform.url}/clusters/root:compute`;
  const file = path.join(dir, 'hub.kubeconfig');
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

export async function startDevCompute(platform: PlatformReady): Promise<DevComputeReady> {
  const dir = membersDir(platform.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The platform holds the data folder now, so members or agents still running belong to one that was killed
  // a moment ago and have not noticed yet: they go first, or the new members could not claim their folder.
  await stopDevCompute(platform.dataDir);
  const served = await startDetached({
    port: 0,
    dataDir: dir,
    demo: false,
    members: 'demo',
    exitWith: platform.pid,
  });
  try {
    const members = served.members ?? [];
    const fleet: FleetConfig = {
      hubKubeconfig: writeHubKubeconfig(platform, dir),
      leaseSeconds: LEASE_SECONDS,
      resyncSeconds: RESYNC_SECONDS,
      members: members.map(({ name, kubeconfig, labels }) => ({ name, kubeconfig, labels })),
    };
    const fleetFile = path.join(dir, 'fleet.json');
    writeFileSync(fleetFile, `${JSON.stringify(fleet, null, 2)}\n`, { mode: 0o600 });
    const agents = await startDetachedProcess<{ ready: true; pid: number }>(
      [agentFleetEntryPoint(), '--fleet', fleetFile, '--exit-with', String(platform.pid)],
      agentsLogFile(platform.dataDir),
    );
    writeFileSync(agentsPidFile(platform.dataDir), `${agents.pid}\n`, { mode: 0o600 });
    return {
      dir,
      membersPid: served.pid,
      agentsPid: agents.pid,
      members: members.map(({ name, server, kubeconfig }) => ({ name, server, kubeconfig })),
    };
  } catch (err) {
    await stopDevCompute(platform.dataDir);
    throw err;
  }
}

/** Stops the agents, then the members; what was not running is skipped. */
export async function stopDevCompute(
  dataDir: string,
): Promise<{ agents?: StopResult; members?: StopResult }> {
  const agents = await stopRecordedProcess(agentsPidFile(dataDir));
  rmSync(agentsPidFile(dataDir), { force: true });
  const members = await stopRecordedProcess(serverPidFile(membersDir(dataDir)));
  return { ...(agents ? { agents } : {}), ...(members ? { members } : {}) };
}
