import { describe, expect, it } from 'vitest';
import { complete, formatCompletion, type CompletionManifest, type CompletionSources } from './engine.js';

const output = { char: 'o', type: 'option', options: ['json', 'yaml'] };
const kubeconfig = { type: 'option' };
const workspace = { char: 'w', type: 'option' };
const manifest: CompletionManifest = {
  commands: {
    ws: { args: { path: {} }, flags: { kubeconfig, short: { type: 'boolean' }, output } },
    'ws:use': { aliases: ['ws:cd'], args: { path: {} }, flags: { kubeconfig, output } },
    'ws:tree': { flags: { kubeconfig, full: { char: 'f', type: 'boolean' }, output, workspace } },
    'ws:exec': { args: { path: {} }, flags: { workspace } },
    bind: { args: { reference: {} }, flags: { kubeconfig, name: { type: 'option' } } },
    'bind:catalog': { flags: { output } },
    'export:objects': { args: { name: {} }, flags: { watch: { char: 'w', type: 'boolean' }, workspace } },
    'place:get': {
      args: { name: {} },
      flags: { namespace: { char: 'n', type: 'option' }, output, workspace },
    },
    'place:list': { flags: {} },
    __complete: { hidden: true },
    whoami: { flags: { output } },
  },
};

/** A tree: root ─ acme ─ {web, api, ci}, root ─ beta; only root:acme's team may list placements. */
const tree: Record<string, string[]> = {
  root: ['acme', 'beta'],
  'root:acme': ['web', 'api', 'ci'],
  'root:acme:web': [],
};

function fakeSources(current: string | null = 'root'): CompletionSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    currentPath: async () => current ?? undefined,
    childWorkspaces: async (path) => {
      asked.push(path);
      return tree[path] ?? [];
    },
    exportReferences: async () => ['root:providers:db:postgres', 'root:providers:queue:kafka'],
    exportNames: async (scope) => (scope.workspace === ':root:providers' ? ['kafka'] : ['postgres', 'redis']),
    placementNames: async (scope) => (scope.namespace === 'other' ? ['elsewhere'] : ['web-eu', 'web-us']),
  };
}

const candidates = async (words: string[], current?: string | null) =>
  (await complete(words, manifest, fakeSources(current))).candidates;

describe('completing commands and flags', () => {
  it.each([
    [[''], ['bind', 'export', 'place', 'whoami', 'ws']],
    [['w'], ['whoami', 'ws']],
    [
      ['bind', ''],
      ['catalog', 'root:providers:db:postgres', 'root:providers:queue:kafka'],
    ],
    [['ws', 't'], ['tree']],
    [
      ['place', ''],
      ['get', 'list'],
    ],
    [
      ['ws', 'tree', '--'],
      ['--kubeconfig', '--full', '--output', '--workspace'],
    ],
    [
      ['ws', 'tree', '-'],
      ['--kubeconfig', '--full', '-f', '--output', '-o', '--workspace', '-w'],
    ],
    [
      ['ws', 'tree', '-o', ''],
      ['text', 'json', 'yaml'],
    ],
    [['whoami', '--output', 'j'], ['json']],
    [['whoami', '--output=y'], ['--output=yaml']],
    [['nonsense', ''], []],
    [
      ['ws', '-'],
      ['--kubeconfig', '--short', '--output', '-o', '-'],
    ],
  ])('%j → %j', async (words, expected) => {
    expect(await candidates(words)).toEqual(expected);
  });

  it('never offers hidden commands', async () => {
    expect(await candidates(['_'])).toEqual([]);
  });

  it('leaves a value it knows nothing about to the shell (files)', async () => {
    const result = await complete(['ws', '--kubeconfig', ''], manifest, fakeSources());
    expect(result).toEqual({ candidates: [], directive: 0 });
  });
});

describe('completing workspace paths', () => {
  it.each([
    [['ws', 'use', ''], 'root', ['..', '-', '~', ':', 'acme', 'beta']],
    [['ws', 'use', 'a'], 'root', ['acme']],
    [['ws', 'cd', 'acme:'], 'root', ['acme:web', 'acme:api', 'acme:ci'].sort()],
    [['ws', 'use', 'root:acme:w'], 'root', ['root:acme:web']],
    [['ws', 'use', 'root:acme:w'], 'root:acme:api', ['root:acme:web']],
    [['ws', 'use', ':root:acme:'], 'root:acme:web', [':root:acme:api', ':root:acme:ci', ':root:acme:web']],
    [['ws', 'use', ':r'], 'root:acme', [':root']],
    [['ws', 'use', '..:'], 'root:acme:web', ['..:api', '..:ci', '..:web']],
    [['ws', 'use', '../c'], 'root:acme:web', ['../ci']],
    [['ws', 'use', '.'], 'root', ['..']],
    [['ws', 'w'], 'root:acme', ['web']],
    [['ws', 'exec', 'b'], 'root', ['beta']],
    [['ws', 'tree', '-w', 'ac'], 'root', ['acme']],
    [['ws', 'use', 'x:y:'], 'root', []],
  ])('%j in %s → %j', async (words, current, expected) => {
    expect(await candidates(words, current)).toEqual(expected);
  });

  it('offers only the special names when the kubeconfig has no workspace', async () => {
    expect(await candidates(['ws', ''], null)).toEqual(['cd', 'exec', 'tree', 'use', '..', '-', '~', ':']);
  });

  it('leaves the command after `ws exec PATH` to the shell', async () => {
    expect(await complete(['ws', 'exec', 'acme', 'ls', ''], manifest, fakeSources())).toEqual({
      candidates: [],
      directive: 0,
    });
  });

  it('completes one argument only', async () => {
    expect(await candidates(['ws', 'use', 'acme', ''])).toEqual([]);
  });

  it('asks for the parent of the partial path only', async () => {
    const sources = fakeSources('root:acme:web');
    await complete(['ws', 'use', '..:a'], manifest, sources);
    expect(sources.asked).toEqual(['root:acme']);
  });
});

describe('completing names from the platform', () => {
  it.each([
    [['bind', 'root:providers:q'], ['root:providers:queue:kafka']],
    [['export', 'objects', 'p'], ['postgres']],
    [['export', 'objects', '--workspace', ':root:providers', ''], ['kafka']],
    [['export', 'objects', '--watch', 'p'], ['postgres']],
    [
      ['place', 'get', ''],
      ['web-eu', 'web-us'],
    ],
    [['place', 'get', '-n', 'other', ''], ['elsewhere']],
    [['place', 'get', '--namespace=other', 'e'], ['elsewhere']],
  ])('%j → %j', async (words, expected) => {
    expect(await candidates(words)).toEqual(expected);
  });
});

describe("cobra's output format", () => {
  it('prints one candidate per line, then the directive', () => {
    expect(formatCompletion({ candidates: ['a', ':root'], directive: 4 })).toBe('a\n:root\n:4\n');
    expect(formatCompletion({ candidates: [], directive: 4 })).toBe(':4\n');
  });
});
