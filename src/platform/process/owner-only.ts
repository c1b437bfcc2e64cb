import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// A data folder holds every tenant's objects and secrets, the serving key and the admin token: it is
// the owner's alone, whatever the umask was when it was made. Folders are 0700 (etcd refuses a data
// directory that is not) and files 0600.

export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

/**
 * Creates `dir` owner-only if it is missing, and makes it and everything below it owner-only if it
 * is not. Returns the paths whose mode had to change. Symbolic links are left alone: changing one
 * would change whatever it points at.
 */
export function makeOwnerOnly(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  const fixed: string[] = [];
  const visit = (target: string) => {
    const stat = lstatSync(target);
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? OWNER_ONLY_DIR : OWNER_ONLY_FILE;
    if ((stat.mode & 0o777) !== wanted) {
      chmodSync(target, wanted);
      fixed.push(target);
    }
    if (stat.isDirectory()) for (const entry of readdirSync(target)) visit(join(target, entry));
  };
  visit(dir);
  return fixed;
}

/**
 * Creates `file` empty and owner-only if it is missing, and makes it owner-only if it is not, so a
 * library that creates files with its own default mode (SQLite: 0644) finds it already there.
 */
export function ensureOwnerOnlyFile(file: string): void {
  closeSync(openSync(file, 'a', OWNER_ONLY_FILE));
  chmodSync(file, OWNER_ONLY_FILE);
}
