// Read, parse and merge kubeconfig files with client-go's rules (loader.go Load): the first file to set a
// cluster/context/user name wins, whole entry; the first non-empty current-context wins; an empty file is an
// empty config; a file that does not parse fails the whole load.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { KubeconfigNotFoundError, KubeconfigParseError, KubeconfigReadError } from './errors.js';
import { type KubeconfigSourceOptions, type KubeconfigSources, kubeconfigSources } from './sources.js';
import {
  BODY_KEY,
  type KubeconfigEntry,
  type KubeconfigSection,
  type MergedKubeconfig,
  SECTIONS,
  type YamlObject,
} from './types.js';

export interface ParsedKubeconfigFile {
  /** Absolute path. */
  readonly path: string;
  readonly exists: boolean;
  /** The file's bytes as text ('' when missing). */
  readonly text: string;
  /** Undefined for a missing or empty file. */
  readonly doc: Document.Parsed | undefined;
  readonly entries: Readonly<Record<KubeconfigSection, readonly KubeconfigEntry[]>>;
  /** This file's current-context, or ''. */
  readonly currentContext: string;
  /** The whole document as plain data ({} when empty). */
  readonly data: YamlObject;
}

export interface LoadedKubeconfig {
  readonly config: MergedKubeconfig;
  readonly files: readonly ParsedKubeconfigFile[];
  readonly sources: KubeconfigSources;
}

function isObject(value: unknown): value is YamlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstLine(message: string): string {
  return (message.split('\n', 1)[0] ?? message).replace(/:$/, '');
}

/** Parses one file's text. Throws KubeconfigParseError naming `file` when it is not a usable kubeconfig. */
export function parseKubeconfigText(text: string, file: string): ParsedKubeconfigFile {
  const fail = (problem: string): never => {
    throw new KubeconfigParseError(file, problem);
  };
  const empty = { clusters: [], contexts: [], users: [] };
  const doc = parseDocument(text, { prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) fail(`invalid YAML: ${firstLine(firstError.message)}`);
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    return { path: file, exists: true, text, doc: undefined, entries: empty, currentContext: '', data: {} };
  }
  if (!isMap(root)) fail('the top level is not a mapping');

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    fail(`invalid YAML: ${firstLine(err instanceof Error ? err.message : String(err))}`);
  }
  if (!isObject(data)) return fail('the top level is not a mapping');

  const entries: Record<KubeconfigSection, KubeconfigEntry[]> = { clusters: [], contexts: [], users: [] };
  for (const section of SECTIONS) {
    const node = doc.get(section, true);
    const list = data[section];
    if (list === undefined || list === null) continue;
    if (!(isSeq(node) || isAlias(node)) || !Array.isArray(list)) fail(`"${section}" is not a list`);
    const bodyKey = BODY_KEY[section];
    const seen = new Set<string>();
    (list as unknown[]).forEach((item, i) => {
      if (!isObject(item)) fail(`item ${i + 1} of "${section}" is not a mapping`);
      const { name: rawName, [bodyKey]: body, ...extra } = item as YamlObject;
      if (rawName !== undefined && rawName !== null && typeof rawName === 'object') {
        fail(`the name of item ${i + 1} of "${section}" is not a string`);
      }
      const name = rawName === undefined || rawName === null ? '' : String(rawName);
      if (body !== undefined && body !== null && !isObject(body)) {
        fail(`"${bodyKey}" of ${section} entry "${name}" is not a mapping`);
      }
      // client-go: "duplicate name in list" fails the conversion.
      if (seen.has(name)) fail(`duplicate name "${name}" in "${section}"`);
      seen.add(name);
      entries[section].push({
        name,
        value: (body as YamlObject | null | undefined) ?? {},
        extra,
        origin: file,
      });
    });
  }

  const cc = data['current-context'];
  if (cc !== undefined && cc !== null && typeof cc === 'object') fail('"current-context" is not a string');
  const currentContext = cc === undefined || cc === null ? '' : String(cc);
  return { path: file, exists: true, text, doc, entries, currentContext, data };
}

// Parsing dominates the cost of `ws use` (tens of milliseconds per 100 KB), and one command reads the same
// files more than once (before asking the server, again under the lock, and the written result), so parses of
// identical text are reused. Entries are plain data and never mutated, so sharing them is safe.
const parsedByPath = new Map<string, ParsedKubeconfigFile>();

/** parseKubeconfigText, reusing the last parse of `file` when its text is unchanged. */
export function parseKubeconfigTextCached(text: string, file: string): ParsedKubeconfigFile {
  const cached = parsedByPath.get(file);
  if (cached && cached.exists && cached.text === text) return cached;
  const parsed = parseKubeconfigText(text, file);
  parsedByPath.set(file, parsed);
  return parsed;
}

function missingFile(file: string): ParsedKubeconfigFile {
  return {
    path: file,
    exists: false,
    text: '',
    doc: undefined,
    entries: { clusters: [], contexts: [], users: [] },
    currentContext: '',
    data: {},
  };
}

/** Reads and parses one file; a missing file is an empty, non-existent config unless `mustExist`. */
export async function readKubeconfigFile(file: string, mustExist = false): Promise<ParsedKubeconfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (mustExist) throw new KubeconfigNotFoundError(file);
      return missingFile(file);
    }
    throw new KubeconfigReadError(file, err);
  }
  return parseKubeconfigTextCached(text, file);
}

/** Merges parsed files in precedence order. */
export function mergeKubeconfigFiles(
  files: readonly ParsedKubeconfigFile[],
  sources: Pick<KubeconfigSources, 'files' | 'destination'>,
): MergedKubeconfig {
  const sections: Record<KubeconfigSection, Map<string, KubeconfigEntry>> = {
    clusters: new Map(),
    contexts: new Map(),
    users: new Map(),
  };
  let currentContext = '';
  for (const file of files) {
    for (const section of SECTIONS) {
      for (const entry of file.entries[section]) {
        if (!sections[section].has(entry.name)) sections[section].set(entry.name, entry);
      }
    }
    if (currentContext === '' && file.currentContext !== '') currentContext = file.currentContext;
  }
  return {
    files: [...sources.files],
    destination: sources.destination,
    currentContext,
    ...sections,
  };
}

/**
 * Loads the merged kubeconfig the way kubectl does. An explicit `--kubeconfig` file must exist, unless
 * `forWriting`: like `kubectl config …` (PathOptions.GetStartingConfig), a missing one is then an empty config
 * that the write creates.
 */
export async function loadKubeconfig(
  options: KubeconfigSourceOptions = {},
  forWriting = false,
): Promise<LoadedKubeconfig> {
  const sources = kubeconfigSources(options);
  const mustExist = sources.explicit && !forWriting;
  const files = await Promise.all(sources.files.map((f) => readKubeconfigFile(f, mustExist)));
  return { config: mergeKubeconfigFiles(files, sources), files, sources };
}

/**
 * Resolves a file reference from a kubeconfig entry (certificate-authority, client-certificate, client-key,
 * tokenFile) against the folder of the file the entry came from, as client-go does. Absolute and empty values
 * come back unchanged.
 */
export function resolveOriginPath(origin: string, reference: string): string {
  if (reference === '' || isAbsolute(reference)) return reference;
  return resolve(dirname(origin), reference);
}

/** exec.command: resolved against the origin folder only when it contains a path separator; else a PATH lookup. */
export function resolveExecCommand(origin: string, command: string): string {
  if (command.includes('/') || command.includes(sep)) return resolveOriginPath(origin, command);
  return command;
}
