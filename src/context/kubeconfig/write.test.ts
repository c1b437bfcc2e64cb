import { chmod, lstat, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolveWriteTarget, writeKubeconfigAtomically } from './write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeKubeconfigAtomically', () => {
  it('keeps the mode of an existing file and leaves no temp file', async () => {
    const file = join(dir, 'config');
    await writeFile(file, 'old');
    await chmod(file, 0o640);
    await writeKubeconfigAtomically(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('creates a new file 0600, and its folder', async () => {
    const file = join(dir, 'sub', '.kube', 'config');
    await writeKubeconfigAtomically(file, 'x');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('writes through a symlink and keeps the link', async () => {
    const real = join(dir, 'real-config');
    const link = join(dir, 'config');
    await writeFile(real, 'old');
    await chmod(real, 0o600);
    await symlink('real-config', link);
    await writeKubeconfigAtomically(link, 'new');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, 'utf8')).toBe('new');
    expect((await stat(real)).mode & 0o777).toBe(0o600);
  });

  it('follows a dangling symlink to create its target', async () => {
    const link = join(dir, 'config');
    await symlink('target', link);
    expect(await resolveWriteTarget(link)).toBe(join(dir, 'target'));
    await writeKubeconfigAtomically(link, 'x');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(join(dir, 'target'), 'utf8')).toBe('x');
  });

  it('removes the temp files that killed kplanes left beside the kubeconfig, and only those', async () => {
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const alive = String(process.ppid);
    const leftovers = [`.config.kplane-${dead}-k3j4h5g6.tmp`, `config.lock.kplane-${dead}.tmp`];
    const kept = [
      `.config.kplane-${alive}-abcdefgh.tmp`, // a kplane writing right now
      `.other.kplane-${dead}-abcdefgh.tmp`, // another kubeconfig's
      'config.lock.tmp',
      'notes.tmp',
    ];
    for (const name of [...leftovers, ...kept]) await writeFile(join(dir, name), 'copy');
    await writeKubeconfigAtomically(join(dir, 'config'), 'new');
    expect((await readdir(dir)).sort()).toEqual(['config', ...kept].sort());
  });
});
