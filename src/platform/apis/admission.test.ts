import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { Authorizer } from '../auth/authorize.js';
import {
  CLUSTER_ROLE_BINDINGS,
  CLUSTER_ROLES,
  clusterRoleBindingObject,
  clusterRoleObject,
} from '../auth/rbac/objects.js';
import type { Subject } from '../auth/rbac/policy.js';
import { rule, type PolicyRule } from '../auth/rbac/rules.js';
import type { UserInfo } from '../auth/user.js';
import { ApiError } from '../http/errors.js';
import type { ClusterRef } from '../storage/cluster-index.js';
import type { CollectionScope, ObjectKey } from '../storage/object-key.js';
import { checkBind, mayBind } from './admission.js';

// The provider workspace root:providers:db grants `bind` on apiexports/databases to alice, and
// `bind` on every export to the group binders; bob holds nothing there.
const provider: ClusterRef = { id: 'p1', path: 'root:providers:db' };
const consumer: ClusterRef = { id: 'c1', path: 'root:users:alice' };
const clusters = [provider, consumer];
const resolve = (ref: string) => clusters.find((c) => c.path === ref || c.id === ref);

const stored: { key: ObjectKey; object: KubeObject }[] = [];
function put(cluster: ClusterRef, resource: string, object: KubeObject) {
  stored.push({
    key: { cluster: cluster.id, resource, namespace: '', name: object.metadata.name ?? '' },
    object,
  });
}
/** A ClusterRole with `rules` and its ClusterRoleBinding to `subject`, both called `name`. */
function grant(cluster: ClusterRef, name: string, rules: PolicyRule[], subject: Subject) {
  put(cluster, CLUSTER_ROLES, clusterRoleObject(name, rules));
  put(cluster, CLUSTER_ROLE_BINDINGS, clusterRoleBindingObject(name, name, [subject]));
}
const bindAny = rule({ verbs: ['bind'], apiGroups: ['apis.kcp.io'], resources: ['apiexports'] });
const bindDatabases = rule({ ...bindAny, resourceNames: ['databases'] });
grant(provider, 'bind-databases', [bindDatabases], { kind: 'User', name: 'alice' });
grant(provider, 'bind-all', [bindAny], { kind: 'Group', name: 'binders' });
grant(consumer, 'local', [bindAny], { kind: 'User', name: 'alice' });

const authorizer = new Authorizer({
  get: (key) => stored.find((e) => JSON.stringify(e.key) === JSON.stringify(key))?.object,
  list: (scope: CollectionScope) =>
    stored.filter((e) => e.key.cluster === scope.cluster && e.key.resource === scope.resource),
});

const user = (name: string, ...groups: string[]): UserInfo => ({
  name,
  groups: [...groups, 'system:authenticated'],
});

describe('bind admission', () => {
  const cases: [string, UserInfo, { path: string; name: string }, boolean][] = [
    ['a named grant', user('alice'), { path: 'root:providers:db', name: 'databases' }, true],
    ['a grant for another export', user('alice'), { path: 'root:providers:db', name: 'caches' }, false],
    ['no grant at all', user('bob'), { path: 'root:providers:db', name: 'databases' }, false],
    [
      'a grant to a group on every export',
      user('carol', 'binders'),
      { path: 'root:providers:db', name: 'any' },
      true,
    ],
    ['a workspace that does not exist', user('alice'), { path: 'root:nowhere', name: 'databases' }, false],
    ['an empty path means the binding workspace', user('alice'), { path: '', name: 'mine' }, true],
    ['and RBAC there decides', user('bob'), { path: '', name: 'mine' }, false],
    [
      'system:masters binds anything',
      user('admin', 'system:masters'),
      { path: 'root:nowhere', name: 'x' },
      true,
    ],
  ];
  it.each(cases)('%s', (_, who, reference, allowed) => {
    expect(mayBind(authorizer, resolve, who, reference, consumer)).toBe(allowed);
  });

  it('refuses with the same words whether or not the export exists', () => {
    for (const reference of [
      { path: 'root:providers:db', name: 'databases' },
      { path: 'root:nowhere', name: 'databases' },
      { path: '', name: 'mine' },
    ]) {
      let error: unknown;
      try {
        checkBind(authorizer, resolve, user('bob'), reference, consumer);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).toStatus()).toMatchObject({
        code: 403,
        reason: 'Forbidden',
        message: `unable to create APIBinding: no permission to bind to export ${reference.path || consumer.path}:${reference.name}`,
      });
    }
  });
});
