import type { ResourceDefinition } from '../api/registry.js';
import { appsResources } from './apps.js';
import { batchResources } from './batch.js';
import { coreResources } from './core.js';
import { otherResources } from './other-groups.js';

/** The workload kinds every workspace serves with Kubernetes' own definitions. */
export const workloadResources: ResourceDefinition[] = [
  ...coreResources,
  ...appsResources,
  ...batchResources,
  ...otherResources,
];
