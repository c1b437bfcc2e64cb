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
const RESYNC_SECONDS = 300;

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

/**
 * Starts the member clusters for the platform whose process is `platformPid`, and resolves once they serve.
 * It may run while the platform itself is still starting: the members watch that pid, so if the platform
 * never comes up they go with it.
 */
export function launchDevMembers(dataDir: string, platformPid: number): Promise<PlatformReady> {
  const dir = membersDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return startDetached({ port: 0, dataDir: dir, demo: false, members: 'demo', exitWith: platformPid });
}

/** Joins the members to the platform: one agent loop each, in one process that also watches the platform. */
export async function joinDevCompute(
  platform: PlatformReady,
  served: PlatformReady,
): Promise<DevComputeReady> {
  const dir = membersDir(platform.dataDir);
  try {
    // Agents of a platform killed a moment ago may not have noticed yet.
    await stopRecordedProcess(agentsPidFile(platform.dataDir));
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

/**
 * The dev compute of a platform that serves: the members `early` started beside it when they came up, or
 * else (they could not claim their folder while the members of a platform killed a moment ago still held
 * it) those leftovers stopped and new members started now.
 */
export async function startDevCompute(
  platform: PlatformReady,
  early?: Promise<PlatformReady>,
): Promise<DevComputeReady> {
  const served = await early?.catch(() => undefined);
  if (served) return joinDevCompute(platform, served);
  // The platform holds the data folder now, so members or agents still running belong to one that is gone.
  await stopDevCompute(platform.dataDir);
  return joinDevCompute(platform, await launchDevMembers(platform.dataDir, platform.pid));
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
