import { AGENT_SERVICE_ACCOUNT, BOOTSTRAP_NAMESPACE } from '../shared/join-identities.js';

// The objects that make joining safe, as OCM's hub makes them for a klusterlet (its bootstrap ClusterRole, and
// per cluster `open-cluster-management:managedcluster:<name>` plus its registration/work Roles), but with
// ServiceAccount tokens where OCM approves a CSR. Each identity gets only what its step needs.

const CLUSTER_GROUP = 'cluster.open-cluster-management.io';
const WORK_GROUP = 'work.open-cluster-management.io';
const RBAC = 'rbac.authorization.k8s.io/v1';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

const serviceAccount = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace },
});
const namespaceObject = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});
const subject = (namespace: string, name: string) => ({ kind: 'ServiceAccount', name, namespace });

function clusterRoleWithBinding(name: string, rules: object[], account: { namespace: string; name: string }) {
  return [
    { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name }, rules },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [subject(account.namespace, account.name)],
    },
  ];
}

function roleWithBinding(
  namespace: string,
  name: string,
  rules: object[],
  account: { namespace: string; name: string },
) {
  return [
    { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subject(account.namespace, account.name)],
    },
  ];
}

export const bootstrapAccount = (cluster: string) => ({ namespace: BOOTSTRAP_NAMESPACE, name: cluster });
export const agentAccount = (cluster: string) => ({ namespace: cluster, name: AGENT_SERVICE_ACCOUNT });

/**
 * What `join-command NAME` makes: the bootstrap ServiceAccount of NAME, which may register NAME (create, and
 * read back that one ManagedCluster) and nothing else. Create cannot be narrowed by name in RBAC (the name is
 * in the body); the owner still accepts by name, and an unaccepted cluster gets no work and no agent identity.
 */
export function bootstrapObjects(cluster: string): KubeObject[] {
  const account = bootstrapAccount(cluster);
  return [
    namespaceObject(BOOTSTRAP_NAMESPACE),
    serviceAccount(account.namespace, account.name),
    ...clusterRoleWithBinding(
      `kplane:bootstrap:${cluster}`,
      [
        { apiGroups: [CLUSTER_GROUP], resources: ['managedclusters'], verbs: ['create'] },
        {
          apiGroups: [CLUSTER_GROUP],
          resources: ['managedclusters'],
          resourceNames: [cluster],
          verbs: ['get'],
        },
      ],
      account,
    ),
  ];
}

/**
 * What `cluster accept NAME` makes: the cluster's namespace, the agent's ServiceAccount in it and what the agent
 * may do (its works and their status, its lease, events, its own ManagedCluster and status, renewing its own
 * token), and the one extra right of NAME's bootstrap identity: a token for that agent ServiceAccount.
 */
export function acceptedObjects(cluster: string): KubeObject[] {
  const agent = agentAccount(cluster);
  return [
    namespaceObject(cluster),
    serviceAccount(agent.namespace, agent.name),
    ...roleWithBinding(
      cluster,
      'kplane:agent',
      [
        // The work agent marks a work with its finalizer (a patch of the work) and writes its status.
        {
          apiGroups: [WORK_GROUP],
          resources: ['manifestworks'],
          verbs: ['get', 'list', 'watch', 'update', 'patch'],
        },
        { apiGroups: [WORK_GROUP], resources: ['manifestworks/status'], verbs: ['update', 'patch'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
        },
        { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'update', 'patch'] },
        {
          apiGroups: [''],
          resources: ['serviceaccounts/token'],
          resourceNames: [AGENT_SERVICE_ACCOUNT],
          verbs: ['create'],
        },
      ],
      agent,
    ),
    ...clusterRoleWithBinding(
      `kplane:agent:${cluster}`,
      [
        {
          apiGroups: [CLUSTER_GROUP],
          resources: ['managedclusters'],
          resourceNames: [cluster],
          verbs: ['get', 'update', 'patch'],
        },
        {
          apiGroups: [CLUSTER_GROUP],
          resources: ['managedclusters/status'],
          resourceNames: [cluster],
          verbs: ['get', 'update', 'patch'],
        },
      ],
      agent,
    ),
    ...roleWithBinding(
      cluster,
      'kplane:bootstrap',
      [
        {
          apiGroups: [''],
          resources: ['serviceaccounts/token'],
          resourceNames: [AGENT_SERVICE_ACCOUNT],
          verbs: ['create'],
        },
      ],
      bootstrapAccount(cluster),
    ),
  ];
}

/** The URL path of an object of the kinds above, below a workspace's base. */
export function objectPath(object: KubeObject): string {
  const { name, namespace } = object.metadata;
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  const base = object.apiVersion === 'v1' ? '/api/v1' : `/apis/${object.apiVersion}`;
  const plural = object.kind === 'Namespace' ? 'namespaces' : `${object.kind.toLowerCase()}s`;
  return `${base}${scope}/${plural}/${encodeURIComponent(name)}`;
}
