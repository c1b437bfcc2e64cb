import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import { CURRENT_WORKSPACE_CONTEXT, planSwapToPrevious, planUseWorkspace } from '../workspace-switch.js';
import {
  type KubeconfigChange,
  applyChangesToText,
  routeChanges,
  setCluster,
  setContext,
  setCurrentContext,
  setUser,
} from './edit.js';
import { KubeconfigEditError, KubeconfigParseError } from './errors.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from './load.js';
import { SECTIONS } from './types.js';

const FILE = '/home/me/.kube/config';
const fixture = readFileSync(new URL('./testdata/fidelity.kubeconfig', import.meta.url), 'utf8');

function configOf(text: string, file = FILE) {
  return mergeKubeconfigFiles([parseKubeconfigText(text, file)], { files: [file], destination: file });
}

/** Runs a planner the way modifyKubeconfig does for a single file. */
function run(text: string, plan: (c: ReturnType<typeof configOf>) => KubeconfigChange[]): string {
  const routed = routeChanges(configOf(text), plan(configOf(text)));
  return applyChangesToText(text, FILE, routed.get(FILE) ?? []);
}

/** Removes the workspace.kcp.io/* list items and the current-context value: what `ws use` may touch. */
function withoutManagedParts(text: string): string {
  const doc = parseDocument(text);
  const cuts: [number, number, string][] = [];
  for (const section of SECTIONS) {
    const seq = doc.get(section, true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (isMap(item) && item.range && String(item.get('name')).startsWith('workspace.kcp.io/')) {
        cuts.push([text.lastIndexOf('\n', item.range[0]) + 1, item.range[1], '']);
      }
    }
  }
  const cc = doc.get('current-context', true);
  if (isScalar(cc) && cc.range) cuts.push([cc.range[0], cc.range[1], '<current-context>']);
  cuts.sort((a, b) => b[0] - a[0]);
  return cuts.reduce((t, [s, e, r]) => t.slice(0, s) + r + t.slice(e), text);
}

describe('ws use keeps every byte it does not own', () => {
  const server = (p: string) => `https://platform.example.com:6443/clusters/${p}`;

  it('on the first switch, the second, and back', () => {
    const first = run(fixture, (c) => planUseWorkspace(c, server('root:org:team')));
    expect(first).not.toBe(fixture);
    expect(withoutManagedParts(first)).toBe(withoutManagedParts(fixture));
    expect(first).toContain('current-context: workspace.kcp.io/current   # where we are\n');

    const second = run(first, (c) => planUseWorkspace(c, server('root:org:team:app')));
    expect(withoutManagedParts(second)).toBe(withoutManagedParts(fixture));

    const back = run(second, (c) => planSwapToPrevious(c));
    expect(withoutManagedParts(back)).toBe(withoutManagedParts(fixture));
    expect(configOf(back).clusters.get(CURRENT_WORKSPACE_CONTEXT)?.value.server).toBe(
      server('root:org:team'),
    );

    // the copied cluster keeps CA data, tls-server-name, extensions and unknown fields; only server differs
    const original = configOf(fixture).clusters.get('platform');
    const copy = configOf(second).clusters.get(CURRENT_WORKSPACE_CONTEXT);
    expect(copy?.value).toEqual({ ...original?.value, server: server('root:org:team:app') });
    expect(copy?.extra).toEqual(original?.extra);
  });

  it('writes nothing new when switching to where it already is', () => {
    const first = run(fixture, (c) => planUseWorkspace(c, server('root:org:team')));
    const config = configOf(first);
    const routed = routeChanges(config, planUseWorkspace(config, server('root:org:team')));
    // previous now equals current: only the previous entries change
    expect(
      [...routed.values()].flat().map((c) => (c.kind === 'set-entry' ? `${c.section}/${c.name}` : c.kind)),
    ).toEqual(['contexts/workspace.kcp.io/previous', 'clusters/workspace.kcp.io/previous']);
  });
});

const a = { server: 'https://a' };
describe('applyChangesToText: kubeconfig before → changes → kubeconfig after', () => {
  const table: { name: string; before: string; changes: KubeconfigChange[]; after: string }[] = [
    {
      name: 'a missing or empty file gets a fresh config',
      before: '',
      changes: [setCluster('c', a), setContext('x', { cluster: 'c', user: 'u' }), setCurrentContext('x')],
      after:
        'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://a\n  name: c\ncontexts:\n- context:\n    cluster: c\n    user: u\n  name: x\ncurrent-context: x\n',
    },
    {
      name: 'a comments-only file keeps its comments',
      before: '# hello\n',
      changes: [setCurrentContext('x')],
      after: '# hello\napiVersion: v1\nkind: Config\ncurrent-context: x\n',
    },
    {
      name: 'a bare null becomes a config',
      before: 'null\n',
      changes: [setCurrentContext('x')],
      after: '\napiVersion: v1\nkind: Config\ncurrent-context: x\n',
    },
    {
      name: 'missing sections are added at the end',
      before: 'apiVersion: v1\nkind: Config # c\n',
      changes: [setCluster('c', a), setCurrentContext('x')],
      after:
        'apiVersion: v1\nkind: Config # c\nclusters:\n- cluster:\n    server: https://a\n  name: c\ncurrent-context: x\n',
    },
    {
      name: 'no newline at the end of the file',
      before: 'kind: Config',
      changes: [setCurrentContext('x')],
      after: 'kind: Config\ncurrent-context: x\n',
    },
    {
      name: 'empty section value',
      before: 'clusters:\nkind: Config\n',
      changes: [setCluster('c', a)],
      after: 'clusters:\n- cluster:\n    server: https://a\n  name: c\nkind: Config\n',
    },
    {
      name: 'null section with a comment',
      before: 'clusters: null # none yet\nkind: Config\n',
      changes: [setCluster('c', a)],
      after: 'clusters: # none yet\n- cluster:\n    server: https://a\n  name: c\nkind: Config\n',
    },
    {
      name: 'empty flow list in block style becomes a block list',
      before: 'users: []\nclusters: []\n',
      changes: [setCluster('c', a)],
      after: 'users: []\nclusters:\n- cluster:\n    server: https://a\n  name: c\n',
    },
    {
      name: 'appends in the indented-sequence style the file uses',
      before: 'clusters:\n  - name: old\n    cluster:\n        server: https://old\nkind: Config\n',
      changes: [setCluster('c', { ...a, extensions: [{ name: 'e', extension: { k: 'v' } }] })],
      after:
        'clusters:\n  - name: old\n    cluster:\n        server: https://old\n  - cluster:\n        server: https://a\n        extensions:\n            - name: e\n              extension:\n                  k: v\n    name: c\nkind: Config\n',
    },
    {
      name: 'replaces an entry in place, keeping its key order, and nothing around it',
      before:
        'clusters:\n- name: c   # mine\n  cluster:\n    server: https://old\n# between\n- name: d\n  cluster: {server: https://d}\n',
      changes: [setCluster('c', a)],
      after:
        'clusters:\n- name: c\n  cluster:\n    server: https://a\n# between\n- name: d\n  cluster: {server: https://d}\n',
    },
    {
      name: 'replaces a flow item in a block list with a block item',
      before: 'clusters:\n- {name: c, cluster: {server: https://old}}\n- name: d\n',
      changes: [setCluster('c', a)],
      after: 'clusters:\n- name: c\n  cluster:\n    server: https://a\n- name: d\n',
    },
    {
      name: 'a flow list stays flow',
      before: 'clusters: [{name: d, cluster: {server: x}}]\n',
      changes: [setCluster('c', a)],
      after: 'clusters: [{name: d, cluster: {server: x}},{"cluster":{"server":"https://a"},"name":"c"}]\n',
    },
    {
      name: 'current-context keeps its quoting and comment',
      before: 'current-context: "old"  # here\n',
      changes: [setCurrentContext('workspace.kcp.io/current')],
      after: 'current-context: "workspace.kcp.io/current"  # here\n',
    },
    {
      name: 'single-quoted current-context',
      before: "current-context: 'old'\n",
      changes: [setCurrentContext("it's")],
      after: "current-context: 'it''s'\n",
    },
    {
      name: 'empty current-context with a comment',
      before: 'current-context: # none\nkind: Config\n',
      changes: [setCurrentContext('x')],
      after: 'current-context: x # none\nkind: Config\n',
    },
    {
      name: 'strings kubectl (YAML 1.1) would misread are quoted',
      before: 'kind: Config\n',
      changes: [setCurrentContext('yes'), setUser('on', { token: '0123' })],
      after: 'kind: Config\nusers:\n- user:\n    token: "0123"\n  name: "on"\ncurrent-context: "yes"\n',
    },
    {
      name: 'CRLF files stay CRLF',
      before: 'clusters:\r\n- name: d\r\n  cluster:\r\n    server: x\r\ncurrent-context: d\r\n',
      changes: [setCluster('c', a), setCurrentContext('c')],
      after:
        'clusters:\r\n- name: d\r\n  cluster:\r\n    server: x\r\n- cluster:\r\n    server: https://a\r\n  name: c\r\ncurrent-context: c\r\n',
    },
    {
      name: 'JSON stays JSON',
      before: '{\n  "apiVersion": "v1",\n  "clusters": [],\n  "current-context": "a"\n}\n',
      changes: [setCluster('c', a), setContext('x', { cluster: 'c' }), setCurrentContext('x')],
      after:
        '{\n  "apiVersion": "v1",\n  "clusters": [{"cluster":{"server":"https://a"},"name":"c"}],\n  "current-context": "x","contexts":[{"context":{"cluster":"c"},"name":"x"}]\n}\n',
    },
    {
      name: 'an empty JSON object',
      before: '{}',
      changes: [setCurrentContext('x')],
      after: '{"current-context":"x"}',
    },
    {
      name: 'unknown item fields are written with the entry',
      before: 'kind: Config\n',
      changes: [setContext('x', { cluster: 'c' }, { extra: { 'x-note': 'kept' } })],
      after: 'kind: Config\ncontexts:\n- context:\n    cluster: c\n  name: x\n  x-note: kept\n',
    },
  ];
  it.each(table)('$name', ({ before, changes, after }) => {
    expect(applyChangesToText(before, FILE, changes)).toBe(after);
  });

  it('refuses to write over a file that does not parse', () => {
    expect(() => applyChangesToText('clusters: [\n', FILE, [setCurrentContext('x')])).toThrow(
      KubeconfigParseError,
    );
  });

  it('refuses a section that is an alias', () => {
    const before = 'base: &b [{name: z}]\nclusters: *b\n';
    expect(() => applyChangesToText(before, FILE, [setCluster('c', a)])).toThrow(KubeconfigEditError);
  });

  it('refuses an edit that would break an alias elsewhere, instead of writing it', () => {
    const before = 'clusters:\n- name: c\n  cluster: &shared {server: x}\n- name: d\n  cluster: *shared\n';
    expect(() => applyChangesToText(before, FILE, [setCluster('c', a)])).toThrow(
      /cannot update kubeconfig .*Nothing was changed/,
    );
  });
});

describe('routeChanges (client-go ModifyConfig)', () => {
  const files = {
    '/a/config': 'contexts:\n- name: ctx\n  context: {cluster: shared, user: me}\ncurrent-context: ctx\n',
    '/b/shared':
      'clusters:\n- name: shared\n  cluster: {server: https://s, certificate-authority: certs/ca.crt}\n',
  };
  const config = mergeKubeconfigFiles(
    Object.entries(files).map(([p, t]) => parseKubeconfigText(t, p)),
    { files: Object.keys(files), destination: '/a/config' },
  );

  it('sends changed entries to their origin, new ones and current-context to the destination', () => {
    const routed = routeChanges(config, [
      setCluster('shared', { server: 'https://new' }),
      setCluster('fresh', { server: 'https://f' }),
      setCurrentContext('other'),
    ]);
    expect([...routed.keys()].sort()).toEqual(['/a/config', '/b/shared']);
    expect(routed.get('/b/shared')?.map((c) => c.kind === 'set-entry' && c.name)).toEqual(['shared']);
    expect(routed.get('/a/config')?.map((c) => (c.kind === 'set-entry' ? c.name : c.kind))).toEqual([
      'fresh',
      'set-current-context',
    ]);
  });

  it('drops changes that change nothing, and keeps the last change to a key', () => {
    const routed = routeChanges(config, [
      setCurrentContext('zzz'),
      setCurrentContext('ctx'),
      setCluster('shared', { server: 'https://s', 'certificate-authority': 'certs/ca.crt' }),
    ]);
    expect(routed.size).toBe(0);
  });

  it('rebases relative file references when a copy lands in another folder', () => {
    const shared = config.clusters.get('shared');
    const routed = routeChanges(config, [
      setCluster('copy', shared?.value ?? {}, { sourceFile: shared?.origin }),
      setCluster('abs', { 'certificate-authority': '/etc/ca.crt' }, { sourceFile: '/b/shared' }),
    ]);
    const changes = routed.get('/a/config') ?? [];
    expect(changes[0]?.kind === 'set-entry' && changes[0].value['certificate-authority']).toBe(
      '/b/certs/ca.crt',
    );
    expect(changes[1]?.kind === 'set-entry' && changes[1].value['certificate-authority']).toBe('/etc/ca.crt');
    // same folder: untouched
    const same = routeChanges(config, [
      setCluster('shared2', shared?.value ?? {}, { sourceFile: '/a/other' }),
    ]);
    const c = same.get('/a/config')?.[0];
    expect(c?.kind === 'set-entry' && c.value['certificate-authority']).toBe('certs/ca.crt');
  });
});

describe('property: edits in any common file style mean exactly old data + changes', () => {
  const name = fc.constantFrom('a', 'b', 'c', 'workspace.kcp.io/current', 'yes', 'x y');
  const body = fc.dictionary(
    fc.constantFrom('server', 'cluster', 'user', 'namespace', 'x-unknown'),
    fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.integer()),
    { maxKeys: 4 },
  );
  const entries = fc.uniqueArray(fc.record({ name, body }), { selector: (e) => e.name, maxLength: 4 });
  const change = fc.oneof(
    fc
      .record({ section: fc.constantFrom(...SECTIONS), name, body })
      .map(({ section, name, body }): KubeconfigChange => ({
        kind: 'set-entry',
        section,
        name,
        value: body,
      })),
    name.map((n) => setCurrentContext(n)),
  );
  const style = fc.record({
    indentSeq: fc.boolean(),
    indent: fc.constantFrom(2, 4),
    flowItems: fc.boolean(),
    json: fc.boolean(),
    comments: fc.boolean(),
    crlf: fc.boolean(),
  });

  it('holds', () => {
    fc.assert(
      fc.property(
        entries,
        entries,
        fc.option(name, { nil: undefined }),
        style,
        fc.array(change, { maxLength: 5 }),
        (clusters, contexts, current, st, changes) => {
          const data: Record<string, unknown> = {
            apiVersion: 'v1',
            kind: 'Config',
            ...(clusters.length
              ? { clusters: clusters.map((e) => ({ name: e.name, cluster: e.body })) }
              : {}),
            ...(contexts.length
              ? { contexts: contexts.map((e) => ({ name: e.name, context: e.body })) }
              : {}),
            ...(current !== undefined ? { 'current-context': current } : {}),
            preferences: {},
          };
          let text = st.json
            ? JSON.stringify(data, null, st.indent)
            : stringify(data, {
                indentSeq: st.indentSeq,
                indent: st.indent,
                collectionStyle: st.flowItems ? 'any' : 'block',
              });
          if (st.comments && !st.json) text = `# head\n${text.replace(/\n/g, '  # c\n')}`;
          if (st.crlf) text = text.replace(/\n/g, '\r\n');
          // dedupe like routeChanges does, then apply
          const last = new Map(
            changes.map((c) => [c.kind === 'set-entry' ? `${c.section}/${c.name}` : 'cc', c]),
          );
          const out = applyChangesToText(text, FILE, [...last.values()]);
          const after = parseKubeconfigText(out, FILE);
          for (const c of last.values()) {
            if (c.kind === 'set-current-context') expect(after.currentContext).toBe(c.name);
            else expect(after.entries[c.section].find((e) => e.name === c.name)?.value).toEqual(c.value);
          }
          if (!st.json)
            expect(
              out.startsWith(text.slice(0, text.search(/clusters|contexts|users|current-context|$/))),
            ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
