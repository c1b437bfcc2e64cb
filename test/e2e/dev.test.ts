import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kplane, kubectl, userSandbox } from './helpers/cli.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-'));
const user = userSandbox();

afterAll(async () => {
  await kplane(['dev', 'down', '--data-dir', dataDir]);
  rmSync(dataDir, { recursive: true, force: true });
  user.cleanup();
});

async function up(...extra: string[]): Promise<{ url: string; pid: number; kubeconfig: string }> {
  const result = await kplane(['dev', 'up', '--detach', '--data-dir', dataDir, '-o', 'json', ...extra], {
    env: user.env,
    timeoutMs: 60_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('kplane dev up and down', () => {
  it('comes back on the same data and port after a stop, and after a SIGKILL', async () => {
    const first = await up('--port', '0');
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(true);
    copyFileSync(first.kubeconfig, user.kubeconfig);
    const created = await kplane(['ws', 'create', 'keep-me'], { env: user.env });
    expect(created.code, created.stderr).toBe(0);
    expect((await kplane(['ws', 'use', 'keep-me'], { env: user.env })).code).toBe(0);

    const down = await kplane(['dev', 'down', '--data-dir', dataDir]);
    expect(down).toMatchObject({ code: 0, stderr: `kplane platform (pid ${first.pid}) stopped.\n` });
    expect(existsSync(path.join(dataDir, 'server.pid'))).toBe(false);

    const second = await up();
    expect(second.url).toBe(first.url);
    // The kubeconfig written before the restart still works: same port, same CA, same workspace.
    const listed = await kubectl(['get', 'namespaces', '-o', 'name'], { env: user.env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('namespace/default');

    process.kill(second.pid, 'SIGKILL');
    const third = await up();
    expect(third.url).toBe(first.url);
    const back = await kplane(['ws', 'use', ':root:keep-me'], { env: user.env });
    expect(back).toMatchObject({
      code: 0,
      stdout: "Current workspace is 'root:keep-me' (type root:organization).\n",
    });
  });

  it('says so when there is nothing to stop', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-empty-'));
    try {
      const result = await kplane(['dev', 'down', '--data-dir', empty]);
      expect(result).toMatchObject({ code: 3, stderr: `Error: no kplane platform is running on ${empty}\n` });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
