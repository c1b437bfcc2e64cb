import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureOwnerOnlyFile, makeOwnerOnly } from './owner-only.js';

const modeOf = (target: string) => statSync(target).mode & 0o777;

describe('makeOwnerOnly', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kplane-owner-only-'));
    dirs.push(dir);
    return dir;
  };

  it('creates a missing folder, parents included, owner-only', () => {
    const dir = join(scratch(), 'a', 'b');
    expect(makeOwnerOnly(dir)).toEqual([]);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('tightens an existing folder and everything below it, and names what it changed', () => {
    const dir = scratch();
    const sub = join(dir, 'sub');
    mkdirSync(sub, { mode: 0o755 });
    writeFileSync(join(dir, 'open.db'), '', { mode: 0o644 });
    writeFileSync(join(sub, 'key'), '', { mode: 0o666 });
    writeFileSync(join(dir, 'fine'), '', { mode: 0o600 });
    chmodSync(dir, 0o755);
    expect(makeOwnerOnly(dir).sort()).toEqual([dir, join(dir, 'open.db'), sub, join(sub, 'key')].sort());
    expect([dir, sub].map(modeOf)).toEqual([0o700, 0o700]);
    expect([join(dir, 'open.db'), join(sub, 'key'), join(dir, 'fine')].map(modeOf)).toEqual([
      0o600, 0o600, 0o600,
    ]);
    expect(makeOwnerOnly(dir)).toEqual([]);
  });

  it('leaves what a symbolic link points at alone', () => {
    const dir = scratch();
    const outside = join(scratch(), 'shared.txt');
    writeFileSync(outside, '', { mode: 0o644 });
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dir, 'link'));
    makeOwnerOnly(dir);
    expect(modeOf(outside)).toBe(0o644);
  });

  it('creates a file owner-only before a library with its own default mode opens it', () => {
    const file = join(scratch(), 'platform.db');
    ensureOwnerOnlyFile(file);
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o644);
    ensureOwnerOnlyFile(file);
    expect(modeOf(file)).toBe(0o600);
  });
});
