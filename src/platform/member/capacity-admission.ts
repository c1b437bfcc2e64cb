import { deepEqual, type KubeObject } from '../api/object.js';
import type { HookContext, ResourceDefinition, ResourceHooks } from '../api/registry.js';
import { groupResource } from '../api/registry.js';
import { forbidden } from '../http/errors.js';
import { SIMULATED_ANNOTATION, SIMULATED_WORKLOADS } from './simulated.js';
import {
  addAmounts,
  capacityShortfalls,
  nodeAllocatable,
  shortfallMessage,
  workloadDemand,
  type ResourceAmounts,
} from './workload-demand.js';

// A dev member's admission for the workload kinds it simulates: it marks them simulated (a mutating step)
// and refuses, with 403 as ResourceQuota's admission does, a workload whose pods would not fit on the
// member's Nodes beside what is already there. Without the refusal placement by capacity would show nothing:
// a member that runs no containers would take any size.

const NODES = 'nodes';

function markSimulated(object: KubeObject): void {
  (object.metadata.annotations ??= {})[SIMULATED_ANNOTATION] = 'true';
}

/** What the other simulated workloads of the member ask for; `except` is the object being written. */
function usedOnMember(ctx: HookContext, except: { resource: string; namespace: string; name: string }) {
  const used: ResourceAmounts = {};
  for (const resource of SIMULATED_WORKLOADS) {
    for (const entry of ctx.tx.list({ cluster: ctx.cluster.id, resource })) {
      const self =
        resource === except.resource &&
        entry.key.namespace === except.namespace &&
        entry.key.name === except.name;
      if (!self && !entry.object.metadata.deletionTimestamp) addAmounts(used, workloadDemand(entry.object));
    }
  }
  return used;
}

function grows(next: ResourceAmounts, old: ResourceAmounts): boolean {
  return Object.entries(next).some(([resource, value]) => value > (old[resource] ?? 0));
}

function admitCapacity(
  def: ResourceDefinition,
  object: KubeObject,
  old: KubeObject | undefined,
  ctx: HookContext,
) {
  const requested = workloadDemand(object);
  // As quota admission does: a write that asks for no more than before is never refused (a status write,
  // a relabel, a scale-down), even on a member that is over its capacity already.
  if (old && (deepEqual(object.spec, old.spec) || !grows(requested, workloadDemand(old)))) return;
  const resource = groupResource(def);
  const name = object.metadata.name ?? '';
  const allocatable = nodeAllocatable(
    ctx.tx.list({ cluster: ctx.cluster.id, resource: NODES }).map((entry) => entry.object),
  );
  const used = usedOnMember(ctx, { resource, namespace: object.metadata.namespace ?? '', name });
  const shortfalls = capacityShortfalls(allocatable, used, requested);
  if (shortfalls.length === 0) return;
  throw forbidden(`${resource} "${name}" is forbidden: ${shortfallMessage(ctx.cluster.path, shortfalls)}`, {
    name,
    group: def.group,
    kind: def.resource,
  });
}

/** The definition with the member's admission around its own hooks (defaulting and validation run first). */
export function withMemberAdmission(def: ResourceDefinition): ResourceDefinition {
  const own: ResourceHooks = def.hooks ?? {};
  return {
    ...def,
    hooks: {
      ...own,
      prepareCreate: (object, ctx) => {
        own.prepareCreate?.(object, ctx);
        markSimulated(object);
      },
      prepareUpdate: (object, old, ctx) => {
        own.prepareUpdate?.(object, old, ctx);
        markSimulated(object);
      },
      validate: (object, old, ctx) => {
        const errors = own.validate?.(object, old, ctx) ?? [];
        if (errors.length === 0) admitCapacity(def, object, old, ctx);
        return errors;
      },
    },
  };
}
