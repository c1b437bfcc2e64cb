import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { invalid } from '../http/errors.js';
import { validateCrd } from './crd-validation.js';

const schema = {
  openAPIV3Schema: {
    type: 'object',
    properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
  },
};

function crd(spec: Record<string, unknown> = {}, name = 'widgets.example.io'): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec: {
      group: 'example.io',
      names: { plural: 'widgets', kind: 'Widget' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema }],
      ...spec,
    },
  };
}

/** The 422 message's lines, as kubectl prints them. */
const lines = (object: KubeObject, old?: KubeObject) => {
  const errors = validateCrd(object, old);
  if (errors.length === 0) return [];
  const message = invalid(
    {
      group: 'apiextensions.k8s.io',
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
    },
    'x',
    errors,
  ).message;
  return message
    .replace(/^[^:]*is invalid: \[?/, '')
    .replace(/\]$/, '')
    .split(', spec')
    .map((l, i) => (i ? `spec${l}` : l));
};

const version = (extra: Record<string, unknown>) => ({
  name: 'v1',
  served: true,
  storage: true,
  schema,
  ...extra,
});

describe('validateCrd', () => {
  it('accepts a good CRD', () => expect(validateCrd(crd(), undefined)).toEqual([]));

  it.each([
    [
      'a name that is not <plural>.<group>',
      crd({}, 'gizmos.example.io'),
      'metadata.name: Invalid value: "gizmos.example.io": must be spec.names.plural+"."+spec.group',
    ],
    [
      'a group without a dot',
      crd({ group: 'example' }, 'widgets.example'),
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ],
    [
      'an upper-case plural',
      crd({ names: { plural: 'Widgets', kind: 'Widget' } }, 'Widgets.example.io'),
      'spec.names.plural: Invalid value: "Widgets": a DNS-1035 label',
    ],
    [
      'kind and listKind alike',
      crd({ names: { plural: 'widgets', kind: 'Widget', listKind: 'Widget' } }),
      'spec.names.listKind: Invalid value: "Widget": kind and listKind cannot be the same',
    ],
    [
      'a bad scope',
      crd({ scope: 'Global' }),
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ],
    [
      'two storage versions',
      crd({ versions: [version({}), version({ name: 'v2' })] }),
      'spec.versions: Invalid value: []string{"v1", "v2"}: must have exactly one version marked as storage version',
    ],
    [
      'no served version',
      crd({ versions: [version({ served: false })] }),
      'must have at least one version marked as served',
    ],
    [
      'a repeated version',
      crd({ versions: [version({}), version({ storage: false })] }),
      'spec.versions[1].name: Invalid value: "v1": must be unique',
    ],
    [
      'no schema',
      crd({ versions: [version({ schema: undefined })] }),
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    ],
    [
      'a field without a type',
      crd({
        versions: [
          version({
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } },
          }),
        ],
      }),
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ],
    [
      'list items without a type',
      crd({
        versions: [
          version({
            schema: { openAPIV3Schema: { type: 'object', properties: { l: { type: 'array', items: {} } } } },
          }),
        ],
      }),
      'spec.versions[0].schema.openAPIV3Schema.properties[l].items.type: Required value: must not be empty for specified array items',
    ],
    [
      'properties beside additionalProperties',
      crd({
        versions: [
          version({
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { a: { type: 'string' } },
                additionalProperties: { type: 'string' },
              },
            },
          }),
        ],
      }),
      'spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
    ],
    [
      'metadata fields beyond name and generateName',
      crd({
        versions: [
          version({
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } },
              },
            },
          }),
        ],
      }),
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
    ],
    [
      'a map list without keys',
      crd({
        versions: [
          version({
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } },
                },
              },
            },
          }),
        ],
      }),
      'properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map',
    ],
    [
      'a CEL rule that does not compile',
      crd({
        versions: [
          version({
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a +' }] },
            },
          }),
        ],
      }),
      'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: "self.a +": compilation failed',
    ],
    [
      'a scale path outside .spec',
      crd({
        versions: [
          version({
            subresources: {
              scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas' },
            },
          }),
        ],
      }),
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
    ],
    [
      'preserveUnknownFields',
      crd({ preserveUnknownFields: true }),
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true',
    ],
    [
      'a webhook conversion',
      crd({ conversion: { strategy: 'Webhook' } }),
      'spec.conversion.strategy: Unsupported value: "Webhook"',
    ],
  ])('refuses %s', (_, object, expected) => {
    expect(lines(object).join('\n')).toContain(expected);
  });

  it('refuses a change of scope', () => {
    expect(lines(crd({ scope: 'Cluster' }), crd()).join('\n')).toContain(
      'spec.scope: Invalid value: "Cluster": field is immutable',
    );
  });
});
