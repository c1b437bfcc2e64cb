// The select stage: take the best-ranked clusters, up to numberOfClusters, while keeping every spread
// constraint's skew (picks in the fullest domain minus picks in the emptiest) within maxSkew.
//
// Greedy, one pick at a time, always the best-ranked cluster whose pick keeps the skew. Clusters are grouped
// by their tuple of topology values, so a step looks at one head per group rather than at every cluster, and
// each group is a queue that orders only as many clusters as get taken.
// - ScheduleAnyway (the default) compares only with domains that still have candidates: a domain that ran out
//   no longer holds the others back. So with maxSkew 1 no domain gets a second pick while another domain still
//   has an unpicked candidate. A cluster without the topology key is picked only when no keyed one can be.
// - DoNotSchedule compares with every domain that had a candidate; once no pick keeps the skew, selection stops
//   and the rest stays unscheduled (OCM's spread enhancement: maxSkew is a hard limit). A cluster without the
//   topology key cannot be placed in the spread, so it is not chosen.
// With several constraints, earlier ones matter more: when no cluster keeps every constraint, the last
// ScheduleAnyway constraint is given up first for that pick.
import { RankedQueue, compareRanked } from './ranking.js';
import type { CandidateReason } from './schedule-types.js';
import type { Labels, SpreadConstraint } from './types.js';

export interface SelectCandidate {
  name: string;
  score: number;
  labels: Labels;
  claims: Labels;
}

export interface SelectOutcome<T extends SelectCandidate = SelectCandidate> {
  /** Names of the chosen clusters, in the order they were picked. */
  chosen: string[];
  /** The chosen candidates themselves, in the same order. */
  chosenCandidates: T[];
  /** Why each candidate that was not chosen lost (left empty when not explaining). */
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
  queue: RankedQueue<SelectCandidate>;
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

function topologyValue(candidate: SelectCandidate, c: Constraint): string | undefined {
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

function scoreReason(candidate: SelectCandidate, last: SelectCandidate | undefined): CandidateReason {
  if (last === undefined)
    return { code: 'lost-to-higher-score', message: 'not needed: numberOfClusters is 0' };
  const message =
    candidate.score < last.score
      ? `lost to a higher score (${candidate.score} < ${last.score} of the last chosen, ${last.name})`
      : `lost to a higher score (${candidate.score} = ${last.score} of the last chosen, ${last.name}; equal scores go by name)`;
  return { code: 'lost-to-higher-score', message };
}

/**
 * Chooses from `candidates` (in any order) at most `count` clusters (all when undefined), best-ranked first,
 * under the spread constraints. With `explain` false the reasons for the others are not worked out.
 */
export function selectClusters<T extends SelectCandidate>(
  candidates: readonly T[],
  count: number | undefined,
  spreadConstraints: readonly SpreadConstraint[],
  explain = true,
): SelectOutcome<T> {
  const limit = Math.min(count ?? candidates.length, candidates.length);
  const constraints = normalize(spreadConstraints);
  const rejected = new Map<string, CandidateReason>();
  const tally = new Tally(constraints);
  const groups = new Map<string, Group>();

  for (const candidate of candidates) {
    if (constraints.length === 0) {
      // No spread: one queue, no topology to read.
      let group = groups.get('');
      if (group === undefined) {
        group = { domains: [], complete: true, queue: new RankedQueue() };
        groups.set('', group);
      }
      group.queue.push(candidate);
      continue;
    }
    const domains = constraints.map((c) => topologyValue(candidate, c));
    const missingHard = constraints.find((c, i) => c.hard && domains[i] === undefined);
    if (missingHard !== undefined) {
      if (explain)
        rejected.set(candidate.name, {
          code: 'spread-limit',
          message: `spread limit: no ${missingHard.type === 'Claim' ? 'claim' : 'label'} ${missingHard.key} to spread on (whenUnsatisfiable DoNotSchedule)`,
        });
      continue;
    }
    const key = domains.map((d) => (d === undefined ? '\u0000' : `=${d}`)).join('\u0001');
    let group = groups.get(key);
    if (group === undefined) {
      group = { domains, complete: domains.every((d) => d !== undefined), queue: new RankedQueue() };
      groups.set(key, group);
    }
    group.queue.push(candidate);
    tally.add(domains);
  }

  const soft = constraints.flatMap((c, i) => (c.hard ? [] : [i]));
  const hard = constraints.flatMap((c, i) => (c.hard ? [i] : []));
  const groupList = [...groups.values()];
  const chosen: SelectCandidate[] = [];
  let last: SelectCandidate | undefined;
  let stoppedBySpread = false;

  while (chosen.length < limit) {
    const mins = constraints.map((_, c) => minima(tally, c));
    let pick: Group | undefined;
    // Give up ScheduleAnyway constraints from the last one only when no cluster keeps them all.
    for (let relaxed = 0; relaxed <= soft.length && pick === undefined; relaxed++) {
      const active = [...hard, ...soft.slice(0, soft.length - relaxed)];
      for (const wantComplete of [true, false]) {
        for (const g of groupList) {
          const head = g.queue.peek();
          if (head === undefined || g.complete !== wantComplete) continue;
          if (pick !== undefined && compareRanked(head, pick.queue.peek() as SelectCandidate) > 0) continue;
          const held = heldBackBy(g, tally, active, mins);
          if (held === undefined) pick = g;
          else g.heldBack = held;
        }
        if (pick !== undefined) break;
      }
    }
    if (pick === undefined) {
      stoppedBySpread = groupList.some((g) => g.queue.size > 0);
      break;
    }
    const picked = pick.queue.pop() as SelectCandidate;
    chosen.push(picked);
    if (last === undefined || compareRanked(picked, last) > 0) last = picked;
    tally.pick(pick.domains);
  }

  if (explain) {
    for (const g of groupList) {
      for (const candidate of g.queue.remaining()) {
        // Better than the last one chosen and still left out: only the spread can have held it back.
        const spreadHeldBack =
          constraints.length > 0 &&
          (stoppedBySpread || (last !== undefined && compareRanked(candidate, last) < 0));
        rejected.set(
          candidate.name,
          spreadHeldBack ? spreadReason(g, constraints) : scoreReason(candidate, last),
        );
      }
    }
  }

  return {
    chosen: chosen.map((c) => c.name),
    chosenCandidates: chosen as T[],
    rejected,
    stoppedBySpread,
  };
}
