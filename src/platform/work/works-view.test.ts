import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import type { ProjectionSource } from '../api/projected-kind.js';
import type { ClusterIndex } from '../storage/cluster-index.js';
import { OWNER_ANNOTATION, OWNER_LABEL } from './work-names.js';
import { ownerHash } from './work-owner.js';
import { manifestWorksView } from './works-view.js';

// A work shows in a workspace only when its owner annotation names that workspace and its owner label is
// the annotation's hash: a work whose annotation was rewritten (before the admission refused it, or in
// storage) shows in neither tenant's view.

const ALICE = { workspace: 'alice-id', namespace: 'default', name: 'web' };
const BOB = { workspace: 'bob-id', namespace: 'default', name: 'web' };

function work(name: string, annotation: string, label: string): KubeObject {
  return {
    apiVersion: 'work.open-cluster-management.io/v1',
    kind: 'ManifestWork',
    metadata: {
      name,
      namespace: 'eu-1',
      labels: { [OWNER_LABEL]: label },
      annotations: { [OWNER_ANNOTATION]: annotation },
    },
  };
}

function viewOf(workspace: string, works: KubeObject[]) {
  const paths: Record<string, { id: string; path: string }> = {
    'root:compute': { id: 'compute-id', path: 'root:compute' },
  };
  const source: ProjectionSource = {
    reader: { get: () => undefined, list: () => works.map((object) => ({ object })) },
    clusters: { resolve: (path: string) => paths[path] } as unknown as ClusterIndex,
  };
  return manifestWorksView({ id: workspace, path: `root:${workspace}` }, source);
}

describe('manifestWorksView: whose works a workspace sees', () => {
  it("shows a work whose owner label is its annotation's hash to the owner's workspace only", () => {
    const works = [work('web-a', 'alice-id/default/web', ownerHash(ALICE))];
    expect(
      viewOf('alice-id', works)
        ?.list()
        .map((w) => w.metadata.name),
    ).toEqual(['web-a']);
    expect(viewOf('bob-id', works)?.list()).toEqual([]);
  });

  it("shows nowhere a work whose annotation was rewritten to another tenant's", () => {
    const moved = [work('web-a', 'bob-id/default/web', ownerHash(ALICE))];
    expect(viewOf('bob-id', moved)?.list()).toEqual([]);
    expect(viewOf('alice-id', moved)?.list()).toEqual([]);
    // Bob's own works, marked consistently, still show.
    expect(viewOf('bob-id', [work('web-b', 'bob-id/default/web', ownerHash(BOB))])?.list()).toHaveLength(1);
  });
});
