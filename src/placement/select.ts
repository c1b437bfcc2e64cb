// The select stage: take the best-ranked clusters, up to numberOfClusters, while keeping every spread
// constraint's skew (picks in the fullest domain minus picks in the emptiest) within maxSkew.
//
// Greedy, one pick at a time, always the best-ranked cluster whose pick keeps the skew. Clusters are grouped
// by their tuple of topology values, so a step looks at one head per group rather than at every cluster.
// - ScheduleAnyway (the default) compares only with domains that still have candidates: a domain that ran out
//   no longer holds the others back. So with maxSkew 1 no domain gets a second pick while another domain still
//   has an unpicked candidate. A cluster without the topology key is picked only when no keyed one can be.
// - DoNotSchedule compares with every domain that had a candidate; once no pick keeps the skew, selection stops
//   and the rest stays unscheduled (OCM's spread enhancement: maxSkew is a hard limit). A cluster without the
//   topology key cannot be placed in the spread, so it is not chosen.
// With several constraints, earlier ones matter more: when no cluster keeps every constraint, the last
// ScheduleAnyway constraint is given up first for that pick.
import type { CandidateReason } from './schedule-types.js';
import type { Labels, SpreadConstraint } from './types.js';

export interface RankedCandidate {
  name: string;
  score: number;
  labels: Labels;
  claims: Labels;
}

export interface SelectOutcome {
  /** Names of the chosen clusters, in the order they were picked. */
  chosen: string[];
  /** Why each feasible cluster that was not chosen lost. */
  rejected: Map<string, CandidateReason>;
  /** True when a DoNotSchedule constraint stopped selection before numberOfClusters was reached. */
  stoppedBySpread: boolean;
}

interface Constraint {
  key: string;
  type: 'Label' | 'Claim';
  maxSkew: number;
  hard: boolean;
}

interface Group {
  /** One topology value per constraint; undefined where the cluster lacks a ScheduleAnyway key. */
  domains: (string | undefined)[];
  complete: boolean;
  /** Ranks (indices into the ranked list) of the group's clusters, best first. */
  members: number[];
  next: number;
  /** The last time the group's best cluster was held back: which constraint, and the counts then. */
  heldBack?: HeldBack;
}

interface HeldBack {
  constraint: number;
  domain: string;
  picks: number;
  fewestDomain: string | undefined;
  fewestPicks: number;
}

function normalize(constraints: readonly SpreadConstraint[]): Constraint[] {
  return constraints.map((c) => ({
    key: c.topologyKey,
    type: c.topologyKeyType ?? 'Label',
    maxSkew: c.maxSkew ?? 1,
    hard: c.whenUnsatisfiable === 'DoNotSchedule',
  }));
}

function topologyValue(candidate: RankedCandidate, c: Constraint): string | undefined {
  const source = c.type === 'Claim' ? candidate.claims : candidate.labels;
  return Object.hasOwn(source, c.key) ? source[c.key] : undefined;
}

/** Picks per domain, per constraint, and how many unpicked candidates each domain still has. */
class Tally {
  readonly picked: Map<string, number>[];
  readonly left: Map<string, number>[];

  constructor(readonly constraints: readonly Constraint[]) {
    this.picked = constraints.map(() => new Map());
    this.left = constraints.map(() => new Map());
  }

  add(domains: readonly (string | undefined)[]): void {
    domains.forEach((d, c) => {
      if (d === undefined) return;
      (this.picked[c] as Map<string, number>).set(d, (this.picked[c] as Map<string, number>).get(d) ?? 0);
      (this.left[c] as Map<string, number>).set(d, ((this.left[c] as Map<string, number>).get(d) ?? 0) + 1);
    });
  }

  pick(domains: readonly (string | undefined)[]): void {
    domains.forEach((d, c) => {
      if (d === undefined) return;
      const picked = this.picked[c] as Map<string, number>;
      const left = this.left[c] as Map<string, number>;
      picked.set(d, (picked.get(d) ?? 0) + 1);
      left.set(d, (left.get(d) ?? 0) - 1);
    });
  }
}

/** Per constraint, the two smallest pick counts among compared domains, so a step checks a group in O(1). */
interface Minima {
  min1: number;
  argmin: string | undefined;
  min2: number;
  arg2: string | undefined;
}

function minima(tally: Tally, c: number): Minima {
  const constraint = tally.constraints[c] as Constraint;
  const left = tally.left[c] as Map<string, number>;
  const m: Minima = { min1: Infinity, argmin: undefined, min2: Infinity, arg2: undefined };
  for (const [domain, picks] of tally.picked[c] as Map<string, number>) {
    if (!constraint.hard && (left.get(domain) ?? 0) <= 0) continue;
    if (picks < m.min1) {
      m.min2 = m.min1;
      m.arg2 = m.argmin;
      m.min1 = picks;
      m.argmin = domain;
    } else if (picks < m.min2) {
      m.min2 = picks;
      m.arg2 = domain;
    }
  }
  return m;
}

/** Undefined when picking the group's best cluster keeps every active constraint's skew; else what it breaks. */
function heldBackBy(
  group: Group,
  tally: Tally,
  active: readonly number[],
  mins: readonly Minima[],
): HeldBack | undefined {
  for (const c of active) {
    const d = group.domains[c];
    if (d === undefined) continue;
    const m = mins[c] as Minima;
    const [fewestPicks, fewestDomain] = m.argmin === d ? [m.min2, m.arg2] : [m.min1, m.argmin];
    const picks = (tally.picked[c] as Map<string, number>).get(d) ?? 0;
    if (picks + 1 - fewestPicks > (tally.constraints[c] as Constraint).maxSkew)
      return { constraint: c, domain: d, picks, fewestDomain, fewestPicks };
  }
  return undefined;
}

function spreadReason(group: Group, constraints: readonly Constraint[]): CandidateReason {
  const held = group.heldBack;
  if (held === undefined) {
    const missing = constraints.find((_, c) => group.domains[c] === undefined);
    const what =
      missing === undefined
        ? 'held back by the spread'
        : `no ${missing.type === 'Claim' ? 'claim' : 'label'} ${missing.key}, so clusters that have one come first`;
    return { code: 'spread-limit', message: `spread limit: ${what}` };
  }
  const { key, maxSkew } = constraints[held.constraint] as Constraint;
  const fewest =
    held.fewestDomain === undefined ? '' : `; ${key}=${held.fewestDomain} has ${held.fewestPicks}`;
  return {
    code: 'spread-limit',
    message: `spread limit: ${key}=${held.domain} already has ${held.picks} (maxSkew ${maxSkew}${fewest})`,
  };
}

function scoreReason(candidate: RankedCandidate, last: RankedCandidate | undefined): CandidateReason {
  if (last === undefined)
    return { code: 'lost-to-higher-score', message: 'not needed: numberOfClusters is 0' };
  const message =
    candidate.score < last.score
      ? `lost to a higher score (${candidate.score} < ${last.score} of the last chosen, ${last.name})`
      : `lost to a higher score (${candidate.score} = ${last.score} of the last chosen, ${last.name}; equal scores go by name)`;
  return { code: 'lost-to-higher-score', message };
}

/**
 * Chooses from `ranked` (best first: score descending, then name ascending) at most `count` clusters (all
 * when undefined) under the spread constraints.
 */
export function selectClusters(
  ranked: readonly RankedCandidate[],
  count: number | undefined,
  spreadConstraints: readonly SpreadConstraint[],
): SelectOutcome {
  const limit = Math.min(count ?? ranked.length, ranked.length);
  const constraints = normalize(spreadConstraints);
  const rejected = new Map<string, CandidateReason>();
  const chosenRanks: number[] = [];
  const tally = new Tally(constraints);
  const groups = new Map<string, Group>();

  ranked.forEach((candidate, rank) => {
    const domains = constraints.map((c) => topologyValue(candidate, c));
    const missingHard = constraints.find((c, i) => c.hard && domains[i] === undefined);
    if (missingHard !== undefined) {
      rejected.set(candidate.name, {
        code: 'spread-limit',
        message: `spread limit: no ${missingHard.type === 'Claim' ? 'claim' : 'label'} ${missingHard.key} to spread on (whenUnsatisfiable DoNotSchedule)`,
      });
      return;
    }
    const key = domains.map((d) => (d === undefined ? '\u0000' : `=${d}`)).join('\u0001');
    let group = groups.get(key);
    if (group === undefined) {
      group = { domains, complete: domains.every((d) => d !== undefined), members: [], next: 0 };
      groups.set(key, group);
    }
    group.members.push(rank);
    tally.add(domains);
  });

  const soft = constraints.flatMap((c, i) => (c.hard ? [] : [i]));
  const hard = constraints.flatMap((c, i) => (c.hard ? [i] : []));
  const groupList = [...groups.values()];
  let stoppedBySpread = false;

  while (chosenRanks.length < limit) {
    const mins = constraints.map((_, c) => minima(tally, c));
    let pick: Group | undefined;
    // Give up ScheduleAnyway constraints from the last one only when no cluster keeps them all.
    for (let relaxed = 0; relaxed <= soft.length && pick === undefined; relaxed++) {
      const active = [...hard, ...soft.slice(0, soft.length - relaxed)];
      for (const wantComplete of [true, false]) {
        for (const g of groupList) {
          if (g.next >= g.members.length || g.complete !== wantComplete) continue;
          if (pick !== undefined && (g.members[g.next] as number) > (pick.members[pick.next] as number))
            continue;
          const held = heldBackBy(g, tally, active, mins);
          if (held === undefined) pick = g;
          else g.heldBack = held;
        }
        if (pick !== undefined) break;
      }
    }
    if (pick === undefined) {
      stoppedBySpread = groupList.some((g) => g.next < g.members.length);
      break;
    }
    chosenRanks.push(pick.members[pick.next] as number);
    pick.next++;
    tally.pick(pick.domains);
  }

  const lastRank = chosenRanks.reduce((max, r) => Math.max(max, r), -1);
  const last = lastRank < 0 ? undefined : ranked[lastRank];
  for (const g of groupList) {
    for (const rank of g.members.slice(g.next)) {
      const candidate = ranked[rank] as RankedCandidate;
      const spreadHeldBack = constraints.length > 0 && (stoppedBySpread || rank < lastRank);
      rejected.set(
        candidate.name,
        spreadHeldBack ? spreadReason(g, constraints) : scoreReason(candidate, last),
      );
    }
  }

  return { chosen: chosenRanks.map((r) => (ranked[r] as RankedCandidate).name), rejected, stoppedBySpread };
}
