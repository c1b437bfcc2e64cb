import { isStatusCode } from '../client/api-error.js';
import type { RestClient } from '../client/rest-client.js';

/** Where a kind is served on a member, as its discovery document says. */
export interface ResourceRef {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

export function apiPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The URL path of one object (or, without a name, of its collection). */
export function objectPath(ref: ResourceRef, namespace: string | undefined, name?: string): string {
  const scope = ref.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${apiPrefix(ref.group, ref.version)}${scope}/${ref.resource}${tail}`;
}

/**
 * Maps apiVersion and kind to a resource by asking the member's discovery, one group version at a time. A miss
 * asks again (a CRD installed a moment ago), so the cache never hides a kind for good.
 */
export class MemberDiscovery {
  private readonly byGroupVersion = new Map<string, ApiResourceList>();

  constructor(private readonly client: RestClient) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceRef | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    const find = (list: ApiResourceList | undefined) =>
      list?.resources?.find((resource) => resource.kind === kind && !resource.name.includes('/'));
    let found = find(this.byGroupVersion.get(apiVersion));
    if (!found) found = find(await this.refresh(apiVersion, group, version));
    return found && { group, version, kind, resource: found.name, namespaced: found.namespaced };
  }

  private async refresh(apiVersion: string, group: string, version: string): Promise<ApiResourceList> {
    try {
      const list = await this.client.get<ApiResourceList>(apiPrefix(group, version));
      this.byGroupVersion.set(apiVersion, list);
      return list;
    } catch (error) {
      if (isStatusCode(error, 404)) return {};
      throw error;
    }
  }
}
