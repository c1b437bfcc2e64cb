import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePositions } from '../collection-snapshot.js';
import { DEFAULT_KEYS, KeyLayout, keyPrefixProblem, prefixEnd } from './keys.js';

const { objectKey, parseObjectKey, collectionPrefix, rangeStart } = {
  objectKey: DEFAULT_KEYS.objectKey.bind(DEFAULT_KEYS),
  parseObjectKey: DEFAULT_KEYS.parseObjectKey.bind(DEFAULT_KEYS),
  collectionPrefix: DEFAULT_KEYS.collectionPrefix.bind(DEFAULT_KEYS),
  rangeStart: DEFAULT_KEYS.rangeStart.bind(DEFAULT_KEYS),
};

const dnsLabel = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const name = fc.stringMatching(/^[a-z0-9:.!_-]{1,12}$/);
const key = (namespace: string, n: string) => ({
  cluster: 'root',
  resource: 'configmaps',
  namespace,
  name: n,
});

describe('etcd key layout', () => {
  it('sorts keys of one collection in the (namespace, name) order the SQLite store lists them', () => {
    fc.assert(
      fc.property(fc.tuple(fc.oneof(fc.constant(''), dnsLabel), name), fc.tuple(dnsLabel, name), (a, b) => {
        const [ka, kb] = [objectKey(key(...a)), objectKey(key(...b))];
        const bytes = Math.sign(Buffer.compare(Buffer.from(ka), Buffer.from(kb)));
        const tuple = Math.sign(
          comparePositions({ namespace: a[0], name: a[1] }, { namespace: b[0], name: b[1] }),
        );
        expect(bytes).toBe(tuple);
      }),
    );
  });

  it('puts team before team-a, where a / separator would not', () => {
    expect(objectKey(key('team', 'x')) < objectKey(key('team-a', 'x'))).toBe(true);
  });

  it('parses back every key it makes, whatever the name holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(''), dnsLabel), name, (namespace, n) => {
        const k = { cluster: 'a1b2c3', resource: 'workspaces.tenancy.kcp.io', namespace, name: n };
        expect(parseObjectKey(objectKey(k))).toEqual(k);
      }),
    );
    expect(parseObjectKey('/kplane/meta/probe')).toBeUndefined();
  });

  it('keeps one namespace of a collection in one range, and a resource apart from one it prefixes', () => {
    const prefix = collectionPrefix({ cluster: 'root', resource: 'foos', namespace: 'team' });
    expect(
      objectKey({ cluster: 'root', resource: 'foos', namespace: 'team', name: 'a' }).startsWith(prefix),
    ).toBe(true);
    expect(
      objectKey({ cluster: 'root', resource: 'foos', namespace: 'team-a', name: 'a' }).startsWith(prefix),
    ).toBe(false);
    const foos = collectionPrefix({ cluster: 'root', resource: 'foos' });
    expect(
      objectKey({ cluster: 'root', resource: 'foos.example.com', namespace: '', name: 'a' }).startsWith(foos),
    ).toBe(false);
    expect(prefixEnd(foos)).toBe('/kplane/objects/root/foos0');
  });

  it('starts the next page just after the last key of the previous one', () => {
    const scope = { cluster: 'root', resource: 'configmaps' };
    const start = rangeStart(scope, { namespace: 'team', name: 'x' });
    expect(start > objectKey(key('team', 'x'))).toBe(true);
    expect(start < objectKey(key('team', 'x0'))).toBe(true);
    expect(start < objectKey(key('team-a', 'a'))).toBe(true);
  });
});

describe('etcd key prefix', () => {
  const k = { cluster: 'root', resource: 'configmaps', namespace: 'team', name: 'a' };

  it('puts every key of a platform under its prefix, /kplane/ by default', () => {
    expect(DEFAULT_KEYS.objectKey(k)).toBe('/kplane/objects/root/configmaps/team!a');
    const tenant = new KeyLayout('/platforms/blue/');
    expect(tenant.objectKey(k)).toBe('/platforms/blue/objects/root/configmaps/team!a');
    for (const own of [tenant.objects, tenant.probe, tenant.fence, tenant.clusterPrefix('root')])
      expect(own.startsWith(tenant.root)).toBe(true);
  });

  it("reads none of another prefix's keys as an object of its own", () => {
    const [blue, green] = [new KeyLayout('/blue/'), new KeyLayout('/green/')];
    expect(green.parseObjectKey(blue.objectKey(k))).toBeUndefined();
    expect(blue.parseObjectKey(blue.objectKey(k))).toEqual(k);
    // A prefix that begins like another does not reach into its range.
    const longer = new KeyLayout('/blue2/');
    expect(longer.objectKey(k).startsWith(blue.root)).toBe(false);
    expect(blue.parseObjectKey(longer.objectKey(k))).toBeUndefined();
  });

  it.each([
    ['kplane/', /starting and ending with \//],
    ['/kplane', /starting and ending with \//],
    ['/', /must look like/],
    ['/a//b/', /must look like/],
    ['/a b/', /must look like/],
    ['/kplane/objects/', /segment named objects/],
    ['/x/meta/', /segment named meta/],
  ])('refuses the prefix %j', (prefix, message) => {
    expect(keyPrefixProblem(prefix)).toMatch(message);
    expect(() => new KeyLayout(prefix)).toThrow(message);
  });

  it('takes nested names', () => {
    expect(keyPrefixProblem('/kplane/')).toBeUndefined();
    expect(keyPrefixProblem('/org.example/kplane-2_a/')).toBeUndefined();
  });
});
