import type { ResourceDefinition } from '../registry.js';
import { apiBindingsV1alpha1, apiBindingsV1alpha2, type ApiBindingDeps } from './apibindings.js';
import { apiExportsV1alpha1, apiExportsV1alpha2 } from './apiexports.js';
import { apiResourceSchemas } from './apiresourceschemas.js';

/** kcp's apis.kcp.io: APIResourceSchema (v1alpha1), APIExport and APIBinding (v1alpha2, and v1alpha1 converted). */
export function apisResources(deps: ApiBindingDeps): ResourceDefinition[] {
  return [
    apiResourceSchemas,
    apiExportsV1alpha2,
    apiBindingsV1alpha2(deps),
    apiExportsV1alpha1,
    apiBindingsV1alpha1(deps),
  ];
}
