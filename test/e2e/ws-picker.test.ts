import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kplane, kplaneBin } from './helpers/cli.js';
import { spawnInPty } from './helpers/pty.js';
import { demoPlatformSession } from './helpers/session.js';

const session = demoPlatformSession();
const { kubeconfigText, currentServer } = session;

/** kplane in a terminal, as the sandbox's user (no CI, so it may prompt). */
const kplaneInPty = (...args: string[]) =>
  spawnInPty([process.execPath, kplaneBin, ...args], { ...session.user.env, NO_COLOR: '1', CI: undefined });

describe('ws use picker in a terminal', () => {
  it('filters as you type and switches on enter', async () => {
    const pty = kplaneInPty('ws', 'use');
    try {
      await pty.waitFor('Workspace:', 20_000);
      pty.type('acme:we');
      await pty.waitFor(/root:acme:web \(root:team\)/);
      // The filtered list must have dropped workspaces that do not match.
      await new Promise((resolve) => setTimeout(resolve, 300));
      pty.type('\r');
      expect(await pty.exited).toBe(0);
      expect(pty.screen()).toContain("Current workspace is 'root:acme:web'");
      expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme:web`);
    } finally {
      pty.kill();
    }
  }, 40_000);

  for (const [name, key] of [
    ['Esc', '\x1b'],
    ['Ctrl-C', '\x03'],
  ] as const) {
    it(`${name} cancels with exit 130 and leaves the kubeconfig alone`, async () => {
      const before = kubeconfigText();
      const pty = kplaneInPty('ws', 'cd');
      try {
        await pty.waitFor('Workspace:', 20_000);
        pty.type('acme');
        await pty.waitFor(/acme[^\n]*\r?\n[^\n]*root:acme/);
        // Let the prompt read the typed text first, so the key arrives on its own as a user's would.
        await new Promise((resolve) => setTimeout(resolve, 300));
        pty.type(key);
        expect(await pty.exited).toBe(130);
        expect(kubeconfigText()).toBe(before);
      } finally {
        pty.kill();
      }
    }, 40_000);
  }

  it('without a terminal still goes home', async () => {
    const result = await kplane(['ws', 'use'], { env: session.user.env });
    expect(result.stderr).toContain("'kplane ws use' with no argument goes to your home workspace");
  });
});

describe('ws tree -i', () => {
  const cursorLine = (screen: string) =>
    (screen.split('\x1b[2J\x1b[H').at(-1) ?? '').split('\r\n').find((line) => line.startsWith('❯')) ?? '';

  it('moves with the arrows and switches on enter', async () => {
    const pty = kplaneInPty('ws', 'tree', '-i', '-w', ':root:acme');
    try {
      await pty.waitFor('enter switch', 20_000);
      expect(cursorLine(pty.screen())).toContain('acme');
      for (let step = 0; step < 10 && !cursorLine(pty.screen()).includes('web'); step++) {
        const before = pty.screen().length;
        pty.type('\x1b[B');
        await waitUntil(
          () => pty.screen().length > before,
          5_000,
          () => pty.screen(),
        );
      }
      expect(cursorLine(pty.screen())).toContain('web');
      pty.type('\r');
      expect(await pty.exited).toBe(0);
      expect(pty.screen()).toContain("Current workspace is 'root:acme:web'");
      expect(currentServer()).toBe(`${session.platform.url}/clusters/root:acme:web`);
    } finally {
      pty.kill();
    }
  }, 40_000);

  it('q quits with exit 130 and changes nothing', async () => {
    const before = kubeconfigText();
    const pty = kplaneInPty('ws', 'tree', '-i');
    try {
      await pty.waitFor('enter switch', 20_000);
      pty.type('q');
      expect(await pty.exited).toBe(130);
      expect(kubeconfigText()).toBe(before);
    } finally {
      pty.kill();
    }
  }, 40_000);
});

describe('ws tree --watch', () => {
  it('redraws when a workspace is added', async () => {
    const child = spawn(process.execPath, [kplaneBin, 'ws', 'tree', '--watch', '-w', ':root:acme'], {
      env: { ...process.env, ...session.user.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil(
        () => output.includes('web'),
        20_000,
        () => output,
      );
      expect(output).not.toContain('watched-new');
      const created = await kplane(['ws', 'create', 'watched-new', '-w', ':root:acme'], {
        env: session.user.env,
      });
      expect(created.code, created.stderr).toBe(0);
      await waitUntil(
        () => output.includes('watched-new'),
        3_000,
        () => output,
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});

async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
