import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquirePidFile, AlreadyRunningError } from './pid-file.js';

describe('acquirePidFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kplane-pid-'));
  afterEach(() => rmSync(join(dir, 'server.pid'), { force: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('claims the folder and releases it', () => {
    const release = acquirePidFile(dir);
    expect(readFileSync(join(dir, 'server.pid'), 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquirePidFile(dir)).toThrow(AlreadyRunningError);
    release();
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);
  });

  it('refuses while another live process holds it', () => {
    writeFileSync(join(dir, 'server.pid'), `${process.ppid}\n`);
    expect(() => acquirePidFile(dir)).toThrow(
      `kplane platform is already running on ${dir} (pid ${process.ppid})`,
    );
  });

  it('replaces a file left by a dead process', () => {
    writeFileSync(join(dir, 'server.pid'), '2147483646\n');
    const release = acquirePidFile(dir);
    expect(readFileSync(join(dir, 'server.pid'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('gives each replica of a shared folder its own claim', () => {
    const first = acquirePidFile(dir, process.pid, 'r1');
    const second = acquirePidFile(dir, process.pid, 'r2');
    expect(readFileSync(join(dir, 'server-r1.pid'), 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquirePidFile(dir, process.pid, 'r1')).toThrow(AlreadyRunningError);
    first();
    second();
    expect(existsSync(join(dir, 'server-r1.pid'))).toBe(false);
    expect(existsSync(join(dir, 'server-r2.pid'))).toBe(false);
  });
});
