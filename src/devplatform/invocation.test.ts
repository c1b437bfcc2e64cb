import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kplaneInvocation } from './invocation.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-invocation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A global install: <prefix>/bin/kplane and kubectl-kplane link into <prefix>/lib/node_modules/kplane/bin/.
const packageBin = path.join(dir, 'lib', 'node_modules', 'kplane', 'bin');
const globalBin = path.join(dir, 'bin');
mkdirSync(packageBin, { recursive: true });
mkdirSync(globalBin);
for (const file of ['run.js', 'kubectl-kplane'])
  writeFileSync(path.join(packageBin, file), '', { mode: 0o755 });
symlinkSync(path.join(packageBin, 'run.js'), path.join(globalBin, 'kplane'));
symlinkSync(path.join(packageBin, 'kubectl-kplane'), path.join(globalBin, 'kubectl-kplane'));
// A clone after `npm ci`: its own launcher, on no PATH.
const clone = path.join(dir, 'clone', 'bin', 'run.js');
mkdirSync(path.dirname(clone), { recursive: true });
writeFileSync(clone, '', { mode: 0o755 });

const PATH = `${globalBin}${path.delimiter}/usr/bin`;

describe('kplaneInvocation: what dev up tells a newcomer to type', () => {
  it('says kplane after a global install, whichever launcher started it', () => {
    expect(kplaneInvocation({ PATH }, path.join(globalBin, 'kplane'))).toBe('kplane');
    expect(kplaneInvocation({ PATH }, path.join(globalBin, 'kubectl-kplane'))).toBe('kplane');
  });

  it('says npx kplane from a clone, whose kplane is on no PATH', () => {
    expect(kplaneInvocation({ PATH: '/usr/bin' }, clone)).toBe('npx kplane');
    // Another kplane on PATH is not this one.
    expect(kplaneInvocation({ PATH }, clone)).toBe('npx kplane');
  });

  it('says npx kplane when npx started kplane, even though npx put it on PATH for the run', () => {
    const npx = { PATH, npm_command: 'exec', npm_lifecycle_script: "'kplane'" };
    expect(kplaneInvocation(npx, path.join(globalBin, 'kplane'))).toBe('npx kplane');
  });

  it('is not fooled by an npx run of something else that started kplane', () => {
    const vitest = { PATH, npm_command: 'exec', npm_lifecycle_script: "'vitest' run" };
    expect(kplaneInvocation(vitest, path.join(globalBin, 'kplane'))).toBe('kplane');
  });
});
