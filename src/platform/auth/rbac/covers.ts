import { ALL, nonResourceURLCovers, rule, type PolicyRule } from './rules.js';

// Privilege-escalation prevention, as Kubernetes' rbac/validation.Covers: a user may only write a
// role, or bind one, whose every permission they already hold. Rules are broken down into one verb
// on one resource (and name) or one path each, and each piece must be covered by a rule the user has.

/** One verb × group × resource × name, or one verb × path. */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const pieces: PolicyRule[] = [];
  for (const group of r.apiGroups) {
    for (const resource of r.resources) {
      for (const verb of r.verbs) {
        if (r.resourceNames.length === 0) {
          pieces.push(rule({ verbs: [verb], apiGroups: [group], resources: [resource] }));
        } else {
          for (const name of r.resourceNames) {
            pieces.push(
              rule({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] }),
            );
          }
        }
      }
    }
  }
  for (const url of r.nonResourceURLs) {
    for (const verb of r.verbs) pieces.push(rule({ verbs: [verb], nonResourceURLs: [url] }));
  }
  return pieces;
}

const hasAll = (set: string[], wanted: string[]) => wanted.every((item) => set.includes(item));

function resourcesCovered(owner: string[], wanted: string[]): boolean {
  if (owner.includes(ALL) || hasAll(owner, wanted)) return true;
  return wanted.every((resource) => {
    if (owner.includes(resource)) return true;
    const slash = resource.indexOf('/');
    return slash >= 0 && owner.includes(`*/${resource.slice(slash + 1)}`);
  });
}

function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  const verbs = owner.verbs.includes(ALL) || hasAll(owner.verbs, piece.verbs);
  const groups = owner.apiGroups.includes(ALL) || hasAll(owner.apiGroups, piece.apiGroups);
  const resources = resourcesCovered(owner.resources, piece.resources);
  const urls = piece.nonResourceURLs.every((url) =>
    owner.nonResourceURLs.some((ownerUrl) => nonResourceURLCovers(ownerUrl, url)),
  );
  const names =
    owner.resourceNames.length === 0 ||
    (piece.resourceNames.length > 0 && hasAll(owner.resourceNames, piece.resourceNames));
  return verbs && groups && resources && urls && names;
}

/** The pieces of `wanted` that `owned` does not cover; empty when nothing would be escalated. */
export function uncoveredRules(owned: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  return wanted
    .flatMap(breakdownRule)
    .filter((piece) => !owned.some((ownerRule) => ruleCovers(ownerRule, piece)));
}

/** `{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}`, as the apiserver prints a rule. */
export function describeRule(r: PolicyRule): string {
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
  const parts: string[] = [];
  if (r.apiGroups.length > 0) parts.push(`APIGroups:${list(r.apiGroups)}`);
  if (r.resources.length > 0) parts.push(`Resources:${list(r.resources)}`);
  if (r.resourceNames.length > 0) parts.push(`ResourceNames:${list(r.resourceNames)}`);
  if (r.nonResourceURLs.length > 0) parts.push(`NonResourceURLs:${list(r.nonResourceURLs)}`);
  parts.push(`Verbs:${list(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
