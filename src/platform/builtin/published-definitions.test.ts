import { describe, expect, it } from 'vitest';
import { checkAndPruneFields } from '../api/validation/schema-fields.js';
import { publishedComponents, publishedSchema } from './published-definitions.js';

describe('publishedSchema', () => {
  const deployment = publishedSchema('io.k8s.api.apps.v1.Deployment');
  const spec = deployment.properties!.spec!;
  const podSpec = spec.properties!.template!.properties!.spec!;
  const container = podSpec.properties!.containers!.items!;

  it("resolves $refs into Kubernetes' own types and descriptions", () => {
    expect(spec.properties!.replicas).toMatchObject({ type: 'integer', format: 'int32' });
    expect(container.properties!.image!.type).toBe('string');
    expect(container.required).toEqual(['name']);
    // The property's own description, beside its $ref, wins over the shared definition's.
    expect(spec.description).toBe('Specification of the desired behavior of the Deployment.');
    expect(podSpec.properties!.containers!['x-kubernetes-patch-merge-key']).toBe('name');
  });

  it('lets IntOrString and Quantity hold a number or a string, and keeps managedFields free-form', () => {
    const rollingUpdate = spec.properties!.strategy!.properties!.rollingUpdate!;
    expect(rollingUpdate.properties!.maxSurge!['x-kubernetes-int-or-string']).toBe(true);
    expect(rollingUpdate.properties!.maxSurge!.type).toBeUndefined();
    const limits = container.properties!.resources!.properties!.limits!;
    expect(
      (limits.additionalProperties as { 'x-kubernetes-int-or-string'?: boolean })[
        'x-kubernetes-int-or-string'
      ],
    ).toBe(true);
    const fieldsV1 = deployment.properties!.metadata!.properties!.managedFields!.items!.properties!.fieldsV1!;
    expect(fieldsV1['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('converts each definition once', () => {
    expect(publishedSchema('io.k8s.api.apps.v1.Deployment')).toBe(deployment);
    const job = publishedSchema('io.k8s.api.batch.v1.Job');
    const jobContainer =
      job.properties!.spec!.properties!.template!.properties!.spec!.properties!.containers!.items;
    expect(jobContainer).toBe(container);
  });

  it('drives field checking: unknown fields deep in a pod template are found and pruned, wrong types reported', () => {
    const object = {
      spec: {
        replicas: 'three',
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx',
                colour: 'blue',
                resources: { limits: { cpu: 1, memory: '1Gi' } },
              },
            ],
          },
        },
      },
    };
    const problems = checkAndPruneFields(deployment, object);
    expect(problems.unknown).toEqual(['spec.template.spec.containers[0].colour']);
    // Worded as Go's decoder words it in kube-apiserver's answer, array indexes dropped.
    expect(problems.typeErrors).toEqual([
      'cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ]);
    const container = { spec: { template: { spec: { containers: [{ name: 'a', image: 7, tty: 'yes' }] } } } };
    expect(checkAndPruneFields(deployment, container).typeErrors).toEqual([
      'cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string',
      'cannot unmarshal string into Go struct field Container.spec.template.spec.containers.tty of type bool',
    ]);
    expect(object.spec.template.spec.containers[0]).not.toHaveProperty('colour');
  });
});

describe('publishedComponents', () => {
  it('carries the definition and all it reaches, with OpenAPI v3 references', () => {
    const components = publishedComponents('io.k8s.api.apps.v1.Deployment') as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    expect(Object.keys(components)).toEqual(
      expect.arrayContaining([
        'io.k8s.api.apps.v1.Deployment',
        'io.k8s.api.apps.v1.DeploymentSpec',
        'io.k8s.api.core.v1.Container',
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      ]),
    );
    expect(components['io.k8s.api.apps.v1.Deployment']!.properties.spec).toEqual({
      description: 'Specification of the desired behavior of the Deployment.',
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }],
    });
    expect(JSON.stringify(components)).not.toContain('#/definitions/');
  });
});
