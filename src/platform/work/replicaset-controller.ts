import { PLACEMENT_LABEL } from '../../placement/index.js';
import {
  deepEqual,
  getField,
  isPlainObject,
  jsonObjects,
  type JsonObject,
  type KubeObject,
} from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService, TransactionWrites } from '../api/resource-service.js';
import { SYSTEM_USER } from '../auth/user.js';
import { COMPUTE_PATH, PLACEMENT_DECISIONS, PLACEMENTS } from '../compute/constants.js';
import { WorkQueue } from '../controllers/work-queue.js';
import { ApiError } from '../http/errors.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import type { ChangeEvent } from '../storage/event-log.js';
import type { ObjectKey } from '../storage/object-key.js';
import { ownerHash as workOwnerHash, ownerId as workOwnerId } from './work-owner.js';
import {
  appliedCondition,
  failures,
  PLACEMENT_ROLLED_OUT,
  PLACEMENT_VERIFIED,
  MANIFEST_WORK_APPLIED,
  REASON_AS_EXPECTED,
  REASON_COMPLETE,
  REASON_DECISION_EMPTY,
  REASON_DECISION_NOT_FOUND,
  REASON_INVALID_MANIFESTS,
  REASON_PROGRESSING,
  summarise,
  withTransitions,
  type WantedCondition,
} from './replicaset-status.js';
import { clustersToWrite, decisionGroupsOf, rolloutOf } from './rollout.js';
import { tenantManifestConfigs, tenantManifests, type KindScope } from './tenant-manifests.js';
import { manifestWorkName, tenantLabels } from './tenant-namespace.js';
import { MANIFEST_WORK_REPLICA_SETS, MANIFEST_WORKS, WORK_GROUP } from './work-kinds.js';
import { OWNER_ANNOTATION, OWNER_LABEL, REPLICA_SET_LABEL } from './work-names.js';

// OCM's ManifestWorkReplicaSet controller: for a replica set in a user's workspace and namespace,
// one ManifestWork per cluster its placements decided, in that cluster's namespace of the compute
// workspace, carrying the tenant's manifests moved into the tenant's member namespace; works of
// clusters that left the decision are deleted, and the status counts what the agents report. It is
// level-triggered: every pass reads the replica set, the decisions and the works as they are now,
// writes only what differs, and can stop at any line (the next pass finishes the job). Rollout
// follows OCM's strategies All, Progressive and ProgressivePerGroup (rollout.ts).

export { OWNER_ANNOTATION, OWNER_LABEL, REPLICA_SET_LABEL } from './work-names.js';

export interface ReplicaSetControllerDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
  now?: () => Date;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

type OwnerKey = Pick<ObjectKey, 'cluster' | 'namespace' | 'name'>;
const ownerId = (key: OwnerKey) =>
  workOwnerId({ workspace: key.cluster, namespace: key.namespace, name: key.name });
const ownerHash = (key: OwnerKey) =>
  workOwnerHash({ workspace: key.cluster, namespace: key.namespace, name: key.name });

/** Whether a stored work already holds what is wanted: its spec, and the labels that say whose it is. */
function holds(current: KubeObject, desired: KubeObject): boolean {
  const labels = Object.entries(desired.metadata.labels ?? {});
  return (
    labels.every(([k, v]) => current.metadata.labels?.[k] === v) && deepEqual(current.spec, desired.spec)
  );
}

export class ReplicaSetController {
  private readonly queue = new WorkQueue(
    (key) => this.reconcile(key),
    (key, err) => {
      if (err instanceof ApiError && err.code === 409) return;
      process.stderr.write(
        `kplane platform: manifestworkreplicaset ${key.namespace}/${key.name}: ${(err as Error).message}\n`,
      );
    },
  );
  private unsubscribe: (() => void) | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: ReplicaSetControllerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Listens for changes and reconciles every replica set, and every owner a stored work names, once. */
  start(): void {
    const { store } = this.deps.service;
    this.unsubscribe = store.events.subscribe((event) => this.onChange(event));
    for (const entry of store.listEverywhere(MANIFEST_WORK_REPLICA_SETS)) this.queue.add(entry.key);
    for (const entry of store.listEverywhere(MANIFEST_WORKS)) this.enqueueOwnerOf(entry.object);
  }

  settle(): Promise<void> {
    return this.queue.settle();
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  private onChange(event: ChangeEvent): void {
    const { key } = event;
    switch (key.resource) {
      case MANIFEST_WORK_REPLICA_SETS:
        this.queue.add(key);
        return;
      case PLACEMENT_DECISIONS:
      case PLACEMENTS:
        for (const entry of this.deps.service.store.list({
          cluster: key.cluster,
          resource: MANIFEST_WORK_REPLICA_SETS,
          namespace: key.namespace,
        }))
          this.queue.add(entry.key);
        return;
      case MANIFEST_WORKS:
        this.enqueueOwnerOf(event.object);
        return;
      default:
    }
  }

  private enqueueOwnerOf(work: KubeObject): void {
    const owner = work.metadata.annotations?.[OWNER_ANNOTATION]?.split('/');
    if (owner?.length !== 3) return;
    const [cluster = '', namespace = '', name = ''] = owner;
    this.queue.add({ cluster, resource: MANIFEST_WORK_REPLICA_SETS, namespace, name });
  }

  /** One reconcile is one transaction: the works and the replica set's status change together. */
  private async reconcile(key: ObjectKey): Promise<boolean> {
    const { service } = this.deps;
    return service.store.transact((tx) => this.reconcileIn(service.within(tx), key));
  }

  private reconcileIn(writes: TransactionWrites, key: ObjectKey): boolean {
    const { service, clusters } = this.deps;
    const compute = clusters.resolve(COMPUTE_PATH);
    if (!compute) return false;
    const owned = this.ownedWorks(compute, key);
    const replicaSet = service.store.get(key);
    const workspace = clusters.resolve(key.cluster);
    if (!replicaSet || !workspace) {
      for (const work of owned) this.deleteWork(writes, compute, work);
      return false;
    }
    const decided = this.decidedClusters(key);
    const template = isPlainObject(replicaSet.spec) ? replicaSet.spec.manifestWorkTemplate : undefined;
    const manifests = jsonObjects(getField(template, 'workload.manifests'));
    const mapped = tenantManifests(manifests, {
      workspacePath: workspace.path,
      namespace: key.namespace,
      scopeOf: (apiVersion, kind) => this.scopeOf(workspace, apiVersion, kind),
    });
    if (!mapped.ok) {
      // Refused manifests change nothing on the clusters: what was delivered before stays.
      this.writeStatus(writes, workspace, replicaSet, decided, owned, {
        type: MANIFEST_WORK_APPLIED,
        status: 'False',
        reason: REASON_INVALID_MANIFESTS,
        message: mapped.message,
      });
      return false;
    }
    const wanted = new Set(decided.clusters);
    for (const work of owned) {
      if (!wanted.has(work.metadata.namespace ?? '')) this.deleteWork(writes, compute, work);
    }
    const byCluster = new Map(owned.map((work) => [work.metadata.namespace ?? '', work]));
    const plans = decided.clusters.map((cluster) => {
      const desired = this.desiredWork(
        workspace,
        key,
        isPlainObject(template) ? template : {},
        mapped,
        cluster,
      );
      const work = byCluster.get(cluster);
      return { cluster, desired, work, upToDate: work !== undefined && holds(work, desired) };
    });
    const now = new Set(
      clustersToWrite(plans, rolloutOf(replicaSet, plans.length), decisionGroupsOf(decided.firstRef)),
    );
    const works: KubeObject[] = [];
    for (const plan of plans) {
      if (now.has(plan.cluster)) works.push(this.ensureWork(writes, compute, plan.cluster, plan.desired));
      else if (plan.work) works.push(plan.work);
    }
    const waiting = plans.filter((plan) => !plan.upToDate && !now.has(plan.cluster)).length;
    this.writeStatus(writes, workspace, replicaSet, decided, works, undefined, waiting);
    return false;
  }

  // --- reading ----------------------------------------------------------------------------------------

  private ownedWorks(compute: ClusterRef, key: ObjectKey): KubeObject[] {
    const hash = ownerHash(key);
    return this.deps.service.store
      .list({ cluster: compute.id, resource: MANIFEST_WORKS })
      .map((entry) => entry.object)
      .filter((work) => work.metadata.labels?.[OWNER_LABEL] === hash);
  }

  /** The clusters every placementRef decided, and which placements have no decision yet. */
  private decidedClusters(key: ObjectKey): {
    clusters: string[];
    missing: string[];
    refs: number;
    /** The decisions of the first placementRef, whose rollout strategy (and decision groups) rule. */
    firstRef: KubeObject[];
  } {
    const { store } = this.deps.service;
    const replicaSet = store.get(key);
    const refs = jsonObjects(getField(replicaSet, 'spec.placementRefs')).map((ref) => text(ref.name));
    const decisions = store.list({
      cluster: key.cluster,
      resource: PLACEMENT_DECISIONS,
      namespace: key.namespace,
    });
    const clusters = new Set<string>();
    const missing: string[] = [];
    const firstRef: KubeObject[] = [];
    for (const ref of refs) {
      const mine = decisions.filter((entry) => entry.object.metadata.labels?.[PLACEMENT_LABEL] === ref);
      if (ref === refs[0]) firstRef.push(...mine.map((entry) => entry.object));
      if (mine.length === 0) missing.push(ref);
      for (const entry of mine)
        for (const decision of jsonObjects(getField(entry.object, 'status.decisions')))
          if (text(decision.clusterName)) clusters.add(text(decision.clusterName));
    }
    return { clusters: [...clusters].sort(), missing, refs: refs.length, firstRef };
  }

  private scopeOf(workspace: ClusterRef, apiVersion: string, kind: string): KindScope | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const def = this.deps.registry
      .all(workspace)
      .find((d) => d.group === group && d.version === version && d.kind === kind);
    return def?.scope;
  }

  // --- writing ----------------------------------------------------------------------------------------

  private desiredWork(
    workspace: ClusterRef,
    key: ObjectKey,
    template: JsonObject,
    mapped: { namespace: string; manifests: JsonObject[] },
    clusterName: string,
  ): KubeObject {
    const spec: JsonObject = { ...template, workload: { manifests: mapped.manifests } };
    if (template.manifestConfigs !== undefined)
      spec.manifestConfigs = tenantManifestConfigs(
        template.manifestConfigs,
        key.namespace,
        mapped.namespace,
      ) as JsonObject[];
    // Deleting one tenant's work must not take the shared member namespace with it while another
    // work of the same tenant still lives there: OCM's selective orphaning keeps it.
    const policy = text(getField(template, 'deleteOption.propagationPolicy'));
    if (policy !== 'Orphan')
      spec.deleteOption = {
        propagationPolicy: 'SelectivelyOrphan',
        selectivelyOrphans: {
          orphaningRules: [{ group: '', resource: 'namespaces', name: mapped.namespace }],
        },
      };
    return {
      apiVersion: `${WORK_GROUP}/v1`,
      kind: 'ManifestWork',
      metadata: {
        name: manifestWorkName(workspace.path, key.namespace, key.name),
        namespace: clusterName,
        labels: {
          ...tenantLabels(workspace.path, key.namespace),
          [REPLICA_SET_LABEL]: `${key.namespace}.${key.name}`.slice(0, 63),
          [OWNER_LABEL]: ownerHash(key),
        },
        annotations: { [OWNER_ANNOTATION]: ownerId(key) },
      },
      spec,
    };
  }

  private ensureWork(
    writes: TransactionWrites,
    compute: ClusterRef,
    clusterName: string,
    desired: KubeObject,
  ): KubeObject {
    const { registry } = this.deps;
    const def = registry.get(MANIFEST_WORKS);
    const scope: RequestScope = { cluster: compute, user: SYSTEM_USER, namespace: clusterName };
    this.ensureNamespace(writes, compute, clusterName);
    const name = desired.metadata.name ?? '';
    const current = writes.find(def, scope, name);
    if (!current) return writes.create(def, scope, desired);
    if (holds(current, desired)) return current;
    return writes.update(def, scope, name, {
      ...current,
      metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...desired.metadata.labels } },
      spec: desired.spec,
    });
  }

  /** OCM keeps a namespace per cluster on the hub; a cluster registered by hand may not have one yet. */
  private ensureNamespace(writes: TransactionWrites, compute: ClusterRef, name: string): void {
    const { registry } = this.deps;
    const def = registry.get('namespaces');
    const scope: RequestScope = { cluster: compute, user: SYSTEM_USER };
    if (writes.find(def, scope, name)) return;
    writes.create(def, scope, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  private deleteWork(writes: TransactionWrites, compute: ClusterRef, work: KubeObject): void {
    const def = this.deps.registry.get(MANIFEST_WORKS);
    const scope: RequestScope = {
      cluster: compute,
      user: SYSTEM_USER,
      namespace: work.metadata.namespace ?? '',
    };
    try {
      writes.delete(def, scope, work.metadata.name ?? '');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }

  private writeStatus(
    writes: TransactionWrites,
    workspace: ClusterRef,
    replicaSet: KubeObject,
    decided: { clusters: string[]; missing: string[]; refs: number },
    works: readonly KubeObject[],
    refused?: WantedCondition,
    /** Clusters a progressive rollout has not reached yet. */
    waiting = 0,
  ): void {
    const summary = summarise(works, decided.clusters.length);
    const verified: WantedCondition =
      decided.missing.length > 0 || decided.refs === 0
        ? {
            type: PLACEMENT_VERIFIED,
            status: 'False',
            reason: REASON_DECISION_NOT_FOUND,
            message:
              decided.refs === 0
                ? 'no placementRefs'
                : `no decision for placement ${decided.missing.join(', ')}`,
          }
        : decided.clusters.length === 0
          ? {
              type: PLACEMENT_VERIFIED,
              status: 'False',
              reason: REASON_DECISION_EMPTY,
              message: 'the placements decided no cluster',
            }
          : { type: PLACEMENT_VERIFIED, status: 'True', reason: REASON_AS_EXPECTED, message: '' };
    const rolledOut: WantedCondition =
      !refused && waiting === 0 && works.length === decided.clusters.length
        ? { type: PLACEMENT_ROLLED_OUT, status: 'True', reason: REASON_COMPLETE, message: '' }
        : {
            type: PLACEMENT_ROLLED_OUT,
            status: 'False',
            reason: REASON_PROGRESSING,
            message: waiting > 0 ? `${waiting} clusters wait for the rollout to reach them` : '',
          };
    const conditions = withTransitions(
      [verified, rolledOut, refused ?? appliedCondition(summary, failures(works))],
      getField(replicaSet, 'status.conditions'),
      replicaSet.metadata.generation ?? 1,
      this.now(),
    );
    const status = { summary, conditions };
    if (deepEqual(replicaSet.status, status)) return;
    const { registry } = this.deps;
    const scope: RequestScope = {
      cluster: workspace,
      user: SYSTEM_USER,
      namespace: replicaSet.metadata.namespace ?? '',
    };
    writes.update(
      registry.get(MANIFEST_WORK_REPLICA_SETS),
      scope,
      replicaSet.metadata.name ?? '',
      { ...replicaSet, status },
      { subresource: 'status' },
    );
  }
}
