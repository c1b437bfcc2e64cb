import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubectl,
  mintToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';

// Request bodies from issue #16, sent by one tenant to the real platform process over HTTPS and with the
// real kubectl: keys named like JavaScript's prototype members, bodies nested too deep, duplicate keys.
// None of them may hurt another tenant, crash a request, or be stored other than as plain data.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let caFile: string;
let emptyKubeconfig: string;
const tokens: Record<string, string> = {};
const homes: Record<string, string> = {};

const HOME = '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~';
const CM = '/api/v1/namespaces/default/configmaps';

const as = (user: string) => ({
  raw: (rawPath: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    rawRequest(platform.url, `${homes[user]}${rawPath}`, { token: tokens[user], ca, ...init }),
  kubectl: (args: string[], input?: string) =>
    kubectl(
      [
        '--server',
        `${platform.url}${homes[user]}`,
        '--token',
        tokens[user]!,
        '--certificate-authority',
        caFile,
        ...args,
      ],
      {
        kubeconfig: emptyKubeconfig,
        cacheDir: path.join(scratch, `cache-${user}`),
        ...(input !== undefined ? { input } : {}),
      },
    ),
});

const patch = (user: string, name: string, type: string, body: string) =>
  as(user).raw(`${CM}/${name}`, {
    method: 'PATCH',
    body,
    headers: { 'Content-Type': `application/${type}` },
  });

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-hostile-'));
  caFile = path.join(platform.dataDir, 'ca.crt');
  ca = readFileSync(caFile);
  emptyKubeconfig = path.join(scratch, 'kubeconfig');
  writeFileSync(emptyKubeconfig, 'apiVersion: v1\nkind: Config\n');
  for (const user of ['mallory', 'bob']) {
    tokens[user] = await mintToken(platform.dataDir, user);
    const home = await rawRequest(platform.url, HOME, { token: tokens[user], ca });
    expect(home.status, home.body).toBe(200);
    homes[user] = new URL((JSON.parse(home.body) as { spec: { URL: string } }).spec.URL).pathname;
  }
  const workspace = 'apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: team-b\n';
  const created = await as('bob').kubectl(['create', '-f', '-'], workspace);
  expect(created.stderr).toBe('');
});

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('keys named like prototype members', () => {
  it("the tester's JSON patch through /__proto__ is refused and every tenant's workspaces stay served", async () => {
    const created = await as('mallory').raw(CM, {
      method: 'POST',
      body: '{"metadata":{"name":"victim"},"data":{"a":"b"}}',
    });
    expect(created.status, created.body).toBe(201);
    const polluting = await patch(
      'mallory',
      'victim',
      'json-patch+json',
      '[{"op":"add","path":"/__proto__/namespace","value":"x"}]',
    );
    expect(polluting.status, polluting.body).toBe(422);
    expect(JSON.parse(polluting.body)).toMatchObject({
      kind: 'Status',
      reason: 'Invalid',
      message: expect.stringContaining('path /__proto__/namespace does not exist'),
    });

    const bobs = await as('bob').kubectl(['get', 'workspaces', '-o', 'name']);
    expect(bobs).toMatchObject({ code: 0, stdout: 'workspace.tenancy.kcp.io/team-b\n' });
    const namespaces = await as('mallory').kubectl(['get', 'namespaces', '-o', 'name']);
    expect(namespaces.stdout).toContain('namespace/default');
  });

  it('a config map with __proto__, constructor and prototype data keys round-trips through every write', async () => {
    const data = '{"__proto__":"p","constructor":"c","prototype":"t"}';
    const created = await as('mallory').raw(CM, {
      method: 'POST',
      body: `{"metadata":{"name":"odd-keys"},"data":${data}}`,
    });
    expect(created.status, created.body).toBe(201);
    const dataOf = async () => {
      const got = await as('mallory').raw(`${CM}/odd-keys`);
      expect(got.status, got.body).toBe(200);
      return JSON.stringify((JSON.parse(got.body) as { data: unknown }).data);
    };
    expect(await dataOf()).toBe(data);

    const merged = await patch('mallory', 'odd-keys', 'merge-patch+json', '{"data":{"__proto__":"p2"}}');
    expect(merged.status, merged.body).toBe(200);
    expect(await dataOf()).toBe('{"__proto__":"p2","constructor":"c","prototype":"t"}');

    const strategic = await patch(
      'mallory',
      'odd-keys',
      'strategic-merge-patch+json',
      '{"data":{"constructor":null,"__proto__":"p3"}}',
    );
    expect(strategic.status, strategic.body).toBe(200);
    expect(await dataOf()).toBe('{"__proto__":"p3","prototype":"t"}');

    const json = await patch(
      'mallory',
      'odd-keys',
      'json-patch+json',
      '[{"op":"test","path":"/data/__proto__","value":"p3"},{"op":"add","path":"/data/constructor","value":"c4"}]',
    );
    expect(json.status, json.body).toBe(200);
    expect(await dataOf()).toBe('{"__proto__":"p3","prototype":"t","constructor":"c4"}');

    const manifest =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd-keys\ndata:\n  __proto__: p5\n  constructor: c5\n';
    const applied = await as('mallory').kubectl(['apply', '-n', 'default', '-f', '-'], manifest);
    expect(applied.stderr.replace(/^Warning: resource configmaps\/odd-keys is missing.*\n/m, '')).toBe('');
    const serverSide = await as('mallory').kubectl(
      ['apply', '--server-side', '-n', 'default', '-f', '-'],
      manifest.replace('p5', 'p6'),
    );
    expect(serverSide).toMatchObject({ code: 0, stderr: '' });
    const shown = await as('mallory').kubectl([
      'get',
      'configmap',
      'odd-keys',
      '-n',
      'default',
      '-o',
      'json',
    ]);
    const shownData = (JSON.parse(shown.stdout) as { data: Record<string, string> }).data;
    expect(Object.entries(shownData)).toEqual(
      expect.arrayContaining([
        ['__proto__', 'p6'],
        ['constructor', 'c5'],
      ]),
    );
  });

  it('a field selector on __proto__ or constructor is a 400 naming the known fields', async () => {
    for (const field of ['__proto__', 'constructor', 'toString']) {
      const listed = await as('mallory').raw(`${CM}?fieldSelector=${field}%3Dx`);
      expect(listed.status, listed.body).toBe(400);
      expect(JSON.parse(listed.body).message).toContain(`"${field}" is not a known field selector`);
    }
  });
});

/** A config map whose body nests `levels` deep: the extra levels sit in a managedFields entry. */
function nestedConfigMap(name: string, levels: number): string {
  // body { metadata { managedFields [ entry { fieldsV1 { are 5 levels, then "f:a" objects down to the `{}`.
  const chain = levels - 6;
  const fieldsV1 = `${'{"f:a":'.repeat(chain)}{}${'}'.repeat(chain)}`;
  return `{"metadata":{"name":"${name}","managedFields":[{"manager":"deep","fieldsV1":{"f:a":${fieldsV1}}}]},"data":{"a":"b"}}`;
}

describe('bodies nested too deep', () => {
  const LIMIT = 100;
  const refused = (answer: { status: number; body: string }) => {
    expect(answer.status, answer.body).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: `the request body is nested more than ${LIMIT} levels deep, the limit for objects and arrays`,
    });
  };

  it(`an object nested ${LIMIT} levels is stored, listed, watched, shown as a table and patched`, async () => {
    const created = await as('mallory').raw(CM, { method: 'POST', body: nestedConfigMap('deep', LIMIT) });
    expect(created.status, created.body).toBe(201);
    for (const [type, body] of [
      ['merge-patch+json', '{"data":{"merged":"1"}}'],
      ['strategic-merge-patch+json', '{"data":{"strategic":"2"}}'],
      ['json-patch+json', '[{"op":"add","path":"/data/json","value":"3"}]'],
    ] as const) {
      const patched = await patch('mallory', 'deep', type, body);
      expect(patched.status, `${type}: ${patched.body}`).toBe(200);
    }
    const table = await as('mallory').kubectl(['get', 'configmap', 'deep', '-n', 'default']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^deep\s+4\s/m);
    const watched = await as('mallory').raw(
      `${CM}?watch=1&fieldSelector=metadata.name%3Ddeep&timeoutSeconds=1`,
    );
    expect(watched.status).toBe(200);
    expect(JSON.parse(watched.body.split('\n')[0]!)).toMatchObject({
      type: 'ADDED',
      object: { data: { a: 'b', merged: '1', strategic: '2', json: '3' } },
    });
  });

  it(`refuses ${LIMIT + 1} levels, and far more, in every body format, before storing anything`, async () => {
    refused(await as('mallory').raw(CM, { method: 'POST', body: nestedConfigMap('too-deep', LIMIT + 1) }));
    refused(await as('mallory').raw(CM, { method: 'POST', body: nestedConfigMap('too-deep', 5_000) }));
    refused(
      await as('mallory').raw(CM, {
        method: 'POST',
        body: nestedConfigMap('too-deep', 5_000),
        headers: { 'Content-Type': 'application/yaml' },
      }),
    );
    refused(await patch('mallory', 'deep', 'merge-patch+json', nestedConfigMap('deep', LIMIT + 1)));
    refused(await patch('mallory', 'deep', 'strategic-merge-patch+json', nestedConfigMap('deep', 5_000)));
    refused(
      await as('mallory').raw(`${CM}/deep?fieldManager=t`, {
        method: 'PATCH',
        body: nestedConfigMap('deep', LIMIT + 1),
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
      }),
    );
    // A YAML alias back into its own node is a cycle: it nests without end.
    refused(
      await as('mallory').raw(CM, {
        method: 'POST',
        body: 'metadata: {name: too-deep, managedFields: &m [ {fieldsV1: *m} ]}\n',
        headers: { 'Content-Type': 'application/yaml' },
      }),
    );
    expect((await as('mallory').raw(`${CM}/too-deep`)).status).toBe(404);
  });

  it('refuses a small patch whose result would nest too deep with a 422, leaving the object as it was', async () => {
    const before = await as('mallory').raw(`${CM}/deep`);
    const leaf = `/metadata/managedFields/0/fieldsV1${'/f:a'.repeat(LIMIT - 5)}/f:a`;
    const deeper = await patch(
      'mallory',
      'deep',
      'json-patch+json',
      `[{"op":"add","path":"${leaf}","value":{}}]`,
    );
    expect(deeper.status, deeper.body).toBe(422);
    expect(JSON.parse(deeper.body).message).toBe(
      `the resulting object would be nested more than ${LIMIT} levels deep, the limit for objects and arrays`,
    );
    expect((await as('mallory').raw(`${CM}/deep`)).body).toBe(before.body);
  });
});

describe('duplicate keys', () => {
  const DUPLICATED = '{"metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}';

  it('fieldValidation=Strict refuses them with every path, and stores nothing', async () => {
    const strict = await as('mallory').raw(`${CM}?fieldValidation=Strict`, {
      method: 'POST',
      body: DUPLICATED,
    });
    expect(strict.status, strict.body).toBe(400);
    expect(JSON.parse(strict.body)).toMatchObject({
      reason: 'BadRequest',
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"',
    });
    expect((await as('mallory').raw(`${CM}/dup`)).status).toBe(404);

    const manifest = path.join(scratch, 'dup.json');
    writeFileSync(manifest, DUPLICATED);
    const viaKubectl = await as('mallory').kubectl([
      'create',
      '--raw',
      `${homes.mallory}${CM}?fieldValidation=Strict`,
      '-f',
      manifest,
    ]);
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl.stderr).toBe(
      'Error from server (BadRequest): ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"\n',
    );
  });

  it('Warn (the default) stores the last value and says so in a Warning header kubectl prints', async () => {
    const manifest = path.join(scratch, 'dup.json');
    writeFileSync(manifest, DUPLICATED);
    const warned = await as('mallory').kubectl(['create', '--raw', `${homes.mallory}${CM}`, '-f', manifest]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toBe(
      'Warning: duplicate field "metadata.name"\nWarning: duplicate field "data.a"\n',
    );
    expect(JSON.parse(warned.stdout)).toMatchObject({ data: { a: '2' } });

    const ignored = await as('mallory').raw(`${CM}/dup?fieldValidation=Ignore`, {
      method: 'PATCH',
      body: '{"data":{"b":"1","b":"2"}}',
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(ignored.status, ignored.body).toBe(200);
    expect(ignored.headers.warning).toBeUndefined();
  });

  it('a merge patch with duplicate keys is refused under Strict and leaves the object as it was', async () => {
    const before = await as('mallory').raw(`${CM}/dup`);
    const strict = await as('mallory').raw(`${CM}/dup?fieldValidation=Strict`, {
      method: 'PATCH',
      body: '{"data":{"c":"1","c":"2"}}',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    expect(strict.status, strict.body).toBe(400);
    expect(JSON.parse(strict.body).message).toContain('strict decoding error: duplicate field "data.c"');
    expect((await as('mallory').raw(`${CM}/dup`)).body).toBe(before.body);
  });
});
