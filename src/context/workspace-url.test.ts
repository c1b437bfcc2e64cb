import { describe, expect, it } from 'vitest';
import { parseWorkspaceUrl, workspaceUrl } from './workspace-url.js';

describe('parseWorkspaceUrl (kcp ParseClusterURL table)', () => {
  it.each([
    ['', undefined],
    ['garbgae', undefined],
    ['https://host/foo', undefined],
    ['https://host/clusters/root', { base: 'https://host', path: 'root' }],
    ['https://host/clusters/root:foo', { base: 'https://host', path: 'root:foo' }],
    ['https://host/clusters/system:foo', { base: 'https://host', path: 'system:foo' }],
    ['https://host/clusters/abc:def%', undefined],
    ['https://host/clusters/', undefined],
    ['https://host/clusters', undefined],
    ['https://host/clusters/root:foo:bar', { base: 'https://host', path: 'root:foo:bar' }],
    ['https://host/clusters/root:foo/abc', { base: 'https://host', path: 'root:foo' }],
    ['https://host/services/workspaces/root:foo:bar', undefined],
    ['https://host/services/workspaces/root:foo:bar/abc', undefined],
    ['https://host/services/workspaces/', undefined],
    ['https://host/services/workspaces', undefined],
    ['https://host/abc/clusters/root:foo', { base: 'https://host/abc', path: 'root:foo' }],
    // beyond kcp's table
    ['https://HOST:6443/clusters/root', { base: 'https://HOST:6443', path: 'root' }],
    ['https://host/clusters/root%3Afoo', { base: 'https://host', path: 'root:foo' }],
    ['https://host/clusters/Root', undefined],
    ['https://host/clusters/root?x=1', { base: 'https://host', path: 'root' }],
    ['https://127.0.0.1:8443/p/q/clusters/root:a', { base: 'https://127.0.0.1:8443/p/q', path: 'root:a' }],
  ])('%j', (server, want) => expect(parseWorkspaceUrl(server)).toEqual(want));
});

describe('workspaceUrl', () => {
  it.each([
    ['https://host', 'root', 'https://host/clusters/root'],
    ['https://host/', 'root:a', 'https://host/clusters/root:a'],
    ['https://host/abc', 'root:a', 'https://host/abc/clusters/root:a'],
  ])('%s + %s', (base, path, want) => expect(workspaceUrl(base, path)).toBe(want));

  it('round-trips with parseWorkspaceUrl', () => {
    const server = 'https://Host:443/prefix/clusters/root:org:team';
    const parsed = parseWorkspaceUrl(server);
    expect(parsed && workspaceUrl(parsed.base, parsed.path)).toBe(server);
  });
});
