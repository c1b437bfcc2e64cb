import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult } from './helpers/cli.js';
import {
  adminKubectlAt,
  adminToken,
  rawRequest,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';

// The workload kinds, served in every workspace from Kubernetes' published definitions, driven by
// the real kubectl: its create commands (which send protobuf), apply, patch, scale, explain and
// get's tables, and the errors a bad object gets. Nothing runs the workloads: they are stored.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let admin: ReturnType<typeof adminKubectlAt>;

const TEAM = 'root:wl-a';
const OTHER = 'root:wl-b';
const at = (workspace: string, ...args: string[]) => admin(`/clusters/${workspace}`, args);
const applyIn = (workspace: string, ...items: object[]) =>
  admin(`/clusters/${workspace}`, ['apply', '-f', '-'], items.map((item) => JSON.stringify(item)).join('\n'));
const createIn = (workspace: string, item: object) =>
  admin(`/clusters/${workspace}`, ['create', '-f', '-'], JSON.stringify(item));
const ok = (result: RunResult) => expect(result.code, result.stderr).toBe(0);
interface Container {
  name: string;
  image: string;
}
/** What these tests read of an object kubectl prints as JSON. */
interface Stored {
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion: string };
  spec: Record<string, unknown> & {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { spec: Record<string, unknown> & { containers: Container[] } };
  };
}
const json = <T = Stored>(result: RunResult): T => {
  ok(result);
  return JSON.parse(result.stdout) as T;
};
const raw = (method: string, rawPath: string, body?: object, contentType = 'application/json') =>
  rawRequest(platform.url, `/clusters/${TEAM}${rawPath}`, {
    ca,
    token: adminToken(platform.dataDir),
    method,
    ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
  });

const template = (labels: Record<string, string>, containers: object[], restartPolicy?: string) => ({
  metadata: { labels },
  spec: { ...(restartPolicy ? { restartPolicy } : {}), containers },
});

const deployment = (name: string, image = 'nginx:1.25') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: template({ app: name }, [
      { name: 'web', image, ports: [{ containerPort: 80 }] },
      { name: 'side', image: 'busybox:1.36' },
    ]),
  },
});

/** One object of every kind the issue lists, each the smallest that is valid. */
const everyKind: {
  resource: string;
  object: Record<string, unknown> & { kind: string; metadata: { name: string } };
}[] = [
  { resource: 'deployments.apps', object: deployment('all-deploy') },
  {
    resource: 'statefulsets.apps',
    object: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'all-sts' },
      spec: {
        serviceName: 'all-sts',
        selector: { matchLabels: { app: 'sts' } },
        template: template({ app: 'sts' }, [{ name: 'db', image: 'postgres:16' }]),
      },
    },
  },
  {
    resource: 'daemonsets.apps',
    object: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'all-ds' },
      spec: {
        selector: { matchLabels: { app: 'ds' } },
        template: template({ app: 'ds' }, [{ name: 'agent', image: 'busybox' }]),
      },
    },
  },
  {
    resource: 'replicasets.apps',
    object: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'all-rs' },
      spec: {
        selector: { matchLabels: { app: 'rs' } },
        template: template({ app: 'rs' }, [{ name: 'web', image: 'nginx' }]),
      },
    },
  },
  {
    resource: 'jobs.batch',
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'all-job' },
      spec: { template: template({}, [{ name: 'run', image: 'busybox' }], 'Never') },
    },
  },
  {
    resource: 'cronjobs.batch',
    object: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'all-cj' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: { spec: { template: template({}, [{ name: 'run', image: 'busybox' }], 'OnFailure') } },
      },
    },
  },
  {
    resource: 'services',
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'all-svc' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  },
  {
    resource: 'serviceaccounts',
    object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'all-sa' } },
  },
  {
    resource: 'persistentvolumeclaims',
    object: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'all-pvc' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  },
  {
    resource: 'events',
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'all-ev' },
      involvedObject: { kind: 'Deployment', name: 'all-deploy', namespace: 'default' },
      reason: 'Stored',
      message: 'a core event',
      type: 'Normal',
    },
  },
  {
    resource: 'events.events.k8s.io',
    object: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'all-ev2' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      regarding: { kind: 'Deployment', name: 'all-deploy', namespace: 'default' },
      reason: 'Stored',
      note: 'an events.k8s.io event',
      type: 'Normal',
      action: 'Store',
      reportingController: 'e2e',
      reportingInstance: 'e2e-1',
    },
  },
  {
    resource: 'leases.coordination.k8s.io',
    object: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'all-lease' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15 },
    },
  },
  {
    resource: 'ingresses.networking.k8s.io',
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'all-ing' },
      spec: {
        rules: [
          {
            host: 'web.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'all-svc', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    },
  },
  {
    resource: 'poddisruptionbudgets.policy',
    object: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'all-pdb' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    },
  },
];

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-workloads-'));
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  for (const name of ['wl-a', 'wl-b']) {
    ok(
      await applyIn('root', {
        apiVersion: 'tenancy.kcp.io/v1alpha1',
        kind: 'Workspace',
        metadata: { name },
        spec: { type: { name: 'universal', path: 'root' } },
      }),
    );
    ok(
      await at('root', 'wait', '--for=jsonpath={.status.phase}=Ready', `workspace/${name}`, '--timeout=10s'),
    );
  }
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('every listed kind in a workspace', () => {
  it('round-trips create, get, list and delete through kubectl, and another workspace sees none of it', async () => {
    ok(await applyIn(TEAM, ...everyKind.map((entry) => entry.object)));
    for (const { resource, object } of everyKind) {
      const got = json(await at(TEAM, 'get', resource, object.metadata.name, '-o', 'json'));
      expect(got.kind, resource).toBe(object.kind);
      expect(got.metadata.namespace, resource).toBe('default');
      const listed = json<{ items: Stored[] }>(await at(TEAM, 'get', resource, '-o', 'json'));
      expect(
        listed.items.map((item) => item.metadata.name),
        resource,
      ).toContain(object.metadata.name);
      const elsewhere = await at(OTHER, 'get', resource, '-o', 'name');
      ok(elsewhere);
      expect(elsewhere.stdout, `${resource} leaked into ${OTHER}`).toBe('');
    }
    for (const { resource, object } of everyKind)
      ok(await at(TEAM, 'delete', resource, object.metadata.name));
    for (const { resource } of everyKind) {
      const left = await at(TEAM, 'get', resource, '-o', 'name');
      ok(left);
      expect(left.stdout, resource).toBe('');
    }
  }, 120_000);
});

describe("kubectl's create commands (protobuf bodies)", () => {
  it('kubectl create deployment, job, cronjob, serviceaccount and service store what they sent', async () => {
    ok(await at(TEAM, 'create', 'deployment', 'made', '--image=nginx:1.27', '--port=8080', '--replicas=2'));
    ok(await at(TEAM, 'create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'));
    ok(await at(TEAM, 'create', 'cronjob', 'often', '--image=busybox', '--schedule=*/1 * * * *'));
    ok(await at(TEAM, 'create', 'serviceaccount', 'robot'));
    ok(await at(TEAM, 'create', 'service', 'clusterip', 'front', '--tcp=80:8080'));

    const made = json(await at(TEAM, 'get', 'deployment', 'made', '-o', 'json'));
    expect(made.spec.replicas).toBe(2);
    expect(made.spec.template.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.27',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    const once = json(await at(TEAM, 'get', 'job', 'once', '-o', 'json'));
    expect(once.spec.template.spec).toMatchObject({
      restartPolicy: 'Never',
      containers: [{ name: 'once', image: 'busybox', command: ['echo', 'hi'] }],
    });
    const often = json(await at(TEAM, 'get', 'cronjob', 'often', '-o', 'json'));
    expect(often.spec.schedule).toBe('*/1 * * * *');
    ok(await at(TEAM, 'get', 'serviceaccount', 'robot'));
    const front = json(await at(TEAM, 'get', 'service', 'front', '-o', 'json'));
    expect(front.spec.ports).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  }, 60_000);
});

describe('defaults and validation', () => {
  it('defaults what kube-apiserver defaults in a Deployment, a Job and a Service', async () => {
    ok(
      await applyIn(TEAM, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'plain' },
        spec: {
          selector: { matchLabels: { app: 'plain' } },
          template: template({ app: 'plain' }, [{ name: 'web', image: 'nginx' }]),
        },
      }),
    );
    const plain = json(await at(TEAM, 'get', 'deployment', 'plain', '-o', 'json'));
    expect(plain.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    });
    expect(plain.spec.template.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      containers: [{ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' }],
    });
    const job = json(await at(TEAM, 'get', 'job', 'once', '-o', 'json'));
    expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6 });
    expect(job.spec.selector?.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    const front = json(await at(TEAM, 'get', 'service', 'front', '-o', 'json'));
    expect(front.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None' });
  }, 30_000);

  it('refuses a bad Deployment with 422 and the apiserver field errors, and stores nothing', async () => {
    const bad = deployment('bad');
    bad.spec.template.metadata.labels = { app: 'other' };
    delete (bad.spec.template.spec.containers[1] as { image?: string }).image;
    const refused = await applyIn(TEAM, bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('The Deployment "bad" is invalid');
    expect(refused.stderr).toContain(
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    expect(refused.stderr).toContain('spec.template.spec.containers[1].image: Required value');
    const response = await raw('POST', '/apis/apps/v1/namespaces/default/deployments', {
      ...deployment('bad'),
      spec: { ...deployment('bad').spec, template: template({ app: 'bad' }, []) },
    });
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body).details.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' },
    ]);
    const missing = await at(TEAM, 'get', 'deployment', 'bad');
    expect(missing.stderr).toContain('NotFound');
  }, 30_000);

  it("refuses fields the published schema does not know, as kubectl apply's strict validation asks", async () => {
    const unknown = deployment('unknown');
    const refused = await applyIn(TEAM, {
      ...unknown,
      spec: {
        ...unknown.spec,
        colour: 'blue',
        template: template({ app: 'unknown' }, [{ name: 'a', image: 'b', tone: 'red' }]),
      },
    });
    expect(refused.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.colour", unknown field "spec.template.spec.containers[0].tone"',
    );
    expect((await at(TEAM, 'get', 'deployment', 'unknown')).stderr).toContain('NotFound');
  }, 30_000);

  it('refuses a value of the wrong type with 400 and Go decoder wording, as kube-apiserver does', async () => {
    const wrong = deployment('wrong');
    const refused = await createIn(TEAM, { ...wrong, spec: { ...wrong.spec, replicas: 'three' } });
    expect(refused.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    expect(refused.stderr).toContain('BadRequest');
  }, 30_000);

  it('refuses a Job whose pods would restart in place, and a Service without ports', async () => {
    const job = await createIn(TEAM, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'restarts' },
      spec: { template: template({}, [{ name: 'run', image: 'busybox' }], 'Always') },
    });
    expect(job.stderr).toContain(
      'The Job "restarts" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
    const service = await createIn(TEAM, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'portless' },
      spec: { selector: { app: 'x' } },
    });
    expect(service.stderr).toContain('The Service "portless" is invalid: spec.ports: Required value');
  }, 30_000);

  it("refuses a pod template's negative, unbounded or over-limit quantities with 422 in a workspace too", async () => {
    const resources = (requests: object, limits: object = {}) => ({ resources: { requests, limits } });
    const job = await createIn(TEAM, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'greedy' },
      spec: {
        template: template(
          {},
          [
            { name: 'run', image: 'busybox', ...resources({ cpu: '-1' }) },
            { name: 'side', image: 'busybox', ...resources({ memory: '2Gi' }, { memory: '1Gi' }) },
          ],
          'Never',
        ),
      },
    });
    expect(job.stderr).toContain('The Job "greedy" is invalid');
    expect(job.stderr).toContain(
      'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    );
    expect(job.stderr).toContain(
      'spec.template.spec.containers[1].resources.requests[memory]: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
    );
    const response = await raw('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'endless' },
      spec: {
        replicas: 1e300,
        selector: { matchLabels: { app: 'endless' } },
        template: template({ app: 'endless' }, [{ name: 'a', image: 'b', ...resources({ cpu: '1e999' }) }]),
      },
    });
    expect(response.status).toBe(422);
    expect(
      (JSON.parse(response.body) as { details: { causes: { field: string }[] } }).details.causes.map(
        (c) => c.field,
      ),
    ).toEqual(['spec.replicas', 'spec.template.spec.containers[0].resources.requests[cpu]']);
    expect((await at(TEAM, 'get', 'job,statefulset', 'greedy', 'endless')).stdout).toBe('');
  }, 30_000);

  it("refuses a Job's negative or unbounded parallelism and completions with 422", async () => {
    const job = await createIn(TEAM, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'countless' },
      spec: {
        parallelism: -1,
        completions: 1e300,
        template: template({}, [{ name: 'run', image: 'busybox' }], 'Never'),
      },
    });
    expect(job.stderr).toContain('spec.parallelism: Invalid value: -1: must be greater than or equal to 0');
    expect(job.stderr).toContain(
      'spec.completions: Invalid value: 1e+300: must be less than or equal to 2147483647',
    );
    expect((await at(TEAM, 'get', 'job', 'countless')).stderr).toContain('NotFound');
  }, 30_000);
});

describe('apply, patch, scale and explain', () => {
  it('kubectl apply twice with a change updates the Deployment and keeps the containers it did not change', async () => {
    ok(await applyIn(TEAM, deployment('web')));
    ok(await applyIn(TEAM, deployment('web', 'nginx:1.27')));
    const web = json(await at(TEAM, 'get', 'deployment', 'web', '-o', 'json'));
    expect(web.spec.template.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:1.27'],
      ['side', 'busybox:1.36'],
    ]);
  }, 30_000);

  it('kubectl patch (strategic) adds a container by name beside the others', async () => {
    ok(
      await at(
        TEAM,
        'patch',
        'deployment',
        'web',
        '-p',
        JSON.stringify({
          spec: { template: { spec: { containers: [{ name: 'extra', image: 'redis:7' }] } } },
        }),
      ),
    );
    const web = json(await at(TEAM, 'get', 'deployment', 'web', '-o', 'json'));
    expect(web.spec.template.spec.containers.map((c) => c.name)).toEqual(['extra', 'web', 'side']);
  }, 30_000);

  it('kubectl scale writes spec.replicas through the scale subresource', async () => {
    ok(await at(TEAM, 'scale', 'deployment/web', '--replicas=5'));
    const web = json(await at(TEAM, 'get', 'deployment', 'web', '-o', 'json'));
    expect(web.spec.replicas).toBe(5);
    const scale = await raw('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.status).toBe(200);
    expect(JSON.parse(scale.body)).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', resourceVersion: web.metadata.resourceVersion },
      spec: { replicas: 5 },
      status: { replicas: 0, selector: 'app=web' },
    });
    const stale = await raw('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale', {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '1' },
      spec: { replicas: 1 },
    });
    expect(stale.status).toBe(409);
    const negative = await raw(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    expect(negative.status).toBe(422);
    expect(JSON.parse(negative.body).message).toBe(
      'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    expect(json(await at(TEAM, 'get', 'deployment', 'web', '-o', 'json')).spec.replicas).toBe(5);
  }, 30_000);

  it('discovery says the scale subresource answers autoscaling/v1 Scale', async () => {
    const discovery = await raw('GET', '/apis/apps/v1');
    const resources = (JSON.parse(discovery.body) as { resources: Record<string, unknown>[] }).resources;
    expect(resources.find((resource) => resource.name === 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    expect(resources.find((resource) => resource.name === 'deployments/status')).toMatchObject({
      kind: 'Deployment',
    });
  }, 30_000);

  it("kubectl explain prints Kubernetes' own descriptions", async () => {
    const explained = await at(TEAM, 'explain', 'deployment.spec.template.spec.containers');
    ok(explained);
    expect(explained.stdout).toContain('FIELD: containers <[]Container>');
    expect(explained.stdout).toContain('List of containers belonging to the pod.');
    expect(explained.stdout).toMatch(/imagePullPolicy\s+<string>/);
  }, 30_000);
});

describe('tables', () => {
  it("kubectl get prints kube's columns for deployments, services and jobs", async () => {
    const table = await at(TEAM, 'get', 'deploy,svc,jobs', '-o', 'wide');
    ok(table);
    const headers = table.stdout
      .split('\n')
      .filter((line) => line.startsWith('NAME'))
      .map((line) => line.split(/\s{2,}/));
    expect(headers).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
      ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    ]);
    expect(table.stdout).toMatch(
      /deployment\.apps\/made\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.27\s+app=made/,
    );
    expect(table.stdout).toMatch(/service\/front\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP/);
    expect(table.stdout).toMatch(/job\.batch\/once\s+Running\s+0\/1\s/);
  }, 30_000);

  it('kubectl get all lists the workload kinds by their category', async () => {
    const all = await at(TEAM, 'get', 'all', '-o', 'name');
    ok(all);
    expect(all.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'service/front',
        'deployment.apps/made',
        'job.batch/once',
        'cronjob.batch/often',
      ]),
    );
  }, 30_000);
});
