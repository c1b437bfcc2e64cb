// Keys a client chose are data (DESIGN §4.7): random patches of every type, create bodies and selectors
// full of `__proto__`, `constructor` and `prototype` keys at random depths, thrown by one tenant at a real
// platform (in this process, so its Object.prototype is the one we can look at). Afterwards the
// prototype is untouched, nothing answered 5xx, and another tenant still lists its workspaces.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrusting } from '../../test/helpers/fetch-trusting.js';
import { startPlatform, type RunningPlatform } from './server.js';
import { runOwnerCommand } from './tools/owner-commands.js';

const HOME = '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~';
const WORKSPACES = '/apis/tenancy.kcp.io/v1alpha1/workspaces';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** A JSON value as a tree, serialised by hand so `__proto__` reaches the wire as a literal key. */
type Json = { str: string } | { arr: Json[] } | { obj: [string, Json][] };

function text(value: Json): string {
  if ('str' in value) return JSON.stringify(value.str);
  if ('arr' in value) return `[${value.arr.map(text).join(',')}]`;
  return `{${value.obj.map(([key, item]) => `${JSON.stringify(key)}:${text(item)}`).join(',')}}`;
}

const key = fc.constantFrom(...PROTOTYPE_KEYS, ...PROTOTYPE_KEYS, 'namespace', 'data', 'metadata', 'a');
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 4 }).map((str) => ({ str })),
    fc.array(tie('json'), { maxLength: 3 }).map((arr) => ({ arr })),
    fc.array(fc.tuple(key, tie('json')), { maxLength: 4 }).map((obj) => ({ obj })),
  ),
}));
/** A pointer into places the target holds (so many operations apply), then the client's keys. */
const pointer = fc
  .tuple(
    fc.constantFrom('', '/data', '/metadata', '/metadata/annotations', '/metadata/managedFields/0/fieldsV1'),
    fc.array(fc.oneof(key, fc.constantFrom('0', '-', 'labels', 'name')), { minLength: 1, maxLength: 2 }),
  )
  .map(([prefix, steps]) => `${prefix}/${steps.join('/')}`);
const operation = fc
  .record({
    op: fc.constantFrom('add', 'add', 'add', 'replace', 'remove', 'copy', 'move', 'test'),
    path: pointer,
    from: pointer,
    value: json,
  })
  .map(
    ({ op, path, from, value }) =>
      `{"op":${JSON.stringify(op)},"path":${JSON.stringify(path)},"from":${JSON.stringify(from)},"value":${text(value)}}`,
  );
/**
 * An object body: random entries at the top and in metadata (pruned as unknown fields, or refused),
 * string data under such keys (valid, so stored), and a random tree in a managedFields entry (a
 * free-form place that is stored as sent).
 */
const objectBodyWith = (metadata: [string, Json][]) =>
  fc
    .record({
      top: fc.array(fc.tuple(key, json), { maxLength: 3 }),
      data: fc.array(fc.tuple(key, fc.string({ maxLength: 3 })), { maxLength: 4 }),
      meta: fc.array(fc.tuple(key, json), { maxLength: 2 }),
      fields: json,
    })
    .map(({ top, data, meta, fields }) =>
      text({
        obj: [
          ...top,
          ['data', { obj: data.map(([name, str]): [string, Json] => [name, { str }]) }],
          [
            'metadata',
            { obj: [...meta, ...metadata, ['managedFields', { arr: [{ obj: [['fieldsV1', fields]] }] }]] },
          ],
        ],
      }),
    );
const objectBody = objectBodyWith([]);

interface Hostile {
  method: 'PATCH' | 'POST' | 'GET';
  path: string;
  contentType?: string;
  body?: string;
}

const hostileRequest: fc.Arbitrary<Hostile> = fc.oneof(
  fc.array(operation, { minLength: 1, maxLength: 2 }).map((ops) => ({
    method: 'PATCH' as const,
    path: `${CONFIGMAPS}/target`,
    contentType: 'application/json-patch+json',
    body: `[${ops.join(',')}]`,
  })),
  fc
    .tuple(
      fc.constantFrom(
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ),
      objectBody,
    )
    .map(([contentType, body]) => ({
      method: 'PATCH' as const,
      path: `${CONFIGMAPS}/target?fieldManager=property-test`,
      contentType,
      body,
    })),
  objectBodyWith([['generateName', { str: 'gen-' }]]).map((body) => ({
    method: 'POST' as const,
    path: CONFIGMAPS,
    contentType: 'application/json',
    body,
  })),
  fc
    .tuple(fc.constantFrom('fieldSelector', 'labelSelector'), key, fc.constantFrom('=x', '!=x', ''))
    .map(([selector, field, rest]) => ({
      method: 'GET' as const,
      path: `${CONFIGMAPS}?${selector}=${encodeURIComponent(field + rest)}`,
    })),
);

/** The tester's request from issue #16: one JSON patch that used to break every cluster-scoped kind. */
const TESTERS_PATCH: Hostile = {
  method: 'PATCH',
  path: `${CONFIGMAPS}/target`,
  contentType: 'application/json-patch+json',
  body: '[{"op":"add","path":"/__proto__/namespace","value":"x"}]',
};

describe('keys a client chose never reach a prototype', () => {
  let dataDir: string;
  let platform: RunningPlatform;
  let base: string;
  let fetchOverTls: ReturnType<typeof fetchTrusting>;
  const tokens: Record<string, string> = {};
  const homes: Record<string, string> = {};
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  const call = async (user: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${tokens[user]}`);
    const res = await fetchOverTls(`${base}${path}`, { ...init, headers });
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kplane-unit-hostile-'));
    platform = await startPlatform({ port: 0, dataDir });
    base = platform.url;
    fetchOverTls = fetchTrusting(readFileSync(join(dataDir, 'ca.crt')));
    for (const user of ['alice', 'bob']) {
      tokens[user] = (await runOwnerCommand('token', ['--data-dir', dataDir, '--user', user])).stdout.trim();
      const home = await call(user, HOME);
      expect(home.status, home.body).toBe(200);
      homes[user] = new URL((JSON.parse(home.body) as { spec: { URL: string } }).spec.URL).pathname;
    }
    const child = await call('bob', `${homes.bob}${WORKSPACES}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"bobs-child"}}',
    });
    expect(child.status, child.body).toBe(201);
    const target = await call('alice', `${homes.alice}${CONFIGMAPS}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"target","annotations":{"a":"b"},"managedFields":[{"fieldsV1":{}}]},"data":{"a":"b"}}',
    });
    expect(target.status, target.body).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves Object.prototype alone, answers no 5xx, and keeps other tenants served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRequest, { minLength: 1, maxLength: 4 }), async (requests) => {
        for (const request of requests) {
          const headers = request.contentType ? { 'Content-Type': request.contentType } : undefined;
          const answer = await call('alice', `${homes.alice}${request.path}`, {
            method: request.method,
            ...(headers ? { headers } : {}),
            ...(request.body !== undefined ? { body: request.body } : {}),
          });
          expect(
            answer.status,
            `${request.method} ${request.path} ${request.body}: ${answer.body}`,
          ).toBeLessThan(500);
        }
        const prototypeAfter = Object.getOwnPropertyNames(Object.prototype).sort();
        // Clean up before failing, so one polluted run does not break the rest of the test process.
        for (const name of prototypeAfter)
          if (!prototypeBefore.includes(name)) delete (Object.prototype as Record<string, unknown>)[name];
        expect(prototypeAfter).toEqual(prototypeBefore);
        const listed = await call('bob', `${homes.bob}${WORKSPACES}`);
        expect(listed.status, listed.body).toBe(200);
        const items = (JSON.parse(listed.body) as { items: { metadata: { name: string } }[] }).items;
        expect(items.map((item) => item.metadata.name)).toEqual(['bobs-child']);
      }),
      { numRuns: 100, examples: [[[TESTERS_PATCH]]] },
    );
  }, 60_000);
});
