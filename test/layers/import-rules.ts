// The house rules for imports inside src/ (DESIGN.md §3), as a function over a map of files, so the test can run
// the same check on src/ and on small in-memory fixtures that break one rule each.
import path from 'node:path/posix';

/** Floors from the top down: a file may import its own floor and the floors below it, never one above. */
export const floors: readonly (readonly string[])[] = [
  // What a user types: oclif's commands, and the bundled dispatch of the hot ones that skips oclif.
  ['commands', 'dispatch'],
  ['completion'],
  // The use cases; the agent sits here too, with a rule of its own below.
  ['workspace', 'apis', 'place', 'deploy', 'auth', 'devplatform', 'agent', 'cluster'],
  ['client'],
  // The ground floor: kubeconfig and path grammar, the placement algorithm, and the CLI's errors and output.
  ['context', 'placement', 'shared', 'cli'],
];

/** Beside the floors: the server. Nothing else imports it, and it imports only the ground floor. */
const platform = 'platform';
/** Runs next to a member cluster that has no platform and no kplane use cases. */
const agent = 'agent';

export interface Violation {
  from: string;
  to: string;
  rule: string;
}

export interface ImportCheck {
  /** Every file of src/ (tests excluded) with the src/ files it imports. */
  graph: Map<string, string[]>;
  violations: Violation[];
  /** Each circle as the files along it, the first repeated at the end. */
  circles: string[][];
}

const fromClause = /(?:^|[\s;}])(?:import|export)\s[^;]*?\bfrom\s*(['"])(\.{1,2}\/[^'"]+)\1/g;
const bareImport = /(?:^|[\s;])import\s*(['"])(\.{1,2}\/[^'"]+)\1/g;
const dynamicImport = /\bimport\s*\(\s*(['"])(\.{1,2}\/[^'"]+)\1\s*\)/g;

/** The relative specifiers a TypeScript file imports: static, `import type`, re-exports and `import()`. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [fromClause, bareImport, dynamicImport]) {
    for (const match of source.matchAll(pattern)) found.push(match[2]!);
  }
  return found;
}

/** The file a specifier names, as NodeNext resolves our sources: `x.js` is `x.ts`, a folder its index. */
function resolveSpecifier(
  fromFile: string,
  specifier: string,
  files: ReadonlySet<string>,
): string | undefined {
  const target = path.normalize(path.join(path.dirname(fromFile), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find((candidate) => files.has(candidate));
}

/** `src/<folder>/…` → folder; a file directly in src/ has none. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : '';
}

function floorOf(folder: string): number | undefined {
  const index = floors.findIndex((floor) => floor.includes(folder));
  return index < 0 ? undefined : index;
}

const useCaseFloor = floorOf(agent)!;
const groundFloor = floors.length - 1;

/** Why importing `to` from `from` breaks a rule, or undefined when it may. */
function ruleBroken(from: string, to: string): string | undefined {
  const source = folderOf(from);
  const target = folderOf(to);
  if (source === target) return undefined;
  if (target === platform) return 'only the platform imports the platform';
  if (source === platform) {
    return floorOf(target) === groundFloor ? undefined : 'the platform imports only the ground floor';
  }
  const sourceFloor = floorOf(source);
  const targetFloor = floorOf(target);
  if (sourceFloor === undefined) return `src/${source}/ has no floor: add it to the floors in test/layers`;
  if (targetFloor === undefined) return `src/${target}/ has no floor: add it to the floors in test/layers`;
  if (source === agent && targetFloor <= useCaseFloor) {
    return 'the agent imports neither the platform nor the use cases';
  }
  if (targetFloor < sourceFloor) {
    return `an upward import: src/${source}/ is on a floor below src/${target}/`;
  }
  return undefined;
}

/** Tarjan's strongly connected components; each one with more than a file (or a self-import) is a circle. */
function findCircles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== file);
    const selfImport = graph.get(file)?.includes(file) ?? false;
    if (component.size > 1 || selfImport) {
      circles.push(circleThrough([...component].sort()[0]!, component, graph));
    }
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return circles;
}

/** One concrete circle inside a component, from `start` back to it (breadth first, so the shortest). */
function circleThrough(start: string, component: Set<string>, graph: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of graph.get(file) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const circle = [start];
        for (let at = file; at !== start; at = cameFrom.get(at)!) circle.splice(1, 0, at);
        return [...circle, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Checks the imports of `files` (path under the repository → source text) against the house rules. */
export function checkImports(files: ReadonlyMap<string, string>): ImportCheck {
  const sources = [...files.keys()].filter(
    (file) => file.startsWith('src/') && file.endsWith('.ts') && !/\.(test|d)\.ts$/.test(file),
  );
  const known = new Set(sources);
  const graph = new Map<string, string[]>();
  const violations: Violation[] = [];
  for (const from of sources.sort()) {
    const targets = new Set<string>();
    for (const specifier of importSpecifiers(files.get(from)!)) {
      const to = resolveSpecifier(from, specifier, known);
      if (to) targets.add(to);
    }
    graph.set(from, [...targets].sort());
    for (const to of graph.get(from)!) {
      const rule = ruleBroken(from, to);
      if (rule) violations.push({ from, to, rule });
    }
  }
  return { graph, violations, circles: findCircles(graph) };
}
