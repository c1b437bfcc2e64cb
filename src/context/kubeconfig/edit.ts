// Apply kubeconfig changes by splicing text, so that every byte outside the touched entries survives: comments,
// blank lines, key order, quoting, flow style, unknown fields. yaml's Document.toString() would re-render the
// whole file, so it is used only to find node offsets (`range`), never to write.
//
// Where a change goes follows client-go's ModifyConfig: a changed existing entry goes back to the file it came
// from; a new entry and current-context go to the default destination file.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Pair,
  parseDocument,
  type Scalar,
  stringify,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { KubeconfigEditError, KubeconfigParseError } from './errors.js';
import { type ParsedKubeconfigFile, parseKubeconfigTextCached } from './load.js';
import {
  BODY_KEY,
  type KubeconfigEntry,
  type KubeconfigSection,
  type MergedKubeconfig,
  SECTIONS,
  type YamlObject,
} from './types.js';

export type KubeconfigChange =
  | {
      readonly kind: 'set-entry';
      readonly section: KubeconfigSection;
      readonly name: string;
      /** The whole new body (`cluster:` / `context:` / `user:` value); the old body is replaced, not merged. */
      readonly value: YamlObject;
      /** Other keys of the list item besides name and body. */
      readonly extra?: YamlObject;
      /** The file relative paths in `value` are relative to (the origin of the entry it was copied from). */
      readonly sourceFile?: string;
    }
  | { readonly kind: 'set-current-context'; readonly name: string };

export interface EntryChangeOptions {
  extra?: YamlObject;
  sourceFile?: string;
}

export function setCluster(
  name: string,
  value: YamlObject,
  options: EntryChangeOptions = {},
): KubeconfigChange {
  return { kind: 'set-entry', section: 'clusters', name, value, ...options };
}

export function setContext(
  name: string,
  value: YamlObject,
  options: EntryChangeOptions = {},
): KubeconfigChange {
  return { kind: 'set-entry', section: 'contexts', name, value, ...options };
}

export function setUser(name: string, value: YamlObject, options: EntryChangeOptions = {}): KubeconfigChange {
  return { kind: 'set-entry', section: 'users', name, value, ...options };
}

export function setCurrentContext(name: string): KubeconfigChange {
  return { kind: 'set-current-context', name };
}

// ---------------------------------------------------------------------------------------------------------------
// Routing: which file each change goes to.

function changeKey(change: KubeconfigChange): string {
  return change.kind === 'set-entry' ? `${change.section}\0${change.name}` : 'current-context';
}

/** Order-insensitive deep equality of plain YAML data. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => Object.hasOwn(b, k) && sameData((a as YamlObject)[k], (b as YamlObject)[k]));
}

const PATH_FIELDS: Record<KubeconfigSection, readonly string[]> = {
  clusters: ['certificate-authority'],
  contexts: [],
  users: ['client-certificate', 'client-key', 'tokenFile'],
};

function rebase(reference: string, fromDir: string, toDir: string): string {
  const absolute = resolve(fromDir, reference);
  const rel = relative(toDir, absolute);
  // Like client-go's RelativizePathWithNoBacksteps: stay relative only when no `..` is needed.
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/** Relative file references in an entry copied from `fromFile` still point at the same files from `toFile`. */
export function rebaseEntryPaths(
  section: KubeconfigSection,
  value: YamlObject,
  fromFile: string,
  toFile: string,
): YamlObject {
  const fromDir = dirname(fromFile);
  const toDir = dirname(toFile);
  if (fromDir === toDir) return value;
  const out: YamlObject = { ...value };
  for (const field of PATH_FIELDS[section]) {
    const ref = out[field];
    if (typeof ref === 'string' && ref !== '' && !isAbsolute(ref)) out[field] = rebase(ref, fromDir, toDir);
  }
  const exec = out.exec;
  if (section === 'users' && typeof exec === 'object' && exec !== null && !Array.isArray(exec)) {
    const command = (exec as YamlObject).command;
    if (
      typeof command === 'string' &&
      !isAbsolute(command) &&
      (command.includes('/') || command.includes(sep))
    ) {
      out.exec = { ...(exec as YamlObject), command: rebase(command, fromDir, toDir) };
    }
  }
  return out;
}

/**
 * Groups changes by target file (client-go ModifyConfig): the last change to the same key wins, changes that
 * would not change anything are dropped, relative paths are rebased for the target file.
 */
export function routeChanges(
  config: MergedKubeconfig,
  changes: readonly KubeconfigChange[],
): Map<string, KubeconfigChange[]> {
  const last = new Map<string, KubeconfigChange>();
  for (const change of changes) {
    last.delete(changeKey(change));
    last.set(changeKey(change), change);
  }
  const byFile = new Map<string, KubeconfigChange[]>();
  const add = (file: string, change: KubeconfigChange) => {
    const list = byFile.get(file) ?? [];
    list.push(change);
    byFile.set(file, list);
  };
  for (const change of last.values()) {
    if (change.kind === 'set-current-context') {
      if (change.name !== config.currentContext) add(config.destination, change);
      continue;
    }
    const existing: KubeconfigEntry | undefined = config[change.section].get(change.name);
    const target = existing?.origin ?? config.destination;
    const value =
      change.sourceFile === undefined
        ? change.value
        : rebaseEntryPaths(change.section, change.value, change.sourceFile, target);
    const extra = change.extra ?? {};
    if (existing && sameData(existing.value, value) && sameData(existing.extra, extra)) continue;
    add(target, { kind: 'set-entry', section: change.section, name: change.name, value, extra });
  }
  return byFile;
}

// ---------------------------------------------------------------------------------------------------------------
// Text splicing.

interface Style {
  indentSeq: boolean;
  indent: number;
  eol: string;
}

interface Splice {
  start: number;
  end: number;
  text: string;
  order: number;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset just past the end of the line that `offset` is on (or `offset` itself when it starts a line). */
function afterLine(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function pad(n: number): string {
  return ' '.repeat(n);
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  return isNode(node) ? (node.range ?? undefined) : undefined;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

function itemObject(
  section: KubeconfigSection,
  change: Extract<KubeconfigChange, { kind: 'set-entry' }>,
  keyOrder?: string[],
): YamlObject {
  const fields: YamlObject = {
    [BODY_KEY[section]]: change.value,
    name: change.name,
    ...(change.extra ?? {}),
  };
  if (!keyOrder) return fields;
  const ordered: YamlObject = {};
  for (const key of keyOrder) if (Object.hasOwn(fields, key)) ordered[key] = fields[key];
  for (const key of Object.keys(fields)) if (!Object.hasOwn(ordered, key)) ordered[key] = fields[key];
  return ordered;
}

/** Block YAML lines for a mapping, in the style kubectl reads back the same (YAML 1.1 quoting, no folding). */
function blockLines(value: YamlObject, style: Style): string[] {
  const text = stringify(value, {
    version: '1.1',
    indent: style.indent,
    indentSeq: style.indentSeq,
    lineWidth: 0,
    flowCollectionPadding: false,
  });
  return text.replace(/\n$/, '').split('\n');
}

function blockItem(value: YamlObject, dashCol: number, style: Style): string {
  const lines = blockLines(value, style);
  return lines
    .map((line, i) =>
      i === 0 ? `${pad(dashCol)}- ${line}` : line === '' ? '' : `${pad(dashCol + 2)}${line}`,
    )
    .join(style.eol);
}

function inlineScalar(value: string, like?: Scalar): string {
  if (like?.type === 'QUOTE_DOUBLE' || value.includes('\n')) return JSON.stringify(value);
  if (like?.type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  const plain = stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
  return plain.includes('\n') ? JSON.stringify(value) : plain;
}

function detectStyle(root: YAMLMap, text: string): Style {
  const style: Style = { indentSeq: false, indent: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  for (const section of SECTIONS) {
    const pair = findPair(root, section);
    const seq = pair?.value;
    if (!pair || !isSeq(seq) || seq.flow || seq.items.length === 0 || !seq.range || !isScalar(pair.key))
      continue;
    const keyCol = columnOf(text, pair.key.range?.[0] ?? 0);
    style.indentSeq = columnOf(text, seq.range[0]) > keyCol;
    const item = seq.items[0];
    const body = isMap(item) ? item.get(BODY_KEY[section], true) : undefined;
    if (
      isMap(item) &&
      item.range &&
      isMap(body) &&
      !body.flow &&
      body.items[0] &&
      isScalar(body.items[0].key)
    ) {
      const indent = columnOf(text, body.items[0].key.range?.[0] ?? 0) - columnOf(text, item.range[0]);
      if (indent >= 1 && indent <= 8) style.indent = indent;
    }
    break;
  }
  return style;
}

type EntryChange = Extract<KubeconfigChange, { kind: 'set-entry' }>;

/** Splices for one section of a mapping that exists in the file. */
function sectionSplices(
  text: string,
  root: YAMLMap,
  section: KubeconfigSection,
  changes: EntryChange[],
  existing: readonly KubeconfigEntry[],
  style: Style,
  fail: (problem: string) => never,
  next: () => number,
): Splice[] {
  const splices: Splice[] = [];
  const pair = findPair(root, section);
  const node = pair?.value;
  const byName = new Map(existing.map((e, i) => [e.name, i]));
  const replaced = changes.filter((c) => byName.has(c.name));
  const added = changes.filter((c) => !byName.has(c.name));
  const json = (c: EntryChange) => JSON.stringify(itemObject(section, c));

  if (root.flow && !pair) {
    const at = mapInsertPoint(text, root, fail);
    const comma = root.items.length > 0 ? ',' : '';
    splices.push({
      start: at,
      end: at,
      order: next(),
      text: `${comma}"${section}":[${added.map(json).join(',')}]`,
    });
    return splices;
  }

  if (!pair) {
    const keyCol =
      root.items[0]?.key && isScalar(root.items[0].key)
        ? columnOf(text, root.items[0].key.range?.[0] ?? 0)
        : 0;
    const dashCol = keyCol + (style.indentSeq ? style.indent : 0);
    const at = mapInsertPoint(text, root, fail);
    const lead = at > 0 && text[at - 1] !== '\n' ? style.eol : '';
    const body = added.map((c) => blockItem(itemObject(section, c), dashCol, style)).join(style.eol);
    splices.push({
      start: at,
      end: at,
      order: next(),
      text: `${lead}${pad(keyCol)}${section}:${style.eol}${body}${style.eol}`,
    });
    return splices;
  }

  const keyCol = columnOf(text, (pair.key as Scalar).range?.[0] ?? 0);
  const emptyValue =
    node === null || (isScalar(node) && node.value === null) || (isSeq(node) && node.items.length === 0);
  if (emptyValue) {
    // `clusters:`, `clusters: null`, `clusters: ~`, `clusters: []`.
    const range = (node as Scalar | YAMLSeq | null)?.range;
    const keyEnd = (pair.key as Scalar).range?.[1] ?? 0;
    const colon = text.indexOf(':', keyEnd);
    if (colon < 0) fail(`cannot find the ":" after "${section}"`);
    if (root.flow) {
      const start = range ? range[0] : colon + 1;
      const end = range ? range[1] : colon + 1;
      splices.push({ start, end, order: next(), text: `[${added.map(json).join(',')}]` });
      return splices;
    }
    let start = range ? range[0] : colon + 1;
    const end = range ? range[1] : colon + 1;
    if (end > start)
      while (start > colon + 1 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    if (end > start) splices.push({ start, end, order: next(), text: '' });
    const at = afterLine(text, end);
    const lead = at > 0 && text[at - 1] !== '\n' ? style.eol : '';
    const dashCol = keyCol + (style.indentSeq ? style.indent : 0);
    const body = added.map((c) => blockItem(itemObject(section, c), dashCol, style)).join(style.eol);
    splices.push({ start: at, end: at, order: next(), text: `${lead}${body}${style.eol}` });
    return splices;
  }
  if (!isSeq(node)) return fail(`"${section}" is not a plain list (an alias or tag); edit it by hand`);

  for (const change of replaced) {
    const item = node.items[byName.get(change.name) as number];
    if (!isMap(item) || !item.range) return fail(`entry "${change.name}" in "${section}" has no position`);
    const [start, end] = item.range;
    if (node.flow) {
      splices.push({ start, end, order: next(), text: json(change) });
      continue;
    }
    const keyOrder = item.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []));
    const lines = blockLines(itemObject(section, change, keyOrder), style);
    const col = columnOf(text, start);
    const trailing = text.slice(start, end).endsWith('\n') ? style.eol : '';
    const body = lines
      .map((line, i) => (i === 0 || line === '' ? line : `${pad(col)}${line}`))
      .join(style.eol);
    splices.push({ start, end, order: next(), text: body + trailing });
  }

  if (added.length > 0) {
    if (node.flow) {
      const at = rangeOf(node.items[node.items.length - 1])?.[1] ?? -1;
      if (at < 0) fail(`cannot find the end of "${section}"`);
      splices.push({ start: at, end: at, order: next(), text: added.map((c) => `,${json(c)}`).join('') });
    } else {
      const firstStart = rangeOf(node.items[0])?.[0] ?? -1;
      const lastEnd = rangeOf(node.items[node.items.length - 1])?.[1] ?? -1;
      const dash = text.lastIndexOf('-', firstStart - 1);
      if (firstStart < 0 || lastEnd < 0 || dash < 0) return fail(`cannot find the items of "${section}"`);
      const dashCol = columnOf(text, dash);
      const at = afterLine(text, lastEnd);
      const lead = at > 0 && text[at - 1] !== '\n' ? style.eol : '';
      const body = added.map((c) => blockItem(itemObject(section, c), dashCol, style)).join(style.eol);
      splices.push({ start: at, end: at, order: next(), text: `${lead}${body}${style.eol}` });
    }
  }
  return splices;
}

/** Where a new top-level key goes: after the last pair (block), or after the last pair / `{` (flow). */
function mapInsertPoint(text: string, root: YAMLMap, fail: (problem: string) => never): number {
  const lastPair = root.items[root.items.length - 1];
  if (root.flow) {
    if (!lastPair) {
      const open = root.range?.[0] ?? -1;
      if (text[open] !== '{') fail('cannot find the opening "{"');
      return open + 1;
    }
    const end = (lastPair.value as Scalar | null)?.range?.[1] ?? (lastPair.key as Scalar).range?.[1];
    if (end === undefined) return fail('cannot find the end of the top-level mapping');
    return end;
  }
  if (!lastPair) return fail('empty block mapping');
  const end = (lastPair.value as Scalar | null)?.range?.[1] ?? (lastPair.key as Scalar).range?.[1];
  if (end === undefined) return fail('cannot find the end of the top-level mapping');
  return afterLine(text, end);
}

function currentContextSplice(
  text: string,
  root: YAMLMap,
  name: string,
  style: Style,
  fail: (problem: string) => never,
  next: () => number,
): Splice {
  const pair = findPair(root, 'current-context');
  if (!pair) {
    const at = mapInsertPoint(text, root, fail);
    if (root.flow) {
      return {
        start: at,
        end: at,
        order: next(),
        text: `${root.items.length > 0 ? ',' : ''}"current-context":${JSON.stringify(name)}`,
      };
    }
    const keyCol = isScalar(root.items[0]?.key)
      ? columnOf(text, (root.items[0]?.key as Scalar).range?.[0] ?? 0)
      : 0;
    const lead = at > 0 && text[at - 1] !== '\n' ? style.eol : '';
    return {
      start: at,
      end: at,
      order: next(),
      text: `${lead}${pad(keyCol)}current-context: ${inlineScalar(name)}${style.eol}`,
    };
  }
  const value = pair.value;
  if (value !== null && !isScalar(value)) return fail('"current-context" is not a plain value');
  const rendered = root.flow ? JSON.stringify(name) : inlineScalar(name, value ?? undefined);
  if (value?.range && value.range[1] > value.range[0]) {
    return { start: value.range[0], end: value.range[1], order: next(), text: rendered };
  }
  // `current-context:` with nothing after it (maybe a comment): put the value right after the colon.
  const colon = text.indexOf(':', (pair.key as Scalar).range?.[1] ?? 0);
  if (colon < 0) return fail('cannot find the ":" after "current-context"');
  return { start: colon + 1, end: colon + 1, order: next(), text: ` ${rendered}` };
}

function newFileText(changes: readonly KubeconfigChange[], style: Style): string {
  const lines = ['apiVersion: v1', 'kind: Config'];
  for (const section of SECTIONS) {
    const entries = changes.filter((c): c is EntryChange => c.kind === 'set-entry' && c.section === section);
    if (entries.length === 0) continue;
    lines.push(`${section}:`, ...entries.map((c) => blockItem(itemObject(section, c), 0, style)));
  }
  const cc = changes.find((c) => c.kind === 'set-current-context');
  if (cc) lines.push(`current-context: ${inlineScalar(cc.name)}`);
  return lines.join(style.eol) + style.eol;
}

function restOf(file: ParsedKubeconfigFile): YamlObject {
  const rest: YamlObject = { ...file.data };
  for (const key of [...SECTIONS, 'current-context']) delete rest[key];
  return rest;
}

/** Checks that the new text means exactly the old data with the changes applied. */
function verify(
  before: ParsedKubeconfigFile,
  after: ParsedKubeconfigFile,
  changes: readonly KubeconfigChange[],
  addedHeader: boolean,
  fail: (problem: string) => never,
): void {
  const expectedRest = addedHeader ? { ...restOf(before), apiVersion: 'v1', kind: 'Config' } : restOf(before);
  if (!sameData(restOf(after), expectedRest)) fail('the edit would change other top-level fields');
  const cc = changes.find((c) => c.kind === 'set-current-context');
  if (after.currentContext !== (cc ? cc.name : before.currentContext))
    fail('current-context did not come out right');
  for (const section of SECTIONS) {
    const expected = before.entries[section].map((e) => ({ name: e.name, value: e.value, extra: e.extra }));
    for (const change of changes) {
      if (change.kind !== 'set-entry' || change.section !== section) continue;
      const entry = { name: change.name, value: change.value, extra: change.extra ?? {} };
      const i = expected.findIndex((e) => e.name === change.name);
      if (i >= 0) expected[i] = entry;
      else expected.push(entry);
    }
    const actual = after.entries[section].map((e) => ({ name: e.name, value: e.value, extra: e.extra }));
    if (!sameData(actual, expected)) fail(`"${section}" did not come out as intended`);
  }
}

/**
 * Applies changes (already routed to this file) to its text and returns the new text. Pure. Throws
 * KubeconfigParseError when `text` is not a usable kubeconfig, and KubeconfigEditError when the result would
 * not mean exactly the old content plus the changes (then nothing must be written).
 */
export function applyChangesToText(text: string, file: string, changes: readonly KubeconfigChange[]): string {
  const before = parseKubeconfigTextCached(text, file);
  if (changes.length === 0) return text;
  const fail = (problem: string): never => {
    throw new KubeconfigEditError(file, problem);
  };
  let order = 0;
  const next = () => order++;
  let splices: Splice[] = [];
  let addedHeader = false;
  const entryChanges = (section: KubeconfigSection) =>
    changes.filter((c): c is EntryChange => c.kind === 'set-entry' && c.section === section);

  if (!before.doc) {
    // Missing, empty, comments only, or a bare `null`: write a fresh config after whatever is there.
    const style: Style = { indentSeq: false, indent: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
    const root = parseDocument(text).contents;
    if (isScalar(root) && root.range && root.range[1] > root.range[0]) {
      splices.push({ start: root.range[0], end: root.range[1], order: next(), text: '' });
    }
    const at = text.length;
    const lead = at > 0 && text[at - 1] !== '\n' ? style.eol : '';
    splices.push({ start: at, end: at, order: next(), text: lead + newFileText(changes, style) });
    addedHeader = true;
  } else {
    const root = before.doc.contents as YAMLMap;
    const style = detectStyle(root, text);
    for (const section of SECTIONS) {
      const sectionChanges = entryChanges(section);
      if (sectionChanges.length === 0) continue;
      splices = splices.concat(
        sectionSplices(text, root, section, sectionChanges, before.entries[section], style, fail, next),
      );
    }
    const cc = changes.find((c) => c.kind === 'set-current-context');
    if (cc) splices.push(currentContextSplice(text, root, cc.name, style, fail, next));
  }

  // Apply from the end so offsets stay valid; at one offset, earlier changes must end up first.
  splices.sort((a, b) => b.start - a.start || b.order - a.order);
  let out = text;
  for (const s of splices) out = out.slice(0, s.start) + s.text + out.slice(s.end);

  let after: ParsedKubeconfigFile;
  try {
    after = parseKubeconfigTextCached(out, file);
  } catch (err) {
    if (err instanceof KubeconfigParseError) return fail(`the edited file would not parse (${err.problem})`);
    throw err;
  }
  verify(before, after, changes, addedHeader, fail);
  return out;
}

/**
 * The merged config as it will read after `changes` are written (data only, no I/O): for previews such as
 * printing the workspace that `ws -` lands in, and for before → after tests of the planners.
 */
export function applyChangesToConfig(
  config: MergedKubeconfig,
  changes: readonly KubeconfigChange[],
): MergedKubeconfig {
  const sections = {
    clusters: new Map(config.clusters),
    contexts: new Map(config.contexts),
    users: new Map(config.users),
  };
  let currentContext = config.currentContext;
  for (const change of changes) {
    if (change.kind === 'set-current-context') {
      currentContext = change.name;
      continue;
    }
    const existing = sections[change.section].get(change.name);
    const origin = existing?.origin ?? config.destination;
    const value =
      change.sourceFile === undefined
        ? change.value
        : rebaseEntryPaths(change.section, change.value, change.sourceFile, origin);
    sections[change.section].set(change.name, {
      name: change.name,
      value,
      extra: change.extra ?? {},
      origin,
    });
  }
  return { ...config, currentContext, ...sections };
}
