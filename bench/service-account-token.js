#!/usr/bin/env node
// What a service-account token costs: minting one (TokenRequest, as `kubectl create token` and the agent's renewal
// do), and a GET made with it against the same GET with a static token (a service-account token is also checked
// against its ServiceAccount on every request). Both users hold the same RoleBinding, so only authentication
// differs. Interleaved rounds, medians.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);

function call(platform, token, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(urlPath, platform.url),
      {
        method,
        ca: platform.ca,
        agent: platform.agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode >= 300) reject(new Error(`${method} ${urlPath}: ${res.statusCode} ${text}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function timed(work) {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const platform = await startBenchPlatform(repoRoot);
try {
  const admin = platform.token;
  const base = '/clusters/root';
  await call(platform, admin, 'POST', `${base}/api/v1/namespaces`, { metadata: { name: 'bench' } });
  await call(platform, admin, 'POST', `${base}/api/v1/namespaces/bench/serviceaccounts`, {
    metadata: { name: 'reader' },
  });
  await call(
    platform,
    admin,
    'POST',
    `${base}/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings`,
    {
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [
        { kind: 'ServiceAccount', name: 'reader', namespace: 'bench' },
        { kind: 'User', name: 'bench-user', apiGroup: 'rbac.authorization.k8s.io' },
      ],
    },
  );
  await call(platform, admin, 'POST', `${base}/api/v1/namespaces/bench/configmaps`, {
    metadata: { name: 'one' },
    data: { k: 'v' },
  });
  const tokenPath = `${base}/api/v1/namespaces/bench/serviceaccounts/reader/token`;
  const tokenRequest = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} };
  const saToken = JSON.parse(await call(platform, admin, 'POST', tokenPath, tokenRequest)).status.token;
  // A person's static token with the same binding, so both GETs go through the same RBAC.
  const userToken = execFileSync(process.execPath, [
    path.join(repoRoot, 'dist', 'platform', 'main.js'),
    'token',
    '--data-dir',
    platform.dataDir,
    '--user',
    'bench-user',
  ])
    .toString()
    .trim();
  const get = `${base}/api/v1/namespaces/bench/configmaps/one`;
  const mint = [];
  const withStatic = [];
  const withServiceAccount = [];
  for (let i = 0; i < rounds; i++) {
    withStatic.push(await timed(() => call(platform, userToken, 'GET', get)));
    withServiceAccount.push(await timed(() => call(platform, saToken, 'GET', get)));
    if (i % 4 === 0) mint.push(await timed(() => call(platform, admin, 'POST', tokenPath, tokenRequest)));
  }
  const ms = (value) => `${value.toFixed(2)} ms`;
  console.log(
    `TokenRequest (mint one service-account token): median ${ms(median(mint))} over ${mint.length}`,
  );
  console.log(
    `GET one config map, static token:             median ${ms(median(withStatic))} over ${rounds}`,
  );
  console.log(
    `GET one config map, service-account token:    median ${ms(median(withServiceAccount))} over ${rounds}`,
  );
} finally {
  platform.child.kill('SIGTERM');
  await new Promise((resolve) => platform.child.once('exit', resolve));
  platform.agent.destroy();
  rmSync(platform.dataDir, { recursive: true, force: true });
}
