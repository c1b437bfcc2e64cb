// What makes a Placement misconfigured: the checks OCM's plugins make before they run (and report as
// `<plugin>:<message>` in the PlacementMisconfigured condition), plus the API's own field limits, because
// the local platform may store a placement that no admission webhook looked at.
import { labelKeyProblem, labelSelectorProblem, requirementsProblem } from './label-selector.js';
import { resolveWeights } from './prioritizers.js';
import { tolerationsProblem } from './taints.js';
import type { PlacementSpec } from './types.js';

const MAX_SPREAD_CONSTRAINTS = 8;

function predicatesProblem(spec: PlacementSpec): string | undefined {
  for (const p of spec.predicates ?? []) {
    const selector = p.requiredClusterSelector;
    const problem =
      labelSelectorProblem(selector?.labelSelector) ??
      requirementsProblem(selector?.claimSelector?.matchExpressions ?? []);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function spreadProblem(spec: PlacementSpec): string | undefined {
  const constraints = spec.spreadPolicy?.spreadConstraints ?? [];
  if (constraints.length > MAX_SPREAD_CONSTRAINTS)
    return `at most ${MAX_SPREAD_CONSTRAINTS} spread constraints, found ${constraints.length}`;
  for (const c of constraints) {
    const keyProblem = labelKeyProblem(c.topologyKey ?? '');
    if (keyProblem !== undefined) return `topologyKey: ${keyProblem}`;
    if (c.topologyKeyType !== undefined && c.topologyKeyType !== 'Label' && c.topologyKeyType !== 'Claim')
      return `topologyKeyType ${JSON.stringify(c.topologyKeyType as string)} is not Label or Claim`;
    if (c.maxSkew !== undefined && (!Number.isInteger(c.maxSkew) || c.maxSkew < 1))
      return `maxSkew ${c.maxSkew} is not a whole number of at least 1`;
    const when = c.whenUnsatisfiable;
    if (when !== undefined && when !== 'DoNotSchedule' && when !== 'ScheduleAnyway')
      return `whenUnsatisfiable ${JSON.stringify(when as string)} is not DoNotSchedule or ScheduleAnyway`;
  }
  return undefined;
}

/** OCM-style `<plugin>:<message>` for the first problem found, or undefined for a placement that can run. */
export function placementSpecProblem(spec: PlacementSpec): string | undefined {
  const n = spec.numberOfClusters;
  if (n !== undefined && (!Number.isInteger(n) || n < 0))
    return `Placement:numberOfClusters ${n} is not a whole number of at least 0`;
  const checks: Array<[string, string | undefined]> = [
    ['Predicate', predicatesProblem(spec)],
    ['TaintToleration', tolerationsProblem(spec.tolerations ?? [])],
    ['PrioritizerPolicy', resolveWeights(spec.prioritizerPolicy).problem],
    ['SpreadPolicy', spreadProblem(spec)],
  ];
  for (const [plugin, problem] of checks) if (problem !== undefined) return `${plugin}:${problem}`;
  return undefined;
}
