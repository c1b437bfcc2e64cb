#!/usr/bin/env node
// Times the platform's read paths as kubectl uses them: a list of 500 config maps (plain JSON and kubectl's
// Table), one GET, and how long a write takes to reach an open watch. Interleaved rounds, medians.
//
// BENCH_COMPARE=/path/to/another/checkout (built) runs that checkout's platform beside this one's, round by
// round, so a change to the request machinery is judged against the code before it on the same machine state.
import { Buffer } from 'node:buffer';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchPlatform } from './platform.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const objectCount = 500;
const checkouts = { current: repoRoot };
if (process.env.BENCH_COMPARE) checkouts.compared = path.resolve(process.env.BENCH_COMPARE);

const startPlatform = (checkout) => startBenchPlatform(checkout);

function call(
  platform,
  method,
  urlPath,
  { body, accept = 'application/json', contentType = 'application/json' } = {},
) {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(urlPath, platform.url),
      {
        method,
        ca: platform.ca,
        agent: platform.agent,
        headers: {
          authorization: `Bearer ${platform.token}`,
          accept,
          ...(body ? { 'content-type': contentType } : {}),
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

const configMaps = '/clusters/root/api/v1/namespaces/default/configmaps';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** Opens a watch and resolves each `next()` with the time the next event arrived. */
function openWatch(platform, resourceVersion) {
  const arrivals = [];
  let wake;
  const req = request(
    new URL(`${configMaps}?watch=1&resourceVersion=${resourceVersion}`, platform.url),
    { ca: platform.ca, headers: { authorization: `Bearer ${platform.token}` } },
    (res) => {
      let pending = '';
      res.on('data', (chunk) => {
        pending += chunk;
        let newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
          pending = pending.slice(newline + 1);
          arrivals.push(process.hrtime.bigint());
          wake?.();
        }
      });
    },
  );
  req.end();
  return {
    next: () =>
      arrivals.length
        ? Promise.resolve(arrivals.shift())
        : new Promise((resolve) => (wake = () => ((wake = undefined), resolve(arrivals.shift())))),
    close: () => req.destroy(),
  };
}

async function timed(action) {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const platforms = {};
try {
  for (const [name, checkout] of Object.entries(checkouts)) platforms[name] = await startPlatform(checkout);
  for (const platform of Object.values(platforms)) {
    for (let i = 0; i < objectCount; i++) {
      const data = { index: String(i), payload: 'x'.repeat(200) };
      await call(platform, 'POST', configMaps, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data },
      });
    }
    const list = JSON.parse(await call(platform, 'GET', configMaps));
    platform.watch = openWatch(platform, list.metadata.resourceVersion);
  }

  const cases = {
    [`list ${objectCount} config maps (JSON)`]: (p) => timed(() => call(p, 'GET', configMaps)),
    [`list ${objectCount} config maps (Table)`]: (p) =>
      timed(() => call(p, 'GET', `${configMaps}?limit=500`, { accept: tableAccept })),
    'get one config map': (p) => timed(() => call(p, 'GET', `${configMaps}/cm-7`)),
    'write to watch event': async (p, round) => {
      const started = process.hrtime.bigint();
      await call(p, 'PATCH', `${configMaps}/cm-7`, {
        body: { data: { round: String(round) } },
        contentType: 'application/merge-patch+json',
      });
      const arrived = await p.watch.next();
      return Number(arrived - started) / 1e6;
    },
  };
  const samples = {};
  for (let round = 0; round < rounds + 1; round++) {
    for (const [caseName, measure] of Object.entries(cases)) {
      for (const [name, platform] of Object.entries(platforms)) {
        const ms = await measure(platform, round);
        if (round === 0) continue; // warm-up
        (samples[`${caseName}|${name}`] ??= []).push(ms);
      }
    }
  }

  console.log(`\nPlatform read paths: ${rounds} interleaved rounds, ${process.version}; medians\n`);
  const names = Object.keys(platforms);
  console.log(`${'case'.padEnd(36)}${names.map((n) => n.padStart(12)).join('')}`);
  for (const caseName of Object.keys(cases)) {
    const cells = names.map((n) => `${median(samples[`${caseName}|${n}`]).toFixed(2)} ms`.padStart(12));
    console.log(`${caseName.padEnd(36)}${cells.join('')}`);
  }
} finally {
  for (const platform of Object.values(platforms)) {
    platform.watch?.close();
    platform.agent.destroy();
    platform.child.kill('SIGTERM');
    rmSync(platform.dataDir, { recursive: true, force: true });
  }
}
