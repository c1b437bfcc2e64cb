/* eslint-disable @typescript-eslint/no-explicit-any -- the tests poke into arbitrary JSON responses */
import { X509Certificate } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '../../test/helpers/fetch-trusting.js';
import { AlreadyRunningError } from './process/pid-file.js';
import { startPlatform, type RunningPlatform } from './server.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

describe('startPlatform', () => {
  let dataDir: string;
  let platform: RunningPlatform;
  let token: string;
  let base: string;
  let secureFetch: ReturnType<typeof fetchTrusting>;

  const call = async (path: string, init: RequestInit & { auth?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    if (init.auth !== null) headers.set('Authorization', `Bearer ${init.auth ?? token}`);
    const res = await secureFetch(`${base}${path}`, { ...init, headers });
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('application/json');
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: json ? (JSON.parse(text) as Record<string, any>) : {},
    };
  };

  /** Reads watch events until `count` arrived or the stream ended. */
  const watch = async (
    path: string,
    count: number,
    accept = 'application/json',
    afterOpen?: () => Promise<void>,
  ) => {
    const res = await secureFetch(`${base}${path}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: accept },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const events: Record<string, any>[] = [];
    let buffered = '';
    const opened = afterOpen?.();
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += Buffer.from(value).toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffered.slice(0, newline)) as Record<string, any>);
        buffered = buffered.slice(newline + 1);
      }
    }
    await reader.cancel();
    await opened;
    return events;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kplane-unit-platform-'));
    platform = await startPlatform({ port: 0, dataDir, demo: true });
    token = readFileSync(platform.tokenFile, 'utf8');
    base = platform.url;
    secureFetch = fetchTrusting(readFileSync(platform.caFile));
  });

  afterAll(async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes owner-only credentials and a kubeconfig without the secret', () => {
    expect(platform.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(platform.kubeconfig).mode & 0o777).toBe(0o600);
    expect(statSync(platform.tokenFile).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const kubeconfig = readFileSync(platform.kubeconfig, 'utf8');
    expect(kubeconfig).not.toContain(token);
    expect(parse(kubeconfig)).toMatchObject({
      'current-context': 'kplane',
      clusters: [{ name: 'kplane', cluster: { server: `${platform.url}/clusters/root` } }],
      users: [{ name: 'kplane-admin', user: { tokenFile: join(dataDir, 'admin.token') } }],
      contexts: [{ name: 'kplane', context: { cluster: 'kplane', user: 'kplane-admin' } }],
    });
  });

  it('serves TLS with a certificate the written CA verifies', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(`${platform.url}/version`, { ca: readFileSync(platform.caFile) }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0+kplane' });
  });

  it('sends the whole chain, so a client that trusts on first use can take the CA from it', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: platform.port, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    let top = socket.getPeerCertificate(true);
    const leaf = top;
    while (top.issuerCertificate && top.issuerCertificate !== top) top = top.issuerCertificate;
    socket.destroy();
    expect(leaf.subject.CN).toBe('127.0.0.1');
    expect(new X509Certificate(top.raw).toString()).toBe(
      new X509Certificate(readFileSync(platform.caFile)).toString(),
    );
  });

  it('refuses to share its data folder', async () => {
    await expect(startPlatform({ port: 0, dataDir })).rejects.toThrow(AlreadyRunningError);
  });

  it('answers health and version anonymously, everything else only with a valid token', async () => {
    expect((await call('/readyz', { auth: null })).status).toBe(200);
    expect((await call('/clusters/root/version', { auth: null })).status).toBe(200);
    const anonymous = await call('/clusters/root/api/v1/namespaces', { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await call('/clusters/root/api/v1/namespaces', { auth: 'wrong' })).status).toBe(401);
  });

  it('hides which workspaces exist', async () => {
    for (const cluster of ['root:nope', 'root%2Facme', 'Root', 'root%253Aacme']) {
      const res = await call(`/clusters/${cluster}/api/v1/namespaces`);
      expect(res.status, cluster).toBe(403);
      expect(res.body).toMatchObject({ reason: 'Forbidden', message: 'workspace access not permitted' });
    }
    expect((await call('/clusters/root%3Aacme/api/v1/namespaces')).status).toBe(200);
    const id = (await call('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/acme')).body.spec
      .cluster as string;
    expect(
      (await call(`/clusters/${id}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster`)).body.metadata
        .annotations,
    ).toEqual({
      'kcp.io/path': 'root:acme',
      'internal.tenancy.kcp.io/type': 'root:organization',
    });
  });

  it('keeps the demo workspaces owned by the admin, who is their workspace-admin', async () => {
    const acme = (await call('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/acme')).body;
    expect(JSON.parse(acme.metadata.annotations['experimental.tenancy.kcp.io/owner'])).toEqual({
      username: 'kplane-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    const binding = await call(
      '/clusters/root:acme:web/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/workspace-admin',
    );
    expect(binding.body).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'kplane-admin' }],
    });
  });

  it('reads a bare ?watch as a watch, as the apiserver does', async () => {
    const events = await watch('/clusters/root:acme:web/api/v1/namespaces/default/configmaps?watch', 1);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap' } });
  });

  it('serves aggregated and legacy discovery', async () => {
    const aggregated = await call('/clusters/root/apis', { headers: { Accept: AGGREGATED } });
    expect(aggregated.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const tenancy = aggregated.body.items.find((g: any) => g.metadata.name === 'tenancy.kcp.io');
    expect(tenancy.versions[0].resources.find((r: any) => r.resource === 'workspaces')).toMatchObject({
      shortNames: ['ws'],
      categories: ['kcp'],
      scope: 'Cluster',
      subresources: [{ subresource: 'status' }],
    });
    expect((await call('/clusters/root/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await call('/clusters/root/apis')).body.kind).toBe('APIGroupList');
    const resources = (await call('/clusters/root/apis/tenancy.kcp.io/v1alpha1')).body.resources.map(
      (r: any) => r.name,
    );
    expect(resources).toEqual(['workspaces', 'workspaces/status', 'workspacetypes', 'workspacetypes/status']);
  });

  it('publishes OpenAPI v3 under the cluster prefix', async () => {
    const index = await call('/clusters/root:acme/openapi/v3');
    const url = index.body.paths['api/v1'].serverRelativeURL as string;
    expect(url).toMatch(/^\/clusters\/root:acme\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const doc = (await call(url)).body;
    const patch = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'ConfigMap' });
    expect(patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    expect(doc.components.schemas['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind']).toEqual(
      [{ group: '', version: 'v1', kind: 'ConfigMap' }],
    );
    expect((await call('/clusters/root/openapi/v2')).status).toBe(404);
  });

  it('renders Tables with kubectl columns', async () => {
    const table = await call('/clusters/root:acme:web/api/v1/namespaces/default/configmaps', {
      headers: { Accept: TABLE },
    });
    expect(table.type).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.body.rows.map((r: any) => r.cells.slice(0, 2))).toEqual([
      ['feature-flags', 2],
      ['web-config', 2],
    ]);
    expect(table.body.rows[0].object.kind).toBe('PartialObjectMetadata');
    const ws = await call('/clusters/root:acme/apis/tenancy.kcp.io/v1alpha1/workspaces', {
      headers: { Accept: TABLE },
    });
    expect(ws.body.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Type',
      'Region',
      'Phase',
      'URL',
      'Age',
    ]);
    expect(ws.body.rows[0].cells.slice(0, 5)).toEqual([
      'api',
      'team',
      '',
      'Ready',
      `${platform.url}/clusters/root:acme:api`,
    ]);
  });

  it('maps malformed requests to Status errors', async () => {
    const path = '/clusters/root/api/v1/namespaces/default/configmaps';
    const json = { 'Content-Type': 'application/json' };
    expect((await call(path, { method: 'POST', headers: json, body: '{nope' })).body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    expect((await call(`${path}/x`, { method: 'POST', headers: json, body: '{}' })).status).toBe(405);
    expect(
      (await call(`${path}/x`, { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: '{}' }))
        .body,
    ).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
    expect((await call(`${path}/missing`)).body).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "missing" not found',
      details: { name: 'missing', kind: 'configmaps' },
    });
    expect((await call('/clusters/root/apis/nope.io/v1/things')).status).toBe(404);
  });

  it('refuses a write it cannot answer in the asked format, before storing anything', async () => {
    const path = '/clusters/root/api/v1/namespaces/default/configmaps';
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unanswerable' } });
    const refused = await call(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/xml' },
      body,
    });
    expect(refused.status).toBe(406);
    expect((await call(`${path}/unanswerable`)).status).toBe(404);
  });

  it('streams watch events: synthetic ADDED, then changes; Tables carry headers once', async () => {
    const base = '/clusters/root:acme:api/api/v1/namespaces/default/configmaps';
    const create = (name: string) =>
      call(base, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ metadata: { name } }),
      });
    const events = await watch(`${base}?watch=true`, 2, TABLE, async () => {
      await create('w1');
    });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'ADDED']);
    expect(events[0]!.object.kind).toBe('Table');
    expect(events[0]!.object.columnDefinitions).toHaveLength(3);
    expect(events[1]!.object.columnDefinitions).toEqual([]);
    expect(events[1]!.object.rows[0].cells[0]).toBe('w1');

    const listRv = (await call(base)).body.metadata.resourceVersion as string;
    await create('w2');
    await call(`${base}/w2`, { method: 'DELETE' });
    const resumed = await watch(`${base}?watch=1&resourceVersion=${listRv}`, 2);
    expect(resumed.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w2'],
      ['DELETED', 'w2'],
    ]);

    const named = await watch(`${base}?watch=true&fieldSelector=metadata.name%3Dw1`, 1);
    expect(named.map((e) => e.object.metadata.name)).toEqual(['w1']);

    const started = Date.now();
    const timedOut = await watch(
      `${base}?watch=true&resourceVersion=${(await call(base)).body.metadata.resourceVersion}&timeoutSeconds=1`,
      1,
    );
    expect(timedOut).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('turns label changes into ADDED and DELETED for selector watches', async () => {
    const base = '/clusters/root:acme:ci/api/v1/namespaces/default/configmaps';
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    await call(base, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"sel"}}',
    });
    const rv = (await call(base)).body.metadata.resourceVersion as string;
    await call(`${base}/sel`, {
      method: 'PATCH',
      headers: merge,
      body: '{"metadata":{"labels":{"tier":"gold"}}}',
    });
    await call(`${base}/sel`, { method: 'PATCH', headers: merge, body: '{"data":{"a":"b"}}' });
    await call(`${base}/sel`, {
      method: 'PATCH',
      headers: merge,
      body: '{"metadata":{"labels":{"tier":null}}}',
    });
    const events = await watch(`${base}?watch=true&labelSelector=tier%3Dgold&resourceVersion=${rv}`, 3);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('keeps its data across a restart, with URLs following the new port', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'kplane-restart-'));
    try {
      const first = await startPlatform({ port: 0, dataDir: otherDir, demo: true });
      await first.close();
      const second = await startPlatform({ port: 0, dataDir: otherDir, demo: true });
      try {
        const trustingSecond = fetchTrusting(readFileSync(second.caFile));
        const res = await trustingSecond(
          `${second.url}/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/acme`,
          {
            headers: { Authorization: `Bearer ${readFileSync(second.tokenFile, 'utf8')}` },
          },
        );
        const acme = (await res.json()) as Record<string, any>;
        expect(acme.spec.URL).toBe(`${second.url}/clusters/root:acme`);
        expect(acme.status.phase).toBe('Ready');
        // History from before the restart cannot be replayed: the client must re-list.
        const watch = await trustingSecond(
          `${second.url}/clusters/root/api/v1/namespaces?watch=true&resourceVersion=1`,
          { headers: { Authorization: `Bearer ${readFileSync(second.tokenFile, 'utf8')}` } },
        );
        const line = JSON.parse((await watch.text()).split('\n')[0]!) as Record<string, any>;
        expect(line).toMatchObject({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired' },
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
