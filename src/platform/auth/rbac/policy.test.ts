import { describe, expect, it } from 'vitest';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from './bootstrap.js';
import { describeRule, uncoveredRules } from './covers.js';
import { fixedPolicy } from './objects.js';
import { allows, rulesFor, type Binding, type Identity, type Policy } from './policy.js';
import { rule, ruleAllows, type AccessRequest, type PolicyRule } from './rules.js';

const get = (resource: string, extra: Partial<AccessRequest & { kind: 'resource' }> = {}): AccessRequest => ({
  kind: 'resource',
  verb: 'get',
  group: '',
  resource,
  ...extra,
});
const path = (p: string, verb = 'get'): AccessRequest => ({ kind: 'nonResource', verb, path: p });

describe('one rule against one request', () => {
  const cases: [string, PolicyRule, AccessRequest, boolean][] = [
    [
      'exact verb, group, resource',
      rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }),
      get('configmaps'),
      true,
    ],
    [
      'other verb',
      rule({ verbs: ['list'], apiGroups: [''], resources: ['configmaps'] }),
      get('configmaps'),
      false,
    ],
    ['verb *', rule({ verbs: ['*'], apiGroups: [''], resources: ['configmaps'] }), get('configmaps'), true],
    [
      'other group',
      rule({ verbs: ['get'], apiGroups: ['apps'], resources: ['configmaps'] }),
      get('configmaps'),
      false,
    ],
    [
      'group *',
      rule({ verbs: ['get'], apiGroups: ['*'], resources: ['configmaps'] }),
      get('configmaps', { group: 'x.io' }),
      true,
    ],
    ['resource *', rule({ verbs: ['get'], apiGroups: [''], resources: ['*'] }), get('secrets'), true],
    [
      'other resource',
      rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }),
      get('secrets'),
      false,
    ],
    [
      'named rule, right name',
      rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }),
      get('configmaps', { name: 'a' }),
      true,
    ],
    [
      'named rule, other name',
      rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }),
      get('configmaps', { name: 'b' }),
      false,
    ],
    [
      'named rule, no name (list)',
      rule({ verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }),
      get('configmaps', { verb: 'list' }),
      false,
    ],
    [
      'named rule, list narrowed to the name',
      rule({ verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }),
      get('configmaps', { verb: 'list', name: 'a' }),
      true,
    ],
    [
      'subresource needs its own entry',
      rule({ verbs: ['get'], apiGroups: ['tenancy.kcp.io'], resources: ['workspaces'] }),
      get('workspaces', { group: 'tenancy.kcp.io', subresource: 'status' }),
      false,
    ],
    [
      'resource/subresource',
      rule({ verbs: ['get'], apiGroups: ['tenancy.kcp.io'], resources: ['workspaces/status'] }),
      get('workspaces', { group: 'tenancy.kcp.io', subresource: 'status' }),
      true,
    ],
    [
      '*/subresource',
      rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }),
      get('workspaces', { group: 'tenancy.kcp.io', subresource: 'status' }),
      true,
    ],
    [
      '*/subresource is not the resource',
      rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }),
      get('workspaces', { group: 'tenancy.kcp.io' }),
      false,
    ],
    [
      'resource/subresource is not the resource',
      rule({ verbs: ['get'], apiGroups: ['tenancy.kcp.io'], resources: ['workspaces/status'] }),
      get('workspaces', { group: 'tenancy.kcp.io' }),
      false,
    ],
    [
      'resource * covers subresources',
      rule({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }),
      get('workspaces', { subresource: 'status' }),
      true,
    ],
    ['path exact', rule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }), path('/healthz'), true],
    [
      'path exact, other path',
      rule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }),
      path('/healthz/etcd'),
      false,
    ],
    [
      'path prefix *',
      rule({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
      path('/apis/tenancy.kcp.io/v1alpha1'),
      true,
    ],
    [
      'path prefix * matches the bare prefix',
      rule({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
      path('/apis/'),
      true,
    ],
    [
      'path prefix * needs the prefix',
      rule({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
      path('/apis'),
      false,
    ],
    ['path *', rule({ verbs: ['*'], nonResourceURLs: ['*'] }), path('/', 'access'), true],
    ['access on / only', rule({ verbs: ['access'], nonResourceURLs: ['/'] }), path('/', 'access'), true],
    ['access rule is not get', rule({ verbs: ['access'], nonResourceURLs: ['/'] }), path('/'), false],
    [
      'resource rule never matches a path',
      rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }),
      path('/api'),
      false,
    ],
    [
      'path rule never matches a resource',
      rule({ verbs: ['*'], nonResourceURLs: ['*'] }),
      get('configmaps'),
      false,
    ],
  ];
  it.each(cases)('%s', (_, r, request, expected) => expect(ruleAllows(r, request)).toBe(expected));
});

function policy(options: {
  clusterRoles?: Record<string, PolicyRule[]>;
  roles?: Record<string, PolicyRule[]>;
  clusterRoleBindings?: Binding[];
  roleBindings?: Binding[];
}): Policy {
  return {
    clusterRoleBindings: () => options.clusterRoleBindings ?? [],
    roleBindings: (namespace) => (options.roleBindings ?? []).filter((b) => b.namespace === namespace),
    clusterRole: (name) => options.clusterRoles?.[name],
    role: (namespace, name) => options.roles?.[`${namespace}/${name}`],
  };
}

const alice: Identity = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const bob: Identity = { name: 'bob', groups: ['system:authenticated'] };
const readConfigMaps = [rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] })];
const user = (name: string) => ({ kind: 'User', name });
const group = (name: string) => ({ kind: 'Group', name });

describe('bindings decide whose rules apply where', () => {
  const p = policy({
    clusterRoles: {
      reader: readConfigMaps,
      mixed: [...readConfigMaps, rule({ verbs: ['get'], nonResourceURLs: ['/metrics'] })],
    },
    roles: {
      'team/secret-one': [
        rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['one'] }),
      ],
    },
    clusterRoleBindings: [
      { name: 'devs', subjects: [group('dev')], roleRef: { kind: 'ClusterRole', name: 'reader' } },
      { name: 'broken', subjects: [user('bob')], roleRef: { kind: 'ClusterRole', name: 'missing' } },
      // A ClusterRoleBinding cannot point at a Role.
      { name: 'wrong', subjects: [user('bob')], roleRef: { kind: 'Role', name: 'secret-one' } },
    ],
    roleBindings: [
      {
        name: 'b',
        namespace: 'team',
        subjects: [user('bob')],
        roleRef: { kind: 'Role', name: 'secret-one' },
      },
      {
        name: 'c',
        namespace: 'team',
        subjects: [user('bob')],
        roleRef: { kind: 'ClusterRole', name: 'mixed' },
      },
      {
        name: 'sa',
        namespace: 'ci',
        subjects: [{ kind: 'ServiceAccount', name: 'builder' }],
        roleRef: { kind: 'ClusterRole', name: 'reader' },
      },
    ],
  });

  const cases: [string, Identity, AccessRequest, boolean][] = [
    ['group subject, any namespace', alice, get('configmaps', { namespace: 'x' }), true],
    ['group subject, cluster-wide list', alice, get('configmaps', { verb: 'list' }), true],
    ['not in the group', bob, get('configmaps', { namespace: 'x' }), false],
    [
      'role binding: named secret in its namespace',
      bob,
      get('secrets', { namespace: 'team', name: 'one' }),
      true,
    ],
    ['role binding: other secret', bob, get('secrets', { namespace: 'team', name: 'two' }), false],
    ['role binding: other namespace', bob, get('secrets', { namespace: 'other', name: 'one' }), false],
    ['role binding: not cluster-wide', bob, get('secrets', { name: 'one' }), false],
    [
      'role binding to a ClusterRole: only in its namespace',
      bob,
      get('configmaps', { namespace: 'team' }),
      true,
    ],
    ['role binding to a ClusterRole: not elsewhere', bob, get('configmaps', { namespace: 'other' }), false],
    ['role binding never grants paths', bob, path('/metrics'), false],
    ['a binding to a missing role grants nothing', bob, get('anything', { namespace: 'x' }), false],
    [
      'service account by its user name',
      { name: 'system:serviceaccount:ci:builder', groups: [] },
      get('configmaps', { namespace: 'ci' }),
      true,
    ],
    [
      'service account elsewhere',
      { name: 'system:serviceaccount:ci:builder', groups: [] },
      get('configmaps', { namespace: 'team' }),
      false,
    ],
  ];
  it.each(cases)('%s', (_, who, request, expected) => expect(allows(p, who, request)).toBe(expected));

  it('collects the rules that apply in a namespace', () => {
    expect(rulesFor(p, bob, undefined)).toEqual([]);
    expect(rulesFor(p, bob, 'team')).toEqual([
      rule({ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['one'] }),
      ...readConfigMaps,
    ]);
  });
});

describe('the built-in policy', () => {
  const builtin = fixedPolicy(BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES);
  it.each([
    ['/api', true],
    ['/api/v1', true],
    ['/apis', true],
    ['/apis/tenancy.kcp.io/v1alpha1', true],
    ['/openapi/v3', true],
    ['/openapi/v3/apis/rbac.authorization.k8s.io/v1', true],
    ['/version', true],
    ['/', false],
    ['/metrics', false],
  ])('lets every authenticated user discover: get %s → %s', (p, expected) =>
    expect(allows(builtin, bob, path(p))).toBe(expected),
  );

  it('lets every authenticated user review themselves, and nothing else', () => {
    const review = {
      kind: 'resource',
      verb: 'create',
      group: 'authentication.k8s.io',
      resource: 'selfsubjectreviews',
    } as const;
    expect(allows(builtin, bob, review)).toBe(true);
    expect(allows(builtin, { name: 'x', groups: [] }, review)).toBe(false);
    expect(allows(builtin, bob, path('/', 'access'))).toBe(false);
    expect(allows(builtin, bob, get('configmaps', { namespace: 'default' }))).toBe(false);
  });

  it('cluster-admin holds everything, paths included', () => {
    const admin = policy({
      clusterRoles: BOOTSTRAP_CLUSTER_ROLES,
      clusterRoleBindings: [
        {
          name: 'workspace-admin',
          subjects: [user('alice')],
          roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
        },
      ],
    });
    expect(allows(admin, alice, path('/', 'access'))).toBe(true);
    expect(allows(admin, alice, get('anything', { group: 'x.io', verb: 'deletecollection' }))).toBe(true);
    expect(allows(admin, bob, path('/', 'access'))).toBe(false);
  });
});

describe('escalation check', () => {
  const own = [
    rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps', 'secrets'] }),
    rule({ verbs: ['get'], apiGroups: ['tenancy.kcp.io'], resources: ['*/status'] }),
    rule({
      verbs: ['use'],
      apiGroups: ['tenancy.kcp.io'],
      resources: ['workspacetypes'],
      resourceNames: ['universal'],
    }),
    rule({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }),
  ];
  it.each([
    ['a subset', [rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] })], []],
    [
      'a named subset',
      [rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] })],
      [],
    ],
    [
      'a subresource through */status',
      [rule({ verbs: ['get'], apiGroups: ['tenancy.kcp.io'], resources: ['workspaces/status'] })],
      [],
    ],
    ['a path under a prefix', [rule({ verbs: ['get'], nonResourceURLs: ['/apis/x'] })], []],
    [
      'a named grant they hold',
      [
        rule({
          verbs: ['use'],
          apiGroups: ['tenancy.kcp.io'],
          resources: ['workspacetypes'],
          resourceNames: ['universal'],
        }),
      ],
      [],
    ],
    [
      'another verb',
      [rule({ verbs: ['get', 'delete'], apiGroups: [''], resources: ['configmaps'] })],
      [rule({ verbs: ['delete'], apiGroups: [''], resources: ['configmaps'] })],
    ],
    [
      'a wildcard they do not hold',
      [rule({ verbs: ['get'], apiGroups: [''], resources: ['*'] })],
      [rule({ verbs: ['get'], apiGroups: [''], resources: ['*'] })],
    ],
    [
      'every name where they hold one',
      [rule({ verbs: ['use'], apiGroups: ['tenancy.kcp.io'], resources: ['workspacetypes'] })],
      [rule({ verbs: ['use'], apiGroups: ['tenancy.kcp.io'], resources: ['workspacetypes'] })],
    ],
    [
      'a path they lack',
      [rule({ verbs: ['access'], nonResourceURLs: ['/'] })],
      [rule({ verbs: ['access'], nonResourceURLs: ['/'] })],
    ],
  ])('%s', (_, wanted, missing) => expect(uncoveredRules(own, wanted)).toEqual(missing));

  it('cluster-admin covers anything', () => {
    const wanted = [
      rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }),
      rule({ verbs: ['*'], nonResourceURLs: ['*'] }),
    ];
    expect(uncoveredRules(BOOTSTRAP_CLUSTER_ROLES['cluster-admin'] ?? [], wanted)).toEqual([]);
  });

  it('prints a rule as the apiserver does', () => {
    expect(
      describeRule(
        rule({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }),
      ),
    ).toBe('{APIGroups:[""], Resources:["configmaps"], ResourceNames:["a"], Verbs:["get"]}');
  });
});

describe('a binding that names a role after a prototype member', () => {
  it.each(['constructor', '__proto__', 'toString'])(
    'a ClusterRoleBinding to ClusterRole %j grants nothing and breaks nothing',
    (name) => {
      const binding: Binding = {
        name: 'odd',
        subjects: [{ kind: 'User', name: 'alice' }],
        roleRef: { kind: 'ClusterRole', name },
      };
      const policy = fixedPolicy([binding], BOOTSTRAP_CLUSTER_ROLES);
      expect(allows(policy, alice, get('configmaps'))).toBe(false);
      expect(rulesFor(policy, alice, 'default')).toEqual([]);
    },
  );
});
