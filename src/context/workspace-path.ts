// The workspace path grammar and kcp's `kubectl ws use` resolution (kcp cli plugin/use.go Run, resolveDots;
// logicalcluster/v3 Path). Pure: no I/O, no imports.

const SEGMENT = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
const SEGMENT_RE = new RegExp(`^${SEGMENT}$`);
const PATH_RE = new RegExp(`^${SEGMENT}(:${SEGMENT})*$`);
const SYSTEM_PREFIX = 'system:';

export const LEGACY_ROOT_NOTE =
  "Note: Using 'root:' to define an absolute path is no longer supported. Instead, use ':root' to specify an absolute path.";

export class InvalidWorkspacePathError extends Error {
  override readonly name = 'InvalidWorkspacePathError';
  constructor(readonly input: string) {
    super(`invalid workspace path: ${input}`);
  }
}

export class CannotGoUpError extends Error {
  override readonly name = 'CannotGoUpError';
  constructor() {
    super('cannot go up from root');
  }
}

/** The current server URL is not `<base>/clusters/<path>`, so there is nothing to be relative to. */
export class NotAWorkspaceError extends Error {
  override readonly name = 'NotAWorkspaceError';
  constructor(readonly server?: string) {
    super(
      server === undefined
        ? 'current URL does not point to a workspace'
        : `current URL ${JSON.stringify(server)} does not point to a workspace`,
    );
  }
}

/** One segment: 1–63 of `[a-z0-9-]`, not starting or ending with `-`. */
export function isValidWorkspaceSegment(segment: string): boolean {
  return SEGMENT_RE.test(segment);
}

/** A colon-separated list of valid segments. (kcp's wildcard `*` is not a workspace, so it is not accepted.) */
export function isValidWorkspacePath(path: string): boolean {
  return PATH_RE.test(path);
}

export function isSystemPath(path: string): boolean {
  return path.startsWith(SYSTEM_PREFIX);
}

/**
 * kcp's Path.Split: split at the last `:`. `system:` paths have no parent and come back whole with an empty base;
 * a single segment has an empty parent.
 */
export function splitPath(path: string): { parent: string; base: string } {
  if (isSystemPath(path)) return { parent: path, base: '' };
  const i = path.lastIndexOf(':');
  if (i < 0) return { parent: '', base: path };
  return { parent: path.slice(0, i), base: path.slice(i + 1) };
}

/** The parent path, or undefined for a top-level path and for `system:` paths. */
export function parentOf(path: string): string | undefined {
  if (isSystemPath(path)) return undefined;
  const { parent } = splitPath(path);
  return parent === '' ? undefined : parent;
}

/** The first segment: where `:` goes. A `system:` path is its own top, since it has no parent. */
export function topOf(path: string): string {
  if (isSystemPath(path)) return path;
  const i = path.indexOf(':');
  return i < 0 ? path : path.slice(0, i);
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}:${name}`;
}

/**
 * kcp's resolveDots: `.` is skipped, `..` pops a segment, anything else is appended. Popping from an empty
 * accumulator fails. Deliberate differences from kcp: a `..` that leaves the path empty (`..` in `root`) fails
 * here with `cannot go up from root` rather than later with `invalid workspace path`, and `..` inside a `system:`
 * path fails instead of silently staying put (kcp's Parent returns the path itself there).
 */
function resolveDots(path: string): string {
  let acc = '';
  let emptiedByDotDot = false;
  for (const part of path.split(':')) {
    if (part === '.') continue;
    if (part === '..') {
      if (acc === '' || isSystemPath(acc)) throw new CannotGoUpError();
      acc = splitPath(acc).parent;
      emptiedByDotDot = acc === '';
      continue;
    }
    acc = join(acc, part);
    emptiedByDotDot = false;
  }
  if (acc === '' && emptiedByDotDot) throw new CannotGoUpError();
  return acc;
}

export type WorkspacePathResolution =
  /** Switch to this absolute path (no leading `:`). `notes` go to stderr (unless the caller is in --short mode). */
  | { kind: 'path'; path: string; notes: string[] }
  /** `-`: swap with the previous workspace (planSwapToPrevious). */
  | { kind: 'previous' }
  /** `.`: print the current workspace; nothing changes. */
  | { kind: 'current' }
  /** `:`: the top of the current tree; kcp switches without an existence check. */
  | { kind: 'top'; path: string }
  /**
   * `~`, `~:a:b` or empty input: ask the server for the home workspace, then call again with `homePath`.
   * `rest` is what follows `~:` (`a:b`), or '' for `~`.
   */
  | { kind: 'home'; rest: string };

export interface ResolveWorkspacePathOptions {
  /** os.homedir(): a shell-expanded `~` (`/home/me/foo`) is folded back to `~:foo`. */
  userHomeDir?: string;
  /** The home workspace path the server reported; when given, `~` resolves to a `path` instead of `home`. */
  homePath?: string;
  /** The current server URL, only to name it in NotAWorkspaceError. */
  currentServer?: string;
}

/**
 * Resolves the argument of `ws use` in kcp's order: home-dir unfold, `/` → `:`, legacy `root`/`root:` made
 * absolute (with a note), empty → `~`, the special names `-` `:` `.` `~`, then absolute (leading `:`) or relative
 * to `currentPath`, `.`/`..`, and validation.
 *
 * `currentPath` is the path of the current server URL, or undefined when that URL is not a workspace URL; it is
 * only needed for `:` and for real paths (kcp needs the URL's base even for absolute ones).
 *
 * Throws InvalidWorkspacePathError, CannotGoUpError or NotAWorkspaceError.
 */
export function resolveWorkspacePath(
  currentPath: string | undefined,
  input: string,
  options: ResolveWorkspacePathOptions = {},
): WorkspacePathResolution {
  let name = input;
  const notes: string[] = [];

  const home = (options.userHomeDir ?? '').replace(/\/+$/, '');
  // kcp checks only the prefix, so `/home/me2` would become `~2`; we require a path boundary.
  if (home !== '' && (name === home || name.startsWith(`${home}/`))) {
    name = `~${name.slice(home.length)}`;
  }
  name = name.replaceAll('/', ':');
  // kcp skips this for `root:x` under --short (operator precedence); we do it always and let the caller drop
  // the note, so that --short never changes where you go.
  if (name === 'root' || name.startsWith('root:')) {
    name = `:${name}`;
    notes.push(LEGACY_ROOT_NOTE);
  }
  if (name === '') name = '~';

  if (name === '-') return { kind: 'previous' };
  if (name === '.') return { kind: 'current' };
  if (name === ':') {
    if (currentPath === undefined) throw new NotAWorkspaceError(options.currentServer);
    return { kind: 'top', path: topOf(currentPath) };
  }
  if (name === '~' || name.startsWith('~:')) {
    const rest = name.slice(2);
    if (options.homePath === undefined) return { kind: 'home', rest };
    name = `:${options.homePath}${name.slice(1)}`;
  }

  if (currentPath === undefined) throw new NotAWorkspaceError(options.currentServer);
  name = name.startsWith(':') ? name.slice(1) : join(currentPath, name);

  const path = resolveDots(name);
  if (!isValidWorkspacePath(path)) throw new InvalidWorkspacePathError(input);
  return { kind: 'path', path, notes };
}

/**
 * `-w/--workspace <path>` (kcp v0.32): a leading `:` is absolute, anything else is relative to the current path;
 * `.` and `..` are resolved. No `/`, `~` or legacy `root:` handling, as in kcp. Returns the absolute path.
 */
export function resolveWorkspaceFlag(
  currentPath: string | undefined,
  value: string,
  currentServer?: string,
): string {
  if (currentPath === undefined) throw new NotAWorkspaceError(currentServer);
  const name = value.startsWith(':') ? value.slice(1) : join(currentPath, value);
  const path = resolveDots(name);
  if (!isValidWorkspacePath(path)) throw new InvalidWorkspacePathError(value);
  return path;
}
