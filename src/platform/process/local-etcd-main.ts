import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { etcdMissing, startLocalEtcd, type LocalEtcd } from '../storage/etcd/local-etcd.js';
import { writeFileAtomic } from './atomic-write.js';

// Process entry of the etcd that `kplane dev up --storage etcd` runs when given no endpoints: one member
// from the machine's etcd binary, its data in DIR, until SIGTERM. Prints one JSON ready line
// ({ready, endpoints, pid}) once etcd is healthy. Exit 3 with the package to install when the binary is
// missing, 2 for a bad command line, 1 when etcd would not start.

const USAGE = 'usage: node dist/platform/process/local-etcd-main.js --data-dir DIR';

/** etcd keeps its member's peer URL in its data: a member started again must come back on the same ports. */
const PORTS_FILE = 'ports.json';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function savedPorts(dir: string): { client: number; peer: number }[] | undefined {
  const file = path.join(dir, PORTS_FILE);
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { client?: unknown; peer?: unknown };
  return typeof saved.client === 'number' && typeof saved.peer === 'number'
    ? [{ client: saved.client, peer: saved.peer }]
    : undefined;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, strict: true }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const dir = values['data-dir'];
  if (!dir) fail(`--data-dir is required\n${USAGE}`, 2);
  const missing = etcdMissing();
  if (missing)
    fail(
      `etcd is not installed: ${missing}. Install it (sudo apt install etcd-server), or give --etcd-endpoints of an etcd you run.`,
      3,
    );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ports = savedPorts(dir);
  let etcd: LocalEtcd;
  try {
    etcd = await startLocalEtcd({ size: 1, dataDir: dir, ...(ports ? { ports } : {}) });
  } catch (err) {
    fail(`local etcd failed to start: ${(err as Error).message}`, 1);
  }
  const member = etcd.members[0]!;
  writeFileAtomic(
    path.join(dir, PORTS_FILE),
    `${JSON.stringify({ client: Number(new URL(member.clientUrl).port), peer: Number(new URL(member.peerUrl).port) })}\n`,
    0o600,
  );
  const shutdown = () => {
    void etcd.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdout.write(`${JSON.stringify({ ready: true, endpoints: etcd.endpoints, pid: process.pid })}\n`);
}

void main();
