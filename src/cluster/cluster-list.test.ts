import { describe, expect, it } from 'vitest';
import { clusterRow } from './cluster-list.js';

describe('clusterRow', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  it('shows a registered cluster as pending until accepted, and Unknown until its agent reports', () => {
    expect(
      clusterRow(
        {
          metadata: {
            name: 'eu-1',
            labels: { region: 'eu-west' },
            creationTimestamp: '2026-01-01T00:00:00Z',
          },
          spec: { hubAcceptsClient: false },
        },
        now,
      ),
    ).toEqual(['eu-1', 'pending', 'Unknown', 'region=eu-west', '60m']);
  });
  it('summarises many labels and leaves out the platform bookkeeping ones', () => {
    const row = clusterRow(
      {
        metadata: {
          name: 'eu-2',
          labels: {
            'cluster.open-cluster-management.io/clusterset': 'default',
            a: '1',
            b: '2',
            c: '3',
            d: '4',
          },
        },
        spec: { hubAcceptsClient: true },
        status: { conditions: [{ type: 'ManagedClusterConditionAvailable', status: 'True' }] },
      },
      now,
    );
    expect(row.slice(1, 4)).toEqual(['true', 'True', 'a=1,b=2,c=3,+1']);
  });
});
