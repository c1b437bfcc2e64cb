import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStoredCredential, renewalDelayMs } from './hub-credential.js';

describe('renewalDelayMs', () => {
  it('renews at 80 % of the token life', () => {
    expect(renewalDelayMs(0, 10_000_000, 0)).toBe(8_000_000);
    expect(renewalDelayMs(0, 10_000_000, 5_000_000)).toBe(3_000_000);
  });
  it('renews within a second when that point has passed (a restart late in the token life)', () => {
    expect(renewalDelayMs(0, 10_000_000, 9_999_000)).toBe(1000);
  });
});

describe('readStoredCredential', () => {
  it('reads back a credential only for the hub it was issued by', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-hub-credential-'));
    try {
      expect(readStoredCredential(dir, 'https://hub')).toBeUndefined();
      writeFileSync(
        path.join(dir, 'hub-token.json'),
        JSON.stringify({ token: 't', expiresAt: 5, server: 'https://hub' }),
      );
      expect(readStoredCredential(dir, 'https://hub')).toEqual({
        token: 't',
        expiresAt: 5,
        server: 'https://hub',
      });
      expect(readStoredCredential(dir, 'https://other-hub')).toBeUndefined();
      writeFileSync(path.join(dir, 'hub-token.json'), 'not json');
      expect(readStoredCredential(dir, 'https://hub')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
