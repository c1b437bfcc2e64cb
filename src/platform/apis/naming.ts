import type { ResourceNames } from './types.js';

// kcp's naming-conflict check (apibinding controller, namesConflict): a resource may not be bound
// into a workspace when a resource already served there, in the same group, claims one of its
// names. Pure, so the controller and its tests share it.

export interface NamedResource {
  group: string;
  names: ResourceNames;
}

/** Who already serves a resource in the workspace: a bound API (by binding) or a built-in one. */
export interface NameOwner extends NamedResource {
  /** How the conflict message names the owner, e.g. `APIBinding "first"`. */
  owner: string;
}

const singularOf = (names: ResourceNames) => names.singular || names.kind.toLowerCase();
const listKindOf = (names: ResourceNames) => names.listKind || `${names.kind}List`;

/** Which of `candidate`'s names `existing` already takes, as kcp words it; undefined if none. */
export function namesConflict(existing: NamedResource, candidate: NamedResource): string | undefined {
  if (existing.group !== candidate.group) return undefined;
  const taken = new Set([
    existing.names.plural,
    singularOf(existing.names),
    ...(existing.names.shortNames ?? []),
  ]);
  const names = candidate.names;
  if (taken.has(names.plural)) return `spec.names.plural=${names.plural} is forbidden`;
  if (taken.has(singularOf(names))) return `spec.names.singular=${singularOf(names)} is forbidden`;
  const shortNames = names.shortNames ?? [];
  if (shortNames.some((short) => taken.has(short)))
    return `spec.names.shortNames=[${shortNames.join(' ')}] is forbidden`;
  if (existing.names.kind === names.kind) return `spec.names.kind=${names.kind} is forbidden`;
  if (listKindOf(existing.names) === listKindOf(names))
    return `spec.names.listKind=${listKindOf(names)} is forbidden`;
  return undefined;
}

/**
 * The first conflict between what a binding would add and what the workspace already serves,
 * worded to say who already provides the name; undefined when everything can be bound.
 */
export function findNamingConflict(
  candidates: readonly NamedResource[],
  owners: readonly NameOwner[],
): string | undefined {
  for (const candidate of candidates) {
    for (const owner of owners) {
      const detail = namesConflict(owner, candidate);
      if (detail) {
        const served = owner.group ? `${owner.names.plural}.${owner.group}` : owner.names.plural;
        return `naming conflict with ${owner.owner}, which already provides ${served}: ${detail}`;
      }
    }
  }
  return undefined;
}
