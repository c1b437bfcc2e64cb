// Failures injected into the file calls of the lock and the writer: whatever fails, nothing is left behind and the
// error names the file and says it is unchanged.
import * as fs from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitCodeFor } from '../../cli/errors.js';
import { KubeconfigLockError, KubeconfigReadOnlyError, KubeconfigWriteError } from './errors.js';
import { acquireKubeconfigLocks } from './lock.js';
import { modifyKubeconfig } from './modify.js';
import { writeKubeconfigAtomically } from './write.js';

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, writeSync: vi.fn(actual.writeSync), renameSync: vi.fn(actual.renameSync) };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-write-failures-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, write`), { code });
}

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://example.test
contexts:
- name: ctx
  context:
    cluster: c
    user: u
current-context: ctx
users:
- name: u
  user: {}
`;

describe('the kubeconfig lock under failure', () => {
  it('leaves no lock, not even an empty one, when writing its content fails (ENOSPC)', async () => {
    const file = join(dir, 'config');
    vi.mocked(fs.writeSync).mockImplementationOnce(() => {
      throw errno('ENOSPC', 'no space left on device');
    });
    const error = await acquireKubeconfigLocks([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeconfigLockError);
    expect((error as Error).message).toBe(
      `cannot create the kubeconfig lock ${file}.lock: no space left on device (ENOSPC). Nothing was changed.`,
    );
    expect(await readdir(dir)).toEqual([]);
    // and the next attempt takes the lock at once
    const locks = await acquireKubeconfigLocks([file], { timeoutMs: 500 });
    await locks.release();
  });
});

describe('writeKubeconfigAtomically under failure', () => {
  for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM']) {
    it(`names the file and says it is unchanged on ${code}, exit 6, no temp file left`, async () => {
      const file = join(dir, 'config');
      await writeFile(file, kubeconfig);
      const failing = code === 'EROFS' ? fs.renameSync : fs.writeSync;
      vi.mocked(failing).mockImplementationOnce(() => {
        throw errno(code, 'failed');
      });
      const error = await writeKubeconfigAtomically(file, 'new').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeconfigWriteError);
      expect((error as Error).message).toMatch(
        new RegExp(`^cannot write kubeconfig ${file}: [a-z /-]+ \\(${code}\\); the file is unchanged\\.$`),
      );
      expect(exitCodeFor(error)).toBe(6);
      expect(await readFile(file, 'utf8')).toBe(kubeconfig);
      expect(await readdir(dir)).toEqual(['config']);
    });
  }
});

describe('a read-only kubeconfig', () => {
  it('is refused with exit 6, its bytes and mode unchanged, even for root', async () => {
    const file = join(dir, 'config');
    await writeFile(file, kubeconfig);
    await chmod(file, 0o400);
    const error = await modifyKubeconfig({ explicitPath: file }, () => [
      { kind: 'set-current-context', name: 'other' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeconfigReadOnlyError);
    expect((error as Error).message).toBe(
      `kubeconfig ${file} is read-only (mode 0400); nothing was changed. ` +
        `Make it writable (chmod u+w ${file}) or choose another file with --kubeconfig.`,
    );
    expect(exitCodeFor(error)).toBe(6);
    expect(await readFile(file, 'utf8')).toBe(kubeconfig);
    expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    expect((await readdir(dir)).sort()).toEqual(['config']);
  });
});
