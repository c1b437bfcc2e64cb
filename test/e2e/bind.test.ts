import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kplane,
  kplaneBin,
  repoRoot,
  startDevPlatform,
  userSandbox,
  type DevPlatform,
  type UserSandbox,
} from './helpers/cli.js';
import { adminKubectl, loggedInUser, type LoggedInUser } from './helpers/identity.js';
import { adminToken, rawRequest } from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

const crd = path.join(repoRoot, 'test', 'e2e', 'fixtures', 'postgres-crd.yaml');
let platform: DevPlatform;
let alice: LoggedInUser;
let bob: LoggedInUser;
let carol: LoggedInUser;

let provider: UserSandbox;
let providerKubeconfig: string;

/** kplane as the provider, as the platform admin in the export's workspace. */
const asProvider = (...args: string[]) => kplane([...args, '--kubeconfig', providerKubeconfig]);

beforeAll(async () => {
  platform = await startDevPlatform({ demo: true });
  provider = userSandbox('kplane-provider-');
  // The provider works in its own workspace, as the platform admin here.
  for (const [parent, name] of [
    ['root', 'providers'],
    ['root:providers', 'db'],
  ] as const) {
    const result = await kplane([
      'ws',
      'create',
      name,
      '--type',
      'root:universal',
      '--ignore-existing',
      '--kubeconfig',
      adminAt(parent),
    ]);
    expect(result.code, result.stderr).toBe(0);
  }
  providerKubeconfig = adminAt('root:providers:db');
  [alice, bob, carol] = (await Promise.all(
    ['alice', 'bob', 'carol'].map((name) => loggedInUser(platform, name)),
  )) as [LoggedInUser, LoggedInUser, LoggedInUser];
  // alice and bob may bind the export; carol may not. (`kubectl create clusterrole --verb=bind`
  // refuses any resource but roles and clusterroles, so the role goes in as a manifest.)
  const roleFile = path.join(provider.dir, 'bind-databases.json');
  writeFileSync(
    roleFile,
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'bind-databases' },
      rules: [
        {
          apiGroups: ['apis.kcp.io'],
          resources: ['apiexports'],
          resourceNames: ['databases'],
          verbs: ['bind'],
        },
      ],
    }),
  );
  const role = await adminKubectl(platform, 'root:providers:db', 'create', '-f', roleFile);
  expect(role.code, role.stderr).toBe(0);
  const binding = await adminKubectl(
    platform,
    'root:providers:db',
    'create',
    'clusterrolebinding',
    'bind-databases',
    '--clusterrole=bind-databases',
    '--user=alice',
    '--user=bob',
  );
  expect(binding.code, binding.stderr).toBe(0);
  for (const user of [alice, bob, carol]) expect((await user.kplane('ws', 'use', '~')).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  for (const user of [alice, bob, carol]) user?.sandbox.cleanup();
  provider?.cleanup();
});

/** A copy of the admin kubeconfig pointing at `workspace`, for kplane commands run as the provider. */
function adminAt(workspace: string): string {
  const file = path.join(provider.dir, `admin-${workspace}.kubeconfig`);
  writeFileSync(
    file,
    readFileSync(platform.adminKubeconfig, 'utf8').replace('/clusters/root\n', `/clusters/${workspace}\n`),
  );
  return file;
}

function database(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'db.example.io/v1', kind: 'Database', metadata: { name }, spec });
}

async function apply(user: LoggedInUser, manifest: string) {
  const file = path.join(user.sandbox.dir, `manifest-${Date.now()}.json`);
  writeFileSync(file, manifest);
  return user.kubectl('apply', '-f', file);
}

describe('a provider exports an API and users bind it', () => {
  it('exports a schema from the provider workspace', async () => {
    const result = await asProvider('export', 'create', 'databases', '--schema', crd);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^apiresourceschema v[0-9a-f]{8}\.databases\.db\.example\.io created\.\n/);
    expect(result.stdout).toContain('apiexport databases created.');
    const listed = await asProvider('export', 'list', '-o', 'json');
    expect(JSON.parse(listed.stdout)[0].spec.resources[0]).toMatchObject({
      name: 'databases',
      group: 'db.example.io',
    });
  });

  it('two users bind it in their own workspaces, in kcp words', async () => {
    for (const user of [alice, bob]) {
      const result = await user.kplane('bind', 'root:providers:db:databases');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(
        'apibinding databases created. Waiting to successfully bind ...\ndatabases created and bound.\n',
      );
    }
    const listed = await alice.kplane('bind', 'list', '-o', 'json');
    expect(JSON.parse(listed.stdout)[0].status).toMatchObject({ phase: 'Bound' });
    const resources = await alice.kubectl('api-resources', '--api-group=db.example.io', '-o', 'name');
    expect(resources.stdout).toBe('databases.db.example.io\n');
  });

  it('the catalog offers each user exactly what they may bind, with the resources it brings', async () => {
    const offered = await alice.kplane('bind', 'catalog', '-o', 'json');
    expect(offered.code, offered.stderr).toBe(0);
    expect(JSON.parse(offered.stdout)).toEqual([
      {
        reference: 'root:providers:db:databases',
        workspace: 'root:providers:db',
        export: 'databases',
        resources: ['databases.db.example.io'],
        claims: [],
      },
    ]);
    const table = await alice.kplane('bind', 'catalog');
    expect(table.stdout).toBe('root:providers:db:databases\tdatabases.db.example.io\t<none>\n');
    const none = await carol.kplane('bind', 'catalog', '-o', 'json');
    expect(JSON.parse(none.stdout)).toEqual([]);
  });

  it('refuses a user without bind permission with the unified message, whether or not the export exists', async () => {
    for (const reference of ['root:providers:db:databases', 'root:providers:db:nothing-here']) {
      const result = await carol.kplane('bind', reference);
      expect(result.code).toBe(4);
      expect(result.stderr).toBe(
        `Error: unable to create APIBinding: no permission to bind to export ${reference}\n`,
      );
    }
  });

  it('each user creates objects with kubectl and sees only their own', async () => {
    expect((await apply(alice, database('orders', { version: '16', storage: '10Gi' }))).code).toBe(0);
    expect((await apply(bob, database('billing', { version: '17' }))).code).toBe(0);
    const alices = await alice.kubectl('get', 'databases', '-o', 'name');
    expect(alices.stdout).toBe('database.db.example.io/orders\n');
    const bobs = await bob.kubectl('get', 'pg', '-o', 'name');
    expect(bobs.stdout).toBe('database.db.example.io/billing\n');
  });

  it('refuses an object that breaks the schema with a 422 naming the field, and stores nothing', async () => {
    const missing = await apply(alice, database('broken', { storage: '10Gi' }));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('spec.version');
    const badEnum = await apply(alice, database('broken', { version: '9' }));
    expect(badEnum.stderr).toContain('spec.version');
    const badPattern = await apply(alice, database('broken', { version: '16', storage: 'lots' }));
    expect(badPattern.stderr).toContain('spec.storage');
    expect((await alice.kubectl('get', 'databases', '-o', 'name')).stdout).toBe(
      'database.db.example.io/orders\n',
    );
  });

  it("the provider's view sees both and writes status back; each user sees their object's status", async () => {
    const view = await asProvider('export', 'objects', 'databases', '-o', 'json');
    expect(view.code, view.stderr).toBe(0);
    const objects = JSON.parse(view.stdout) as {
      metadata: { name: string; annotations: Record<string, string> };
    }[];
    expect(objects.map((o) => o.metadata.name).sort()).toEqual(['billing', 'orders']);
    // As the provider's controller would: raw requests to the export's view, as the platform admin.
    const token = adminToken(platform.dataDir);
    const ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
    for (const object of objects) {
      const cluster = object.metadata.annotations['kcp.io/cluster'];
      const status = await rawRequest(
        platform.url,
        `/services/apiexport/root:providers:db/databases/clusters/${cluster}/apis/db.example.io/v1/namespaces/default/databases/${object.metadata.name}/status`,
        {
          token,
          ca,
          method: 'PATCH',
          body: JSON.stringify({
            status: { phase: 'Ready', endpoint: `${object.metadata.name}.db.internal:5432` },
          }),
          headers: { 'Content-Type': 'application/merge-patch+json' },
        },
      );
      expect(status.status, status.body).toBe(200);
    }
    const seen = await alice.kubectl(
      'get',
      'database',
      'orders',
      '-o',
      'jsonpath={.status.phase} {.status.endpoint}',
    );
    expect(seen.stdout).toBe('Ready orders.db.internal:5432');
    const bobSees = await bob.kubectl('get', 'database', 'billing', '-o', 'jsonpath={.status.endpoint}');
    expect(bobSees.stdout).toBe('billing.db.internal:5432');
  });

  it('export objects -w prints what exists once, then each change as it happens', async () => {
    const child = spawn(
      process.execPath,
      [kplaneBin, 'export', 'objects', 'databases', '-w', '--kubeconfig', providerKubeconfig],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      await eventually(
        async () => stdout,
        (text) => /\bbilling\b/.test(text),
      );
      const added = await apply(alice, database('later', { version: '16' }));
      expect(added.code, added.stderr).toBe(0);
      expect(
        await eventually(
          async () => stdout,
          (text) => /ADDED\t.*\blater\b/.test(text),
        ),
      ).toMatch(/ADDED\t.*\blater\b/);
      expect(stdout.match(/\borders\b/g)).toHaveLength(1);
      expect(stdout.match(/\bbilling\b/g)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await alice.kubectl('delete', 'database', 'later');
    }
  });

  it('unbinding removes the resource from discovery and deletes the objects', async () => {
    const result = await bob.kplane('unbind', 'databases');
    expect(result.code, result.stderr).toBe(0);
    const resources = await bob.kubectl('api-resources', '--api-group=db.example.io', '-o', 'name');
    expect(resources.stdout).toBe('');
    const view = await asProvider('export', 'objects', 'databases', '-o', 'json');
    expect(JSON.parse(view.stdout).map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'orders',
    ]);
  });
});
