// Who is who when compute joins a hub, shared by the owner's CLI (which makes these identities) and the agent
// (which uses them); the hub is the compute workspace. OCM names its agent identities after the cluster too.

/** Where the bootstrap ServiceAccounts live: one per cluster `kplane cluster join-command` prepared. */
export const BOOTSTRAP_NAMESPACE = 'kplane-bootstrap';

/** The agent's own ServiceAccount, in its cluster's namespace; made on accept, deleted on deny. */
export const AGENT_SERVICE_ACCOUNT = 'kplane-agent';

/** The TokenRequest path of the agent's ServiceAccount of `cluster`. */
export function agentTokenPath(cluster: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(cluster)}/serviceaccounts/${AGENT_SERVICE_ACCOUNT}/token`;
}
