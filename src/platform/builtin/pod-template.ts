import type { FieldError } from '../http/errors.js';
import { isPlainObject } from '../api/object.js';
import { at, defaults, list, objectAt, str, type Json } from './object-paths.js';
import { resourceListErrors, resourceRequirementsErrors } from './resource-quantities.js';

// The parts of pod defaulting and validation (pkg/apis/core/v1/defaults.go, pkg/apis/core/validation)
// that a user of a pod template meets first. No pod ever runs in a workspace, so only what shows in
// `kubectl get -o yaml` and what is refused on write matter here.

/** The pod template's defaults, as the apiserver sets them. */
export function defaultPodTemplate(template: Json | undefined): void {
  const spec = template && objectAt(template, 'spec');
  defaults(spec, {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    securityContext: {},
    schedulerName: 'default-scheduler',
  });
  for (const field of ['containers', 'initContainers'])
    for (const container of list(spec?.[field]).filter(isPlainObject)) defaultContainer(container);
}

function defaultContainer(container: Json): void {
  defaults(container, {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: pullPolicyFor(str(container.image)),
    resources: {},
  });
  for (const port of list(container.ports).filter(isPlainObject)) defaults(port, { protocol: 'TCP' });
}

/** `Always` for `:latest` or an untagged image, `IfNotPresent` otherwise (a digest counts as a tag). */
function pullPolicyFor(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.lastIndexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Errors in a pod template at `path`, with the restart policies its owner allows. */
export function podTemplateErrors(template: unknown, path: string, restartPolicies: string[]): FieldError[] {
  const specPath = `${path}.spec`;
  const errors: FieldError[] = [];
  const containers = list(at(template, 'spec', 'containers'));
  if (containers.length === 0) errors.push({ type: 'Required', field: `${specPath}.containers` });
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    const field = `${specPath}.containers[${i}]`;
    const name = str(at(container, 'name'));
    if (name === '') errors.push({ type: 'Required', field: `${field}.name` });
    else if (seen.has(name)) errors.push({ type: 'Duplicate', field: `${field}.name`, value: name });
    seen.add(name);
    if (str(at(container, 'image')).trim() === '') errors.push({ type: 'Required', field: `${field}.image` });
    errors.push(...resourceRequirementsErrors(at(container, 'resources'), `${field}.resources`));
  });
  list(at(template, 'spec', 'initContainers')).forEach((container, i) => {
    const field = `${specPath}.initContainers[${i}].resources`;
    errors.push(...resourceRequirementsErrors(at(container, 'resources'), field));
  });
  errors.push(...resourceListErrors(at(template, 'spec', 'overhead'), `${specPath}.overhead`));
  const restartPolicy = at(template, 'spec', 'restartPolicy');
  if (typeof restartPolicy === 'string' && !restartPolicies.includes(restartPolicy)) {
    errors.push({
      type: 'Unsupported',
      field: `${specPath}.restartPolicy`,
      value: restartPolicy,
      detail: `supported values: ${restartPolicies.map((p) => JSON.stringify(p)).join(', ')}`,
    });
  }
  return errors;
}
