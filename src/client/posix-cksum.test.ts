import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { posixCksum } from './posix-cksum.js';

describe('posixCksum', () => {
  it('prints what the system cksum prints for the same bytes on standard input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const system = execFileSync('cksum', { input: bytes, encoding: 'utf8' }).trim();
        expect(posixCksum(bytes)).toBe(system);
      }),
      { numRuns: 40 },
    );
  });

  it('knows the empty input and a known line', () => {
    expect(posixCksum(new Uint8Array())).toBe('4294967295 0');
    expect(posixCksum(Buffer.from('hello\n'))).toBe('3015617425 6');
  });
});
