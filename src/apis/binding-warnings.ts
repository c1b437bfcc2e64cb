// What `ws use` says about the new workspace's bindings. Apart from bind.ts so the hot path does not load it.
import { ApiStatusError } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';
import { clusterPath } from '../workspace/workspace-api.js';
import { claimWarnings } from './claims.js';
import { apisV1alpha2, type APIBinding } from './types.js';

export interface APIBindingList {
  items: APIBinding[];
}

/** The APIBindings of a workspace: `ws use` asks for them while it checks access, for the warnings below. */
export function bindingsListPath(workspace: string): string {
  return `${clusterPath(workspace)}${apisV1alpha2}/apibindings`;
}

/** After `ws use`: kcp's warnings about claims an export asks for that a binding here left open. */
export async function bindingClaimWarnings(
  client: RestClient,
  workspace: string,
  listed?: APIBindingList,
): Promise<string[]> {
  try {
    const { items } = listed ?? (await client.get<APIBindingList>(bindingsListPath(workspace)));
    return items.flatMap(claimWarnings);
  } catch (error) {
    if (error instanceof ApiStatusError && [403, 404].includes(error.code)) return [];
    return [`error checking APIBindings: ${(error as Error).message}`];
  }
}
