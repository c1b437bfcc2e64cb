import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoCurrentContextError } from './errors.js';
import { loadKubeconfigWithContext } from './load-settled.js';

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: https://platform.example}
contexts:
- name: ctx
  context: {cluster: c, user: u}
users:
- name: u
  user: {}
current-context: ctx
`;

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kplane-settled-'));
  file = join(dir, 'config');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKubeconfigWithContext', () => {
  it('reads again after kubectl finished writing (file empty or cut short while its lock is held)', async () => {
    for (const midWrite of ['', kubeconfig.slice(0, 40)]) {
      await writeFile(`${file}.lock`, '');
      await writeFile(file, midWrite);
      setTimeout(() => {
        void writeFile(file, kubeconfig).then(() => unlink(`${file}.lock`));
      }, 200);
      const loaded = await loadKubeconfigWithContext({ explicitPath: file, env: {} });
      expect(loaded.config.currentContext).toBe('ctx');
    }
  });

  it.each([
    [
      'an empty file',
      '',
      (f: string) =>
        `kubeconfig ${f} is empty: log in with "kplane login URL", or name another file with --kubeconfig or KUBECONFIG`,
    ],
    [
      'a file without current-context',
      kubeconfig.replace('current-context: ctx\n', ''),
      (f: string) =>
        `kubeconfig ${f} has no current-context: choose one with "kubectl config use-context NAME", or log in with "kplane login URL"`,
    ],
  ])('says what is wrong with %s', async (_, text, message) => {
    await writeFile(file, text);
    const error = await loadKubeconfigWithContext({ explicitPath: file, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoCurrentContextError);
    expect((error as Error).message).toBe(message(file));
  });

  it('names the file it looked for, and that HOME is unset', async () => {
    const home = join(dir, 'passwd-home');
    const error = await loadKubeconfigWithContext({ env: {}, homeDir: home }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `no kubeconfig found at ${home}/.kube/config (HOME is not set, so kplane looked in ${home}, your home folder ` +
        'in the user database): log in with "kplane login URL", or name another file with --kubeconfig or KUBECONFIG',
    );
  });
});
