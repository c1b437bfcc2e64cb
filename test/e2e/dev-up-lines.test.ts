import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kplane, kplaneBin, repoRoot, run, userSandbox } from './helpers/cli.js';

const user = userSandbox('kplane-dev-lines-');
const dataDirs: string[] = [];

afterAll(async () => {
  for (const dataDir of dataDirs) await kplane(['dev', 'down', '--data-dir', dataDir]);
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  user.cleanup();
});

/**
 * A shell right after `git clone` and `npm ci`: no kplane on PATH, and none of the npm_* variables of the npm
 * process that may have started this test run.
 */
function cloneShellEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...user.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) env[key] = undefined;
  env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.endsWith(path.join('node_modules', '.bin')))
    .join(path.delimiter);
  return env;
}

/** In the clone, as a newcomer types it. */
const inClone = (script: string) =>
  run('bash', ['-c', `cd ${JSON.stringify(repoRoot)} && ${script}`], {
    env: cloneShellEnv(),
    timeoutMs: 90_000,
  });

/** The indented lines under "Use it:", and the command after "Stop it with". */
function pasteableLines(stdout: string): { use: string[]; stop: string } {
  const lines = stdout.split('\n');
  const start = lines.indexOf('Use it:') + 1;
  const end = lines.indexOf('', start);
  const stop = /^Stop it with (.*)\.$/m.exec(stdout)?.[1] ?? '';
  return { use: lines.slice(start, end).map((line) => line.trim()), stop };
}

function newDataDir(): string {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kplane-dev-lines-'));
  dataDirs.push(dataDir);
  return dataDir;
}

describe('kplane dev up prints lines a newcomer can paste', () => {
  it(
    'through npx in a fresh clone: npx kplane lines that work when pasted',
    { timeout: 120_000 },
    async () => {
      const dataDir = newDataDir();
      const up = await inClone(`npx --offline kplane dev up --detach --demo --port 0 --data-dir ${dataDir}`);
      expect(up.code, up.stderr).toBe(0);
      const { use, stop } = pasteableLines(up.stdout);
      expect(use.slice(1)).toEqual([
        'npx kplane ws tree',
        'npx kplane ws use :root:acme:web',
        'kubectl get configmaps',
      ]);
      expect(stop).toBe(`npx kplane dev down --data-dir ${dataDir}`);

      const pasted = await inClone(use.join('\n'));
      expect(pasted.code, pasted.stderr).toBe(0);
      expect(pasted.stdout).toContain("Current workspace is 'root:acme:web' (type root:team).");
      expect(pasted.stdout).toContain('web-config');
      const stopped = await inClone(stop);
      expect(stopped.code, stopped.stderr).toBe(0);
    },
  );

  it(
    'run by path from a clone (no kplane on PATH): npx kplane lines, and without --demo none that need it',
    { timeout: 120_000 },
    async () => {
      const dataDir = newDataDir();
      const up = await inClone(
        `node ${JSON.stringify(kplaneBin)} dev up --detach --port 0 --data-dir ${dataDir}`,
      );
      expect(up.code, up.stderr).toBe(0);
      const { use, stop } = pasteableLines(up.stdout);
      expect(use.slice(1)).toEqual([
        'npx kplane ws tree',
        'npx kplane ws create team-a --enter',
        'kubectl get configmaps',
      ]);
      const pasted = await inClone(use.join('\n'));
      expect(pasted.code, pasted.stderr).toBe(0);
      expect(pasted.stdout).toContain("Current workspace is 'root:team-a'");
      expect((await inClone(stop)).code).toBe(0);
    },
  );
});
