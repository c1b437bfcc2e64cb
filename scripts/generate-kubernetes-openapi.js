#!/usr/bin/env node
// Derives src/platform/builtin/kubernetes-openapi.json from Kubernetes' published OpenAPI v2 (see
// ../shared/reference/schemas/README.md for its provenance): the definitions of the built-in kinds the platform
// serves, and every definition they reach through $ref, unchanged (descriptions for `kubectl explain`,
// x-kubernetes-patch-merge-key/-strategy for strategic merge, x-kubernetes-list-type/-map-keys for apply).
//
//   node scripts/generate-kubernetes-openapi.js [path/to/kubernetes-openapi-v2.json.gz]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const source =
  process.argv[2] ??
  path.join(repoRoot, '..', 'shared', 'reference', 'schemas', 'kubernetes-1.36-openapi-v2.json.gz');
const target = path.join(repoRoot, 'src', 'platform', 'builtin', 'kubernetes-openapi.json');

/** The kinds the platform serves with Kubernetes' own definitions, as group/version/kind. */
const SERVED_KINDS = [
  ['', 'v1', 'Namespace'],
  ['', 'v1', 'ConfigMap'],
  ['', 'v1', 'Secret'],
  ['', 'v1', 'Service'],
  ['', 'v1', 'ServiceAccount'],
  ['', 'v1', 'PersistentVolumeClaim'],
  ['', 'v1', 'Node'],
  ['', 'v1', 'Event'],
  ['events.k8s.io', 'v1', 'Event'],
  ['apps', 'v1', 'Deployment'],
  ['apps', 'v1', 'StatefulSet'],
  ['apps', 'v1', 'DaemonSet'],
  ['apps', 'v1', 'ReplicaSet'],
  ['batch', 'v1', 'Job'],
  ['batch', 'v1', 'CronJob'],
  ['coordination.k8s.io', 'v1', 'Lease'],
  ['networking.k8s.io', 'v1', 'Ingress'],
  ['policy', 'v1', 'PodDisruptionBudget'],
  ['autoscaling', 'v1', 'Scale'],
  ['rbac.authorization.k8s.io', 'v1', 'Role'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'],
  ['authentication.k8s.io', 'v1', 'SelfSubjectReview'],
  ['authentication.k8s.io', 'v1', 'TokenRequest'],
  ['authorization.k8s.io', 'v1', 'SelfSubjectAccessReview'],
  ['', 'v1', 'Status'],
];

const published = JSON.parse(gunzipSync(readFileSync(source)).toString('utf8'));
const definitions = published.definitions;

function definitionOf([group, version, kind]) {
  const found = Object.entries(definitions).filter(([, definition]) =>
    (definition['x-kubernetes-group-version-kind'] ?? []).some(
      (gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind,
    ),
  );
  if (found.length === 0) throw new Error(`no published definition for ${group}/${version} ${kind}`);
  return found[0][0];
}

function refsIn(value, into) {
  if (Array.isArray(value)) for (const item of value) refsIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') into.push(item.replace('#/definitions/', ''));
      else refsIn(item, into);
    }
  }
  return into;
}

const kept = new Map();
const queue = SERVED_KINDS.map(definitionOf);
while (queue.length > 0) {
  const name = queue.pop();
  if (kept.has(name)) continue;
  const definition = definitions[name];
  if (!definition) throw new Error(`${name} is referenced but not defined`);
  kept.set(name, definition);
  queue.push(...refsIn(definition, []));
}

const sorted = Object.fromEntries([...kept.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const output = {
  provenance:
    'Derived by scripts/generate-kubernetes-openapi.js from Kubernetes release-1.36 OpenAPI v2 as published in ' +
    'kubernetes-client/python (kubernetes/swagger.json.unprocessed, commit 024658493d12). Apache-2.0, the ' +
    'Kubernetes Authors. Do not edit by hand: run the script.',
  info: published.info,
  definitions: sorted,
};
writeFileSync(target, `${JSON.stringify(output)}\n`);
console.log(
  `${path.relative(repoRoot, target)}: ${kept.size} definitions, ${JSON.stringify(output).length} bytes`,
);
