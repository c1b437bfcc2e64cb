import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Authorizer } from '../auth/authorize.js';
import { SYSTEM_USER, TOKEN_EXPIRY_EXTRA, type UserInfo } from '../auth/user.js';
import { bootstrapRoot } from '../controllers/root-bootstrap.js';
import { WorkspaceController } from '../controllers/workspace-controller.js';
import { SqliteClusterIndex } from '../storage/cluster-index.js';
import { openDatabase, type Db } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import type { ResourceRegistry } from './registry.js';
import { ResourceService, type RequestScope } from './resource-service.js';
import { builtinRegistry } from './resources/index.js';
import { MATCH_ALL } from './selectors/object-filter.js';
import { openWatch } from './watch.js';
import type { WatchEvent } from './watch-event.js';

const BASE = 'https://127.0.0.1:6443';
const MINUTE = 60_000;

describe('openWatch ends with the credential that opened it', () => {
  let dir: string;
  let db: Db;
  let service: ResourceService;
  let registry: ResourceRegistry;
  let controller: WorkspaceController;
  const scope = (user: UserInfo): RequestScope => ({
    cluster: { id: 'root', path: 'root' },
    user,
    namespace: 'default',
  });

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    dir = mkdtempSync(join(tmpdir(), 'kplane-watch-'));
    db = openDatabase(join(dir, 'platform.db'));
    const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
    const clusters = new SqliteClusterIndex(db);
    registry = builtinRegistry({
      onCreated: (key) => controller.enqueue(key),
      authorizer: new Authorizer(store),
    });
    const env = { baseUrl: BASE };
    service = new ResourceService(store, clusters, env);
    controller = new WorkspaceController({ service, registry, clusters, env });
    await bootstrapRoot(service, registry, clusters, BASE);
  });

  afterEach(async () => {
    controller.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    vi.useRealTimers();
  });

  /** A ServiceAccount in root's default namespace and a token user bound to it, expiring `in` ms from now. */
  async function agentToken(inMs: number): Promise<UserInfo> {
    const account = await service.create(registry.get('serviceaccounts'), scope(SYSTEM_USER), {
      metadata: { name: 'agent' },
    });
    return {
      name: 'system:serviceaccount:default:agent',
      groups: [],
      boundTo: { cluster: 'root', uid: account.metadata.uid! },
      extra: { [TOKEN_EXPIRY_EXTRA]: [new Date(Date.now() + inMs).toISOString()] },
    };
  }

  function watchConfigMaps(user: UserInfo) {
    const events: WatchEvent[] = [];
    let ended = false;
    const stop = openWatch(
      service,
      { def: registry.get('configmaps'), scope: scope(user), filter: MATCH_ALL, resourceVersion: undefined },
      (event) => {
        if (!ended) events.push(event);
      },
      () => {
        ended = true;
        stop?.();
      },
    );
    return { events, ended: () => ended, stop };
  }

  const addConfigMap = (name: string) =>
    service.create(registry.get('configmaps'), scope(SYSTEM_USER), { metadata: { name } });

  it('ends (ERROR 401) when the ServiceAccount is deleted, and delivers nothing after', async () => {
    const watch = watchConfigMaps(await agentToken(60 * MINUTE));
    await addConfigMap('before');
    await service.delete(registry.get('serviceaccounts'), scope(SYSTEM_USER), 'agent');
    await addConfigMap('after');
    expect(watch.events.map((e) => e.type)).toEqual(['ADDED', 'ERROR']);
    expect(watch.events[1]?.object).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    expect(watch.ended()).toBe(true);
  });

  it('ends (ERROR 401) when the token expires, not before', async () => {
    const watch = watchConfigMaps(await agentToken(20 * MINUTE));
    vi.advanceTimersByTime(20 * MINUTE - 1000);
    expect(watch.ended()).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(watch.ended()).toBe(true);
    expect(watch.events.at(-1)).toMatchObject({
      type: 'ERROR',
      object: { code: 401, message: 'the token that opened this watch has expired' },
    });
  });

  it('waits out an expiry further off than one timer can (a token may live a year)', async () => {
    const watch = watchConfigMaps(await agentToken(300 * 24 * 60 * MINUTE));
    vi.advanceTimersByTime(30 * 24 * 60 * MINUTE);
    expect(watch.ended()).toBe(false);
    watch.stop?.();
  });

  it('refuses at once a token whose ServiceAccount is already gone', async () => {
    const user = await agentToken(60 * MINUTE);
    await service.delete(registry.get('serviceaccounts'), scope(SYSTEM_USER), 'agent');
    const watch = watchConfigMaps(user);
    expect(watch.stop).toBeUndefined();
    expect(watch.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 401 }) }]);
  });

  it('lets a credential that never expires and is bound to nothing watch on', async () => {
    const watch = watchConfigMaps({ name: 'alice', groups: [] });
    vi.advanceTimersByTime(60 * MINUTE);
    await addConfigMap('seen');
    expect(watch.events.map((e) => e.type)).toEqual(['ADDED']);
    watch.stop?.();
  });
});
