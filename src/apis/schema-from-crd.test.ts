import { describe, expect, it } from 'vitest';
import { schemaFromDocument } from './schema-from-crd.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'databases.db.example.io' },
  spec: {
    group: 'db.example.io',
    names: { plural: 'databases', kind: 'Database' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
  },
};

describe('schemaFromDocument', () => {
  it('names the schema <prefix>.<plural>.<group>, the same for the same spec', () => {
    const schema = schemaFromDocument(crd, 'db.yaml');
    expect(schema.metadata.name).toMatch(/^v[0-9a-f]{8}\.databases\.db\.example\.io$/);
    expect(schema.spec.names).toEqual({
      plural: 'databases',
      singular: 'database',
      kind: 'Database',
      listKind: 'DatabaseList',
    });
    expect(schemaFromDocument(structuredClone(crd), 'again.yaml').metadata.name).toBe(schema.metadata.name);
    const changed = structuredClone(crd);
    changed.spec.versions[0]!.schema = { openAPIV3Schema: { type: 'object', required: ['spec'] } } as never;
    expect(schemaFromDocument(changed, 'changed.yaml').metadata.name).not.toBe(schema.metadata.name);
  });

  it('names a spec the same whatever order its keys come in (a file, or the CRD kubectl stored)', () => {
    const reordered = {
      ...crd,
      spec: {
        versions: [
          {
            schema: { openAPIV3Schema: { properties: { spec: { type: 'object' } }, type: 'object' } },
            storage: true,
            served: true,
            name: 'v1',
          },
        ],
        scope: 'Namespaced',
        names: { kind: 'Database', plural: 'databases' },
        group: 'db.example.io',
      },
    };
    const original = structuredClone(crd);
    original.spec.versions[0]!.schema = {
      openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } },
    } as never;
    expect(schemaFromDocument(reordered, 'stored').metadata.name).toBe(
      schemaFromDocument(original, 'db.yaml').metadata.name,
    );
  });

  it('says everything that is wrong with a bad document', () => {
    expect(() => schemaFromDocument({ kind: 'ConfigMap' }, 'x.yaml')).toThrow(
      'x.yaml: expected a CustomResourceDefinition or an APIResourceSchema, found ConfigMap',
    );
    expect(() =>
      schemaFromDocument({ kind: 'CustomResourceDefinition', spec: { scope: 'Global' } }, 'y.yaml'),
    ).toThrow(
      'y.yaml: spec.group is required; spec.names.plural is required; spec.names.kind is required; spec.scope must be Namespaced or Cluster; spec.versions needs at least one version; exactly one version must have storage: true',
    );
  });
});
