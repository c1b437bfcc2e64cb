import { deepEqual, type KubeObject } from '../api/object.js';
import type { HookContext, ResourceDefinition } from '../api/registry.js';
import { SYSTEM_USER } from '../auth/user.js';
import type { FieldError } from '../http/errors.js';
import { OWNER_ANNOTATION, REPLICA_SET_LABEL } from './work-names.js';

// The marks that say which tenant's ManifestWorkReplicaSet owns a ManifestWork decide whose workspace shows
// it. An agent may update the works in its cluster's namespace (for finalizers and status), and the compute
// owner may write works by hand, so RBAC cannot keep them from moving a tenant's work into another tenant's
// view: this admission does. Only the platform's own controller sets or changes those marks, or the spec of
// a work that carries them; anyone else's write that would is refused (422), and everything else passes.

const KPLANE_PREFIX = 'work.kplane.io/';

const guarded = (key: string) => key.startsWith(KPLANE_PREFIX) || key === REPLICA_SET_LABEL;

function guardedEntries(map: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).filter(([key]) => guarded(key)));
}

const ownedByPlatform = (work: KubeObject | undefined) =>
  work?.metadata.annotations?.[OWNER_ANNOTATION] !== undefined;

function ownershipErrors(object: KubeObject, old: KubeObject | undefined, ctx: HookContext): FieldError[] {
  if (ctx.user.name === SYSTEM_USER.name) return [];
  const detail = (what: string) =>
    `${what} of a ManifestWork are written only by the platform, for the ManifestWorkReplicaSet that owns it; change that ManifestWorkReplicaSet instead (kplane deploy NAME -f FILE --placement P)`;
  const errors: FieldError[] = [];
  for (const field of ['labels', 'annotations'] as const) {
    const wanted = guardedEntries(object.metadata[field]);
    if (!deepEqual(wanted, guardedEntries(old?.metadata[field])))
      errors.push({
        type: 'Forbidden',
        field: `metadata.${field}`,
        detail: detail(`the ${KPLANE_PREFIX}* and ${REPLICA_SET_LABEL} ${field}`),
      });
  }
  if (old && ownedByPlatform(old) && !deepEqual(object.spec, old.spec))
    errors.push({ type: 'Forbidden', field: 'spec', detail: detail('the spec') });
  return errors;
}

/** The ManifestWork definition with the ownership admission after its own validation. */
export function withOwnershipAdmission(def: ResourceDefinition): ResourceDefinition {
  const own = def.hooks?.validate;
  return {
    ...def,
    hooks: {
      ...def.hooks,
      validate(object, old, ctx) {
        return [...(own ? own(object, old, ctx) : []), ...ownershipErrors(object, old, ctx)];
      },
    },
  };
}
