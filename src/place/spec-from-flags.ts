import { InvalidInputError } from '../cli/errors.js';
import {
  LabelSelectorSyntaxError,
  parseLabelSelector,
  placementSpecProblem,
  type PlacementSpec,
  type PrioritizerConfig,
  type TaintEffect,
  type Toleration,
} from '../placement/index.js';

export interface PlacementFlags {
  where: string[];
  clusters?: number;
  spread?: string;
  prefer: string[];
  tolerate: string[];
  clusterSets: string[];
}

const prioritizerByPreference: Record<string, string> = {
  cpu: 'ResourceAllocatableCPU',
  memory: 'ResourceAllocatableMemory',
  balance: 'Balance',
  steady: 'Steady',
};

const effects: readonly TaintEffect[] = ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'];

/**
 * The flags of `kplane place` as an OCM Placement spec. Several `--where` are ORed (each is one predicate, as
 * OCM ORs predicates); `--prefer` picks exactly the prioritizers named (Exact mode), in the order given.
 */
export function placementSpecFromFlags(flags: PlacementFlags): PlacementSpec {
  const spec: PlacementSpec = {};
  if (flags.clusterSets.length > 0) spec.clusterSets = flags.clusterSets;
  if (flags.clusters !== undefined) {
    if (!Number.isInteger(flags.clusters) || flags.clusters < 1) {
      throw new InvalidInputError('--clusters must be a whole number of at least 1');
    }
    spec.numberOfClusters = flags.clusters;
  }
  if (flags.where.length > 0) {
    spec.predicates = flags.where.map((where) => ({
      requiredClusterSelector: { labelSelector: parseWhere(where) },
    }));
  }
  if (flags.prefer.length > 0) {
    spec.prioritizerPolicy = { mode: 'Exact', configurations: flags.prefer.map(preferenceToPrioritizer) };
  }
  if (flags.spread) {
    spec.spreadPolicy = {
      spreadConstraints: [{ topologyKey: flags.spread, topologyKeyType: 'Label', maxSkew: 1 }],
    };
  }
  if (flags.tolerate.length > 0) spec.tolerations = flags.tolerate.map(parseToleration);
  const problem = placementSpecProblem(spec);
  if (problem) throw new InvalidInputError(problem);
  return spec;
}

function parseWhere(where: string) {
  try {
    return parseLabelSelector(where);
  } catch (error) {
    if (error instanceof LabelSelectorSyntaxError) throw new InvalidInputError(`--where: ${error.message}`);
    throw error;
  }
}

function preferenceToPrioritizer(preference: string): PrioritizerConfig {
  const builtIn = prioritizerByPreference[preference];
  if (!builtIn) {
    throw new InvalidInputError(
      `--prefer "${preference}": use ${Object.keys(prioritizerByPreference).join(', ')}`,
    );
  }
  return { scoreCoordinate: { type: 'BuiltIn', builtIn }, weight: 1 };
}

/** `KEY[=VALUE][:EFFECT]`, as kubectl taint spells taints. */
export function parseToleration(text: string): Toleration {
  const colon = text.lastIndexOf(':');
  const effect = colon < 0 ? undefined : text.slice(colon + 1);
  const keyValue = colon < 0 ? text : text.slice(0, colon);
  if (effect !== undefined && !effects.includes(effect as TaintEffect)) {
    throw new InvalidInputError(`--tolerate "${text}": the effect must be one of ${effects.join(', ')}`);
  }
  const equals = keyValue.indexOf('=');
  const key = equals < 0 ? keyValue : keyValue.slice(0, equals);
  if (key === '') throw new InvalidInputError(`--tolerate "${text}": use KEY[=VALUE][:EFFECT]`);
  const toleration: Toleration =
    equals < 0 ? { key, operator: 'Exists' } : { key, operator: 'Equal', value: keyValue.slice(equals + 1) };
  if (effect) toleration.effect = effect as TaintEffect;
  return toleration;
}
