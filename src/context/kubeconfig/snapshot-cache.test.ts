import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeconfig } from './load.js';
import { readSnapshot, saveSnapshot, saveSnapshotIfUnchanged, stampFiles } from './snapshot-cache.js';
import { snapshotOf } from './snapshot-of.js';
import { kubeconfigSources } from './sources.js';

const kubeconfigWith = (user: string) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: https://platform.example:6443/clusters/root:a}
users:
- name: u
  user: ${user}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`;

let dir: string;
let file: string;
let cacheFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-snapshot-'));
  file = path.join(dir, 'config');
  cacheFile = path.join(dir, 'cache', 'snapshots.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function remember(): Promise<void> {
  const sources = kubeconfigSources({ explicitPath: file });
  const stamp = stampFiles(sources.files);
  const { config } = await loadKubeconfig({ explicitPath: file });
  saveSnapshot(sources, stamp, snapshotOf(config)!, cacheFile);
}

describe('the kubeconfig snapshot cache', () => {
  it('answers while the files are unchanged, and misses once any of them changes', async () => {
    writeFileSync(file, kubeconfigWith('{tokenFile: /tmp/t}'));
    await remember();
    const sources = kubeconfigSources({ explicitPath: file });
    expect(readSnapshot(sources, cacheFile)).toMatchObject({
      currentContext: 'ctx',
      server: 'https://platform.example:6443/clusters/root:a',
      settings: { tokenFile: '/tmp/t' },
    });
    writeFileSync(file, kubeconfigWith('{tokenFile: /tmp/other}'));
    expect(readSnapshot(sources, cacheFile)).toBeUndefined();
  });

  it('never writes an inline token to disk', async () => {
    writeFileSync(file, kubeconfigWith('{token: s3cret-token}'));
    await remember();
    expect(readFileSync(cacheFile, 'utf8')).not.toContain('s3cret-token');
    expect(readSnapshot(kubeconfigSources({ explicitPath: file }), cacheFile)).toEqual({
      currentContext: 'ctx',
      server: 'https://platform.example:6443/clusters/root:a',
    });
  });

  it('after a write, remembers only when the files still hold what was written', async () => {
    writeFileSync(file, kubeconfigWith('{tokenFile: /tmp/t}'));
    const { config } = await loadKubeconfig({ explicitPath: file });
    const sources = kubeconfigSources({ explicitPath: file });
    const written = new Map([[file, kubeconfigWith('{tokenFile: /tmp/t}')]]);
    saveSnapshotIfUnchanged(sources, new Map([[file, 'something else']]), snapshotOf(config)!, cacheFile);
    expect(readSnapshot(sources, cacheFile)).toBeUndefined();
    saveSnapshotIfUnchanged(sources, written, snapshotOf(config)!, cacheFile);
    expect(readSnapshot(sources, cacheFile)?.currentContext).toBe('ctx');
  });
});

describe('temp files of killed runs', () => {
  it('are removed from the cache folder once their process is gone', async () => {
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(file, kubeconfigWith('{}'));
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const live = `snapshots.json.${process.ppid}.tmp`;
    writeFileSync(path.join(path.dirname(cacheFile), `snapshots.json.${dead}.tmp`), '');
    writeFileSync(path.join(path.dirname(cacheFile), live), '');
    await remember();
    expect(readdirSync(path.dirname(cacheFile)).sort()).toEqual(['snapshots.json', live]);
  });
});
