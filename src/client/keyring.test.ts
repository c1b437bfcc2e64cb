import { describe, expect, it } from 'vitest';

describe('the OS keyring binding', () => {
  // keyring.ts treats any failure as "no keyring here" and falls back to the file, so a native binding that does
  // not load on a new Node major would pass unnoticed everywhere but here (CI runs this on Node 20, 22 and 24).
  it(`loads its N-API binary on Node ${process.version}`, async () => {
    const { AsyncEntry } = await import('@napi-rs/keyring');
    expect(new AsyncEntry('kplane-test', 'nobody')).toBeInstanceOf(AsyncEntry);
  });
});
