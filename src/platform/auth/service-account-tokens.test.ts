import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/object.js';
import type { ObjectKey } from '../storage/object-key.js';
import {
  audienceErrors,
  credentialValidIn,
  expirationErrors,
  PLATFORM_AUDIENCE,
  tokenAudiences,
} from './service-account-tokens.js';
import type { UserInfo } from './user.js';

const account = (uid: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'agent', namespace: 'eu-1', uid },
});
const readerWith = (stored: Record<string, KubeObject>) => ({
  get: (key: ObjectKey) => stored[`${key.cluster}/${key.resource}/${key.namespace}/${key.name}`],
  list: () => [],
});
const bound: UserInfo = {
  name: 'system:serviceaccount:eu-1:agent',
  groups: [],
  boundTo: { cluster: 'compute', uid: 'u1' },
};

describe('expirationErrors', () => {
  it.each([600, 3600, 365 * 24 * 3600])('accepts %d seconds', (seconds) =>
    expect(expirationErrors(seconds)).toEqual([]),
  );
  it.each([
    [599, 'may not specify a duration less than 10 minutes'],
    [365 * 24 * 3600 + 1, 'may not specify a duration larger than 31536000 seconds (365 days)'],
    [1.5, 'must be a whole number of seconds'],
    ['600', 'must be a whole number of seconds'],
  ])('refuses %j', (seconds, detail) => expect(expirationErrors(seconds)[0]?.detail).toBe(detail));
});

describe('credentialValidIn', () => {
  it('lets an unbound credential act anywhere', () => {
    expect(credentialValidIn({ name: 'alice', groups: [] }, 'anywhere', readerWith({}))).toBe(true);
  });
  it('holds a bound token to its cluster and to the very ServiceAccount it was minted for', () => {
    const live = readerWith({ 'compute/serviceaccounts/eu-1/agent': account('u1') });
    expect(credentialValidIn(bound, 'compute', live)).toBe(true);
    expect(credentialValidIn(bound, 'elsewhere', live)).toBe(false);
    expect(credentialValidIn(bound, 'compute', readerWith({}))).toBe(false);
    const recreated = readerWith({ 'compute/serviceaccounts/eu-1/agent': account('u2') });
    expect(credentialValidIn(bound, 'compute', recreated)).toBe(false);
  });
});

describe('token audiences', () => {
  it("gives a token the platform's own audience when none is asked for", () => {
    expect(tokenAudiences(undefined)).toEqual([PLATFORM_AUDIENCE]);
    expect(tokenAudiences([])).toEqual([PLATFORM_AUDIENCE]);
    expect(tokenAudiences([PLATFORM_AUDIENCE, 'https://other'])).toEqual([
      PLATFORM_AUDIENCE,
      'https://other',
    ]);
  });
  it("refuses audiences that leave the platform's own out: nobody else can check its tokens", () => {
    expect(audienceErrors([PLATFORM_AUDIENCE])).toEqual([]);
    expect(audienceErrors(['https://vault.example.com', PLATFORM_AUDIENCE])).toEqual([]);
    expect(audienceErrors(['https://vault.example.com'])).toEqual([
      expect.objectContaining({
        type: 'Invalid',
        field: 'spec.audiences',
        value: ['https://vault.example.com'],
      }),
    ]);
  });
});
