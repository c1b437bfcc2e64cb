import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  adminToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';

// Strategic merge patch and server-side apply as kube-apiserver does them, seen through the real
// kubectl: lists merge by their published patch markers, and field ownership decides conflicts.

let platform: PlatformProcess;
let scratch: string;
let admin: ReturnType<typeof adminKubectlAt>;

const root = (...args: string[]) => admin('/clusters/root', args);
const rootWithInput = (input: string, ...args: string[]) => admin('/clusters/root', args, input);
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);

const configMap = (name: string, extra: { data?: object; metadata?: object } = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', ...extra.metadata },
    data: extra.data ?? {},
  });

async function getJson(name: string): Promise<{
  metadata: {
    finalizers?: string[];
    ownerReferences?: { uid: string }[];
    managedFields?: { manager: string; operation: string; fieldsV1: object; fieldsType: string }[];
  };
  data?: Record<string, string>;
}> {
  const got = await root('get', 'configmap', name, '-n', 'default', '-o', 'json', '--show-managed-fields');
  ok(got);
  return JSON.parse(got.stdout) as never;
}

const owner = (uid: string) => ({ apiVersion: 'v1', kind: 'Secret', name: `owner-${uid}`, uid });

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-patch-'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
});

afterAll(async () => {
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('strategic merge patch follows the published patch markers', () => {
  it('kubectl patch merges finalizers (a set) and ownerReferences (by uid) instead of replacing them', async () => {
    ok(
      await rootWithInput(
        configMap('smp-lists', {
          metadata: { finalizers: ['example.com/a'], ownerReferences: [owner('1')] },
        }),
        'create',
        '-f',
        '-',
      ),
    );
    const patch = JSON.stringify({
      metadata: { finalizers: ['example.com/b'], ownerReferences: [owner('2')] },
    });
    ok(await root('patch', 'configmap', 'smp-lists', '-n', 'default', '-p', patch));
    let got = await getJson('smp-lists');
    expect([...(got.metadata.finalizers ?? [])].sort()).toEqual(['example.com/a', 'example.com/b']);
    expect(got.metadata.ownerReferences?.map((ref) => ref.uid).sort()).toEqual(['1', '2']);

    const remove = JSON.stringify({
      metadata: {
        '$deleteFromPrimitiveList/finalizers': ['example.com/a'],
        ownerReferences: [{ $patch: 'delete', uid: '1' }],
      },
    });
    ok(await root('patch', 'configmap', 'smp-lists', '-n', 'default', '-p', remove));
    got = await getJson('smp-lists');
    expect(got.metadata.finalizers).toEqual(['example.com/b']);
    expect(got.metadata.ownerReferences?.map((ref) => ref.uid)).toEqual(['2']);
  });

  it('a malformed directive is a 400 that changes nothing', async () => {
    ok(await rootWithInput(configMap('smp-bad', { data: { a: '1' } }), 'create', '-f', '-'));
    const bad = JSON.stringify({ metadata: { ownerReferences: [{ name: 'no-uid' }] }, data: { a: '2' } });
    const patched = await root('patch', 'configmap', 'smp-bad', '-n', 'default', '-p', bad);
    expect(patched.code).not.toBe(0);
    expect(patched.stderr).toContain('does not contain declared merge key: uid');
    expect((await getJson('smp-bad')).data).toEqual({ a: '1' });
  });

  it('kubectl apply (client-side) keeps a finalizer another writer added and orders as applied', async () => {
    const applied = (finalizers: string[], data: object) =>
      configMap('smp-apply', { metadata: { finalizers }, data });
    ok(await rootWithInput(applied(['example.com/a'], { x: '1', y: '1' }), 'apply', '-f', '-'));
    ok(
      await root(
        'patch',
        'configmap',
        'smp-apply',
        '-n',
        'default',
        '-p',
        JSON.stringify({ metadata: { finalizers: ['example.com/other'] } }),
      ),
    );
    ok(
      await rootWithInput(
        applied(['example.com/a', 'example.com/c'], { x: '2', z: '1' }),
        'apply',
        '-f',
        '-',
      ),
    );
    const got = await getJson('smp-apply');
    // kube-apiserver's order: the patch put `other` first (a patch's new items lead), and a
    // $setElementOrder keeps a server-only item before the applied ones it preceded.
    expect(got.metadata.finalizers).toEqual(['example.com/other', 'example.com/a', 'example.com/c']);
    expect(got.data).toEqual({ x: '2', z: '1' });
  });
});

describe('server-side apply owns fields per manager', () => {
  const apply = (manager: string, data: object, ...flags: string[]) =>
    rootWithInput(
      configMap('ssa', { data }),
      'apply',
      '--server-side',
      `--field-manager=${manager}`,
      ...flags,
      '-f',
      '-',
    );

  it('records each manager, reports a conflict as kube-apiserver does, and --force-conflicts takes the field', async () => {
    ok(await apply('alice', { shared: 'a', mine: 'a' }));
    let got = await getJson('ssa');
    expect(got.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'alice',
        operation: 'Apply',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:mine': {}, 'f:shared': {} } },
      }),
    ]);

    const refused = await apply('bob', { shared: 'b' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .data.shared');
    expect(refused.stderr).toContain('--force-conflicts');
    expect((await getJson('ssa')).data).toEqual({ shared: 'a', mine: 'a' });

    ok(await apply('bob', { shared: 'b' }, '--force-conflicts'));
    got = await getJson('ssa');
    expect(got.data).toEqual({ shared: 'b', mine: 'a' });
    const owners = Object.fromEntries((got.metadata.managedFields ?? []).map((e) => [e.manager, e.fieldsV1]));
    expect(owners).toEqual({
      alice: { 'f:data': { 'f:mine': {} } },
      bob: { 'f:data': { 'f:shared': {} } },
    });

    // A field alice stops applying, and nobody else owns, goes.
    ok(await apply('alice', {}));
    expect((await getJson('ssa')).data).toEqual({ shared: 'b' });
  });

  it('a field written by kubectl apply (client-side) conflicts with a later server-side apply', async () => {
    ok(await rootWithInput(configMap('ssa-csa', { data: { key: 'one' } }), 'apply', '-f', '-'));
    const got = await getJson('ssa-csa');
    expect(got.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        fieldsV1: expect.objectContaining({ 'f:data': { '.': {}, 'f:key': {} } }) as unknown,
      }),
    ]);
    const refused = await rootWithInput(
      configMap('ssa-csa', { data: { key: 'two' } }),
      'apply',
      '--server-side',
      // Not kubectl's own manager: for that one kubectl 1.32 first migrates the client-side entry.
      '--field-manager=deployer',
      '-f',
      '-',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key',
    );

    // kubectl's own manager moves from client-side to server-side apply without a conflict, since
    // the live value is still the last-applied one; the annotation follows what it applied.
    ok(
      await rootWithInput(
        configMap('ssa-csa', { data: { key: 'two' } }),
        'apply',
        '--server-side',
        '-f',
        '-',
      ),
    );
    const moved = await getJson('ssa-csa');
    expect(moved.data).toEqual({ key: 'two' });
    expect(moved.metadata.managedFields).toContainEqual(
      expect.objectContaining({
        manager: 'kubectl',
        operation: 'Apply',
        fieldsV1: { 'f:data': { 'f:key': {} } },
      }),
    );
    const annotations = (moved.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    expect(JSON.parse(annotations['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}')).toMatchObject(
      {
        data: { key: 'two' },
      },
    );
  });

  it('merges a set (finalizers) and a map list (ownerReferences by uid) by item, each owned by its applier', async () => {
    const applyMeta = (manager: string, metadata: object) =>
      rootWithInput(
        configMap('ssa-lists', { metadata }),
        'apply',
        '--server-side',
        `--field-manager=${manager}`,
        '-f',
        '-',
      );
    ok(await applyMeta('alice', { finalizers: ['example.com/a'], ownerReferences: [owner('1')] }));
    ok(await applyMeta('bob', { finalizers: ['example.com/b'], ownerReferences: [owner('2')] }));
    let got = await getJson('ssa-lists');
    expect(got.metadata.finalizers).toEqual(['example.com/a', 'example.com/b']);
    expect(got.metadata.ownerReferences?.map((ref) => ref.uid)).toEqual(['1', '2']);
    const bobs = got.metadata.managedFields?.find((e) => e.manager === 'bob')?.fieldsV1;
    expect(bobs).toMatchObject({
      'f:metadata': {
        'f:finalizers': { 'v:"example.com/b"': {} },
        'f:ownerReferences': { 'k:{"uid":"2"}': {} },
      },
    });
    // alice lets go of her finalizer and owner; bob's stay.
    ok(await applyMeta('alice', {}));
    got = await getJson('ssa-lists');
    expect(got.metadata.finalizers).toEqual(['example.com/b']);
    expect(got.metadata.ownerReferences?.map((ref) => ref.uid)).toEqual(['2']);
  });

  it('an apply without a fieldManager, or a force on another patch, is a 422 that creates nothing', async () => {
    const send = (query: string, contentType: string, body: string) =>
      rawRequest(platform.url, `/clusters/root/api/v1/namespaces/default/configmaps/ssa-options${query}`, {
        method: 'PATCH',
        token: adminToken(platform.dataDir),
        ca: readFileSync(path.join(platform.dataDir, 'ca.crt')),
        body,
        headers: { 'Content-Type': contentType },
      });
    const unnamed = await send('', 'application/apply-patch+yaml', configMap('ssa-options'));
    expect(unnamed.status, unnamed.body).toBe(422);
    expect(JSON.parse(unnamed.body)).toMatchObject({
      reason: 'Invalid',
      message:
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    });
    const forced = await send('?force=true', 'application/merge-patch+json', '{"data":{"a":"1"}}');
    expect(forced.status, forced.body).toBe(422);
    expect(JSON.parse(forced.body).message).toContain(
      'force: Forbidden: may not be specified for non-apply patch',
    );
    expect((await root('get', 'configmap', 'ssa-options', '-n', 'default')).code).not.toBe(0);
  });
});
