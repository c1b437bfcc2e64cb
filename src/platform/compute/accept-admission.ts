import type { KubeObject } from '../api/object.js';
import type { HookContext, ResourceDefinition } from '../api/registry.js';
import type { Authorizer } from '../auth/authorize.js';
import type { FieldError } from '../http/errors.js';
import { BOOTSTRAP_NAMESPACE } from '../../shared/join-identities.js';

// OCM's ManagedCluster admission, the part that keeps joining a double opt-in: only someone who may update
// `managedclusters/accept` sets hubAcceptsClient to true (so a bootstrap identity cannot accept itself), and a
// bootstrap identity of `kplane cluster join-command NAME` registers the cluster NAME and no other (RBAC cannot
// narrow a create by name: the name is in the body).

const BOOTSTRAP_USER_PREFIX = `system:serviceaccount:${BOOTSTRAP_NAMESPACE}:`;

function acceptErrors(
  authorizer: Authorizer,
  object: KubeObject,
  old: KubeObject | undefined,
  ctx: HookContext,
): FieldError[] {
  const errors: FieldError[] = [];
  const accepts = (o: KubeObject | undefined) =>
    (o?.spec as { hubAcceptsClient?: unknown })?.hubAcceptsClient === true;
  const name = object.metadata.name ?? '';
  if (accepts(object) && !accepts(old)) {
    const mayAccept = authorizer.authorize(ctx.user, ctx.cluster, {
      kind: 'resource',
      verb: 'update',
      group: 'cluster.open-cluster-management.io',
      resource: 'managedclusters',
      subresource: 'accept',
      name,
    });
    if (!mayAccept)
      errors.push({
        type: 'Forbidden',
        field: 'spec.hubAcceptsClient',
        detail: `user "${ctx.user.name}" cannot update the HubAcceptsClient field: the compute owner accepts a cluster (kplane cluster accept ${name})`,
      });
  }
  if (!old && ctx.user.name.startsWith(BOOTSTRAP_USER_PREFIX)) {
    const allowed = ctx.user.name.slice(BOOTSTRAP_USER_PREFIX.length);
    if (name !== allowed)
      errors.push({
        type: 'Forbidden',
        field: 'metadata.name',
        detail: `the bootstrap identity of cluster "${allowed}" may register only that cluster`,
      });
  }
  return errors;
}

/** The ManagedCluster definition with the accept admission after its own validation. */
export function withAcceptAdmission(def: ResourceDefinition, authorizer: Authorizer): ResourceDefinition {
  const own = def.hooks?.validate;
  return {
    ...def,
    hooks: {
      ...def.hooks,
      validate(object, old, ctx) {
        return [...(own ? own(object, old, ctx) : []), ...acceptErrors(authorizer, object, old, ctx)];
      },
    },
  };
}
