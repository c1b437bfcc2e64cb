import { describe, expect, it, vi } from 'vitest';
import type { TokenRecord, TokenStore } from '../storage/token-store.js';
import { authenticate } from './authenticate.js';
import { hashToken, mintToken } from './tokens.js';

function storeWith(records: TokenRecord[]): TokenStore {
  return {
    find: (hash: string) => records.find((r) => r.hash === hash),
    add: () => undefined,
  } as unknown as TokenStore;
}

describe('authenticate', () => {
  const token = mintToken();
  const expiredToken = mintToken();
  const tokens = storeWith([
    { hash: hashToken(token), user: 'alice', groups: ['dev'] },
    { hash: hashToken(expiredToken), user: 'bob', groups: [], expiresAt: 1_000 },
  ]);

  it('mints 32-byte base64url tokens and stores only hashes', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });

  it('finds the user by the hash of the bearer token', () => {
    expect(authenticate({ authorization: `Bearer ${token}` }, tokens)).toEqual({
      name: 'alice',
      groups: ['dev', 'system:authenticated'],
    });
  });

  it.each([
    ['missing', undefined],
    ['unknown', `Bearer ${mintToken()}`],
    ['not bearer', `Basic ${token}`],
    ['empty', 'Bearer '],
  ])('rejects a %s token', (_, header) => {
    expect(authenticate(header === undefined ? {} : { authorization: header }, tokens)).toBeUndefined();
  });

  it('rejects an expired token', () => {
    expect(authenticate({ authorization: `Bearer ${expiredToken}` }, tokens, 999)).toEqual({
      name: 'bob',
      groups: ['system:authenticated'],
      extra: { 'authentication.kplane.dev/expires-at': ['1970-01-01T00:00:01Z'] },
    });
    expect(authenticate({ authorization: `Bearer ${expiredToken}` }, tokens, 1_000)).toBeUndefined();
  });

  it('turns a failure inside authentication into "not authenticated", never an exception', () => {
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // A token minted before TTLs were bounded: its expiry is past what a Date can hold.
    const farFuture = mintToken();
    const broken = storeWith([{ hash: hashToken(farFuture), user: 'carol', groups: [], expiresAt: 9e15 }]);
    expect(authenticate({ authorization: `Bearer ${farFuture}` }, broken)).toBeUndefined();
    const failing = {
      find: () => {
        throw new Error('database is locked');
      },
    } as unknown as TokenStore;
    expect(authenticate({ authorization: `Bearer ${token}` }, failing)).toBeUndefined();
    const log = logged.mock.calls.map(([text]) => String(text)).join('');
    logged.mockRestore();
    expect(log).toContain('authentication failed: database is locked');
    expect(log).not.toContain(farFuture);
    expect(log).not.toContain(token);
  });
});
