import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  adminToken,
  rawRequest,
  rawWatch,
  startPlatformProcess,
  type PlatformProcess,
  type RawWatch,
} from './helpers/platform.js';

// Issue #16, findings 2 and 4: what a provider sees through its export's view rests on the
// consumer's consent (the binding's accepted claims). Carol (root:carol) exports an API claiming
// config maps and secrets; consumers bind it and accept or reject the claims. A watch through the
// view must end as soon as the consent goes, and must never replay changes from before it began.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let admin: ReturnType<typeof adminKubectlAt>;
let token: string;

const PROVIDER = 'root:carol';
const VIEW = `/services/apiexport/${PROVIDER}/config/clusters`;
const ws = (workspace: string) => `/clusters/${workspace}`;
const at = (workspace: string, ...args: string[]) => admin(ws(workspace), args);
const apply = (workspace: string, ...items: object[]) =>
  admin(ws(workspace), ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);

const claim = (resource: string, state: 'Accepted' | 'Rejected') => ({
  group: '',
  resource,
  verbs: ['*'],
  selector: { matchAll: true },
  state,
});

const binding = (configmaps: 'Accepted' | 'Rejected', secrets: 'Accepted' | 'Rejected' = 'Rejected') => ({
  apiVersion: 'apis.kcp.io/v1alpha2',
  kind: 'APIBinding',
  metadata: { name: 'config' },
  spec: {
    reference: { export: { path: PROVIDER, name: 'config' } },
    permissionClaims: [claim('configmaps', configmaps), claim('secrets', secrets)],
  },
});

const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { plan: `${name} data` },
});

async function makeWorkspace(name: string): Promise<string> {
  ok(
    await apply('root', {
      apiVersion: 'tenancy.kcp.io/v1alpha1',
      kind: 'Workspace',
      metadata: { name },
      spec: { type: { name: 'universal', path: 'root' } },
    }),
  );
  ok(await at('root', 'wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`, '--timeout=10s'));
  return `root:${name}`;
}

async function bind(workspace: string, configmaps: 'Accepted' | 'Rejected') {
  ok(await apply(workspace, binding(configmaps)));
  ok(
    await at(
      workspace,
      'wait',
      '--for=jsonpath={.status.phase}=Bound',
      'apibindings.v1alpha2.apis.kcp.io/config',
      '--timeout=10s',
    ),
  );
}

/** Carol's watch of a consumer's config maps through the view (`*` for every consumer). */
const watchConfigMaps = (consumer: string, query = '') =>
  rawWatch(platform.url, `${VIEW}/${consumer}/api/v1/namespaces/default/configmaps${query}`, { token, ca });

const nameOf = (event: { object: Record<string, unknown> }) =>
  (event.object.metadata as { name?: string } | undefined)?.name;
const names = (watch: RawWatch) => watch.events().map(nameOf);

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-consent-'));
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  token = adminToken(platform.dataDir);
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  await makeWorkspace('carol');
  ok(
    await apply(PROVIDER, {
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: 'config' },
      spec: {
        permissionClaims: [
          { group: '', resource: 'configmaps', verbs: ['*'] },
          { group: '', resource: 'secrets', verbs: ['*'] },
        ],
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a watch through the export's view ends with the consumer's consent", () => {
  it('ends with a 403 when the consumer rejects the claim, and delivers nothing written after', async () => {
    const bob = await makeWorkspace('bob');
    await bind(bob, 'Accepted');
    const watch = await watchConfigMaps(bob);
    try {
      ok(await apply(bob, configMap('shared')));
      await watch.waitFor((event) => event.type === 'ADDED' && nameOf(event) === 'shared');
      ok(await apply(bob, binding('Rejected')));
      const last = await watch.waitFor((event) => event.type === 'ERROR', 3000);
      expect(last.object).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
      expect(last.object.message).toContain('no longer lets APIExport');
      expect(await watch.ended(2000)).toBe(true);
      ok(await apply(bob, configMap('after-rejecting')));
      expect(names(watch)).not.toContain('after-rejecting');
      // A new watch is refused outright, as before.
      const again = await rawRequest(platform.url, `${VIEW}/${bob}/api/v1/namespaces/default/configmaps`, {
        token,
        ca,
      });
      expect(again.status).toBe(403);
    } finally {
      watch.stop();
    }
  });

  it('ends when the consumer deletes the binding', async () => {
    const dave = await makeWorkspace('dave');
    await bind(dave, 'Accepted');
    const watch = await watchConfigMaps(dave);
    try {
      ok(await apply(dave, configMap('before-unbinding')));
      await watch.waitFor((event) => event.type === 'ADDED');
      ok(await at(dave, 'delete', 'apibinding', 'config'));
      const last = await watch.waitFor((event) => event.type === 'ERROR', 3000);
      expect(last.object).toMatchObject({ kind: 'Status', code: 403 });
      expect(await watch.ended(2000)).toBe(true);
      ok(await apply(dave, configMap('after-unbinding')));
      expect(names(watch)).not.toContain('after-unbinding');
    } finally {
      watch.stop();
    }
  });

  it('goes on through a change that keeps the consent', async () => {
    const erin = await makeWorkspace('erin');
    await bind(erin, 'Accepted');
    const watch = await watchConfigMaps(erin);
    try {
      // Accepting the other claim too changes the binding, not the consent to config maps.
      ok(await apply(erin, binding('Accepted', 'Accepted')));
      ok(await apply(erin, configMap('after-accepting-more')));
      await watch.waitFor((event) => nameOf(event) === 'after-accepting-more');
      expect(watch.events().map((event) => event.type)).toEqual(['ADDED']);
      expect(await watch.ended(500)).toBe(false);
    } finally {
      watch.stop();
    }
  });
});

describe("the export's view replays nothing from before the consent", () => {
  it("answers 410 Expired to a watch from before the binding, instead of the consumer's earlier history", async () => {
    const frank = await makeWorkspace('frank');
    // Before Frank binds Carol's export: a config map that comes and goes.
    ok(await apply(frank, configMap('old-plan')));
    ok(await at(frank, 'delete', 'configmap', 'old-plan', '-n', 'default'));
    await bind(frank, 'Accepted');

    for (const consumer of [frank, '*']) {
      const watch = await watchConfigMaps(consumer, '?resourceVersion=1');
      try {
        const first = await watch.waitFor(() => true, 3000);
        expect(first).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
        expect((first.object.message as string).startsWith('too old resource version: 1 (')).toBe(true);
        expect(await watch.ended(2000)).toBe(true);
        expect(names(watch)).not.toContain('old-plan');
      } finally {
        watch.stop();
      }
    }

    // A client that lists first and watches from the list's version gets every later change.
    const list = await rawRequest(platform.url, `${VIEW}/${frank}/api/v1/namespaces/default/configmaps`, {
      token,
      ca,
    });
    expect(list.status).toBe(200);
    const listed = JSON.parse(list.body) as { items: unknown[]; metadata: { resourceVersion: string } };
    expect(listed.items).toEqual([]);
    const resumed = await watchConfigMaps(frank, `?resourceVersion=${listed.metadata.resourceVersion}`);
    try {
      ok(await apply(frank, configMap('new-plan')));
      const event = await resumed.waitFor((e) => e.type !== 'BOOKMARK', 3000);
      expect([event.type, nameOf(event)]).toEqual(['ADDED', 'new-plan']);
    } finally {
      resumed.stop();
    }
  });
});

// Last: it changes the export the tests above rely on.
describe("a watch through the export's view ends when the export stops claiming the resource", () => {
  it('ends the one-consumer and the every-consumer watch alike', async () => {
    const grace = await makeWorkspace('grace');
    await bind(grace, 'Accepted');
    const one = await watchConfigMaps(grace);
    const every = await watchConfigMaps('*');
    try {
      // Carol drops her claim on config maps; the consumers' acceptances of it now cover nothing.
      ok(
        await apply(PROVIDER, {
          apiVersion: 'apis.kcp.io/v1alpha2',
          kind: 'APIExport',
          metadata: { name: 'config' },
          spec: { permissionClaims: [{ group: '', resource: 'secrets', verbs: ['*'] }] },
        }),
      );
      for (const watch of [one, every]) {
        const last = await watch.waitFor((event) => event.type === 'ERROR', 3000);
        expect(last.object).toMatchObject({ kind: 'Status', code: 403 });
        expect(last.object.message).toContain('APIExport "root:carol:config" no longer offers it');
        expect(await watch.ended(2000)).toBe(true);
      }
    } finally {
      one.stop();
      every.stop();
    }
  });
});
