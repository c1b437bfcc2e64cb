#!/usr/bin/env node
// Derives src/platform/work/ocm-work-crds.json from Open Cluster Management's published work CRDs (see
// ../shared/reference/schemas/README.md for their provenance: open-cluster-management-io/api, commit
// 1845fd8032e4, Apache-2.0): ManifestWork and AppliedManifestWork (work/v1), ManifestWorkReplicaSet
// (work/v1alpha1). Each CRD's spec is kept unchanged, so the platform serves the work API with OCM's
// own schemas, printer columns and subresources; JSON so serving never needs a YAML parser.
//
//   node scripts/generate-ocm-work-crds.js [path/to/ocm-crd-folder]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const folder = process.argv[2] ?? path.join(repoRoot, '..', 'shared', 'reference', 'schemas', 'ocm');
const target = path.join(repoRoot, 'src', 'platform', 'work', 'ocm-work-crds.json');

const FILES = [
  '0000_00_work.open-cluster-management.io_manifestworks.crd.yaml',
  '0000_01_work.open-cluster-management.io_appliedmanifestworks.crd.yaml',
  '0000_00_work.open-cluster-management.io_manifestworkreplicasets.crd.yaml',
];

const crds = FILES.map((file) => {
  const crd = parse(readFileSync(path.join(folder, file), 'utf8'));
  return { name: crd.metadata.name, spec: crd.spec };
});
const out = {
  source:
    'open-cluster-management-io/api commit 1845fd8032e4 (Apache-2.0), via scripts/generate-ocm-work-crds.js',
  crds,
};
writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(`wrote ${crds.length} CRDs to ${path.relative(repoRoot, target)}`);
