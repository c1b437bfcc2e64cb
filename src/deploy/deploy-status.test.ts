import { describe, expect, it } from 'vitest';
import type { IOStreams } from '../cli/io.js';
import { renderStatus, summaryLine, type DeployStatus } from './deploy-status.js';

const terminal: IOStreams = {
  stdoutIsTTY: true,
  stdinIsTTY: true,
  colorEnabled: false,
  out: () => undefined,
  err: () => undefined,
};
const pipe: IOStreams = { ...terminal, stdoutIsTTY: false };

const status: DeployStatus = {
  deploy: { metadata: { name: 'web', namespace: 'shop' }, spec: {} },
  summary: { desiredTotal: 2, applied: 1, available: 1, degraded: 0 },
  clusters: [
    {
      cluster: 'eu-1',
      applied: 'True',
      available: 'True',
      current: true,
      desiredReplicas: 2,
      readyReplicas: 2,
    },
    {
      cluster: 'eu-2',
      applied: 'False',
      available: 'False',
      current: true,
      desiredReplicas: 2,
      error: `ConfigMap "Not_A_Name" is invalid: metadata.name: ${'x'.repeat(200)}`,
    },
  ],
  progress: { state: 'failed', message: 'eu-2: ConfigMap "Not_A_Name" is invalid' },
};

describe('deploy status rendering', () => {
  it('shows one row per cluster with ready/desired replicas and a cut member message', () => {
    const lines = renderStatus(terminal, status).split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+APPLIED\s+AVAILABLE\s+READY\s+ERROR$/);
    expect(lines[1]).toMatch(/^eu-1\s+True\s+True\s+2\/2$/);
    expect(lines[2]).toMatch(/^eu-2\s+False\s+False\s+-\/2\s+ConfigMap "Not_A_Name" is invalid/);
    expect(lines[2]!.endsWith('…')).toBe(true);
    expect(lines[2]!.length).toBeLessThan(120);
  });

  it('prints tab-separated rows without a header in a pipe', () => {
    expect(renderStatus(pipe, status).split('\n')[0]).toBe('eu-1\tTrue\tTrue\t2/2\t');
  });

  it('sums up the counts and where the rollout stands', () => {
    expect(summaryLine(status)).toBe(
      'deploy web: 1/2 clusters available, 1 applied, 0 degraded; failed: eu-2: ConfigMap "Not_A_Name" is invalid',
    );
  });
});
