import { describe, expect, it } from 'vitest';
import { type SelectCandidate, selectClusters } from './select.js';
import type { SpreadConstraint } from './types.js';

/** Candidates already ranked: `name:score:region[:zone]`, best first. */
function ranked(...specs: string[]): SelectCandidate[] {
  return specs.map((spec) => {
    const [name, score, region, zone] = spec.split(':');
    const labels: Record<string, string> = {};
    if (region) labels.region = region;
    if (zone) labels.zone = zone;
    return { name: name as string, score: Number(score), labels, claims: { 'region.claim': region ?? '' } };
  });
}

const byRegion: SpreadConstraint = { topologyKey: 'region', topologyKeyType: 'Label' };

describe('selectClusters without spread', () => {
  it('takes the top N and says what the others lost to', () => {
    const outcome = selectClusters(ranked('a:300', 'b:200', 'c:200', 'd:100'), 2, []);
    expect(outcome.chosen).toEqual(['a', 'b']);
    expect(outcome.rejected.get('c')).toEqual({
      code: 'lost-to-higher-score',
      message: 'lost to a higher score (200 = 200 of the last chosen, b; equal scores go by name)',
    });
    expect(outcome.rejected.get('d')?.message).toBe(
      'lost to a higher score (100 < 200 of the last chosen, b)',
    );
  });

  it('takes every cluster when numberOfClusters is unset', () => {
    expect(selectClusters(ranked('a:1', 'b:0'), undefined, []).chosen).toEqual(['a', 'b']);
  });

  it('takes none for numberOfClusters 0', () => {
    const outcome = selectClusters(ranked('a:1'), 0, []);
    expect(outcome.chosen).toEqual([]);
    expect(outcome.rejected.get('a')?.message).toBe('not needed: numberOfClusters is 0');
  });
});

describe('selectClusters with spread (ScheduleAnyway, maxSkew 1)', () => {
  const candidates = ranked('e1:300:eu', 'e2:290:eu', 'e3:280:eu', 'u1:100:us', 'u2:90:us', 'a1:50:ap');

  it('puts no second pick in a region while another region still has a candidate', () => {
    const outcome = selectClusters(candidates, 3, [byRegion]);
    expect(outcome.chosen).toEqual(['e1', 'u1', 'a1']);
    expect(outcome.rejected.get('e2')).toEqual({
      code: 'spread-limit',
      message: 'spread limit: region=eu already has 1 (maxSkew 1; region=ap has 0)',
    });
    // u2 outscores a1 but us already had its pick while ap had none.
    expect(outcome.rejected.get('u2')?.message).toBe(
      'spread limit: region=us already has 1 (maxSkew 1; region=ap has 0)',
    );
  });

  it('fills up once a region runs out, keeping the skew among the regions that still have candidates', () => {
    expect(selectClusters(candidates, 5, [byRegion]).chosen).toEqual(['e1', 'u1', 'a1', 'e2', 'u2']);
    expect(selectClusters(candidates, undefined, [byRegion]).chosen).toEqual([
      'e1',
      'u1',
      'a1',
      'e2',
      'u2',
      'e3',
    ]);
  });

  it('maxSkew 2 lets a region run two ahead', () => {
    expect(selectClusters(candidates, 3, [{ ...byRegion, maxSkew: 2 }]).chosen).toEqual(['e1', 'e2', 'u1']);
  });

  it('reads the topology from a claim when topologyKeyType is Claim', () => {
    expect(
      selectClusters(candidates, 3, [{ topologyKey: 'region.claim', topologyKeyType: 'Claim' }]).chosen,
    ).toEqual(['e1', 'u1', 'a1']);
  });

  it('picks a cluster without the topology key only when no keyed cluster can be picked', () => {
    const outcome = selectClusters(ranked('x:999', 'e1:300:eu', 'e2:200:eu', 'u1:100:us'), 3, [byRegion]);
    expect(outcome.chosen).toEqual(['e1', 'u1', 'e2']);
    expect(selectClusters(ranked('x:999', 'e1:300:eu'), 2, [byRegion]).chosen).toEqual(['e1', 'x']);
  });
});

describe('selectClusters with spread (DoNotSchedule)', () => {
  const hard: SpreadConstraint = { ...byRegion, whenUnsatisfiable: 'DoNotSchedule' };

  it('stops when every further pick would exceed maxSkew, even against regions that ran out', () => {
    const outcome = selectClusters(ranked('e1:300:eu', 'e2:290:eu', 'e3:280:eu', 'u1:100:us'), 4, [hard]);
    expect(outcome.chosen).toEqual(['e1', 'u1', 'e2']);
    expect(outcome.stoppedBySpread).toBe(true);
    expect(outcome.rejected.get('e3')).toEqual({
      code: 'spread-limit',
      message: 'spread limit: region=eu already has 2 (maxSkew 1; region=us has 1)',
    });
  });

  it('never chooses a cluster that lacks the topology key', () => {
    const outcome = selectClusters(ranked('x:999', 'e1:300:eu'), 2, [hard]);
    expect(outcome.chosen).toEqual(['e1']);
    expect(outcome.rejected.get('x')).toEqual({
      code: 'spread-limit',
      message: 'spread limit: no label region to spread on (whenUnsatisfiable DoNotSchedule)',
    });
  });
});

describe('selectClusters input order', () => {
  it('does not depend on the order candidates arrive in', () => {
    const candidates = ranked('e1:300:eu', 'e2:300:eu', 'u1:300:us', 'u2:100:us', 'a1:50:ap', 'x:999');
    const forward = selectClusters(candidates, 4, [byRegion]);
    const backward = selectClusters([...candidates].reverse(), 4, [byRegion]);
    expect(backward.chosen).toEqual(forward.chosen);
    expect(new Map([...backward.rejected].sort())).toEqual(new Map([...forward.rejected].sort()));
    expect(forward.chosen).toEqual(['e1', 'u1', 'a1', 'e2']);
  });
});

describe('selectClusters with two constraints', () => {
  it('spreads over regions first, then over zones within them', () => {
    const candidates = ranked(
      'a:100:us:us-1a',
      'b:99:us:us-1a',
      'c:98:us:us-1b',
      'd:97:eu:eu-1a',
      'e:96:eu:eu-1a',
    );
    const outcome = selectClusters(candidates, 4, [byRegion, { topologyKey: 'zone' }]);
    expect(outcome.chosen).toEqual(['a', 'd', 'c', 'e']);
  });

  it('gives up the later ScheduleAnyway constraint first when both cannot hold', () => {
    // Zones a and b hold one cluster each in eu, the us one shares zone a: after eu/a and us/b, the third pick
    // cannot keep both skews; the zone constraint gives way, the region one holds.
    const candidates = ranked('x:100:eu:a', 'y:90:us:b', 'z:80:eu:b', 'w:70:us:b');
    const outcome = selectClusters(candidates, 3, [byRegion, { topologyKey: 'zone', maxSkew: 1 }]);
    expect(outcome.chosen).toEqual(['x', 'y', 'z']);
  });
});
