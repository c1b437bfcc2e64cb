import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from './helpers/cli.js';
import { kubectl as runKubectl, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';

// An adversarial tenant on a shared dev member: quantities and replica counts that float arithmetic turns
// into NaN or Infinity must be refused as kube-apiserver refuses them (422, nothing stored), so that the
// member's capacity check keeps working for everyone else.

let dir: string;
let members: PlatformProcess;

const kubectlWithInput = (input: string, ...args: string[]): Promise<RunResult> =>
  runKubectl(args, {
    kubeconfig: path.join(members.dataDir, 'shared.kubeconfig'),
    cacheDir: path.join(dir, 'cache'),
    input,
  });

const deployment = (name: string, replicas: number, containers: object[]) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  });

const container = (name: string, requests: Record<string, string>) => ({
  name,
  image: 'nginx:1.27',
  resources: { requests },
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-quantity-'));
  const file = path.join(dir, 'members.json');
  writeFileSync(file, JSON.stringify([{ name: 'shared', capacity: { cpu: '4', memory: '8Gi' } }]));
  members = await startPlatformProcess({ dataDir: path.join(dir, 'data'), args: ['--members', file] });
}, 60_000);

afterAll(async () => {
  await members?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a tenant's hostile quantities on a shared member", () => {
  it.each([
    [
      'block: cpu 1e999 and -1e999 in two containers',
      deployment('block', 1, [container('a', { cpu: '1e999' }), container('b', { cpu: '-1e999' })]),
      'spec.template.spec.containers[1].resources.requests[cpu]: Invalid value: "-1e999": must be greater than or equal to 0',
    ],
    [
      'unlock: replicas 0 with cpu 1e999',
      deployment('unlock', 0, [container('a', { cpu: '1e999' })]),
      'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "1e999"',
    ],
    [
      'a negative cpu request',
      deployment('negative', 1, [container('a', { cpu: '-100' })]),
      'spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: "-100": must be greater than or equal to 0',
    ],
    [
      'a quantity outside the grammar',
      deployment('grammar', 1, [container('a', { cpu: 'lots' })]),
      'quantities must match the regular expression',
    ],
    [
      'replicas 1e300',
      deployment('huge', 1e300, [container('a', { cpu: '100m' })]),
      'spec.replicas: Invalid value: 1e+300: must be less than or equal to 2147483647',
    ],
  ])('refuses %s with 422 and stores nothing', async (_, manifest, message) => {
    const name = (JSON.parse(manifest) as { metadata: { name: string } }).metadata.name;
    const refused = await kubectlWithInput(manifest, 'create', '-f', '-');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('is invalid');
    expect(refused.stderr).toContain(message);
    expect((await kubectlWithInput('', 'get', 'deploy', name)).stderr).toContain('NotFound');
  });

  it('counts pods per replica: a container request of pods "0" does not hide 100000 replicas', async () => {
    const refused = await kubectlWithInput(
      deployment('many', 100000, [container('a', { pods: '0' })]),
      'create',
      '-f',
      '-',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('exceeded capacity of member cluster shared: requested: pods=100000');
    expect((await kubectlWithInput('', 'get', 'deploy', 'many')).stderr).toContain('NotFound');
  });

  it('refuses a Node whose allocatable would unlock the member for everyone (1e999, -4)', async () => {
    const node = (await kubectlWithInput('', 'get', 'nodes', '-o', 'name')).stdout.trim();
    for (const cpu of ['1e999', '-4']) {
      const patched = await kubectlWithInput(
        '',
        'patch',
        node,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { allocatable: { cpu } } }),
      );
      expect(patched.code).not.toBe(0);
      expect(patched.stderr).toContain(`status.allocatable[cpu]: Invalid value: "${cpu}"`);
    }
    const stored = await kubectlWithInput('', 'get', node, '-o', 'jsonpath={.status.allocatable.cpu}');
    expect(stored.stdout).toBe('4');
  });

  it("still admits another tenant's normal Deployment and refuses one beyond capacity afterwards", async () => {
    const fits = await kubectlWithInput(
      deployment('web', 2, [container('app', { cpu: '1' })]),
      'create',
      '-f',
      '-',
    );
    expect(fits.code, fits.stderr).toBe(0);
    const tooBig = await kubectlWithInput(
      deployment('big', 3, [container('app', { cpu: '1' })]),
      'create',
      '-f',
      '-',
    );
    expect(tooBig.stderr).toContain('requested: cpu=3, used: cpu=2, allocatable: cpu=4');
  });
});
