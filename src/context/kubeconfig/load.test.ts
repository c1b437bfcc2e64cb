import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeconfigNotFoundError, KubeconfigParseError } from './errors.js';
import {
  loadKubeconfig,
  mergeKubeconfigFiles,
  parseKubeconfigText,
  resolveExecCommand,
  resolveOriginPath,
} from './load.js';

describe('parseKubeconfigText', () => {
  it('reads entries with their bodies, unknown fields and origin', () => {
    const file = parseKubeconfigText(
      `clusters:
- name: c
  cluster: {server: https://h, x-new: 1}
  x-item: y
contexts:
- {name: ctx, context: {cluster: c, user: u}}
users:
- name: u
current-context: ctx
`,
      '/k/config',
    );
    expect(file.entries.clusters).toEqual([
      {
        name: 'c',
        value: { server: 'https://h', 'x-new': 1 },
        extra: { 'x-item': 'y' },
        origin: '/k/config',
      },
    ]);
    expect(file.entries.contexts[0]?.value).toEqual({ cluster: 'c', user: 'u' });
    expect(file.entries.users[0]?.value).toEqual({});
    expect(file.currentContext).toBe('ctx');
  });

  it.each(['', '\n\n', '# just a comment\n', 'null\n', '~', '---\n'])(
    'treats %j as an empty config',
    (text) => {
      const file = parseKubeconfigText(text, '/k');
      expect(file.entries).toEqual({ clusters: [], contexts: [], users: [] });
      expect(file.currentContext).toBe('');
    },
  );

  it('reads JSON', () => {
    const file = parseKubeconfigText(
      '{"clusters":[{"name":"a","cluster":{"server":"s"}}],"current-context":"x"}',
      '/k',
    );
    expect(file.entries.clusters[0]?.name).toBe('a');
    expect(file.currentContext).toBe('x');
  });

  it.each([
    ['clusters: [\n', /invalid YAML/],
    ['a: 1\n---\nb: 2\n', /invalid YAML: Source contains multiple documents/],
    ['a: 1\na: 2\n', /invalid YAML/],
    ['- a\n- b\n', /the top level is not a mapping/],
    ['just a string\n', /the top level is not a mapping/],
    ['clusters: {a: 1}\n', /"clusters" is not a list/],
    ['contexts: oops\n', /"contexts" is not a list/],
    ['users:\n- just-a-name\n', /item 1 of "users" is not a mapping/],
    ['clusters:\n- name: a\n  cluster: nope\n', /"cluster" of clusters entry "a" is not a mapping/],
    ['contexts:\n- name: a\n- name: a\n', /duplicate name "a" in "contexts"/],
    ['current-context: {a: 1}\n', /"current-context" is not a string/],
    ['clusters:\n- name: [a]\n', /the name of item 1 of "clusters" is not a string/],
  ])('rejects %j', (text, problem) => {
    let error: unknown;
    try {
      parseKubeconfigText(text, '/home/me/.kube/config');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeconfigParseError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toMatch(/^kubeconfig \/home\/me\/\.kube\/config could not be read: /);
    expect((error as Error).message).toMatch(/Nothing was changed/);
  });
});

describe('mergeKubeconfigFiles (client-go: first file to set a key wins, whole entry)', () => {
  it('keeps the first entry of a name and the first non-empty current-context', () => {
    const a = parseKubeconfigText(
      'clusters:\n- name: red\n  cluster: {server: a}\ncurrent-context: ""\n',
      '/a',
    );
    const b = parseKubeconfigText(
      'clusters:\n- name: red\n  cluster: {server: b, insecure-skip-tls-verify: true}\n- name: blue\n  cluster: {server: b}\ncurrent-context: from-b\n',
      '/b',
    );
    const c = parseKubeconfigText('current-context: from-c\n', '/c');
    const merged = mergeKubeconfigFiles([a, b, c], { files: ['/a', '/b', '/c'], destination: '/a' });
    expect(merged.clusters.get('red')).toEqual({
      name: 'red',
      value: { server: 'a' },
      extra: {},
      origin: '/a',
    });
    expect(merged.clusters.get('blue')?.origin).toBe('/b');
    expect(merged.currentContext).toBe('from-b');
    expect(merged.destination).toBe('/a');
  });
});

describe('loadKubeconfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kplane-load-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips missing KUBECONFIG files and merges the rest', async () => {
    await writeFile(join(dir, 'b'), 'current-context: x\ncontexts:\n- name: x\n  context: {cluster: c}\n');
    const { config, files } = await loadKubeconfig({
      env: { KUBECONFIG: [join(dir, 'a'), join(dir, 'b')].join(':') },
    });
    expect(files.map((f) => f.exists)).toEqual([false, true]);
    expect(config.currentContext).toBe('x');
    expect(config.contexts.get('x')?.origin).toBe(join(dir, 'b'));
    expect(config.destination).toBe(join(dir, 'b'));
  });

  it('requires an explicit --kubeconfig file to exist', async () => {
    await expect(loadKubeconfig({ explicitPath: join(dir, 'nope'), env: {} })).rejects.toThrow(
      KubeconfigNotFoundError,
    );
  });

  it('fails the whole load when one file is corrupt', async () => {
    await writeFile(join(dir, 'a'), 'clusters: [\n');
    await writeFile(join(dir, 'b'), 'current-context: x\n');
    await expect(
      loadKubeconfig({ env: { KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'b')}` } }),
    ).rejects.toThrow(`kubeconfig ${join(dir, 'a')} could not be read`);
  });
});

describe('file references resolve against the origin file', () => {
  it.each([
    ['/home/me/.kube/config', 'ca.crt', '/home/me/.kube/ca.crt'],
    ['/home/me/.kube/config', '../certs/ca.crt', '/home/me/certs/ca.crt'],
    ['/home/me/.kube/config', '/etc/ca.crt', '/etc/ca.crt'],
    ['/home/me/.kube/config', '', ''],
  ])('%s + %s', (origin, ref, want) => expect(resolveOriginPath(origin, ref)).toBe(want));

  it('resolves exec.command only when it has a separator', () => {
    expect(resolveExecCommand('/k/config', 'kplane')).toBe('kplane');
    expect(resolveExecCommand('/k/config', './bin/kplane')).toBe('/k/bin/kplane');
  });
});
