import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  adminToken,
  kubectlInBackground,
  mintToken,
  rawRequest,
  rawWatch,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Binding against the real platform process, with real kubectl: a provider in root:provider exports
// a namespaced and a cluster-scoped resource and claims configmaps and secrets; teams bind it in
// v1alpha1 and v1alpha2; the provider reads them all through the export's view.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let admin: ReturnType<typeof adminKubectlAt>;
const tokens: Record<string, string> = {};

const PROVIDER = 'root:provider';
const VIEW = `/services/apiexport/${PROVIDER}/databases/clusters`;
const ws = (path: string) => `/clusters/${path}`;
const at = (workspace: string, ...args: string[]) => admin(ws(workspace), args);
const viewOf = (consumer: string, ...args: string[]) => admin(`${VIEW}/${consumer}`, args);
// A stream of JSON documents (a v1 List would send kubectl to OpenAPI v2 to validate it).
const apply = (workspace: string, ...items: object[]) =>
  admin(ws(workspace), ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);

const databasesSchema = {
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIResourceSchema',
  metadata: { name: 'v1.databases.db.example.io' },
  spec: {
    group: 'db.example.io',
    names: { plural: 'databases', singular: 'database', kind: 'Database', shortNames: ['pg'] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        // kcp's form: the OpenAPI schema itself, not wrapped in openAPIV3Schema.
        schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['version'],
              properties: { version: { type: 'string', enum: ['16', '17'] } },
            },
            status: { type: 'object', properties: { phase: { type: 'string' } } },
          },
        },
      },
    ],
  },
};

const clusterWidgetsSchema = {
  apiVersion: 'apis.kcp.io/v1alpha1',
  kind: 'APIResourceSchema',
  metadata: { name: 'v1.clusterwidgets.ops.example.io' },
  spec: {
    group: 'ops.example.io',
    names: {
      plural: 'clusterwidgets',
      singular: 'clusterwidget',
      kind: 'ClusterWidget',
      shortNames: ['cw'],
      categories: ['ops'],
    },
    scope: 'Cluster',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A widget shared by the whole workspace.',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1, maximum: 10, description: 'How big.' },
                  owner: { type: 'string', maxLength: 8 },
                },
              },
            },
          },
        },
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Owner', type: 'string', jsonPath: '.spec.owner', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
};

const apiExport = (name: string, schemas: string[], claims: object[] = []) => ({
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIExport',
  metadata: { name },
  spec: {
    resources: schemas.map((schema) => {
      const [, resource, ...group] = schema.split('.');
      return { name: resource, group: group.join('.'), schema, storage: { crd: {} } };
    }),
    permissionClaims: claims,
  },
});

const workspace = (name: string) => ({
  apiVersion: 'tenancy.kcp.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name },
  spec: { type: { name: 'universal', path: 'root' } },
});

const database = (name: string, version = '16') => ({
  apiVersion: 'db.example.io/v1',
  kind: 'Database',
  metadata: { name, namespace: 'default' },
  spec: { version },
});

async function waitBound(workspacePath: string, name: string) {
  const waited = await at(
    workspacePath,
    'wait',
    '--for=jsonpath={.status.phase}=Bound',
    `apibindings.v1alpha2.apis.kcp.io/${name}`,
    '--timeout=10s',
  );
  ok(waited);
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-apis-'));
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  [tokens.reader, tokens.eve] = await Promise.all([
    mintToken(platform.dataDir, 'reader'),
    mintToken(platform.dataDir, 'eve'),
  ]);
  ok(await apply('root', ...['provider', 'team-a', 'team-b'].map(workspace)));
  for (const name of ['provider', 'team-a', 'team-b']) {
    ok(
      await at('root', 'wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`, '--timeout=10s'),
    );
  }
  ok(
    await apply(
      PROVIDER,
      databasesSchema,
      clusterWidgetsSchema,
      apiExport(
        'databases',
        ['v1.databases.db.example.io', 'v1.clusterwidgets.ops.example.io'],
        [
          { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch'] },
          { group: '', resource: 'secrets', verbs: ['*'] },
        ],
      ),
      apiExport('more-databases', ['v1.databases.db.example.io']),
      // `reader` may look at the export's content, not change it.
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'databases-reader' },
        rules: [
          {
            apiGroups: ['apis.kcp.io'],
            resources: ['apiexports/content'],
            resourceNames: ['databases'],
            verbs: ['get', 'list', 'watch'],
          },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'databases-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'databases-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'reader' }],
      },
    ),
  );
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('binding an export', () => {
  it('serves one binding as v1alpha1 and v1alpha2, going Binding then Bound', async () => {
    const token = adminToken(platform.dataDir);
    const phases = await rawWatch(
      platform.url,
      `${ws('root:team-a')}/apis/apis.kcp.io/v1alpha2/apibindings`,
      {
        token,
        ca,
      },
    );
    const phaseOf = (event: { object: Record<string, unknown> }) =>
      (event.object.status as { phase?: string } | undefined)?.phase ?? '';
    try {
      // An older client writes v1alpha1: claims say `all`, not selectors and verbs.
      const created = Date.now();
      ok(
        await apply('root:team-a', {
          apiVersion: 'apis.kcp.io/v1alpha1',
          kind: 'APIBinding',
          metadata: { name: 'databases' },
          spec: {
            reference: { export: { path: PROVIDER, name: 'databases' } },
            permissionClaims: [
              { group: '', resource: 'configmaps', all: true, state: 'Accepted' },
              { group: '', resource: 'secrets', all: true, state: 'Rejected' },
            ],
          },
        }),
      );
      await phases.waitFor((event) => phaseOf(event) === 'Bound');
      // kubectl itself takes most of this; the controller's two writes follow the create at once.
      expect(Date.now() - created).toBeLessThan(3000);
      expect(phases.events().map(phaseOf)).toEqual(['', 'Binding', 'Bound']);
    } finally {
      phases.stop();
    }
    const [v1, v2] = await Promise.all(
      ['v1alpha1', 'v1alpha2'].map(async (version) => {
        const got = await at(
          'root:team-a',
          'get',
          `apibindings.${version}.apis.kcp.io`,
          'databases',
          '-o',
          'json',
        );
        ok(got);
        return JSON.parse(got.stdout);
      }),
    );
    expect([v1.apiVersion, v2.apiVersion]).toEqual(['apis.kcp.io/v1alpha1', 'apis.kcp.io/v1alpha2']);
    expect(v1.metadata.uid).toBe(v2.metadata.uid);
    expect(v1.metadata.resourceVersion).toBe(v2.metadata.resourceVersion);
    expect(v1.spec.permissionClaims).toEqual([
      { group: '', resource: 'configmaps', all: true, state: 'Accepted' },
      { group: '', resource: 'secrets', all: true, state: 'Rejected' },
    ]);
    expect(v2.spec.permissionClaims).toEqual([
      { group: '', resource: 'configmaps', verbs: ['*'], selector: { matchAll: true }, state: 'Accepted' },
      { group: '', resource: 'secrets', verbs: ['*'], selector: { matchAll: true }, state: 'Rejected' },
    ]);
    expect(v2.status).toMatchObject({
      phase: 'Bound',
      apiExportClusterName: expect.stringMatching(/^[a-z0-9]{16}$/),
      boundResources: [
        { group: 'db.example.io', resource: 'databases', schema: { name: 'v1.databases.db.example.io' } },
        {
          group: 'ops.example.io',
          resource: 'clusterwidgets',
          schema: { name: 'v1.clusterwidgets.ops.example.io' },
        },
      ],
      exportPermissionClaims: [
        { group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch'] },
        { group: '', resource: 'secrets', verbs: ['*'] },
      ],
    });
    expect(v1.status.boundResources).toEqual(v2.status.boundResources);
    const conditions = Object.fromEntries(
      v2.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
    );
    expect(conditions).toMatchObject({
      Ready: 'True',
      APIExportValid: 'True',
      InitialBindingCompleted: 'True',
      BindingUpToDate: 'True',
    });

    // A change through one version is the other's too; the export reads as v1alpha1 as well.
    ok(await at('root:team-a', 'label', 'apibindings.v1alpha2.apis.kcp.io', 'databases', 'team=a'));
    const labelled = await at(
      'root:team-a',
      'get',
      'apibindings.v1alpha1.apis.kcp.io',
      'databases',
      '-o',
      'jsonpath={.metadata.labels.team}',
    );
    expect(labelled.stdout).toBe('a');
    const exported = await at(PROVIDER, 'get', 'apiexports.v1alpha1.apis.kcp.io', 'databases', '-o', 'json');
    expect(JSON.parse(exported.stdout).spec.latestResourceSchemas).toEqual([
      'v1.databases.db.example.io',
      'v1.clusterwidgets.ops.example.io',
    ]);
  });

  it('serves a bound cluster-scoped resource to kubectl: api-resources, explain, Table, validation', async () => {
    const resources = await at('root:team-a', 'api-resources', '--api-group=ops.example.io');
    expect(resources.stdout).toMatch(/clusterwidgets\s+cw\s+ops.example.io\/v1\s+false\s+ClusterWidget/);
    const explained = await at('root:team-a', 'explain', 'clusterwidgets.spec.size');
    expect(explained.stdout).toContain('How big.');
    ok(
      await apply('root:team-a', {
        apiVersion: 'ops.example.io/v1',
        kind: 'ClusterWidget',
        metadata: { name: 'big' },
        spec: { size: 7, owner: 'ops' },
      }),
    );
    const table = await at('root:team-a', 'get', 'cw');
    expect(table.stdout).toMatch(/^NAME\s+SIZE\s+AGE\nbig\s+7\s+\d+s\n$/);
    const wide = await at('root:team-a', 'get', 'clusterwidgets', '-o', 'wide');
    expect(wide.stdout).toMatch(/^NAME\s+SIZE\s+OWNER\s+AGE\nbig\s+7\s+ops\s+/);
    const object = JSON.parse((await at('root:team-a', 'get', 'clusterwidget', 'big', '-o', 'json')).stdout);
    expect(object.metadata.annotations).toMatchObject({
      'kcp.io/cluster': expect.stringMatching(/^[a-z0-9]{16}$/),
      'kcp.io/path': 'root:team-a',
    });
    expect(object.metadata.namespace).toBeUndefined();

    const tooBig = await at(
      'root:team-a',
      'patch',
      'cw',
      'big',
      '--type=merge',
      '-p',
      '{"spec":{"size":11}}',
    );
    expect(tooBig.stderr).toContain(
      'The ClusterWidget "big" is invalid: spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10',
    );
    const invalid = await rawRequest(
      platform.url,
      `${ws('root:team-a')}/apis/ops.example.io/v1/clusterwidgets`,
      {
        token: adminToken(platform.dataDir),
        ca,
        method: 'POST',
        body: JSON.stringify({
          apiVersion: 'ops.example.io/v1',
          kind: 'ClusterWidget',
          metadata: { name: 'bad' },
          spec: {},
        }),
      },
    );
    expect(invalid.status).toBe(422);
    expect(JSON.parse(invalid.body)).toMatchObject({
      reason: 'Invalid',
      message: 'ClusterWidget.ops.example.io "bad" is invalid: spec.size: Required value',
      details: {
        name: 'bad',
        group: 'ops.example.io',
        kind: 'ClusterWidget',
        causes: [{ field: 'spec.size' }],
      },
    });
    const strict = await apply('root:team-a', {
      apiVersion: 'ops.example.io/v1',
      kind: 'ClusterWidget',
      metadata: { name: 'typo' },
      spec: { size: 1, colour: 'red' },
    });
    expect(strict.stderr).toContain('strict decoding error: unknown field "spec.colour"');
    const strategic = await at('root:team-a', 'patch', 'cw', 'big', '-p', '{"spec":{"size":2}}');
    expect(strategic.stderr).toContain('application/strategic-merge-patch+json is not supported');
    ok(
      await at(
        'root:team-a',
        'patch',
        'cw',
        'big',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/size","value":3}]',
      ),
    );
    expect((await at('root:team-a', 'get', 'cw', 'big', '-o', 'jsonpath={.spec.size}')).stdout).toBe('3');
    ok(await at('root:team-a', 'delete', 'cw', 'big'));
    // Nothing invalid was stored along the way.
    expect((await at('root:team-a', 'get', 'cw', '-o', 'name')).stdout).toBe('');
  });

  it('leaves a second binding of the same resource unbound, naming the binding that has it', async () => {
    ok(
      await apply('root:team-a', {
        apiVersion: 'apis.kcp.io/v1alpha2',
        kind: 'APIBinding',
        metadata: { name: 'more' },
        spec: { reference: { export: { path: PROVIDER, name: 'more-databases' } } },
      }),
    );
    const conflict =
      'naming conflict with APIBinding "databases", which already provides databases.db.example.io';
    const { status } = await eventually(
      async () => JSON.parse((await at('root:team-a', 'get', 'apibinding', 'more', '-o', 'json')).stdout),
      (got) => (got.status?.conditions ?? []).some((c: { type: string }) => c.type === 'BindingUpToDate'),
    );
    expect(status.phase).toBe('Binding');
    for (const type of ['BindingUpToDate', 'InitialBindingCompleted', 'Ready']) {
      expect(status.conditions).toContainEqual(
        expect.objectContaining({
          type,
          status: 'False',
          reason: 'NamingConflicts',
          message: expect.stringContaining(conflict),
        }),
      );
    }
    ok(await at('root:team-a', 'delete', 'apibinding', 'more'));
  });
});

describe("the export's view", () => {
  beforeAll(async () => {
    ok(
      await apply('root:team-b', {
        apiVersion: 'apis.kcp.io/v1alpha2',
        kind: 'APIBinding',
        metadata: { name: 'databases' },
        spec: { reference: { export: { path: PROVIDER, name: 'databases' } } },
      }),
    );
    await waitBound('root:team-b', 'databases');
    ok(await apply('root:team-a', database('orders')));
    for (const team of ['root:team-a', 'root:team-b']) {
      ok(await at(team, 'create', 'configmap', 'settings', '--from-literal=tier=gold'));
      ok(await at(team, 'create', 'secret', 'generic', 'password', '--from-literal=pw=hunter2'));
    }
  });

  it('reads a claimed resource only where the claim was accepted, and only with the claimed verbs', async () => {
    const accepted = await viewOf('root:team-a', 'get', 'configmaps', '-n', 'default', '-o', 'name');
    expect(accepted.stdout).toContain('configmap/settings');
    const everywhere = await viewOf(
      '*',
      'get',
      'configmaps',
      '-A',
      '-o',
      'jsonpath={.items[*].metadata.annotations.kcp\\.io/cluster}',
    );
    const teamA = JSON.parse((await at('root', 'get', 'workspace', 'team-a', '-o', 'json')).stdout).spec
      .cluster;
    expect(everywhere.stdout.split(' ').every((cluster) => cluster === teamA)).toBe(true);

    const rejected = await viewOf('root:team-a', 'get', 'secrets', '-n', 'default');
    expect(rejected.stderr).toContain('Error from server (Forbidden)');
    const notAccepted = await viewOf('root:team-b', 'get', 'configmaps', '-n', 'default');
    expect(notAccepted.stderr).toContain('Error from server (Forbidden)');
    const unclaimedVerb = await viewOf('root:team-a', 'create', 'configmap', 'sneaky', '-n', 'default');
    expect(unclaimedVerb.stderr).toContain(
      'configmaps is forbidden: User "kplane-admin" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
  });

  it('lets in only those granted apiexports/content in the export workspace, for the verbs granted', async () => {
    const list = `${VIEW}/*/apis/db.example.io/v1/databases`;
    const eve = await rawRequest(platform.url, list, { token: tokens.eve, ca });
    expect([eve.status, JSON.parse(eve.body).message]).toEqual([
      403,
      'apiexports.apis.kcp.io "databases" is forbidden: User "eve" cannot list resource "apiexports/content" in API group "apis.kcp.io" at the cluster scope',
    ]);
    // Same answer for an export that does not exist: nothing about it leaks.
    const nothing = await rawRequest(platform.url, list.replace('/databases/clusters', '/nothing/clusters'), {
      token: tokens.eve,
      ca,
    });
    expect(nothing.status).toBe(403);
    const reader = await rawRequest(platform.url, list, { token: tokens.reader, ca });
    expect(reader.status, reader.body).toBe(200);
    expect(JSON.parse(reader.body).items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(
      ['orders'],
    );
    const write = await rawRequest(
      platform.url,
      `${VIEW}/root:team-a/apis/db.example.io/v1/namespaces/default/databases/orders/status`,
      {
        token: tokens.reader,
        ca,
        method: 'PATCH',
        body: '{"status":{"phase":"Ready"}}',
        headers: { 'Content-Type': 'application/merge-patch+json' },
      },
    );
    expect(write.status).toBe(403);
    // The admin (system:masters) may write status back, which the team then sees.
    const status = await rawRequest(
      platform.url,
      `${VIEW}/root:team-a/apis/db.example.io/v1/namespaces/default/databases/orders/status`,
      {
        token: adminToken(platform.dataDir),
        ca,
        method: 'PATCH',
        body: '{"status":{"phase":"Ready"},"spec":{"version":"17"}}',
        headers: { 'Content-Type': 'application/merge-patch+json' },
      },
    );
    expect(status.status, status.body).toBe(200);
    const seen = await at(
      'root:team-a',
      'get',
      'pg',
      'orders',
      '-o',
      'jsonpath={.status.phase} {.spec.version}',
    );
    expect(seen.stdout).toBe('Ready 16');
  });

  it('serves discovery and OpenAPI of what the export offers', async () => {
    const resources = await viewOf('*', 'api-resources', '-o', 'name');
    expect(resources.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'clusterwidgets.ops.example.io',
      'configmaps',
      'databases.db.example.io',
      'secrets',
    ]);
    const explained = await viewOf('root:team-a', 'explain', 'clusterwidgets.spec');
    expect(explained.stdout).toContain('How big.');
  });

  it('watches every consumer and sees an object added in one of them', async () => {
    const watch = kubectlInBackground(
      [
        '--server',
        `${platform.url}${VIEW}/*`,
        'get',
        'databases',
        '-A',
        '-w',
        '-o',
        'custom-columns=NAME:.metadata.name,WORKSPACE:.metadata.annotations.kcp\\.io/path',
      ],
      { kubeconfig: platform.kubeconfig, cacheDir: path.join(scratch, 'cache-view-watch') },
    );
    try {
      await watch.waitFor('orders');
      ok(await apply('root:team-b', database('invoices', '17')));
      await watch.waitFor('invoices');
      expect(watch.stdout()).toMatch(/invoices\s+root:team-b\n/);
    } finally {
      await watch.stop();
    }
  });

  it('pages the list across consumers, one token per view, 410 once the view changed', async () => {
    const admin = { token: adminToken(platform.dataDir), ca };
    const list = `${VIEW}/*/apis/db.example.io/v1/databases`;
    const get = (rawPath: string) => rawRequest(platform.url, rawPath, admin);
    const first = JSON.parse((await get(`${list}?limit=1`)).body);
    expect(first.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toHaveLength(1);
    expect(first.metadata.remainingItemCount).toBe(1);
    const token = encodeURIComponent(first.metadata.continue);
    const second = JSON.parse((await get(`${list}?limit=1&continue=${token}`)).body);
    expect(second.metadata).toEqual({ resourceVersion: first.metadata.resourceVersion });
    expect(
      [...first.items, ...second.items].map((o: { metadata: { name: string } }) => o.metadata.name).sort(),
    ).toEqual(['invoices', 'orders']);

    const oneConsumer = await get(
      `${VIEW}/root:team-a/apis/db.example.io/v1/databases?limit=1&continue=${token}`,
    );
    expect(oneConsumer.status).toBe(400);
    const chunked = await viewOf('*', 'get', 'databases', '-A', '--chunk-size=1', '-o', 'name');
    expect(chunked.stdout.trim().split('\n').sort()).toEqual([
      'database.db.example.io/invoices',
      'database.db.example.io/orders',
    ]);

    ok(await apply('root:team-b', database('invoices', '16')));
    const stale = await get(`${list}?limit=1&continue=${token}`);
    expect([stale.status, JSON.parse(stale.body).reason]).toEqual([410, 'Expired']);
  });

  it('unbinding takes the resources out of discovery and deletes their objects', async () => {
    ok(await at('root:team-a', 'delete', 'apibinding', 'databases'));
    const [discovery, raw] = await Promise.all([
      at('root:team-a', 'api-resources', '--api-group=db.example.io', '-o', 'name'),
      rawRequest(platform.url, `${ws('root:team-a')}/apis/db.example.io/v1/namespaces/default/databases`, {
        token: adminToken(platform.dataDir),
        ca,
      }),
    ]);
    expect(discovery.stdout).toBe('');
    expect(raw.status).toBe(404);
    const left = await viewOf('*', 'get', 'databases', '-A', '-o', 'jsonpath={.items[*].metadata.name}');
    expect(left.stdout).toBe('invoices');
    // Binding again starts from nothing: the old objects are gone, not hidden.
    ok(
      await apply('root:team-a', {
        apiVersion: 'apis.kcp.io/v1alpha2',
        kind: 'APIBinding',
        metadata: { name: 'databases' },
        spec: { reference: { export: { path: PROVIDER, name: 'databases' } } },
      }),
    );
    await waitBound('root:team-a', 'databases');
    expect((await at('root:team-a', 'get', 'databases', '-A', '-o', 'name')).stdout).toBe('');
    // The schema stays while the exports use it.
    const kept = await at(PROVIDER, 'delete', 'apiresourceschema', 'v1.databases.db.example.io');
    expect(kept.stderr).toContain('the schema is in use by APIExport "databases", "more-databases"');
  });

  it('deleting a consumer workspace takes its objects out of the view', async () => {
    ok(await at('root', 'delete', 'workspace', 'team-b'));
    const left = await viewOf('*', 'get', 'databases', '-A', '-o', 'name');
    expect([left.code, left.stdout]).toEqual([0, '']);
  });
});
