import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import { openDatabase } from '../storage/database.js';
import { EventLog } from '../storage/event-log.js';
import { ObjectStore } from '../storage/object-store.js';
import { CRDS } from './constants.js';
import { CrdDefinitions } from './crd-source.js';

const dir = mkdtempSync(join(tmpdir(), 'kplane-crd-source-'));
const db = openDatabase(join(dir, 'platform.db'));
const store = new ObjectStore(db, new EventLog(ObjectStore.initialResourceVersion(db)));
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const here = { id: 'c-here', path: 'root:here' };
const there = { id: 'c-there', path: 'root:there' };
const key = (cluster: string) => ({ cluster, resource: CRDS, namespace: '', name: 'widgets.example.io' });

function widgets(generation: number, established = true, maximum = 5): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.io', uid: 'u1', generation },
    spec: {
      group: 'example.io',
      names: { plural: 'widgets', kind: 'Widget' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { size: { type: 'integer', maximum } } } },
        },
      ],
    },
    status: { conditions: [{ type: 'Established', status: established ? 'True' : 'False' }] },
  };
}

const put = (cluster: string, crd: KubeObject) => store.transact((tx) => tx.put(key(cluster), crd));

describe('CrdDefinitions', () => {
  const crds = new CrdDefinitions(store, store.events);

  it('serves the established CRDs of the asking workspace only', async () => {
    put(here.id, widgets(1));
    put(there.id, widgets(1, false));
    expect(crds.source(here).map((def) => `${def.resource}.${def.group}/${def.version}`)).toEqual([
      'widgets.example.io/v1',
    ]);
    expect(crds.source(there)).toEqual([]);
  });

  it('answers from memory until a CRD of that workspace changes', async () => {
    const first = crds.source(here);
    store.transact((tx) => tx.put({ ...key(there.id), name: 'other' }, widgets(1)));
    expect(crds.source(here)).toBe(first);
    put(there.id, widgets(1));
    expect(crds.source(there)).toHaveLength(2);
  });

  it('keeps a CRD bundle across status writes and rebuilds it when the spec (generation) moves', async () => {
    const [before] = crds.source(here);
    put(here.id, {
      ...widgets(1),
      status: { conditions: [{ type: 'Established', status: 'True', reason: 'Again' }] },
    });
    const [afterStatus] = crds.source(here);
    expect(afterStatus).toBe(before);
    put(here.id, widgets(2, true, 9));
    const [afterSpec] = crds.source(here);
    expect(afterSpec).not.toBe(before);
    expect(
      afterSpec!.hooks!.validate!(
        { apiVersion: 'example.io/v1', kind: 'Widget', metadata: {}, size: 7 } as never,
        undefined,
        {} as never,
      ),
    ).toEqual([]);
  });
});
