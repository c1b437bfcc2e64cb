import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import type { ObjectKey } from '../storage/object-key.js';
import { credentialExpiry, credentialLifetime } from './credential-lifetime.js';
import { TOKEN_EXPIRY_EXTRA, type UserInfo } from './user.js';

const accountKey: ObjectKey = {
  cluster: 'compute',
  resource: 'serviceaccounts',
  namespace: 'eu-1',
  name: 'agent',
};
const account = (uid: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'agent', namespace: 'eu-1', uid },
});
function store(initial?: KubeObject) {
  let stored = initial;
  return {
    reader: { get: (key: ObjectKey) => (key.name === 'agent' ? stored : undefined), list: () => [] },
    set: (object: KubeObject | undefined) => (stored = object),
  };
}
const agent: UserInfo = {
  name: 'system:serviceaccount:eu-1:agent',
  groups: [],
  boundTo: { cluster: 'compute', uid: 'u1' },
  extra: { [TOKEN_EXPIRY_EXTRA]: ['2026-12-07T06:00:00Z'] },
};

describe('credentialLifetime', () => {
  it("ends a ServiceAccount token's hold when its account is deleted or made again with another uid", () => {
    const accounts = store(account('u1'));
    const lifetime = credentialLifetime(agent, 'compute', accounts.reader);
    expect(lifetime.holds()).toBe(true);
    accounts.set(undefined);
    expect(lifetime.holds()).toBe(false);
    accounts.set(account('u2'));
    expect(lifetime.holds()).toBe(false);
  });

  it('is revoked only by changes to its own ServiceAccount', () => {
    const { revokedBy } = credentialLifetime(agent, 'compute', store(account('u1')).reader);
    expect(revokedBy(accountKey)).toBe(true);
    expect(revokedBy({ ...accountKey, name: 'other' })).toBe(false);
    expect(revokedBy({ ...accountKey, namespace: 'eu-2' })).toBe(false);
    expect(revokedBy({ ...accountKey, cluster: 'elsewhere' })).toBe(false);
    expect(revokedBy({ ...accountKey, resource: 'configmaps' })).toBe(false);
  });

  it('never revokes an unbound credential, which holds as long as it has not expired', () => {
    const person = credentialLifetime({ name: 'alice', groups: [] }, 'compute', store().reader);
    expect(person.holds()).toBe(true);
    expect(person.revokedBy(accountKey)).toBe(false);
    expect(person.expiresAt).toBeUndefined();
  });
});

describe('credentialExpiry', () => {
  it('reads the expiry every authenticator states, and treats an unreadable one as already past', () => {
    expect(credentialExpiry(agent)).toBe(Date.parse('2026-12-07T06:00:00Z'));
    expect(credentialExpiry({ name: 'alice', groups: [] })).toBeUndefined();
    expect(credentialExpiry({ name: 'x', groups: [], extra: { [TOKEN_EXPIRY_EXTRA]: ['soon'] } })).toBe(0);
  });
});
