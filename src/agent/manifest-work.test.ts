import { describe, expect, it } from 'vitest';
import type { DeleteOption } from '../client/ocm-work.js';
import { isOrphaned } from './manifest-work.js';

const configMap = { group: '', resource: 'configmaps', namespace: 'apps', name: 'settings' };
const deployment = { group: 'apps', resource: 'deployments', namespace: 'apps', name: 'web' };
const selectively = (...orphaningRules: object[]): DeleteOption =>
  ({ propagationPolicy: 'SelectivelyOrphan', selectivelyOrphans: { orphaningRules } }) as DeleteOption;

describe('isOrphaned: what a deleteOption leaves on the member', () => {
  it.each([
    ['no deleteOption (Foreground)', undefined, configMap, false],
    ['Foreground', { propagationPolicy: 'Foreground' }, configMap, false],
    ['Orphan', { propagationPolicy: 'Orphan' }, deployment, true],
    [
      'SelectivelyOrphan, a rule naming the object (core group left out)',
      selectively({ resource: 'configmaps', namespace: 'apps', name: 'settings' }),
      configMap,
      true,
    ],
    [
      'SelectivelyOrphan, a rule for another object',
      selectively({ resource: 'configmaps', namespace: 'apps', name: 'settings' }),
      deployment,
      false,
    ],
    [
      'SelectivelyOrphan, the right name in another group',
      selectively({ group: 'apps', resource: 'configmaps', namespace: 'apps', name: 'settings' }),
      configMap,
      false,
    ],
    [
      'SelectivelyOrphan, the right name in another namespace',
      selectively({ resource: 'configmaps', namespace: 'other', name: 'settings' }),
      configMap,
      false,
    ],
    ['SelectivelyOrphan without rules', selectively(), configMap, false],
  ] as [string, DeleteOption | undefined, typeof configMap, boolean][])(
    '%s',
    (_, option, object, orphaned) => {
      expect(isOrphaned(option, object)).toBe(orphaned);
    },
  );
});
