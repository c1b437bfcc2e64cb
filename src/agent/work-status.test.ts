import { describe, expect, it } from 'vitest';
import type { ApplyOutcome } from './apply-manifest.js';
import { workStatusFor } from './work-status.js';

const meta = (ordinal: number, name: string) => ({
  ordinal,
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  name,
  namespace: 'apps',
});
const applied = (ordinal: number, name: string): ApplyOutcome => ({
  resourceMeta: meta(ordinal, name),
  applied: true,
  uid: `uid-${name}`,
  message: 'applied by server-side apply',
});
const refused = (ordinal: number, name: string): ApplyOutcome => ({
  resourceMeta: meta(ordinal, name),
  applied: false,
  uid: '',
  message: 'ConfigMap "Bad" is invalid',
});
const type = (conditions: { type: string; status: string }[] | undefined, name: string) =>
  conditions?.find((c) => c.type === name)?.status;

describe('workStatusFor', () => {
  it('is Applied and Available when every manifest applied', () => {
    const status = workStatusFor([applied(0, 'a'), applied(1, 'b')], undefined, 3, 'T1');
    expect(type(status.conditions, 'Applied')).toBe('True');
    expect(type(status.conditions, 'Available')).toBe('True');
    expect(status.conditions?.[0]?.observedGeneration).toBe(3);
  });

  it("fails the work when one manifest fails, keeping the member's message on that manifest", () => {
    const status = workStatusFor([applied(0, 'a'), refused(1, 'Bad')], undefined, 1, 'T1');
    expect(type(status.conditions, 'Applied')).toBe('False');
    const bad = status.resourceStatus?.manifests?.[1];
    expect(type(bad?.conditions, 'Applied')).toBe('False');
    expect(bad?.conditions.find((c) => c.type === 'Applied')?.message).toContain('is invalid');
    expect(type(status.resourceStatus?.manifests?.[0]?.conditions, 'Applied')).toBe('True');
  });

  it("says in the work's own Applied condition which manifest the member refused, and why", () => {
    const status = workStatusFor(
      [applied(0, 'a'), refused(1, 'Bad'), refused(2, 'Worse')],
      undefined,
      1,
      'T1',
    );
    expect(status.conditions?.find((c) => c.type === 'Applied')?.message).toBe(
      '2 of 3 manifests failed to apply; ConfigMap Bad: ConfigMap "Bad" is invalid',
    );
  });

  it('gives an identical status for an unchanged work, so the agent writes nothing', () => {
    const first = workStatusFor([applied(0, 'a')], undefined, 1, 'T1');
    const again = workStatusFor([applied(0, 'a')], first, 1, 'T2');
    expect(again).toEqual(first);
    const changed = workStatusFor([refused(0, 'a')], first, 1, 'T3');
    expect(changed.conditions?.[0]?.lastTransitionTime).toBe('T3');
  });
});
