import { resolveWorkspacePath } from '../context/workspace-path.js';

/**
 * The completion engine behind `kplane __complete` and the `kubectl_complete-*` plugins: given the words typed so
 * far (the last one is the word being completed, '' for a new word) it answers cobra's `__complete` contract,
 * candidates plus a directive. It is pure: commands and flags come from the oclif manifest, and everything that
 * needs the platform comes through CompletionSources, which answer [] on any error or timeout.
 */

/** cobra's ShellCompDirective bits, as kubectl and the shell scripts expect them. */
export const Directive = { default: 0, error: 1, noSpace: 2, noFileComp: 4 } as const;

export interface CompletionResult {
  candidates: string[];
  directive: number;
}

/** The parts of `oclif.manifest.json` completion reads. */
export interface CompletionManifest {
  commands: Record<
    string,
    {
      hidden?: boolean;
      aliases?: string[];
      args?: Record<string, unknown>;
      flags?: Record<string, { char?: string; type?: string; hidden?: boolean; options?: string[] }>;
    }
  >;
}

export interface CompletionSources {
  /** The current workspace path, or undefined when the kubeconfig has none. */
  currentPath(): Promise<string | undefined>;
  /** Names of the workspaces directly below `path`. */
  childWorkspaces(path: string): Promise<string[]>;
  /** `bind` references (`root:providers:db:postgres`) the caller may bind. */
  exportReferences(): Promise<string[]>;
  /** APIExport names in the current workspace (or the one `-w` names). */
  exportNames(scope: CompletionScope): Promise<string[]>;
  /** Placement names in the current workspace and namespace (or those `-w` and `-n` name). */
  placementNames(scope: CompletionScope): Promise<string[]>;
}

/** What `-n/--namespace` and `-w/--workspace` already on the command line say. */
export interface CompletionScope {
  namespace?: string;
  workspace?: string;
}

type ArgKind = 'workspace' | 'export-reference' | 'export-name' | 'placement';

/** What the first positional argument of a command is. */
const argKinds: Record<string, ArgKind> = {
  ws: 'workspace',
  'ws:use': 'workspace',
  'ws:cd': 'workspace',
  'ws:exec': 'workspace',
  'ws:env': 'workspace',
  'ws:shell': 'workspace',
  bind: 'export-reference',
  'export:objects': 'export-name',
  'place:get': 'placement',
  'place:explain': 'placement',
  'place:delete': 'placement',
};

/** Flags whose value is a workspace path. */
const workspaceFlags = new Set(['workspace']);
const defaultOutputValues = ['text', 'json', 'yaml'];
const specialPaths = ['..', '-', '~', ':'];

export async function complete(
  words: readonly string[],
  manifest: CompletionManifest,
  sources: CompletionSources,
): Promise<CompletionResult> {
  const typed = words.slice(0, -1);
  const partial = words.at(-1) ?? '';
  const commands = visibleCommands(manifest);

  // The command is the longest run of leading words that names a command or a topic.
  let id = '';
  let consumed = 0;
  for (const word of typed) {
    if (word.startsWith('-')) break;
    const next = id ? `${id}:${word}` : word;
    if (!isCommandOrTopic(commands, next)) break;
    id = next;
    consumed++;
  }
  const command = id ? commands.get(id) : undefined;
  const flags = command?.flags ?? {};

  // Positionals after the command, and whether the previous word wants a value.
  const positionals: string[] = [];
  let pendingFlag: string | undefined;
  const scope: CompletionScope = {};
  const remember = (flag: string | undefined, value: string) => {
    if (flag === 'namespace' || flag === 'workspace') scope[flag] = value;
  };
  for (const word of typed.slice(consumed)) {
    if (pendingFlag !== undefined) {
      remember(pendingFlag, word);
      pendingFlag = undefined;
      continue;
    }
    if (word.startsWith('-') && word !== '-') {
      const flag = flagNamed(flags, word);
      if (flag && flags[flag]?.type === 'option' && !word.includes('=')) pendingFlag = flag;
      else if (word.includes('=')) remember(flag, word.slice(word.indexOf('=') + 1));
      continue;
    }
    positionals.push(word);
  }

  if (pendingFlag !== undefined) {
    // A value kplane knows nothing about (`--kubeconfig`, `--schema`) is most likely a file.
    const known = workspaceFlags.has(pendingFlag) || pendingFlag === 'output' || flags[pendingFlag]?.options;
    return {
      candidates: await flagValues(pendingFlag, flags, partial, sources),
      directive: known ? Directive.noFileComp : Directive.default,
    };
  }
  if (partial.startsWith('--') && partial.includes('=')) {
    const name = partial.slice(2, partial.indexOf('='));
    const prefix = partial.slice(0, partial.indexOf('=') + 1);
    const values = await flagValues(name, flags, partial.slice(prefix.length), sources);
    return { candidates: values.map((value) => prefix + value), directive: Directive.noFileComp };
  }
  const candidates: string[] = [];
  if (partial.startsWith('-')) {
    const names = Object.entries(flags)
      .filter(([, flag]) => !flag.hidden)
      .flatMap(([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])]);
    candidates.push(...matching(names, partial));
    // `-` is also a workspace path: the previous workspace.
    if (partial !== '-') return { candidates, directive: Directive.noFileComp };
  }
  if (positionals.length === 0) {
    if (!partial.startsWith('-')) candidates.push(...matching(subcommandsOf(commands, id), partial));
    const kind = argKinds[id];
    if (kind) candidates.push(...(await argValues(kind, partial, sources, scope)));
  }
  // After `ws exec PATH` comes a command of the user's own: leave its words to the shell.
  if (id === 'ws:exec' && positionals.length > 0) return { candidates: [], directive: Directive.default };
  return { candidates: unique(candidates), directive: Directive.noFileComp };
}

function visibleCommands(manifest: CompletionManifest): Map<string, CompletionManifest['commands'][string]> {
  const commands = new Map<string, CompletionManifest['commands'][string]>();
  for (const [id, command] of Object.entries(manifest.commands)) {
    if (command.hidden) continue;
    commands.set(id, command);
    for (const alias of command.aliases ?? []) commands.set(alias, command);
  }
  return commands;
}

function isCommandOrTopic(commands: Map<string, unknown>, id: string): boolean {
  if (commands.has(id)) return true;
  for (const key of commands.keys()) if (key.startsWith(`${id}:`)) return true;
  return false;
}

/** The next word of every command below `id` (`ws` → use, cd, tree, …). */
function subcommandsOf(commands: Map<string, unknown>, id: string): string[] {
  const prefix = id ? `${id}:` : '';
  const names = new Set<string>();
  for (const key of commands.keys()) {
    if (!key.startsWith(prefix) || key === id) continue;
    const next = key.slice(prefix.length).split(':')[0];
    if (next && !next.startsWith('_')) names.add(next);
  }
  return [...names].sort();
}

function flagNamed(flags: NonNullable<CompletionManifest['commands'][string]['flags']>, word: string) {
  const name = word.startsWith('--') ? word.slice(2).split('=')[0]! : undefined;
  if (name !== undefined) return name in flags ? name : undefined;
  const char = word.slice(1, 2);
  return Object.entries(flags).find(([, flag]) => flag.char === char)?.[0];
}

async function flagValues(
  name: string,
  flags: NonNullable<CompletionManifest['commands'][string]['flags']>,
  partial: string,
  sources: CompletionSources,
): Promise<string[]> {
  if (workspaceFlags.has(name)) return workspacePaths(partial, sources);
  if (name === 'output')
    return matching(unique(['text', ...(flags[name]?.options ?? defaultOutputValues)]), partial);
  return matching(flags[name]?.options ?? [], partial);
}

async function argValues(
  kind: ArgKind,
  partial: string,
  sources: CompletionSources,
  scope: CompletionScope,
): Promise<string[]> {
  switch (kind) {
    case 'workspace':
      return workspacePaths(partial, sources);
    case 'export-reference':
      return matching(await sources.exportReferences(), partial);
    case 'export-name':
      return matching(await sources.exportNames(scope), partial);
    case 'placement':
      return matching(await sources.placementNames(scope), partial);
  }
}

/**
 * Workspace paths for a partial `ws use` argument: the special names, and the children of the partial path's
 * parent (the current workspace when it has no separator), written in the same form the user started
 * (`web`, `acme:w`, `root:acme:w`, `:root:a`, `../a`).
 */
export async function workspacePaths(partial: string, sources: CompletionSources): Promise<string[]> {
  const candidates = matching(specialPaths, partial);
  const current = await sources.currentPath();
  if (current === undefined) return candidates;
  const at = Math.max(partial.lastIndexOf(':'), partial.lastIndexOf('/'));
  const typedParent = at < 0 ? '' : partial.slice(0, at + 1);
  const prefix = partial.slice(at + 1);
  let parent: string | undefined;
  if (typedParent === '') parent = current;
  else if (typedParent === ':') {
    // Only the top of the current tree is known without listing every tree.
    return [...candidates, ...matching([`:${current.split(':')[0]}`], partial)];
  } else parent = resolveParent(current, typedParent.slice(0, -1));
  if (parent === undefined) return candidates;
  const children = await sources.childWorkspaces(parent);
  const paths = children.filter((name) => name.startsWith(prefix)).map((name) => typedParent + name);
  return unique([...candidates, ...paths.sort()]);
}

function resolveParent(current: string, typed: string): string | undefined {
  try {
    const resolution = resolveWorkspacePath(current, typed);
    if (resolution.kind === 'path' || resolution.kind === 'top') return resolution.path;
    if (resolution.kind === 'current') return current;
    return undefined;
  } catch {
    return undefined;
  }
}

function matching(values: readonly string[], partial: string): string[] {
  return values.filter((value) => value.startsWith(partial));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** cobra's output: one candidate per line, then `:<directive>`. */
export function formatCompletion(result: CompletionResult): string {
  return [...result.candidates, `:${result.directive}`].join('\n') + '\n';
}
