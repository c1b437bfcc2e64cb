// The kubeconfig's edges seen from outside: a read-only file, an empty argument, a lock held by kubectl or by a
// killed kplane, kubectl rewriting the file mid-read, an empty kubeconfig, no HOME, and a server that never answers.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { hostname, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kplane, repoRoot } from './helpers/cli.js';
import { demoPlatformSession } from './helpers/session.js';

const session = demoPlatformSession('kplane-edges-');
const { kubeconfigText, currentServer } = session;
const ws = (...args: string[]) => kplane(['ws', ...args], { env: session.user.env });
const oclifWs = (...args: string[]) =>
  kplane(['ws', ...args], { env: { ...session.user.env, KPLANE_NO_FAST_PATH: '1' } });

describe('a kubeconfig the user may not write', () => {
  it('is refused by ws use (exit 6), with its bytes and mode unchanged, on the full and the quick path', async () => {
    const file = session.user.kubeconfig;
    // The first switch parses the file; the second uses the quick plan the first remembered.
    for (const round of ['full', 'quick']) {
      expect((await ws('use', ':root:acme')).code, round).toBe(0);
      const before = kubeconfigText();
      chmodSync(file, 0o400);
      try {
        const result = await ws('use', ':root');
        expect({ round, ...result }).toEqual({
          round,
          code: 6,
          stdout: '',
          stderr:
            `Error: kubeconfig ${file} is read-only (mode 0400); nothing was changed. ` +
            `Make it writable (chmod u+w ${file}) or choose another file with --kubeconfig.\n`,
        });
        expect(kubeconfigText()).toBe(before);
        expect(statSync(file).mode & 0o777).toBe(0o400);
      } finally {
        chmodSync(file, 0o600);
      }
    }
  });
});

describe('an explicit empty workspace path', () => {
  it.each([
    ['ws use ""', ['use', '']],
    ['ws ""', ['']],
  ])(
    '%s is a usage error (exit 2) that changes nothing, on the fast path and through oclif',
    async (_, args) => {
      const before = kubeconfigText();
      for (const run of [ws, oclifWs]) {
        const result = await run(...args);
        expect(result).toEqual({
          code: 2,
          stdout: '',
          stderr:
            'Error: the workspace path is empty: give a path, "~" for your home workspace, or no argument at all\n',
        });
        expect(kubeconfigText()).toBe(before);
      }
    },
  );
});

describe('the kubeconfig lock', () => {
  it('says after a second which lock ws use waits for and that kubectl (an empty lock) holds it', async () => {
    const lock = `${session.user.kubeconfig}.lock`;
    writeFileSync(lock, '');
    // Released well after the 1 s notice even when a loaded machine takes a second to start kplane, and well
    // before ws use's 10 s timeout.
    const released = setTimeout(() => rmSync(lock, { force: true }), 4_000);
    try {
      const result = await ws('use', ':root:acme');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe(
        `waiting for the kubeconfig lock ${lock} (held by another program, probably kubectl) ...\n`,
      );
      expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme`);
    } finally {
      clearTimeout(released);
      rmSync(lock, { force: true });
    }
  });

  it('left by a SIGKILLed kplane names it, and the next ws use recovers it at once', async () => {
    const lockModule = path.join(repoRoot, 'dist', 'context', 'kubeconfig', 'lock.js');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { acquireKubeconfigLocks } = await import(${JSON.stringify(lockModule)});
         await acquireKubeconfigLocks([${JSON.stringify(session.user.kubeconfig)}]);
         console.log('held');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const lock = `${session.user.kubeconfig}.lock`;
    expect(readFileSync(lock, 'utf8')).toBe(`${holder.pid}@${hostname()}`);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));

    const started = Date.now();
    const result = await ws('use', ':root:acme:web');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme:web`);
    expect(() => statSync(lock)).toThrow();
  });
});

describe('reading while kubectl rewrites the kubeconfig', () => {
  it('waits for kubectl (file empty, lock held) instead of saying the current context is ""', async () => {
    const file = session.user.kubeconfig;
    const text = kubeconfigText();
    // What kubectl's write looks like from outside: it holds the lock, truncates, then writes in place.
    writeFileSync(`${file}.lock`, '');
    writeFileSync(file, '');
    const done = setTimeout(() => {
      writeFileSync(file, text);
      rmSync(`${file}.lock`, { force: true });
    }, 600);
    try {
      const result = await ws();
      expect(result).toMatchObject({ code: 0, stdout: "Current workspace is 'root'.\n" });
    } finally {
      clearTimeout(done);
      writeFileSync(file, text);
      rmSync(`${file}.lock`, { force: true });
    }
  });
});

describe('no kubeconfig to act in', () => {
  it('an empty kubeconfig gets a message that says it is empty (exit 6)', async () => {
    writeFileSync(session.user.kubeconfig, '');
    for (const args of [[], ['use', ':root']]) {
      const result = await ws(...args);
      expect(result).toEqual({
        code: 6,
        stdout: '',
        stderr:
          `Error: kubeconfig ${session.user.kubeconfig} is empty: log in with "kplane login URL", ` +
          'or name another file with --kubeconfig or KUBECONFIG\n',
      });
    }
  });

  // Without HOME, kplane (like kubectl) looks in the home folder the user database names: the real one here.
  const realKubeconfig = path.join(userInfo().homedir, '.kube', 'config');
  it.skipIf(existsSync(realKubeconfig))(
    'an unset HOME gets a message that says where kplane looked and why (exit 6)',
    async () => {
      const cache = path.join(session.user.dir, 'cache');
      const env = { ...session.user.env, HOME: undefined, KUBECONFIG: undefined, XDG_CACHE_HOME: cache };
      const home = (await kplane(['ws'], { env: { ...env, KPLANE_NO_FAST_PATH: '1' } })).stderr;
      const result = await kplane(['ws', 'use', ':root'], { env });
      expect(result.code).toBe(6);
      expect(result.stderr).toMatch(
        /^Error: no kubeconfig found at (\/\S*)\/\.kube\/config \(HOME is not set, so kplane looked in \1, your home folder in the user database\): log in with "kplane login URL"/,
      );
      expect(home).toBe(result.stderr);
    },
  );
});

describe('a server that never answers', () => {
  it('holds ws use for one 15 s deadline, and the message says so (exit 5)', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      writeFileSync(
        session.user.kubeconfig,
        kubeconfigText().replaceAll(session.platform.url, `https://127.0.0.1:${port}`),
      );
      const started = Date.now();
      const result = await ws('use', ':root:acme:web');
      const elapsed = Date.now() - started;
      expect(result.code).toBe(5);
      expect(result.stderr).toBe(
        `Error: cannot reach the platform at https://127.0.0.1:${port}: no answer within 15s\n`,
      );
      expect(elapsed).toBeGreaterThanOrEqual(15_000);
      expect(elapsed).toBeLessThan(18_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 45_000);
});
