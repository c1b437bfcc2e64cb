import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import { writeFileAtomic } from '../process/atomic-write.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import { NAMESPACES } from '../tenancy/constants.js';
import type { MemberSpec } from './member-spec.js';
import { SIMULATED_ANNOTATION } from './simulated.js';
import { WorkloadSimulator } from './workload-simulator.js';

// The member mode of the platform server: one process serves many member clusters, each its own logical
// cluster at `/clusters/<member>`, with what a fresh cluster has (namespaces default, kube-system,
// kube-public, kube-node-lease, and one Node), and KWOK-style workload status instead of a kubelet.

export interface RunningMember {
  name: string;
  /** The member's API: `https://127.0.0.1:PORT/clusters/<name>`. */
  server: string;
  /** Owner-only admin kubeconfig for it (the token stays in its file). */
  kubeconfig: string;
  labels: Record<string, string>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const KUBELET_VERSION = 'v1.32.0-kplane';

export function nodeName(member: string): string {
  return `${member}-node`;
}

function nodeObject(member: MemberSpec): KubeObject {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': nodeName(member.name),
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node-role.kubernetes.io/worker': '',
  };
  if (member.labels.region) labels['topology.kubernetes.io/region'] = member.labels.region;
  if (member.labels.zone) labels['topology.kubernetes.io/zone'] = member.labels.zone;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName(member.name), labels, annotations: { [SIMULATED_ANNOTATION]: 'true' } },
    spec: {},
  };
}

function nodeStatus(member: MemberSpec, at: string): Record<string, unknown> {
  return {
    capacity: member.capacity,
    allocatable: member.allocatable,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'simulated node of a kplane dev member: it runs no containers',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      },
    ],
    nodeInfo: {
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
      containerRuntimeVersion: 'kplane-simulated://0',
      osImage: 'kplane dev member',
      kernelVersion: '',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

/** Makes the member's logical cluster and what a fresh cluster holds; the Node follows the given capacity. */
async function bootstrapMember(
  service: ResourceService,
  registry: ResourceRegistry,
  clusters: ClusterIndex,
  member: MemberSpec,
): Promise<void> {
  const cluster: ClusterRef = { id: member.name, path: member.name };
  const scope: RequestScope = { cluster, user: SYSTEM_USER };
  await service.store.transact((tx) => {
    const writes = service.within(tx);
    clusters.add(cluster);
    const namespaces = registry.get(NAMESPACES);
    for (const name of SYSTEM_NAMESPACES)
      if (!writes.find(namespaces, scope, name)) writes.create(namespaces, scope, { metadata: { name } });
    const nodes = registry.get('nodes');
    const node =
      writes.find(nodes, scope, nodeName(member.name)) ?? writes.create(nodes, scope, nodeObject(member));
    const status = nodeStatus(member, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    writes.update(nodes, scope, nodeName(member.name), { ...node, status }, { subresource: 'status' });
  });
}

function writeMemberKubeconfig(
  file: string,
  member: string,
  server: string,
  tokenFile: string,
  caPem: string,
): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: member,
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: `${member}-admin`, user: { tokenFile } }],
    contexts: [{ name: member, context: { cluster: member, user: `${member}-admin` } }],
    'current-context': member,
    preferences: {},
  };
  writeFileAtomic(file, stringify(config), 0o600);
  chmodSync(file, 0o600);
}

export interface MemberModeDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  members: MemberSpec[];
  dataDir: string;
  baseUrl: string;
  tokenFile: string;
  caPem: string;
  simulationDelayMs: number;
}

export async function startMemberMode(
  deps: MemberModeDeps,
): Promise<{ members: RunningMember[]; stop(): void }> {
  const members: RunningMember[] = [];
  for (const member of deps.members) {
    await bootstrapMember(deps.service, deps.registry, deps.clusters, member);
    const server = `${deps.baseUrl}/clusters/${member.name}`;
    const kubeconfig = join(deps.dataDir, `${member.name}.kubeconfig`);
    writeMemberKubeconfig(kubeconfig, member.name, server, deps.tokenFile, deps.caPem);
    members.push({ name: member.name, server, kubeconfig, labels: member.labels });
  }
  const simulator = new WorkloadSimulator({
    service: deps.service,
    registry: deps.registry,
    delayMs: deps.simulationDelayMs,
  });
  simulator.start();
  return { members, stop: () => simulator.stop() };
}
