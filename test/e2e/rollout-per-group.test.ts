import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKubectlAt, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// OCM's ProgressivePerGroup rollout on the real server: a placement's decision groups (written here
// by hand, as a bring-your-own scheduler does, with OCM's group labels) receive the work one group
// at a time, the mandatory group first, the next only once every cluster of the one before is
// available. Agents are played by status patches on the works, as in work-replicaset.test.ts.

const CLUSTER_GROUP = 'cluster.open-cluster-management.io';
const WORK = 'work.open-cluster-management.io';
const WS = '/clusters/root';
const COMPUTE = '/clusters/root:compute';

let platform: PlatformProcess;
let scratch: string;
let at: ReturnType<typeof adminKubectlAt>;

async function ok(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const result = await run;
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

interface Work {
  metadata: { name: string; namespace: string };
}
const works = async (): Promise<Work[]> =>
  (
    JSON.parse(
      await ok(
        at(COMPUTE, [
          'get',
          'manifestworks',
          '-A',
          '-l',
          `${WORK}/manifestworkreplicaset=groups.web`,
          '-o',
          'json',
        ]),
      ),
    ) as { items: Work[] }
  ).items;
const clustersOf = (items: Work[]) => items.map((w) => w.metadata.namespace).sort();

async function markAvailable(work: Work): Promise<void> {
  const condition = (type: string) => ({
    type,
    status: 'True',
    reason: 'AppliedManifestWorkComplete',
    message: 'up',
    observedGeneration: 1,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  await ok(
    at(COMPUTE, [
      'patch',
      'manifestwork',
      work.metadata.name,
      '-n',
      work.metadata.namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { conditions: [condition('Applied'), condition('Available')] } }),
    ]),
  );
}

async function decisionGroup(index: number, name: string, clusters: string[]): Promise<void> {
  const decision = `byo-decision-${index + 1}`;
  await ok(
    at(
      WS,
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: `${CLUSTER_GROUP}/v1beta1`,
        kind: 'PlacementDecision',
        metadata: {
          name: decision,
          namespace: 'groups',
          labels: {
            [`${CLUSTER_GROUP}/placement`]: 'byo',
            [`${CLUSTER_GROUP}/decision-group-index`]: String(index),
            [`${CLUSTER_GROUP}/decision-group-name`]: name,
          },
        },
      }),
    ),
  );
  await ok(
    at(WS, [
      'patch',
      'placementdecision',
      decision,
      '-n',
      'groups',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { decisions: clusters.map((clusterName) => ({ clusterName, reason: '' })) } }),
    ]),
  );
}

beforeAll(async () => {
  platform = await startPlatformProcess({ demo: true });
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-rollout-per-group-'));
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ProgressivePerGroup', () => {
  it('delivers to the mandatory group first, then group by group once each is available', async () => {
    const clusters = (
      await ok(at(COMPUTE, ['get', 'managedclusters', '-o', 'jsonpath={.items[*].metadata.name}']))
    )
      .split(' ')
      .slice(0, 4);
    const [canary, eu1, eu2, us] = clusters as [string, string, string, string];
    await ok(
      at(
        WS,
        ['apply', '-f', '-'],
        `apiVersion: v1
kind: Namespace
metadata: {name: groups}
---
apiVersion: ${CLUSTER_GROUP}/v1beta2
kind: ManagedClusterSetBinding
metadata: {name: global, namespace: groups}
spec: {clusterSet: global}
---
apiVersion: ${CLUSTER_GROUP}/v1beta1
kind: Placement
metadata:
  name: byo
  namespace: groups
  annotations: {${CLUSTER_GROUP}/experimental-scheduling-disable: "true"}
spec: {}
`,
      ),
    );
    await decisionGroup(0, 'canary', [canary]);
    await decisionGroup(1, 'prod-eu', [eu1, eu2]);
    await decisionGroup(2, 'prod-us', [us]);
    await ok(
      at(
        WS,
        ['apply', '-f', '-'],
        `apiVersion: ${WORK}/v1alpha1
kind: ManifestWorkReplicaSet
metadata: {name: web, namespace: groups}
spec:
  placementRefs:
  - name: byo
    rolloutStrategy:
      type: ProgressivePerGroup
      progressivePerGroup:
        mandatoryDecisionGroups: [{groupName: prod-us}]
  manifestWorkTemplate:
    workload:
      manifests:
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: settings}, data: {color: blue}}
`,
      ),
    );
    // The mandatory group, alone, though its index is the last.
    const first = await eventually(works, (items) => items.length === 1);
    expect(clustersOf(first)).toEqual([us]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(clustersOf(await works())).toEqual([us]);
    await markAvailable(first[0]!);

    // Then by group index: the canary alone, then both of prod-eu at once.
    const second = await eventually(works, (items) => items.length === 2);
    expect(clustersOf(second)).toEqual([canary, us].sort());
    await markAvailable(second.find((w) => w.metadata.namespace === canary)!);
    const all = await eventually(works, (items) => items.length === 4);
    expect(clustersOf(all)).toEqual([...clusters].sort());
  });
});
