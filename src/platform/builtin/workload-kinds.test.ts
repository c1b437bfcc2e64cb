import { describe, expect, it } from 'vitest';
import { invalid } from '../http/errors.js';
import type { KubeObject } from '../api/object.js';
import type { HookContext } from '../api/registry.js';
import { deployments } from './apps.js';
import { jobs } from './batch.js';
import { events, services } from './core.js';
import { toTable } from '../api/table/table.js';
import { defaultPodTemplate } from './pod-template.js';
import { selects } from './replicated.js';

const ctx = {} as HookContext;
const now = new Date('2026-01-01T01:00:00Z');
const object = (fields: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Test',
  metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z', uid: 'u-1' },
  ...fields,
});

describe('selects', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
  ])('%j → %s', (selector, expected) => expect(selects(selector, labels)).toBe(expected));
});

describe('pod template defaults', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['registry.local:5000/nginx', 'Always'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ])('image %s gets imagePullPolicy %s', (image, policy) => {
    const template = { spec: { containers: [{ name: 'c', image }] } };
    defaultPodTemplate(template);
    expect(template.spec.containers[0]).toMatchObject({ imagePullPolicy: policy });
  });

  it('keeps what the user set', () => {
    const template = {
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }] },
    };
    defaultPodTemplate(template);
    expect(template.spec).toMatchObject({
      restartPolicy: 'Never',
      containers: [{ imagePullPolicy: 'Never' }],
    });
  });
});

describe('Deployment validation', () => {
  const validate = (spec: unknown) => deployments.hooks!.validate!(object({ spec }), undefined, ctx);

  it('needs a selector that selects the template, and containers with a name and an image', () => {
    expect(validate({ template: { spec: { containers: [{ name: 'a', image: 'b' }] } } })).toEqual([
      { type: 'Required', field: 'spec.selector' },
    ]);
    const errors = validate({
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'db', b: '2' } }, spec: { containers: [{ name: 'a' }, {}] } },
    });
    expect(invalid(deployments, 'x', errors).message).toBe(
      'Deployment.apps "x" is invalid: [spec.template.metadata.labels: Invalid value: map[string]string{"app":"db", "b":"2"}: `selector` does not match template `labels`, ' +
        'spec.template.spec.containers[0].image: Required value, spec.template.spec.containers[1].name: Required value, spec.template.spec.containers[1].image: Required value]',
    );
  });

  it('refuses a changed selector after create', () => {
    const spec = (app: string) => ({
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'a', image: 'b' }] } },
    });
    const errors = deployments.hooks!.validate!(
      object({ spec: spec('new') }),
      object({ spec: spec('old') }),
      ctx,
    );
    expect(errors).toMatchObject([{ type: 'Invalid', field: 'spec.selector', detail: 'field is immutable' }]);
  });
});

describe('table cells', () => {
  it('prints a Job as printers.go does', () => {
    const job = object({
      spec: { parallelism: 3, template: { spec: { containers: [{ name: 'a', image: 'busybox' }] } } },
      status: { succeeded: 1, startTime: '2026-01-01T00:30:00Z' },
    });
    expect(jobs.cells(job, now).slice(0, 3)).toEqual(['Running', '1/1 of 3', '30m']);
    job.status = { succeeded: 2, conditions: [{ type: 'Complete', status: 'True' }] };
    (job.spec as { completions?: number }).completions = 2;
    expect(jobs.cells(job, now).slice(0, 3)).toEqual(['Complete', '2/2', '']);
  });

  it('prints Service addresses and ports as printers.go does', () => {
    const nodePort = object({
      spec: {
        type: 'NodePort',
        clusterIP: '10.0.0.1',
        ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }],
      },
    });
    expect(services.cells(nodePort, now).slice(0, 4)).toEqual([
      'NodePort',
      '10.0.0.1',
      '<none>',
      '443:30443/TCP',
    ]);
    const balancer = object({ spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'UDP' }] } });
    expect(services.cells(balancer, now).slice(0, 4)).toEqual([
      'LoadBalancer',
      '<none>',
      '<pending>',
      '80/UDP',
    ]);
  });

  it('prints Events without a leading Name, which only -o wide shows, last (printers.go eventColumnDefinitions)', () => {
    const event = object({
      type: 'Normal',
      reason: 'Seen',
      message: 'hi',
      involvedObject: { kind: 'Pod', name: 'p' },
    });
    const table = toTable(events, [event], { include: 'None', now }) as {
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
    expect(table.columnDefinitions.at(-1)).toMatchObject({ name: 'Name', priority: 1 });
    expect(table.rows[0]!.cells).toEqual(['60m', 'Normal', 'Seen', 'pod/p', '', '', 'hi', '60m', 1, 'x']);
  });
});
