import { readFileSync } from 'node:fs';

/**
 * Whether a pid names a running process. A killed process whose parent has not reaped it yet (a zombie, common
 * for a detached server whose launcher has exited) still answers signal 0, but it is dead: on Linux its state in
 * /proc says so.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): signal 0 is all we know
  }
}
