import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImports, importSpecifiers } from './import-rules.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function sourcesOfSrc(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(path.join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const relative = path.join('src', entry).split(path.sep).join('/');
    files.set(relative, readFileSync(path.join(repoRoot, relative), 'utf8'));
  }
  return files;
}

/** A small house that keeps every rule; each fixture below breaks exactly one. */
const house = {
  'src/commands/ws/use.ts': `import { useWorkspace } from '../../workspace/use.js';\n`,
  'src/dispatch/fast-path.ts': `const { useWorkspace } = await import('../workspace/use.js');\n`,
  'src/workspace/use.ts': [
    `import {`,
    `  parseWorkspaceUrl,`,
    `} from '../context/workspace-url.js';`,
    `import type { RestClient } from '../client/rest-client.js';`,
  ].join('\n'),
  'src/client/rest-client.ts': `import { KplaneError } from '../cli/errors.js';\n`,
  'src/cli/errors.ts': `export class KplaneError extends Error {}\n`,
  'src/context/workspace-url.ts': `export * from './workspace-path.js';\n`,
  'src/context/workspace-path.ts': `export const x = 1;\n`,
  'src/platform/server.ts': `import { schedule } from '../placement/index.js';\n`,
  'src/placement/index.ts': `export function schedule() {}\n`,
  'src/agent/apply.ts': `import { RestClient } from '../client/rest-client.js';\n`,
};

const check = (files: Record<string, string>) => checkImports(new Map(Object.entries(files)));
const pairs = (files: Record<string, string>) => check(files).violations.map(({ from, to }) => [from, to]);

describe('the import rules of src/ (DESIGN.md §3)', () => {
  it('src/ has no import circle', () => {
    const { circles } = checkImports(sourcesOfSrc());
    expect(circles.map((circle) => circle.join(' -> '))).toEqual([]);
  });

  it('src/ imports only downwards: commands → completion → use cases → client → ground floor', () => {
    const { violations } = checkImports(sourcesOfSrc());
    expect(violations.map(({ from, to, rule }) => `${from} -> ${to}: ${rule}`)).toEqual([]);
  });

  it('the fixture house keeps every rule', () => {
    const result = check(house);
    expect(result.violations).toEqual([]);
    expect(result.circles).toEqual([]);
    expect(result.graph.get('src/workspace/use.ts')).toEqual([
      'src/client/rest-client.ts',
      'src/context/workspace-url.ts',
    ]);
  });

  it('an upward import from the ground floor is reported as exactly that pair', () => {
    const upward = {
      ...house,
      'src/cli/errors.ts': `import type { WorkspaceSelector } from '../workspace/use.js';\n`,
    };
    expect(pairs(upward)).toEqual([['src/cli/errors.ts', 'src/workspace/use.ts']]);
    expect(check(upward).violations[0]!.rule).toMatch(/upward import/);
  });

  it('the client importing a use case is upward too, even as a dynamic import', () => {
    const upward = {
      ...house,
      'src/client/rest-client.ts': `const { readToken } = await import('../auth/token.js');\n`,
      'src/auth/token.ts': `export const readToken = () => '';\n`,
    };
    expect(pairs(upward)).toEqual([['src/client/rest-client.ts', 'src/auth/token.ts']]);
  });

  it('nothing outside src/platform/ imports it', () => {
    const reaching = {
      ...house,
      'src/commands/ws/use.ts': `import { startServer } from '../../platform/server.js';\n`,
    };
    expect(pairs(reaching)).toEqual([['src/commands/ws/use.ts', 'src/platform/server.ts']]);
  });

  it('the platform imports nothing above the ground floor', () => {
    const reaching = { ...house, 'src/platform/server.ts': `import '../client/rest-client.js';\n` };
    expect(pairs(reaching)).toEqual([['src/platform/server.ts', 'src/client/rest-client.ts']]);
  });

  it('the agent imports neither the platform nor a use case', () => {
    const agent = {
      ...house,
      'src/agent/apply.ts': [
        `import { RestClient } from '../client/rest-client.js';`,
        `import { useWorkspace } from '../workspace/use.js';`,
        `import type { Server } from '../platform/server.js';`,
      ].join('\n'),
    };
    expect(pairs(agent)).toEqual([
      ['src/agent/apply.ts', 'src/platform/server.ts'],
      ['src/agent/apply.ts', 'src/workspace/use.ts'],
    ]);
  });

  it('a folder with no floor is reported, so a new one is placed on purpose', () => {
    const unplaced = {
      ...house,
      'src/commands/ws/use.ts': `import '../../gadgets/x.js';\n`,
      'src/gadgets/x.ts': '',
    };
    expect(check(unplaced).violations).toEqual([
      {
        from: 'src/commands/ws/use.ts',
        to: 'src/gadgets/x.ts',
        rule: 'src/gadgets/ has no floor: add it to the floors in test/layers',
      },
    ]);
  });

  it('a circle is reported with the files along it, even within one floor', () => {
    const circular = {
      ...house,
      'src/context/workspace-path.ts': `import type { WorkspaceUrl } from './workspace-url.js';\n`,
    };
    expect(check(circular).circles).toEqual([
      ['src/context/workspace-path.ts', 'src/context/workspace-url.ts', 'src/context/workspace-path.ts'],
    ]);
    expect(check(circular).violations).toEqual([]);
  });

  it('reads multi-line, type-only, re-exported, bare and dynamic imports, and no package import', () => {
    const source = [
      `import {`,
      `  a,`,
      `  type B,`,
      `} from './a.js';`,
      `import type { C } from "../c.js";`,
      `export { d } from './d.js';`,
      `export * from './e.js';`,
      `import './f.js';`,
      `const g = await import('./g.js');`,
      `import { parse } from 'yaml';`,
      `import { x } from 'node:fs';`,
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(
      ['../c.js', './a.js', './d.js', './e.js', './f.js', './g.js'].sort(),
    );
  });
});
