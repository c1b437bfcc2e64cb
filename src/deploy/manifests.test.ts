import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifests } from './manifests.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};

describe('readManifests', () => {
  it('reads multi-document YAML and flattens a List', async () => {
    const f = file(
      'a.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n',
    );
    expect((await readManifests([f])).map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });

  it('reads the YAML and JSON files of a folder in name order, and nothing else', async () => {
    const sub = mkdtempSync(path.join(dir, 'app-'));
    writeFileSync(path.join(sub, 'b.json'), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}');
    writeFileSync(path.join(sub, 'a.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    writeFileSync(path.join(sub, 'notes.txt'), 'not a manifest');
    expect((await readManifests([sub])).map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });

  it('reads several sources in the order given, as kubectl apply -f A -f B does', async () => {
    const b = file('b-first.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-b}\n');
    const a = file('a-second.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: from-a}\n');
    expect((await readManifests([b, a])).map((m) => m.metadata.name)).toEqual(['from-b', 'from-a']);
    await expect(readManifests([file('none-1.yaml', ''), file('none-2.yaml', '# x\n')])).rejects.toThrow(
      'hold no Kubernetes objects to deploy',
    );
  });

  it('refuses an empty file, an object without a name, bad YAML and a missing file, clearly', async () => {
    await expect(readManifests([file('empty.yaml', '# none\n')])).rejects.toThrow(
      'holds no Kubernetes objects to deploy',
    );
    await expect(readManifests([file('noname.yaml', 'apiVersion: v1\nkind: ConfigMap\n')])).rejects.toThrow(
      'every object needs apiVersion, kind and metadata.name',
    );
    await expect(readManifests([file('bad.yaml', 'a: [\n')])).rejects.toThrow('bad.yaml');
    await expect(readManifests([path.join(dir, 'missing.yaml')])).rejects.toMatchObject({ exitCode: 2 });
  });
});
