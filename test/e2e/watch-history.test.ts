import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kplane } from './helpers/cli.js';
import { adminToken, platformTool, rawRequest, rawWatch } from './helpers/platform.js';

// Issue #16, finding 4: how far back a watch may resume is bounded by age, as etcd's compaction
// bounds it (5 minutes unless `--watch-history` says otherwise); further back answers 410 Expired.

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-history-'));

afterAll(async () => {
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('--watch-history', () => {
  it('refuses a duration it cannot read, before anything starts', async () => {
    const cli = await kplane([
      'dev',
      'up',
      '--detach',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--watch-history',
      'soon',
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('invalid --watch-history "soon"');
    expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(false);

    const server = await platformTool(['--port', '0', '--data-dir', dataDir, '--watch-history', '0s']);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('--watch-history: invalid duration "0s"');
    expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(false);
  });

  it('lets a watch resume from within the history and answers 410 Expired beyond it', async () => {
    const up = await kplane(
      ['dev', 'up', '--detach', '--port', '0', '--data-dir', dataDir, '--watch-history', '1s', '-o', 'json'],
      { timeoutMs: 60_000 },
    );
    expect(up.code, up.stderr).toBe(0);
    const { url } = JSON.parse(up.stdout) as { url: string };
    const options = { token: adminToken(dataDir), ca: readFileSync(path.join(dataDir, 'ca.crt')) };
    const configmaps = '/clusters/root/api/v1/namespaces/default/configmaps';
    const create = async (name: string) => {
      const created = await rawRequest(url, configmaps, {
        ...options,
        method: 'POST',
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }),
      });
      expect(created.status, created.body).toBe(201);
      return (JSON.parse(created.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    };

    const first = await create('first');
    await create('second');
    const recent = await rawWatch(url, `${configmaps}?resourceVersion=${first}`, options);
    try {
      const event = await recent.waitFor(() => true, 3000);
      expect([event.type, (event.object.metadata as { name: string }).name]).toEqual(['ADDED', 'second']);
    } finally {
      recent.stop();
    }

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const late = await rawWatch(url, `${configmaps}?resourceVersion=${first}`, options);
    try {
      const event = await late.waitFor(() => true, 3000);
      expect(event).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      expect(event.object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
      expect(await late.ended(2000)).toBe(true);
    } finally {
      late.stop();
    }
  });
});
