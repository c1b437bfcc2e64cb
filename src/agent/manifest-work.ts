import type { DeleteOption, ManifestWork, OrphaningRule } from '../client/ocm-work.js';

// What the agent adds to OCM's work API (whose wire types live in src/client/ocm-work.ts): how it marks and
// names what it applied, and which of it a work's deleteOption leaves behind.

/** Marks what the agent applied, `<cluster-namespace>.<work-name>`: only objects carrying it are ever deleted. */
export const WORK_OWNER_LABEL = 'work.kplane.io/manifestwork';
export const FIELD_MANAGER = 'kplane-agent';

export function ownerKey(work: ManifestWork): string {
  return `${work.metadata.namespace}.${work.metadata.name}`;
}

/**
 * Whether the work's deleteOption leaves this object on the member when the work (or the manifest) goes: all of
 * them for Orphan, those an orphaning rule names for SelectivelyOrphan, none for Foreground (OCM's default).
 */
export function isOrphaned(
  deleteOption: DeleteOption | undefined,
  object: { group: string; resource: string; namespace: string; name: string },
): boolean {
  switch (deleteOption?.propagationPolicy) {
    case 'Orphan':
      return true;
    case 'SelectivelyOrphan':
      return (deleteOption.selectivelyOrphans?.orphaningRules ?? []).some((rule) => matches(rule, object));
    default:
      return false;
  }
}

function matches(
  rule: OrphaningRule,
  object: { group: string; resource: string; namespace: string; name: string },
): boolean {
  return (
    (rule.group ?? '') === object.group &&
    rule.resource === object.resource &&
    (rule.namespace ?? '') === object.namespace &&
    rule.name === object.name
  );
}
