// Starts a built checkout's platform for a benchmark: `node dist/platform/main.js` on a free loopback port with a
// fresh data folder, resolved once it printed its ready line, with the admin token, the CA and a keep-alive agent.
// `args` adds platform flags (e.g. --storage etcd); `dataDir` starts another replica on a folder an earlier one
// made (replicas share the certificates and the admin token).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:https';
import os from 'node:os';
import path from 'node:path';

export function startBenchPlatform(checkout, { maxSockets = 4, nodeArgs = [], args = [], dataDir } = {}) {
  dataDir ??= mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-'));
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      path.join(checkout, 'dist', 'platform', 'main.js'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`platform in ${checkout} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const ready = JSON.parse(out.slice(0, out.indexOf('\n')));
      resolve({
        child,
        dataDir,
        url: ready.url,
        ca: readFileSync(path.join(dataDir, 'ca.crt')),
        token: readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim(),
        agent: new Agent({ keepAlive: true, maxSockets }),
      });
    });
  });
}

/**
 * One HTTPS request to a bench platform as its admin: resolves with the answer's text, or undefined for a 404
 * when `allow404`; rejects on any other status of 300 or more, naming the request.
 */
export function platformCall(
  platform,
  method,
  urlPath,
  { body, accept = 'application/json', allow404 = false } = {},
) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(urlPath, platform.url),
      {
        method,
        ca: platform.ca,
        agent: platform.agent,
        headers: {
          authorization: `Bearer ${platform.token}`,
          accept,
          ...(text ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString();
          if (res.statusCode === 404 && allow404) resolve(undefined);
          else if (res.statusCode >= 300)
            reject(new Error(`${method} ${urlPath}: ${res.statusCode} ${answer}`));
          else resolve(answer);
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
