import type { FeedbackRule, FeedbackValue, ManifestConfig } from '../client/ocm-work.js';

// OCM's statusFeedback: values read from the applied object on the member and reported on the hub, so that
// `deploy status` can show ready/desired replicas without anyone reaching into the member.

/** Which object a manifest became (the fields of ManifestWork's resourceMeta that identify it). */
interface ObjectIdentity {
  group: string;
  resource: string;
  name: string;
  namespace: string;
}

/** OCM's well-known status fields per kind (its `WellKnownStatus` rule), as dot paths into the object. */
const wellKnown: Record<string, { name: string; path: string }[]> = {
  'apps/deployments': [
    { name: 'ReadyReplicas', path: '.status.readyReplicas' },
    { name: 'Replicas', path: '.status.replicas' },
    { name: 'AvailableReplicas', path: '.status.availableReplicas' },
  ],
  'batch/jobs': [
    { name: 'JobComplete', path: '.status.conditions[?(@.type=="Complete")].status' },
    { name: 'JobSucceeded', path: '.status.succeeded' },
  ],
  '/pods': [
    { name: 'PodPhase', path: '.status.phase' },
    { name: 'PodReady', path: '.status.conditions[?(@.type=="Ready")].status' },
  ],
};

export function configFor(
  configs: readonly ManifestConfig[] | undefined,
  meta: ObjectIdentity,
): ManifestConfig | undefined {
  return configs?.find(
    ({ resourceIdentifier: id }) =>
      (id.group ?? '') === meta.group &&
      id.resource === meta.resource &&
      id.name === meta.name &&
      (id.namespace ?? '') === meta.namespace,
  );
}

/** The feedback values of one applied object under its rules (pure). A path with nothing there is left out. */
export function feedbackValues(
  rules: readonly FeedbackRule[],
  meta: ObjectIdentity,
  live: unknown,
): FeedbackValue[] {
  const values: FeedbackValue[] = [];
  for (const rule of rules) {
    const paths =
      rule.type === 'WellKnownStatus'
        ? (wellKnown[`${meta.group}/${meta.resource}`] ?? [])
        : (rule.jsonPaths ?? []);
    for (const { name, path } of paths) {
      const value = readPath(live, path);
      const fieldValue = toFieldValue(value);
      if (fieldValue) values.push({ name, fieldValue });
    }
  }
  return values;
}

/**
 * A small subset of kubectl's JSONPath: `.a.b`, `[n]` and `[?(@.key=="value")]` filters (first match). It is what
 * OCM's well-known rules and most user rules need; anything else reads as absent.
 */
export function readPath(object: unknown, path: string): unknown {
  const steps = path.replace(/^\{|\}$/g, '').match(/\.[^.[]+|\[\?\(@\.[^=]+=="[^"]*"\)\]|\[\d+\]/g);
  if (!steps || steps.join('') !== path.replace(/^\{|\}$/g, '')) return undefined;
  let current: unknown = object;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    if (step.startsWith('.')) {
      const key = step.slice(1);
      current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    } else if (step.startsWith('[?')) {
      const [, key, expected] = /^\[\?\(@\.([^=]+)=="([^"]*)"\)\]$/.exec(step)!;
      current = Array.isArray(current)
        ? current.find(
            (item) =>
              item && typeof item === 'object' && (item as Record<string, unknown>)[key!] === expected,
          )
        : undefined;
    } else {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    }
  }
  return current;
}

function toFieldValue(value: unknown): FeedbackValue['fieldValue'] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return { type: 'Integer', integer: value };
  if (typeof value === 'string') return { type: 'String', string: value };
  if (typeof value === 'boolean') return { type: 'Boolean', boolean: value };
  return { type: 'JsonRaw', jsonRaw: JSON.stringify(value) };
}
