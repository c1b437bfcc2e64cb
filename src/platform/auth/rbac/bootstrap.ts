import { rule, type PolicyRule } from './rules.js';
import type { Binding } from './policy.js';

// The built-in policy. kcp keeps its bootstrap ClusterRoles in a system workspace that every
// workspace's bindings can reference, and grants discovery and self-review to every authenticated
// user everywhere; the platform does the same in code, so no workspace can lose them. The roles
// that people bind by name (cluster-admin, workspace access) are also written into each workspace
// so `kubectl get clusterroles` shows them; a binding finds the workspace's copy first.

export const CLUSTER_ADMIN = 'cluster-admin';
export const WORKSPACE_ACCESS_ROLE = 'system:kcp:workspace:access';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const MASTERS_GROUP = 'system:masters';
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The non-resource verb and path that let a user into a workspace at all. */
export const WORKSPACE_ACCESS = { kind: 'nonResource', verb: 'access', path: '/' } as const;

const DISCOVERY_PATHS = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/openapi',
  '/openapi/*',
  '/readyz',
  '/version',
  '/version/',
];

export const BOOTSTRAP_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  [CLUSTER_ADMIN]: [
    rule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }),
    rule({ nonResourceURLs: ['*'], verbs: ['*'] }),
  ],
  [WORKSPACE_ACCESS_ROLE]: [rule({ nonResourceURLs: ['/'], verbs: ['access'] })],
  'system:discovery': [rule({ nonResourceURLs: DISCOVERY_PATHS, verbs: ['get'] })],
  'system:basic-user': [
    rule({
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    }),
    rule({ apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] }),
  ],
};

const toAuthenticated = (name: string): Binding => ({
  name,
  subjects: [{ kind: 'Group', name: AUTHENTICATED_GROUP }],
  roleRef: { kind: 'ClusterRole', name },
});

/** In force in every workspace, whatever its own bindings say. */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly Binding[] = [
  toAuthenticated('system:discovery'),
  toAuthenticated('system:basic-user'),
];

/** The ClusterRoles written into every workspace when it is created. */
export const WORKSPACE_CLUSTER_ROLES = [CLUSTER_ADMIN, WORKSPACE_ACCESS_ROLE];

/** Root lets every authenticated user in (and nothing more), as kcp's root does. */
export const ROOT_ACCESS_BINDING = 'system:kcp:tenancy:authenticated:access';
export const UNIVERSAL_TYPE_USE_ROLE = 'system:kcp:universal-workspacetype-use';
export const UNIVERSAL_TYPE_USE_BINDING = 'system:kcp:authenticated:universal-workspacetype-use';
export const UNIVERSAL_TYPE_USE_RULES: PolicyRule[] = [
  rule({
    apiGroups: ['tenancy.kcp.io'],
    resources: ['workspacetypes'],
    resourceNames: ['universal'],
    verbs: ['use'],
  }),
];

/** The binding that makes a workspace's creator its admin. */
export const WORKSPACE_ADMIN_BINDING = 'workspace-admin';
