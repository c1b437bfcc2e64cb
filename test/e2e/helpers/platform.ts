import { testStorageArgs } from './test-storage.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { kubectlBin, repoRoot, run, type RunResult } from './cli.js';

const platformMain = path.join(repoRoot, 'dist', 'platform', 'main.js');

/** The JSON line `main.js` prints when it is ready to serve. */
export interface ReadyLine {
  ready: true;
  url: string;
  kubeconfig: string;
  dataDir: string;
  pid: number;
}

export interface PlatformProcess {
  url: string;
  dataDir: string;
  kubeconfig: string;
  pid: number;
  /** Everything the process wrote to stdout (after the ready line there should be nothing). */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, then wait: a crash, for durability tests. */
  kill9(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A failed test must not leave servers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Spawns `node dist/platform/main.js --port 0 --data-dir <dir> [args…]` (a fresh temp folder unless one is
 * given, e.g. to restart on the same data) and resolves once it printed its ready line.
 */
export async function startPlatformProcess(
  options: { demo?: boolean; dataDir?: string; args?: string[] } = {},
): Promise<PlatformProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'kplane-e2e-platform-'));
  const args = [platformMain, '--port', '0', '--data-dir', dataDir];
  if (options.demo) args.push('--demo');
  args.push(...(options.args ?? []));
  // Dev members keep their own SQLite; a test that chose its storage keeps it.
  if (!args.includes('--members') && !args.includes('--storage')) args.push(...testStorageArgs(dataDir));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`platform did not become ready in 20s: ${stderr}`)),
      20_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, newline)) as ReadyLine);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited with ${code} before it was ready: ${stderr}`));
    });
  });

  return {
    url: ready.url,
    dataDir: ready.dataDir,
    kubeconfig: ready.kubeconfig,
    pid: ready.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited(child);
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

export interface KubectlOptions {
  kubeconfig: string;
  /** KUBECACHEDIR: discovery and OpenAPI caches, kept per test run. */
  cacheDir: string;
  input?: string;
  timeoutMs?: number;
}

function kubectlEnv(options: KubectlOptions): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: options.kubeconfig, KUBECACHEDIR: options.cacheDir, NO_COLOR: '1' };
}

/** Runs the real kubectl with KUBECONFIG and KUBECACHEDIR pointed into the test's temp folder. */
/**
 * Writes `DIR/NAME.kubeconfig` (mode 0600): one context on `server`, trusting the platform's CA, as a user
 * holding `token` inline, the way a test stands in for a person or a CI job; returns kubectl's options for it.
 */
export function tokenKubeconfig(
  platform: Pick<PlatformProcess, 'dataDir'>,
  dir: string,
  user: string,
  server: string,
  token: string,
): KubectlOptions {
  const kubeconfig = path.join(dir, `${user}.kubeconfig`);
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'home', cluster: { server, 'certificate-authority': path.join(platform.dataDir, 'ca.crt') } },
      ],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'home', context: { cluster: 'home', user } }],
      'current-context': 'home',
    }),
    { mode: 0o600 },
  );
  return { kubeconfig, cacheDir: path.join(dir, 'cache') };
}

export function kubectl(args: string[], options: KubectlOptions): Promise<RunResult> {
  return run(kubectlBin, args, {
    env: kubectlEnv(options),
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

export interface BackgroundKubectl {
  /** Resolves once a complete line of stdout contains `text` (kubectl may flush a table row in pieces). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts a long-running kubectl (e.g. `get -w`) and lets the test read its output as it comes. */
export function kubectlInBackground(args: string[], options: KubectlOptions): BackgroundKubectl {
  const child = spawn(kubectlBin, args, { env: kubectlEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of [...waiters]) check();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (text, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!stdout.slice(0, stdout.lastIndexOf('\n') + 1).includes(text)) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(
            new Error(
              `kubectl ${args.join(' ')} never printed ${JSON.stringify(text)}; stdout: ${stdout} stderr: ${stderr}`,
            ),
          );
        }, timeoutMs);
        waiters.push(check);
        check();
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/**
 * Runs `node dist/platform/main.js …` to its end: one of the owner tools (`token`, `revoke-tokens`), or a
 * server that is expected to refuse to start.
 */
export function platformTool(args: string[]): Promise<RunResult> {
  return run(process.execPath, [platformMain, ...args]);
}

/** Mints a token for `user` with the owner tool and returns it. */
export async function mintToken(dataDir: string, user: string, ...flags: string[]): Promise<string> {
  const result = await platformTool(['token', '--data-dir', dataDir, '--user', user, ...flags]);
  if (result.code !== 0 || !/^\S+\n$/.test(result.stdout))
    throw new Error(`token tool failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim();
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTPS request with the path sent exactly as given (dot segments, encodings, double slashes
 * and all), verifying the server against `ca`.
 */
export function rawRequest(
  baseUrl: string,
  rawPath: string,
  options: {
    token?: string;
    ca: string | Buffer;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
  },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] ??= 'application/json';
    const req = httpsRequest(
      {
        host: url.hostname,
        port: url.port,
        path: rawPath,
        method: options.method ?? 'GET',
        ca: options.ca,
        headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The platform admin's bearer token (system:masters), as written to the data folder. */
export function adminToken(dataDir: string): string {
  return readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
}

/**
 * kubectl as the platform admin against any URL below the platform's base: a workspace
 * (`/clusters/root:a`) or a virtual workspace (`/services/apiexport/...`). `input` goes to stdin.
 */
export function adminKubectlAt(
  platform: Pick<PlatformProcess, 'url' | 'kubeconfig'>,
  cacheDir: string,
): (urlPath: string, args: string[], input?: string) => Promise<RunResult> {
  return (urlPath, args, input) =>
    kubectl(['--server', `${platform.url}${urlPath}`, ...args], {
      kubeconfig: platform.kubeconfig,
      cacheDir,
      ...(input !== undefined ? { input } : {}),
    });
}

export interface RawWatch {
  /** Every event so far, in order. */
  events(): { type: string; object: Record<string, unknown> }[];
  /** Resolves with the first event (seen or to come) that `matches`. */
  waitFor(
    matches: (event: { type: string; object: Record<string, unknown> }) => boolean,
    timeoutMs?: number,
  ): Promise<{ type: string; object: Record<string, unknown> }>;
  /** Resolves once the server has ended the stream (or it broke), true if within `timeoutMs`. */
  ended(timeoutMs?: number): Promise<boolean>;
  stop(): void;
}

/**
 * A watch over HTTPS (`?watch=true` is added), resolved once the server has answered with its
 * headers, i.e. once it is listening: changes made after this resolves are in the stream.
 */
export function rawWatch(
  baseUrl: string,
  rawPath: string,
  options: { token: string; ca: string | Buffer },
): Promise<RawWatch> {
  const url = new URL(baseUrl);
  const events: { type: string; object: Record<string, unknown> }[] = [];
  const waiters = new Set<() => void>();
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${rawPath}${rawPath.includes('?') ? '&' : '?'}watch=true`,
        ca: options.ca,
        headers: { Accept: 'application/json', Authorization: `Bearer ${options.token}` },
      },
      (res) => {
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffer.slice(0, newline)));
            buffer = buffer.slice(newline + 1);
          }
          for (const check of [...waiters]) check();
        });
        res.on('error', () => undefined);
        res.on('close', markEnded);
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${rawPath} answered ${res.statusCode}`));
          return;
        }
        resolve({
          events: () => [...events],
          waitFor: (matches, timeoutMs = 10_000) =>
            new Promise((found, fail) => {
              const check = () => {
                const event = events.find(matches);
                if (!event) return;
                clearTimeout(timer);
                waiters.delete(check);
                found(event);
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(new Error(`watch ${rawPath}: no matching event; saw ${JSON.stringify(events)}`));
              }, timeoutMs);
              waiters.add(check);
              check();
            }),
          ended: (timeoutMs = 10_000) =>
            new Promise<boolean>((done) => {
              const timer = setTimeout(() => done(false), timeoutMs);
              void ended.then(() => {
                clearTimeout(timer);
                done(true);
              });
            }),
          stop: () => req.destroy(),
        });
      },
    );
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}
