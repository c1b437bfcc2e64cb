import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKubectlAt,
  adminToken,
  mintToken,
  rawRequest,
  rawWatch,
  startPlatformProcess,
  type PlatformProcess,
} from './helpers/platform.js';

// Issue #16, finding 3: watchers that never read must not grow the server's memory without bound,
// nor slow anyone else down. The tester's run: four such watchers and 26 writes of a 2.5 MB config
// map took the server from 96 MB to 611 MB. Here: four stalled watchers, 30 config maps of 1 MB.

let platform: PlatformProcess;
let scratch: string;
let ca: Buffer;
let token: string;
let otherToken: string;
const stalled: TLSSocket[] = [];

const WORKSPACE = 'root:load';
const CONFIGMAPS = `/clusters/${WORKSPACE}/api/v1/namespaces/default/configmaps`;
const WRITES = 30;
const BLOB = 'x'.repeat(1_000_000);

/** The platform process's resident memory, in MB. */
function platformRssMb(): number {
  const status = readFileSync(`/proc/${platform.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** A watch whose client sends the request and then never reads a byte of the answer. */
function stalledWatch(): Promise<{ closed: () => boolean; resume: () => void }> {
  const url = new URL(platform.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca }, () => {
      socket.write(
        `GET ${CONFIGMAPS}?watch=true HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      // Its headers arrive, then it stops reading.
      socket.once('data', () => {
        socket.pause();
        resolve({ closed: () => closed, resume: () => socket.resume() });
      });
    });
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', (err) => (closed ? undefined : reject(err)));
    stalled.push(socket);
  });
}

beforeAll(async () => {
  platform = await startPlatformProcess();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-backpressure-'));
  ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  token = adminToken(platform.dataDir);
  const admin = adminKubectlAt(platform, path.join(scratch, 'cache'));
  const workspace = {
    apiVersion: 'tenancy.kcp.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name: 'load' },
    spec: { type: { name: 'universal', path: 'root' } },
  };
  const created = await admin('/clusters/root', ['apply', '-f', '-'], JSON.stringify(workspace));
  expect(created.code, created.stderr).toBe(0);
  const ready = await admin('/clusters/root', [
    'wait',
    '--for=jsonpath={.status.phase}=Ready',
    'workspace/load',
    '--timeout=10s',
  ]);
  expect(ready.code, ready.stderr).toBe(0);
  // Another user, who reads here too.
  const granted = await admin(`/clusters/${WORKSPACE}`, [
    'create',
    'clusterrolebinding',
    'other-admin',
    '--clusterrole=cluster-admin',
    '--user=other',
  ]);
  expect(granted.code, granted.stderr).toBe(0);
  otherToken = await mintToken(platform.dataDir, 'other');
}, 60_000);

afterAll(async () => {
  for (const socket of stalled) socket.destroy();
  await platform?.stop();
  if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('watchers that do not read', () => {
  it('are closed before they hold much memory, while a reading watcher and other users carry on', async () => {
    const watchers = await Promise.all([1, 2, 3, 4].map(() => stalledWatch()));
    const reading = await rawWatch(platform.url, CONFIGMAPS, { token, ca });
    const before = platformRssMb();
    try {
      for (let i = 0; i < WRITES; i++) {
        const created = await rawRequest(platform.url, CONFIGMAPS, {
          token,
          ca,
          method: 'POST',
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `big-${i}` },
            data: { blob: BLOB },
          }),
        });
        expect(created.status, created.body.slice(0, 200)).toBe(201);
      }
      const after = platformRssMb();
      console.log(
        `platform RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB after ${WRITES} writes of 1 MB`,
      );
      // The writes stay in the watch history (30 MB), each watcher's copy of each event is garbage
      // until collected, and each stalled watcher may hold up to 8 MiB: measured about +110 MB on
      // Node 20 and +152 MB on Node 24, whose collector runs later. Stalled watchers holding every
      // event measured about +190 MB, and grow with every write.
      expect(after - before).toBeLessThan(175);

      // The reading watcher got every event and is still open.
      await reading.waitFor(
        (event) => (event.object.metadata as { name: string }).name === `big-${WRITES - 1}`,
      );
      expect(reading.events().filter((event) => event.type === 'ADDED')).toHaveLength(WRITES);
      expect(await reading.ended(200)).toBe(false);

      // Another user's ordinary request is answered at once.
      const started = Date.now();
      const listed = await rawRequest(platform.url, `/clusters/${WORKSPACE}/api/v1/namespaces`, {
        token: otherToken,
        ca,
      });
      expect(listed.status, listed.body).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);

      // Reading at last, each stalled client finds its stream cut short.
      for (const watcher of watchers) watcher.resume();
      const deadline = Date.now() + 5000;
      while (watchers.some((watcher) => !watcher.closed()) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watchers.map((watcher) => watcher.closed())).toEqual([true, true, true, true]);
    } finally {
      reading.stop();
    }
  });
});
