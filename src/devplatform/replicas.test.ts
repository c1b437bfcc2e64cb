import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../shared/process-alive.js';
import { stopPlatformProcesses, stopReplicated } from './replicas.js';

// stopReplicated against real processes standing in for the front, the replicas and the local etcd: it only
// reads pid files and signals, so any process that stops on SIGTERM will do.

const dir = mkdtempSync(path.join(os.tmpdir(), 'kplane-replicas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sleeper(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return child.pid!;
}

/** A pid no process has: the replica killed with SIGKILL before dev down. */
const DEAD_PID = 2147483646;

describe('stopReplicated', () => {
  it('stops the front, the live replicas and etcd, and clears a killed replica’s pid file', async () => {
    const pids = { front: sleeper(), r1: sleeper(), etcd: sleeper() };
    writeFileSync(path.join(dir, 'front.pid'), `${pids.front}\n`);
    writeFileSync(path.join(dir, 'server-r1.pid'), `${pids.r1}\n`);
    writeFileSync(path.join(dir, 'server-r2.pid'), `${DEAD_PID}\n`);
    writeFileSync(path.join(dir, 'etcd.pid'), `${pids.etcd}\n`);
    writeFileSync(path.join(dir, 'topology.json'), '{}\n');

    const stopped = await stopReplicated(dir);

    expect(stopped.map(({ role, pid }) => [role, pid])).toEqual([
      ['front', pids.front],
      ['replica r1', pids.r1],
      ['etcd', pids.etcd],
    ]);
    for (const pid of Object.values(pids)) expect(isProcessAlive(pid)).toBe(false);
    for (const file of ['front.pid', 'server-r1.pid', 'server-r2.pid', 'etcd.pid', 'topology.json'])
      expect(existsSync(path.join(dir, file)), file).toBe(false);
  });

  it('says nothing runs (exit 3) when every recorded process is gone', async () => {
    writeFileSync(path.join(dir, 'server.pid'), `${DEAD_PID}\n`);
    await expect(stopPlatformProcesses(dir)).rejects.toMatchObject({
      exitCode: 3,
      message: `no kplane platform is running on ${dir}`,
    });
    expect(existsSync(path.join(dir, 'server.pid'))).toBe(false);
  });
});
