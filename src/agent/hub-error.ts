import { isStatusCode } from '../client/api-error.js';

/**
 * What the agent logs for a failed hub request. The REST client's 401 text tells a person to run `kplane login`;
 * an agent's credential comes from the compute owner, so it says what happened to the cluster instead.
 */
export function hubErrorText(error: unknown, clusterName: string): string {
  if (isStatusCode(error, 401))
    return `the hub refused this agent's credential (Unauthorized): cluster ${clusterName} was denied or its token expired; the compute owner can check with: kplane cluster list -w :root:compute`;
  return (error as Error).message;
}
