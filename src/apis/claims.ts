import { InvalidInputError } from '../cli/errors.js';
import type { AcceptablePermissionClaim, APIBinding, PermissionClaim } from './types.js';

/** `resource.group` (split at the first dot; `core` or no group is the core group), as kcp's bind plugin reads it. */
export function parsePermissionClaim(text: string): { group: string; resource: string } {
  const dot = text.indexOf('.');
  const resource = dot < 0 ? text : text.slice(0, dot);
  const group = dot < 0 ? '' : text.slice(dot + 1);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(resource) || (group !== '' && !/^[a-z0-9.-]+$/.test(group))) {
    throw new InvalidInputError(`invalid permission claim "${text}": use RESOURCE.GROUP, e.g. secrets.core`);
  }
  return { resource, group: group === 'core' ? '' : group };
}

export function acceptedClaim(text: string): AcceptablePermissionClaim {
  return { ...parsePermissionClaim(text), verbs: ['*'], selector: { matchAll: true }, state: 'Accepted' };
}

/** kcp's spelling of a claim in messages: `resource` for the core group, `resource.group` otherwise. */
export function claimLabel(claim: Pick<PermissionClaim, 'group' | 'resource' | 'identityHash'>): string {
  const name = claim.group ? `${claim.resource}.${claim.group}` : claim.resource;
  return claim.identityHash ? `${name}:${claim.identityHash}` : name;
}

const sameClaim = (a: PermissionClaim, b: PermissionClaim) =>
  a.group === b.group && a.resource === b.resource && (a.identityHash ?? '') === (b.identityHash ?? '');

/** The warnings kcp's `ws use` prints after a switch, for claims an export asks for and the binding left open. */
export function claimWarnings(binding: APIBinding): string[] {
  const warnings: string[] = [];
  const specified = binding.spec.permissionClaims ?? [];
  for (const exported of binding.status?.exportPermissionClaims ?? []) {
    const match = specified.find((claim) => sameClaim(claim, exported));
    const label = claimLabel(exported);
    if (!match) {
      warnings.push(
        `Warning: claim for ${label} exported but not specified on APIBinding ${binding.metadata.name}\nAdd this claim to the APIBinding's Spec.`,
      );
    } else if (match.state !== 'Accepted' && match.state !== 'Rejected') {
      warnings.push(
        `Warning: claim for ${label} specified on APIBinding ${binding.metadata.name} but not accepted or rejected.`,
      );
    }
  }
  return warnings;
}
