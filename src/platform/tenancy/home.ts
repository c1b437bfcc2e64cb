import { createHash } from 'node:crypto';
import { getField, type KubeObject } from '../api/object.js';
import type { ResourceRegistry } from '../api/registry.js';
import type { RequestScope, ResourceService } from '../api/resource-service.js';
import { SYSTEM_USER, type UserInfo } from '../auth/user.js';
import { forbidden, tooManyRequests, type ApiError } from '../http/errors.js';
import type { ClusterIndex, ClusterRef } from '../storage/cluster-index.js';
import { OWNER_ANNOTATION, WORKSPACES } from './constants.js';
import { ownerAnnotation, ownerOf } from './owner.js';
import { ensureWorkspace } from './ensure-workspace.js';
import { joinPath, ROOT_CLUSTER_ID, ROOT_PATH } from './paths.js';

// Home workspaces: `GET /clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~` answers with the
// caller's home, root:users:<segment>, creating it (and root:users) on first use. The platform
// creates both as itself; the home's owner annotation names the user, so the workspace controller
// makes them its admin before it turns Ready. root:users belongs to the platform: nobody else may
// enter it, and its children are reachable only through their own bindings.

export const USERS_WORKSPACE = 'users';
export const HOME_PARENT_PATH = joinPath(ROOT_PATH, USERS_WORKSPACE);

const MAX_SEGMENT = 63;
const HASH_SUFFIX = 7; // '-' and six hex characters

/**
 * The path segment of a user's home: the name in lower case with anything but [a-z0-9-] turned
 * into '-' and no '-' at either end. If that changed the name, or it is too long, the first six hex
 * characters of sha256(name) follow, so `Alice` and `alice` never share a home.
 */
export function homeSegment(username: string): string {
  const safe = username
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  if (safe === username && safe.length > 0 && safe.length <= MAX_SEGMENT) return safe;
  const hash = createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 6);
  const stem = (safe || 'user').slice(0, MAX_SEGMENT - HASH_SUFFIX).replace(/-+$/, '');
  return `${stem || 'user'}-${hash}`;
}

export function homePath(username: string): string {
  return joinPath(HOME_PARENT_PATH, homeSegment(username));
}

export interface HomeWorkspacesDeps {
  service: ResourceService;
  registry: ResourceRegistry;
  clusters: ClusterIndex;
}

const WAIT_MS = 10_000;

const isReady = (workspace: KubeObject | undefined): workspace is KubeObject =>
  getField(workspace, 'status.phase') === 'Ready';

function creatingHome(): ApiError {
  return tooManyRequests('Creating the home workspace', 1);
}

export class HomeWorkspaces {
  constructor(private readonly deps: HomeWorkspacesDeps) {}

  /** The user's home Workspace object, once it is Ready. */
  async ensure(user: UserInfo): Promise<KubeObject> {
    const root: ClusterRef = { id: ROOT_CLUSTER_ID, path: ROOT_PATH };
    await this.ensureReady({ cluster: root, user: SYSTEM_USER }, USERS_WORKSPACE, 'universal');
    const users = this.deps.clusters.resolve(HOME_PARENT_PATH);
    if (!users) throw creatingHome();
    const segment = homeSegment(user.name);
    const home = await this.ensureReady({ cluster: users, user: SYSTEM_USER }, segment, 'home', user);
    if (ownerOf(home)?.username !== user.name) {
      // Only a user name that collides with another's hashed home gets here.
      throw forbidden(`the home workspace ${joinPath(HOME_PARENT_PATH, segment)} belongs to another user`);
    }
    return home;
  }

  private async ensureReady(
    scope: RequestScope,
    name: string,
    type: string,
    owner?: UserInfo,
  ): Promise<KubeObject> {
    const { service, registry } = this.deps;
    const annotations: Record<string, string> = owner ? { [OWNER_ANNOTATION]: ownerAnnotation(owner) } : {};
    const workspace = await service.store.transact((tx) =>
      ensureWorkspace(service.within(tx), registry, scope, name, type, annotations),
    );
    return isReady(workspace) ? workspace : this.waitForReady(scope, name);
  }

  private waitForReady(scope: RequestScope, name: string): Promise<KubeObject> {
    const { service, registry } = this.deps;
    const def = registry.get(WORKSPACES);
    const ready = () => {
      const workspace = service.find(def, scope, name);
      return isReady(workspace) ? workspace : undefined;
    };
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        unsubscribe();
      };
      // The controller is quick; past this, the client hears kcp's answer and retries.
      const timer = setTimeout(() => {
        stop();
        reject(creatingHome());
      }, WAIT_MS);
      const unsubscribe = service.store.events.subscribe((event) => {
        if (event.key.cluster !== scope.cluster.id || event.key.name !== name) return;
        const workspace = ready();
        if (!workspace) return;
        stop();
        resolve(workspace);
      });
    });
  }
}
