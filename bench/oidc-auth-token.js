#!/usr/bin/env node
// `kplane auth token` for an OpenID login, as kubectl runs it: fresh processes, interleaved rounds, medians.
// - cache hit: a valid ID token in the credentials file (the aim: at most 1.3x `node -e 0`), beside a static token;
// - refresh: the ID token about to expire, renewed at the real dev OpenID provider (discovery + token request).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const kplaneBin = path.join(repoRoot, 'bin', 'run.js');
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const { startOpenIdProvider } = await import(path.join(repoRoot, 'dist/devplatform/openid-provider.js'));
const { signInAs } = await import(path.join(repoRoot, 'dist/devplatform/sign-in-by-http.js'));
const { httpsFetch } = await import(path.join(repoRoot, 'dist/client/oidc/https-fetch.js'));

const work = mkdtempSync(path.join(os.tmpdir(), 'kplane-bench-oidc-'));
const env = { ...process.env, HOME: work, XDG_CONFIG_HOME: path.join(work, 'config'), NO_COLOR: '1' };
const credentialsFile = path.join(work, 'config', 'kplane', 'credentials.json');
mkdirSync(path.dirname(credentialsFile), { recursive: true });
const platform = 'https://127.0.0.1:9';
const staticPlatform = 'https://127.0.0.1:10';

// Asynchronous: the provider runs in this process and must answer while a refresh waits on it.
function timed(args) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) =>
    execFile(args[0], args.slice(1), { env }, (error, _stdout, stderr) =>
      error
        ? reject(new Error(`${args.join(' ')} failed: ${stderr}`))
        : resolve(Number(process.hrtime.bigint() - started) / 1e6),
    ),
  );
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const provider = await startOpenIdProvider({ idTokenTtlSeconds: 3600 });
try {
  const fetchTrusting = httpsFetch(provider.caPem);
  const config = await oidc.discovery(new URL(provider.issuer), provider.clientId, undefined, oidc.None(), {
    [oidc.customFetch]: fetchTrusting,
  });
  config[oidc.customFetch] = fetchTrusting;
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
  await signInAs(device.verification_uri_complete, 'alice', provider.caPem);
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
  const session = {
    issuer: provider.issuer,
    clientId: provider.clientId,
    scopes: ['openid', 'profile', 'offline_access'],
    certificateAuthority: provider.caPem,
  };
  const exp = tokens.claims().exp;
  const write = (expiresAt, refreshToken) =>
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        version: 1,
        platforms: {
          [platform]: { location: 'file', token: tokens.id_token, expiresAt, oidc: session, refreshToken },
          [staticPlatform]: { location: 'file', token: 'static-token' },
        },
      }),
      { mode: 0o600 },
    );
  const currentRefreshToken = () =>
    JSON.parse(readFileSync(credentialsFile, 'utf8')).platforms[platform].refreshToken;
  write(new Date(exp * 1000).toISOString(), tokens.refresh_token);

  const commands = {
    'node -e 0': () => [process.execPath, '-e', '0'],
    'auth token (static token)': () => [
      process.execPath,
      kplaneBin,
      'auth',
      'token',
      '--server',
      staticPlatform,
    ],
    'auth token (OIDC, cached)': () => [process.execPath, kplaneBin, 'auth', 'token', '--server', platform],
  };
  const samples = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (const name of Object.keys(commands)) await timed(commands[name]());
  for (let i = 0; i < rounds; i++)
    for (const name of Object.keys(commands)) samples[name].push(await timed(commands[name]()));

  // Each round finds the token expired and renews it (the provider rotates the refresh token every time).
  const refreshes = [];
  const before = provider.counts.token.refresh_token ?? 0;
  for (let i = 0; i < Math.min(rounds, 15); i++) {
    write(new Date(Date.now() - 1000).toISOString(), currentRefreshToken());
    refreshes.push(await timed([process.execPath, kplaneBin, 'auth', 'token', '--server', platform]));
  }
  const refreshCount = (provider.counts.token.refresh_token ?? 0) - before;

  const nodeMs = median(samples['node -e 0']);
  console.log(
    `\nauth token, ${rounds} interleaved rounds on ${os.cpus().length} cores, ${process.version}; medians\n`,
  );
  for (const [name, values] of Object.entries(samples)) {
    const ms = median(values);
    console.log(
      `${name.padEnd(30)}${`${ms.toFixed(1)} ms`.padStart(10)}${`${(ms / nodeMs).toFixed(2)}x node`.padStart(14)}`,
    );
  }
  const refreshMs = median(refreshes);
  console.log(
    `${'auth token (OIDC, refresh)'.padEnd(30)}${`${refreshMs.toFixed(1)} ms`.padStart(10)}${`${(refreshMs / nodeMs).toFixed(2)}x node`.padStart(14)}` +
      `   (${refreshes.length} runs, ${refreshCount} refresh requests at the provider)`,
  );
} finally {
  await provider.stop();
  rmSync(work, { recursive: true, force: true });
}
