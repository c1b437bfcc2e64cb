import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, startDevPlatform, userSandbox, type UserSandbox } from './helpers/cli.js';
import { platformTool, rawRequest, startPlatformProcess, type PlatformProcess } from './helpers/platform.js';

// The platform's promises about data at rest and the wire, seen from outside: the modes of what it
// writes, what it answers in clear text, and tokens the owner tool will not mint.

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-hardening-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every folder and file below `dir` (and `dir` itself) with a mode other than owner-only. */
function notOwnerOnly(dir: string): string[] {
  const wrong: string[] = [];
  const visit = (target: string) => {
    const stat = statSync(target);
    const expected = stat.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o777) !== expected) wrong.push(`${target} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of readdirSync(target)) visit(path.join(target, entry));
  };
  visit(dir);
  return wrong;
}

/** A plain-HTTP request to the platform's (TLS) port. */
function plainRequest(
  url: string,
  rawPath: string,
  options: { method?: string; token?: string } = {},
): Promise<{ status: number; body: string }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('data at rest is the owner’s alone', () => {
  it('a new data folder is 0700 and every file in it 0600, database journal included', async () => {
    const dataDir = path.join(scratch, 'fresh', 'data');
    // The journal files are SQLite's: this platform is on SQLite whatever storage the run is on.
    const platform = await startPlatformProcess({ dataDir, args: ['--storage', 'sqlite'] });
    try {
      // A write, so the database has its -wal and -shm files.
      const created = await rawRequest(platform.url, '/clusters/root/api/v1/namespaces', {
        method: 'POST',
        token: readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim(),
        ca: readFileSync(path.join(dataDir, 'ca.crt')),
        body: JSON.stringify({ metadata: { name: 'written' } }),
      });
      expect(created.status, created.body).toBe(201);
      const files = readdirSync(dataDir);
      expect(files).toEqual(expect.arrayContaining(['platform.db', 'platform.db-wal', 'platform.db-shm']));
      expect(notOwnerOnly(dataDir)).toEqual([]);
      expect(platform.stderr()).not.toContain('owner-only');
    } finally {
      await platform.stop();
    }
  });

  it('an existing folder left readable by others is made owner-only on start, and says so once', async () => {
    const dataDir = path.join(scratch, 'existing');
    const first = await startPlatformProcess({ dataDir });
    await first.stop();
    writeFileSync(path.join(dataDir, 'server.log'), 'an old log\n');
    chmodSync(dataDir, 0o755);
    for (const entry of readdirSync(dataDir)) chmodSync(path.join(dataDir, entry), 0o644);
    const second = await startPlatformProcess({ dataDir });
    try {
      expect(notOwnerOnly(dataDir)).toEqual([]);
      const notes = second
        .stderr()
        .split('\n')
        .filter((line) => line.includes('owner-only'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(dataDir);
    } finally {
      await second.stop();
    }
    const third = await startPlatformProcess({ dataDir });
    await third.stop();
    expect(third.stderr()).not.toContain('owner-only');
  });

  it('kplane dev up makes its folder and log owner-only too', async () => {
    const dataDir = path.join(scratch, 'dev-up', 'data');
    const platform = await startDevPlatform({ dataDir });
    try {
      expect(statSync(path.join(dataDir, 'server.log')).mode & 0o777).toBe(0o600);
      expect(notOwnerOnly(dataDir)).toEqual([]);
    } finally {
      await platform.stop();
    }
  });
});

describe('the platform over plain HTTP and tokens it will not take', () => {
  let platform: PlatformProcess;
  let token: string;
  let ca: Buffer;

  beforeAll(async () => {
    // One test here writes a token row the way an older tool did, into SQLite's tokens table.
    platform = await startPlatformProcess({ args: ['--storage', 'sqlite'] });
    token = readFileSync(path.join(platform.dataDir, 'admin.token'), 'utf8').trim();
    ca = readFileSync(path.join(platform.dataDir, 'ca.crt'));
  });

  afterAll(async () => {
    await platform?.stop();
    if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
  });

  it('answers /version and the health checks in plain HTTP', async () => {
    for (const probe of ['/version', '/healthz', '/livez', '/readyz']) {
      expect((await plainRequest(platform.url, probe)).status, probe).toBe(200);
    }
  });

  it('answers everything else in plain HTTP with a 400 that says to use https, token or not', async () => {
    for (const [method, rawPath] of [
      ['GET', '/clusters/root/api/v1/namespaces'],
      ['GET', '/clusters/root/version'],
      ['GET', '/api'],
      ['POST', '/clusters/root/apis/authentication.k8s.io/v1/selfsubjectreviews'],
      ['GET', '/services/catalog/apiexports'],
      ['DELETE', '/version'],
    ] as const) {
      const answer = await plainRequest(platform.url, rawPath, { method, token });
      expect(answer.status, rawPath).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
        message: `this platform serves its API over HTTPS only: use ${platform.url}`,
      });
    }
    // The same request over TLS works.
    expect((await rawRequest(platform.url, '/clusters/root/api/v1/namespaces', { token, ca })).status).toBe(
      200,
    );
  });

  it('a token whose stored expiry no date can hold gets 401, not 500', async () => {
    // What `dev token --ttl 99999999d` stored before the tool bounded --ttl.
    const old = 'an-old-token-with-an-absurd-expiry-0123456789';
    const db = new Database(path.join(platform.dataDir, 'platform.db'));
    try {
      db.pragma('busy_timeout = 5000');
      db.prepare(
        'INSERT INTO tokens (hash, user, groups, expires_at, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(createHash('sha256').update(old).digest('hex'), 'mallory', '[]', 8_640_000_000_000_000 * 2, 0);
    } finally {
      db.close();
    }
    const answer = await rawRequest(platform.url, '/clusters/root/api/v1/namespaces', { token: old, ca });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect(platform.stderr()).not.toContain(old);
  });

  it('kplane dev token refuses reserved names and a TTL beyond a year, with exit code 2', async () => {
    for (const args of [
      ['kplane-admin'],
      ['system:kplane'],
      ['system:masters'],
      ['alice', '--ttl', '99999999d'],
    ]) {
      const result = await kplane(['dev', 'token', ...args, '--data-dir', platform.dataDir]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/reserved|longer than the maximum of 365d/);
    }
    const tokens = await platformTool(['revoke-tokens', '--data-dir', platform.dataDir, '--user', 'alice']);
    expect(tokens.stdout).toBe('revoked 0 token(s) of user alice\n');
  });
});

/**
 * A plain-HTTP front for the platform, as a TLS-terminating proxy would be: what it receives it sends
 * on over HTTPS. It counts the requests that reach it, so a test can tell that nothing was sent.
 */
async function plainHttpFront(
  target: string,
  ca: Buffer,
): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const upstream = httpsRequest(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers, ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('kplane login to an http:// platform', () => {
  let platform: PlatformProcess;
  let front: Awaited<ReturnType<typeof plainHttpFront>>;
  let user: UserSandbox;
  let token: string;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    front = await plainHttpFront(platform.url, readFileSync(path.join(platform.dataDir, 'ca.crt')));
    token = (await platformTool(['token', '--data-dir', platform.dataDir, '--user', 'alice'])).stdout.trim();
    user = userSandbox('kplane-plaintext-');
  });

  afterAll(async () => {
    await front?.close();
    await platform?.stop();
    if (platform) rmSync(platform.dataDir, { recursive: true, force: true });
    user?.cleanup();
  });

  const credentialsFile = () => path.join(user.dir, 'config', 'kplane', 'credentials.json');

  it('refuses without --insecure-plaintext-token: exit 2, nothing sent, nothing written', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\n# mine\nclusters: []\n';
    writeFileSync(user.kubeconfig, kubeconfig);
    const result = await kplane(['login', front.url, '--token-stdin'], {
      env: user.env,
      input: `${token}\n`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`refusing to send a token in clear text to ${front.url}`);
    expect(result.stderr).toContain('--insecure-plaintext-token');
    expect(front.requests()).toBe(0);
    expect(readFileSync(user.kubeconfig, 'utf8')).toBe(kubeconfig);
    expect(existsSync(credentialsFile())).toBe(false);
  });

  it('with the flag, logs in after a one-line warning, and kplane uses the token over http', async () => {
    const result = await kplane(['login', front.url, '--token-stdin', '--insecure-plaintext-token'], {
      env: user.env,
      input: `${token}\n`,
    });
    expect(result.code, result.stderr).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning:'));
    expect(warnings.filter((line) => line.includes('plain HTTP'))).toHaveLength(1);
    expect(readFileSync(user.kubeconfig, 'utf8')).toContain(`server: ${front.url}/clusters/root`);
    const whoami = await kplane(['whoami', '-o', 'json'], { env: user.env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ username: 'alice' });
  });

  it('a stored token without that consent (a login from before the flag) is not sent over http', async () => {
    const document = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as {
      platforms: Record<string, { insecurePlaintextToken?: boolean }>;
    };
    delete document.platforms[front.url]!.insecurePlaintextToken;
    writeFileSync(credentialsFile(), JSON.stringify(document));
    const sent = front.requests();
    const plugin = await kplane(['auth', 'token', '--server', front.url], { env: user.env });
    expect(plugin.code).toBe(2);
    expect(plugin.stdout).toBe('');
    expect(plugin.stderr).toContain(`kplane login ${front.url} --insecure-plaintext-token`);
    const whoami = await kplane(['whoami'], { env: user.env });
    expect(whoami.code).toBe(2);
    expect(front.requests()).toBe(sent);
  });
});
