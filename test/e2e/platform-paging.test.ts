import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubectlAt,
  adminToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
  type RawResponse,
} from './helpers/platform.js';
import { eventually } from './helpers/wait.js';

// Chunked lists as kube-apiserver serves them (`limit` and `continue`), against the real platform:
// raw HTTPS requests and the real kubectl's `get --chunk-size`.

const COUNT = 1_200;
const NS = 'paging';
const CM = `/clusters/root/api/v1/namespaces/${NS}/configmaps`;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let token: string;
let at: ReturnType<typeof adminKubectlAt>;

const raw = (
  rawPath: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) => rawRequest(platform.url, rawPath, { token, ca, ...init });
interface Item {
  metadata: { name: string; namespace?: string; resourceVersion: string };
  data?: Record<string, string>;
}
interface List {
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Item[];
  rows: { cells: unknown[] }[];
  message: string;
}
const json = (response: RawResponse) => JSON.parse(response.body) as List;
const names = (list: List) => list.items.map((item) => item.metadata.name);
const cmName = (i: number) => `cm-${String(i).padStart(4, '0')}`;
const post = async (rawPath: string, body: unknown) => {
  const response = await raw(rawPath, { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`POST ${rawPath}: ${response.status} ${response.body}`);
};

/** Follows `continue` from `first` to the end; every page must answer 200. */
async function followPages(first: List, pagePath: (token: string) => string) {
  const pages = [first];
  for (let token = first.metadata.continue; token; token = pages.at(-1)?.metadata.continue) {
    const next = await raw(pagePath(encodeURIComponent(token)));
    expect(next.status, next.body).toBe(200);
    pages.push(json(next));
    if (pages.length > 100) throw new Error('continue never ends');
  }
  return pages;
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-paging-'));
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  token = adminToken(platform.dataDir);
  at = adminKubectlAt(platform, path.join(scratch, 'cache'));
  await post('/clusters/root/api/v1/namespaces', { metadata: { name: NS } });
  await post('/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', {
    metadata: { name: 'other' },
    spec: { type: { name: 'universal', path: 'root' } },
  });
  // Created out of order, a few at a time, so the pages' order is the server's doing.
  const order = Array.from({ length: COUNT }, (_, i) => (i * 7) % COUNT);
  for (let start = 0; start < COUNT; start += 16) {
    await Promise.all(
      order.slice(start, start + 16).map((i) =>
        post(CM, {
          metadata: { name: cmName(i), labels: { parity: i % 2 === 0 ? 'even' : 'odd' } },
          data: { i: String(i) },
        }),
      ),
    );
  }
  await eventually(
    () => raw('/clusters/root:other/api/v1/namespaces/default/configmaps'),
    (response) => response.status === 200,
    10_000,
  );
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('limit and continue', () => {
  it('pages through 1,200 config maps, 100 at a time, in name order at one resourceVersion', async () => {
    const first = await raw(`${CM}?limit=100`);
    expect(first.status, first.body).toBe(200);
    const list = json(first);
    expect(list.items).toHaveLength(100);
    expect(list.metadata.continue).toEqual(expect.any(String));
    expect(list.metadata.remainingItemCount).toBe(COUNT - 100);

    const pages = await followPages(list, (next) => `${CM}?limit=100&continue=${next}`);
    expect(pages).toHaveLength(COUNT / 100);
    expect(pages.flatMap(names)).toEqual(Array.from({ length: COUNT }, (_, i) => cmName(i)));
    for (const [index, page] of pages.entries()) {
      expect(page.metadata.resourceVersion).toBe(list.metadata.resourceVersion);
      if (index < pages.length - 1) expect(page.metadata.remainingItemCount).toBe(COUNT - 100 * (index + 1));
    }
    expect(pages.at(-1)!.metadata.continue).toBeUndefined();
    expect(pages.at(-1)!.metadata.remainingItemCount).toBeUndefined();

    // Without limit, everything at once, as before.
    const all = json(await raw(CM));
    expect(all.items).toHaveLength(COUNT);
    expect(all.metadata.continue).toBeUndefined();
  });

  it('later pages show the list as of the first page, whatever changed since', async () => {
    const first = json(await raw(`${CM}?limit=500`));
    const before = new Map(
      json(await raw(CM)).items.map((item) => [item.metadata.name, item.metadata.resourceVersion]),
    );
    // After the first page: one listed object deleted, one still to come deleted, one changed, one added.
    const patch = { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' } };
    expect((await raw(`${CM}/${cmName(3)}`, { method: 'DELETE' })).status).toBe(200);
    expect((await raw(`${CM}/${cmName(900)}`, { method: 'DELETE' })).status).toBe(200);
    const changed = await raw(`${CM}/${cmName(1000)}`, { ...patch, body: '{"data":{"i":"changed"}}' });
    expect(changed.status, changed.body).toBe(200);
    await post(CM, { metadata: { name: 'cm-9999' }, data: { i: 'new' } });

    const pages = await followPages(first, (next) => `${CM}?limit=500&continue=${next}`);
    const items = pages.flatMap((page) => page.items);
    expect(items.map((item) => item.metadata.name)).toEqual([...before.keys()]);
    for (const item of items) expect(item.metadata.resourceVersion).toBe(before.get(item.metadata.name));
    expect(items.find((item) => item.metadata.name === cmName(1000))?.data?.i).toBe('1000');

    // A new list sees the changes.
    const now = names(json(await raw(CM)));
    expect(now).not.toContain(cmName(900));
    expect(now).toContain('cm-9999');
    await raw(`${CM}/cm-9999`, { method: 'DELETE' });
  });

  it('kubectl get --chunk-size follows continue to the end, and --chunk-size=0 asks for everything', async () => {
    const chunked = await at('/clusters/root', ['get', 'configmaps', '-n', NS, '--chunk-size=100', '-v=6']);
    expect(chunked.code, chunked.stderr).toBe(0);
    const rows = chunked.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
    expect(rows).toHaveLength(1 + COUNT - 2);
    expect(rows[1]).toMatch(/^cm-0000\s/);
    expect(rows.at(-1)).toMatch(/^cm-1199\s/);
    // kubectl asked page by page, sending back the server's continue token.
    expect(chunked.stderr).toMatch(/configmaps\?continue=[^&\s]+&limit=100 200 OK/);

    const whole = await at('/clusters/root', [
      'get',
      'configmaps',
      '-n',
      NS,
      '--chunk-size=0',
      '-o',
      'name',
      '-v=6',
    ]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout.trim().split('\n')).toHaveLength(COUNT - 2);
    expect(whole.stderr).not.toMatch(/limit=|continue=/);
  });

  it('a Table page carries continue and remainingItemCount too', async () => {
    const page = await raw(`${CM}?limit=7`, { headers: { Accept: TABLE } });
    const table = json(page);
    expect(table.kind).toBe('Table');
    expect(table.rows).toHaveLength(7);
    expect(table.metadata.remainingItemCount).toBe(COUNT - 2 - 7);
    const next = json(
      await raw(`${CM}?limit=7&continue=${encodeURIComponent(table.metadata.continue ?? '')}`, {
        headers: { Accept: TABLE },
      }),
    );
    expect(next.rows[0]?.cells[0]).toBe(cmName(8)); // cm-0003 was deleted above
  });

  it('a selector pages over what it matches and reports no remaining count', async () => {
    const first = json(await raw(`${CM}?limit=50&labelSelector=parity%3Dodd`));
    expect(first.items).toHaveLength(50);
    expect(first.metadata.continue).toEqual(expect.any(String));
    expect(first.metadata.remainingItemCount).toBeUndefined();
    const pages = await followPages(
      first,
      (next) => `${CM}?limit=50&labelSelector=parity%3Dodd&continue=${next}`,
    );
    const odd = pages.flatMap(names);
    expect(odd).toHaveLength(COUNT / 2 - 1); // cm-0003 was deleted
    expect(odd.every((name) => Number(name.slice(3)) % 2 === 1)).toBe(true);
  });

  it('pages a namespaced kind across namespaces in namespace, then name order', async () => {
    const first = json(await raw('/clusters/root/api/v1/configmaps?limit=1000'));
    const pages = await followPages(
      first,
      (next) => `/clusters/root/api/v1/configmaps?limit=1000&continue=${next}`,
    );
    const keys = pages.flatMap((page) =>
      page.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`),
    );
    expect(keys).toEqual([...keys].sort());
    expect(keys.filter((key) => key.startsWith(`${NS}/`))).toHaveLength(COUNT - 2);
  });

  it('a token is good only for the list it came from: elsewhere it is a 400 with no items', async () => {
    const next = encodeURIComponent(json(await raw(`${CM}?limit=10`)).metadata.continue ?? '');
    for (const elsewhere of [
      `/clusters/root:other/api/v1/namespaces/${NS}/configmaps?limit=10&continue=${next}`,
      `/clusters/root:other/api/v1/namespaces/default/configmaps?limit=10&continue=${next}`,
      `/clusters/root/api/v1/namespaces/${NS}/secrets?limit=10&continue=${next}`,
      `/clusters/root/api/v1/namespaces/default/configmaps?limit=10&continue=${next}`,
      `/clusters/root/api/v1/configmaps?limit=10&continue=${next}`,
      `${CM}?limit=10&continue=not-a-token`,
    ]) {
      const answer = await raw(elsewhere);
      expect(answer.status, elsewhere).toBe(400);
      const status = json(answer);
      expect(status).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
      expect(status.message).toMatch(/^invalid continue token: continue key is not valid/);
      expect(answer.body).not.toMatch(/cm-00/);
    }
    const withVersion = await raw(`${CM}?limit=10&resourceVersion=5&continue=${next}`);
    expect(withVersion.status).toBe(400);
    expect(json(withVersion).message).toBe('specifying resource version is not allowed when using continue');
    const badLimit = await raw(`${CM}?limit=ten`);
    expect(badLimit.status).toBe(400);
  });
});
