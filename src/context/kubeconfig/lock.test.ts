import { spawnSync } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeconfigLockError } from './errors.js';
import { acquireKubeconfigLocks, withKubeconfigLocks } from './lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** A pid that is certainly not running any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('kubeconfig locks', () => {
  it('creates <file>.lock holding our pid, and removes it afterwards even on error', async () => {
    const file = join(dir, 'config');
    await expect(
      withKubeconfigLocks([file], async () => {
        expect(await readFile(`${file}.lock`, 'utf8')).toBe(`${process.pid}@${hostname()}`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await exists(`${file}.lock`)).toBe(false);
  });

  it('takes locks in sorted order and creates missing folders', async () => {
    const files = [join(dir, 'z'), join(dir, 'new', 'a')];
    const locks = await acquireKubeconfigLocks(files);
    expect(locks.lockFiles).toEqual([join(dir, 'new', 'a.lock'), join(dir, 'z.lock')]);
    await locks.release();
    expect(await exists(join(dir, 'z.lock'))).toBe(false);
  });

  it('waits for a live holder, silently when the wait is short', async () => {
    const file = join(dir, 'config');
    const first = await acquireKubeconfigLocks([file]);
    const notices: string[] = [];
    setTimeout(() => void first.release(), 100);
    const second = await acquireKubeconfigLocks([file], { onWait: (_, notice) => notices.push(notice) });
    expect(notices).toEqual([]);
    await second.release();
  });

  it('after a second of waiting, says once which lock is held and by whom', async () => {
    const file = join(dir, 'config');
    const cases = [
      { content: `${process.pid}@${hostname()}`, by: `kplane pid ${process.pid}` },
      { content: '4242@build-host.example', by: 'kplane pid 4242 on build-host.example' },
      { content: '', by: 'another program, probably kubectl' },
    ];
    for (const { content, by } of cases) {
      await writeFile(`${file}.lock`, content);
      const notices: { lockFile: string; notice: string }[] = [];
      setTimeout(() => void rm(`${file}.lock`), 1_400);
      const started = Date.now();
      const locks = await acquireKubeconfigLocks([file], {
        onWait: (lockFile, notice) =>
          notices.push({ lockFile, notice: `${notice} after ${Date.now() - started}` }),
      });
      await locks.release();
      expect(notices).toHaveLength(1);
      expect(notices[0]!.lockFile).toBe(`${file}.lock`);
      const [, text, after] = /^(.*) after (\d+)$/.exec(notices[0]!.notice)!;
      expect(text).toBe(`waiting for the kubeconfig lock ${file}.lock (held by ${by}) ...`);
      expect(Number(after)).toBeGreaterThanOrEqual(1_000);
      expect(Number(after)).toBeLessThan(1_400);
    }
  });

  it('breaks a lock left by a process that is gone', async () => {
    const file = join(dir, 'config');
    await writeFile(`${file}.lock`, `${deadPid()}@${hostname()}`);
    const started = Date.now();
    await withKubeconfigLocks([file], async () => undefined, { timeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await exists(`${file}.lock`)).toBe(false);
  });

  it('never breaks an empty (kubectl) lock or another host’s lock; it times out with advice', async () => {
    for (const content of ['', `${deadPid()}@another-host.example`]) {
      const file = join(dir, 'config');
      await writeFile(`${file}.lock`, content);
      const error = await acquireKubeconfigLocks([file], { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeconfigLockError);
      expect((error as Error).message).toBe(
        `timed out after 0.1s waiting for the kubeconfig lock ${file}.lock. ` +
          `If no kubectl or kplane is running, remove it: rm ${file}.lock`,
      );
      expect(await readFile(`${file}.lock`, 'utf8')).toBe(content);
    }
  });

  it('releases what it took when a later lock times out', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeFile(`${b}.lock`, '');
    await expect(acquireKubeconfigLocks([a, b], { timeoutMs: 100 })).rejects.toThrow(KubeconfigLockError);
    expect(await exists(`${a}.lock`)).toBe(false);
  });
});
