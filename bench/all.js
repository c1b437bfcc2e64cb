#!/usr/bin/env node
// `npm run bench`: every benchmark, one after another, each in its own Node process (so one's heap and open
// servers never weigh on the next). Set BENCH_ONLY=name,name to run some of them (e.g. BENCH_ONLY=run,failover).
// bench/work-view.js is left out: it writes owned ManifestWorks as the admin, which the platform now refuses
// (only its controller writes the owner marks); it needs rewriting to go through ManifestWorkReplicaSets.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = [
  'run', // whole commands vs kubectl and node; kubectl through kplane's credential (issue 18)
  'placement',
  'api',
  'oidc',
  'oidc-auth-token',
  'install-size',
  'crd',
  'patch',
  'service-account-token',
  'storage', // SQLite vs etcd (issue 14)
  'platform-storage', // the same three set-ups through the platform's HTTPS API, with watch fan-out (issue 14)
  'index-tokens', // cluster index and token store on both engines (issue 14)
  'leader-handover', // controllers without a leader when the leading replica goes (issue 14)
  'failover',
  'deploy-fleet',
  'member-capacity',
  'agent-memory',
];

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const unknown = only?.filter((name) => !BENCHES.includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}: choose from ${BENCHES.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of BENCHES) {
  if (only && !only.includes(name)) continue;
  console.log(`\n=== bench/${name}.js`);
  const result = spawnSync(process.execPath, [path.join(here, `${name}.js`)], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench/${name}.js failed (exit ${result.status ?? result.signal})`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
