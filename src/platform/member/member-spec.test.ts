import { describe, expect, it } from 'vitest';
import { DEMO_CLUSTERS } from '../compute/demo-inventory.js';
import { demoMembers, MemberSpecError, parseMemberSpecs } from './member-spec.js';

describe('parseMemberSpecs', () => {
  it('takes capacity as allocatable unless given, with a kubelet’s 110 pods', () => {
    expect(
      parseMemberSpecs(
        '[{"name": "eu-1", "labels": {"region": "eu"}, "capacity": {"cpu": 8, "memory": "32Gi"}}]',
      ),
    ).toEqual([
      {
        name: 'eu-1',
        labels: { region: 'eu' },
        capacity: { pods: '110', cpu: '8', memory: '32Gi' },
        allocatable: { pods: '110', cpu: '8', memory: '32Gi' },
      },
    ]);
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['an empty list', '[]', 'non-empty JSON array'],
    ['a bad name', '[{"name": "EU_1"}]', 'member 0: "name" must be a DNS label'],
    ['a name twice', '[{"name": "a"}, {"name": "a"}]', 'member 1: "a" appears twice'],
    [
      'a bad quantity',
      '[{"name": "a", "capacity": {"cpu": "lots"}}]',
      'member 0.capacity.cpu: invalid quantity "lots"',
    ],
    [
      'a negative quantity',
      '[{"name": "a", "allocatable": {"cpu": "-4"}}]',
      'member 0.allocatable.cpu: "-4" must be a quantity of at least 0 and below 9223372036854775807m',
    ],
    [
      'an unbounded quantity',
      '[{"name": "a", "capacity": {"memory": "1e999"}}]',
      'member 0.capacity.memory: "1e999" must be a quantity of at least 0 and below 9223372036854775807m',
    ],
    ['a label that is no string', '[{"name": "a", "labels": {"tier": 1}}]', 'label values must be strings'],
  ])('refuses %s, saying where', (_, text, message) => {
    expect(() => parseMemberSpecs(text)).toThrow(MemberSpecError);
    expect(() => parseMemberSpecs(text)).toThrow(message);
  });
});

describe('demoMembers', () => {
  it('are the demo inventory: its names, labels and capacities', () => {
    const members = demoMembers();
    expect(members.map((m) => m.name)).toEqual(DEMO_CLUSTERS.map((c) => c.name));
    expect(members[0]).toEqual({
      name: 'aws-eu-west-1',
      labels: { region: 'eu-west', zone: 'eu-west-1a', provider: 'aws', tier: 'gold', vendor: 'Kubernetes' },
      capacity: { cpu: '64', memory: '256Gi', pods: '110' },
      allocatable: { cpu: '60', memory: '240Gi', pods: '110' },
    });
  });
});
