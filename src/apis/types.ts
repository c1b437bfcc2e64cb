/** The slices of kcp's apis.kcp.io types that kplane reads and writes (v1alpha1 schema, v1alpha2 export/binding). */
import { clusterPath } from '../workspace/workspace-api.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface CustomResourceNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface SchemaVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: unknown[];
}

export interface APIResourceSchema {
  apiVersion: 'apis.kcp.io/v1alpha1';
  kind: 'APIResourceSchema';
  metadata: ObjectMeta;
  spec: {
    group: string;
    names: CustomResourceNames;
    scope: 'Namespaced' | 'Cluster';
    versions: SchemaVersion[];
  };
}

export interface PermissionClaim {
  group: string;
  resource: string;
  verbs: string[];
  identityHash?: string;
}

export interface APIExport {
  apiVersion: 'apis.kcp.io/v1alpha2';
  kind: 'APIExport';
  metadata: ObjectMeta;
  spec: {
    resources?: { name: string; group: string; schema: string; storage: { crd: Record<string, never> } }[];
    permissionClaims?: PermissionClaim[];
  };
  status?: { identityHash?: string; conditions?: Condition[] };
}

export interface AcceptablePermissionClaim extends PermissionClaim {
  selector: { matchAll?: boolean };
  state: 'Accepted' | 'Rejected';
}

export interface APIBinding {
  apiVersion: 'apis.kcp.io/v1alpha2';
  kind: 'APIBinding';
  metadata: ObjectMeta;
  spec: {
    reference: { export: { path?: string; name: string } };
    permissionClaims?: AcceptablePermissionClaim[];
  };
  status?: {
    phase?: '' | 'Binding' | 'Bound';
    apiExportClusterName?: string;
    boundResources?: { group: string; resource: string; schema?: { name: string } }[];
    conditions?: Condition[];
    exportPermissionClaims?: PermissionClaim[];
  };
}

const apisV1alpha1 = '/apis/apis.kcp.io/v1alpha1';
export const apisV1alpha2 = '/apis/apis.kcp.io/v1alpha2';

export function apiExportsPath(workspace: string): string {
  return `${clusterPath(workspace)}${apisV1alpha2}/apiexports`;
}

export function apiResourceSchemasPath(workspace: string): string {
  return `${clusterPath(workspace)}${apisV1alpha1}/apiresourceschemas`;
}
