import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CannotGoUpError,
  InvalidWorkspacePathError,
  LEGACY_ROOT_NOTE,
  NotAWorkspaceError,
  type WorkspacePathResolution,
  isValidWorkspacePath,
  parentOf,
  resolveWorkspaceFlag,
  resolveWorkspacePath,
  splitPath,
} from './workspace-path.js';

describe('isValidWorkspacePath (logicalcluster path_test.go)', () => {
  it.each([
    'elephant',
    'elephant:foo:bar',
    'system',
    'system:foo:bar',
    'elephant:0a',
    'a'.repeat(32),
    'a'.repeat(63),
    'a',
  ])('accepts %s', (p) => expect(isValidWorkspacePath(p)).toBe(true));
  it.each([
    '',
    'elephant:',
    ':elephant',
    'elephant::foo',
    'elephant:föö:bär',
    'elephant:bar_bar',
    'elephant/bar',
    'elephant:bar-',
    'elephant:-bar',
    'a'.repeat(64),
    'Root',
    '*',
  ])('rejects %j', (p) => expect(isValidWorkspacePath(p)).toBe(false));
});

describe('splitPath and parentOf (kcp Split)', () => {
  it.each([
    ['root:foo:bar', 'root:foo', 'bar'],
    ['root', '', 'root'],
    ['foo::baz', 'foo:', 'baz'],
    ['system:crds', 'system:crds', ''],
    ['system:a:b', 'system:a:b', ''],
  ])('%s → (%j, %j)', (p, parent, base) => expect(splitPath(p)).toEqual({ parent, base }));

  it.each([
    ['root:foo:bar', 'root:foo'],
    ['root', undefined],
    ['system:admin', undefined],
  ])('parentOf(%s) = %j', (p, parent) => expect(parentOf(p)).toBe(parent));
});

describe('resolveWorkspacePath', () => {
  const ok = (path: string, notes: string[] = []): WorkspacePathResolution => ({ kind: 'path', path, notes });
  const table: [current: string | undefined, input: string, want: WorkspacePathResolution | Error][] = [
    // kcp's relative-navigation examples (kcp.md §1.3)
    ['root:foo', 'bar:baz', ok('root:foo:bar:baz')],
    ['root:foo', 'bar:..:bar:baz:..:baz', ok('root:foo:bar:baz')],
    ['root:foo', '.:bar:.:.:baz:.', ok('root:foo:bar:baz')],
    ['root:foo:bar:baz', '../..', ok('root:foo')],
    ['root:foo:bar:baz', '..:..', ok('root:foo')],
    ['root:foo', '..', ok('root')],
    ['root:foo', 'bar/baz', ok('root:foo:bar:baz')],
    // absolute
    ['root:foo', ':root:default:my-workspace', ok('root:default:my-workspace')],
    ['root:foo', ':other', ok('other')],
    ['root:foo', ':root:a:..:b', ok('root:b')],
    // legacy root
    ['root:foo', 'root', ok('root', [LEGACY_ROOT_NOTE])],
    ['root:foo', 'root:bar', ok('root:bar', [LEGACY_ROOT_NOTE])],
    ['root:foo', 'rooted', ok('root:foo:rooted')],
    // special names
    ['root:foo', '-', { kind: 'previous' }],
    ['root:foo', '.', { kind: 'current' }],
    ['root:foo:bar', ':', { kind: 'top', path: 'root' }],
    ['my-root:foo', ':', { kind: 'top', path: 'my-root' }],
    ['root', ':', { kind: 'top', path: 'root' }],
    ['system:admin', ':', { kind: 'top', path: 'system:admin' }],
    ['root:foo', '~', { kind: 'home', rest: '' }],
    ['root:foo', '', { kind: 'home', rest: '' }],
    ['root:foo', '~:a:b', { kind: 'home', rest: 'a:b' }],
    ['root:foo', '~/a/b', { kind: 'home', rest: 'a:b' }],
    // special names need no current workspace, except `:`
    [undefined, '-', { kind: 'previous' }],
    [undefined, '.', { kind: 'current' }],
    [undefined, '~', { kind: 'home', rest: '' }],
    [undefined, ':', new NotAWorkspaceError()],
    [undefined, ':root', new NotAWorkspaceError()],
    [undefined, 'foo', new NotAWorkspaceError()],
    // errors
    ['root', '..', new CannotGoUpError()],
    ['root', '..:..', new CannotGoUpError()],
    ['root:foo', '../../..', new CannotGoUpError()],
    ['root', '..:.', new CannotGoUpError()],
    ['root', '..:other', ok('other')],
    ['system:admin', '..', new CannotGoUpError()],
    ['root:foo', 'ju:nk§', new InvalidWorkspacePathError('ju:nk§')],
    ['root:foo', 'Foo', new InvalidWorkspacePathError('Foo')],
    ['root:foo', 'a::b', new InvalidWorkspacePathError('a::b')],
    ['root:foo', ':.', new InvalidWorkspacePathError(':.')],
    ['root:foo', 'foo_bar', new InvalidWorkspacePathError('foo_bar')],
  ];
  it.each(table)('from %j, %j', (current, input, want) => {
    if (want instanceof Error) {
      expect(() => resolveWorkspacePath(current, input)).toThrow(want.constructor as new () => Error);
      expect(() => resolveWorkspacePath(current, input)).toThrow(want.message);
    } else {
      expect(resolveWorkspacePath(current, input)).toEqual(want);
    }
  });

  it('gives the exact messages', () => {
    expect(() => resolveWorkspacePath('root:foo', 'ju:nk§')).toThrow(/^invalid workspace path: ju:nk§$/);
    expect(() => resolveWorkspacePath('root', '..:..')).toThrow(/^cannot go up from root$/);
    expect(() => resolveWorkspacePath(undefined, 'x', { currentServer: 'https://h/x' })).toThrow(
      'current URL "https://h/x" does not point to a workspace',
    );
    expect(LEGACY_ROOT_NOTE).toBe(
      "Note: Using 'root:' to define an absolute path is no longer supported. Instead, use ':root' to specify an absolute path.",
    );
  });

  it('folds a shell-expanded home folder back to ~ (kcp PR #2816)', () => {
    const o = { userHomeDir: '/home/sts' };
    expect(resolveWorkspacePath('root', '/home/sts', o)).toEqual({ kind: 'home', rest: '' });
    expect(resolveWorkspacePath('root', '/home/sts/bar', o)).toEqual({ kind: 'home', rest: 'bar' });
    expect(resolveWorkspacePath('root', '/home/sts/bar', { ...o, homePath: 'user:sts' })).toEqual(
      ok('user:sts:bar'),
    );
    // only at a path boundary
    expect(resolveWorkspacePath('root', '/home/stsx', o)).toEqual(ok('home:stsx'));
    // a home of / folds nothing
    expect(resolveWorkspacePath('root', '/a', { userHomeDir: '/' })).toEqual(ok('a'));
  });

  it('resolves ~ once the caller knows the home path', () => {
    const o = { homePath: 'root:users:ab:cd:me' };
    expect(resolveWorkspacePath('root:foo', '~', o)).toEqual(ok('root:users:ab:cd:me'));
    expect(resolveWorkspacePath('root:foo', '', o)).toEqual(ok('root:users:ab:cd:me'));
    expect(resolveWorkspacePath('root:foo', '~:a:..:b', o)).toEqual(ok('root:users:ab:cd:me:b'));
    expect(() => resolveWorkspacePath('root:foo', '~:A', o)).toThrow('invalid workspace path: ~:A');
  });

  const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/).filter((s) => s !== 'system');
  const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join(':'));

  it('property: `.` is the current workspace, `:p` is p, `x:..` is identity, `..` is the parent', () => {
    fc.assert(
      // x = root would be the legacy absolute form `root:..`
      fc.property(
        path,
        segment.filter((s) => s !== 'root'),
        (p, x) => {
          expect(resolveWorkspacePath(p, '.')).toEqual({ kind: 'current' });
          expect(resolveWorkspacePath(p, `:${p}`)).toEqual(ok(p));
          expect(resolveWorkspacePath(p, `${x}:..`)).toEqual(ok(p));
          expect(resolveWorkspacePath(p, `${x}/..`)).toEqual(ok(p));
          expect(resolveWorkspaceFlag(p, `${x}:..`)).toBe(p);
          const parent = parentOf(p);
          if (parent === undefined) expect(() => resolveWorkspacePath(p, '..')).toThrow(CannotGoUpError);
          else expect(resolveWorkspacePath(p, '..')).toEqual(ok(parent));
        },
      ),
    );
  });
});

describe('resolveWorkspaceFlag (-w/--workspace)', () => {
  it.each([
    ['root:foo', 'bar', 'root:foo:bar'],
    ['root:foo', ':root:x', 'root:x'],
    ['root:foo', '..', 'root'],
    ['root:foo', '.', 'root:foo'],
    ['root:foo', '..:baz', 'root:baz'],
  ])('from %s, %s → %s', (current, value, want) => expect(resolveWorkspaceFlag(current, value)).toBe(want));

  it('fails like use does', () => {
    expect(() => resolveWorkspaceFlag('root', '..:..')).toThrow(CannotGoUpError);
    expect(() => resolveWorkspaceFlag('root', '..')).toThrow(CannotGoUpError);
    expect(() => resolveWorkspaceFlag('root', 'a/b')).toThrow('invalid workspace path: a/b');
    expect(() => resolveWorkspaceFlag(undefined, 'a', 'https://h')).toThrow(NotAWorkspaceError);
  });
});
