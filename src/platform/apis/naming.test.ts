import { describe, expect, it } from 'vitest';
import { findNamingConflict, namesConflict, type NamedResource } from './naming.js';

const databases: NamedResource = {
  group: 'db.example.io',
  names: { plural: 'databases', singular: 'database', kind: 'Database', shortNames: ['pg'] },
};
const named = (group: string, names: NamedResource['names']): NamedResource => ({ group, names });

describe('namesConflict', () => {
  const cases: [string, NamedResource, string | undefined][] = [
    ['the same resource', databases, 'spec.names.plural=databases is forbidden'],
    ['another group', named('other.io', databases.names), undefined],
    ['another resource in the group', named('db.example.io', { plural: 'caches', kind: 'Cache' }), undefined],
    [
      'a plural that is the existing singular',
      named('db.example.io', { plural: 'database', kind: 'Db' }),
      'spec.names.plural=database is forbidden',
    ],
    [
      'a short name taken',
      named('db.example.io', { plural: 'postgreses', kind: 'Postgres', shortNames: ['pg', 'pq'] }),
      'spec.names.shortNames=[pg pq] is forbidden',
    ],
    [
      'the same kind under another plural',
      named('db.example.io', { plural: 'dbs', singular: 'db', kind: 'Database' }),
      'spec.names.kind=Database is forbidden',
    ],
  ];
  it.each(cases)('%s', (_, candidate, expected) => {
    expect(namesConflict(databases, candidate)).toBe(expected);
  });
});

describe('findNamingConflict', () => {
  it('names the binding that already provides the resource', () => {
    expect(findNamingConflict([databases], [{ ...databases, owner: 'APIBinding "first"' }])).toBe(
      'naming conflict with APIBinding "first", which already provides databases.db.example.io: spec.names.plural=databases is forbidden',
    );
  });

  it('passes resources nobody serves yet', () => {
    const caches = named('db.example.io', { plural: 'caches', kind: 'Cache' });
    expect(findNamingConflict([caches], [{ ...databases, owner: 'APIBinding "first"' }])).toBeUndefined();
    expect(findNamingConflict([], [{ ...databases, owner: 'x' }])).toBeUndefined();
  });

  it('checks built-in kinds too', () => {
    const configMaps = named('', { plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] });
    expect(findNamingConflict([configMaps], [{ ...configMaps, owner: 'the built-in API' }])).toBe(
      'naming conflict with the built-in API, which already provides configmaps: spec.names.plural=configmaps is forbidden',
    );
  });
});
