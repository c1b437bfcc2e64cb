import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, kubectl, startDevPlatform, type DevPlatform, type RunResult } from './helpers/cli.js';
import { loggedInUser, login, mintToken, type LoggedInUser } from './helpers/identity.js';

// kubectl runs the credential entry `kplane login` wrote before every call. On Linux and macOS it is a shell line
// that prints the answer kplane prepared for a stored token, so no Node process starts; whatever it cannot
// answer goes on to `kplane auth token`, as before. A probe preloaded into every Node process tells them apart.

let platform: DevPlatform;
let alice: LoggedInUser;
let probe: string;
let started: string;

beforeAll(async () => {
  platform = await startDevPlatform();
  alice = await loggedInUser(platform, 'alice');
  probe = path.join(alice.sandbox.dir, 'node-probe.cjs');
  started = path.join(alice.sandbox.dir, 'node-started');
  writeFileSync(probe, `require('node:fs').appendFileSync(${JSON.stringify(started)}, 'node\\n');\n`);
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  alice?.sandbox.cleanup();
});

/** `kubectl auth whoami` as alice; says whether any Node process started for it. */
async function whoami(env: Record<string, string> = {}): Promise<RunResult & { nodeStarted: boolean }> {
  rmSync(started, { force: true });
  const result = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], {
    env: { ...alice.sandbox.env, NODE_OPTIONS: `--require ${probe}`, ...env },
  });
  return { ...result, nodeStarted: existsSync(started) };
}

describe('kubectl through the credential entry', () => {
  it('gets a stored token without starting Node, the same as kplane answers it', async () => {
    const shell = await whoami();
    expect(shell, shell.stderr).toMatchObject({ code: 0, stdout: 'alice', stderr: '', nodeStarted: false });
    const launched = await whoami({ KPLANE_NO_FAST_PATH: '1' });
    expect(launched).toMatchObject({ code: 0, stdout: 'alice', nodeStarted: true });
  });

  it('after logout goes on to kplane, which says to log in; a new login answers without Node again', async () => {
    expect((await alice.kplane('logout')).code).toBe(0);
    const out = await whoami();
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(`run kplane login ${platform.url}`);
    expect(out.nodeStarted).toBe(true);
    expect((await login(platform, alice.sandbox, alice.token)).code).toBe(0);
    expect(await whoami()).toMatchObject({ code: 0, stdout: 'alice', nodeStarted: false });
  });

  it('stops answering when the token expires: kplane then says it expired', async () => {
    const token = await mintToken(platform, 'alice', '--ttl', '8s');
    expect((await login(platform, alice.sandbox, token)).code).toBe(0);
    expect(await whoami()).toMatchObject({ code: 0, stdout: 'alice', nodeStarted: false });
    const { expirationTimestamp } = JSON.parse(
      (await kplane(['auth', 'token', '--server', platform.url], { env: alice.sandbox.env })).stdout,
    ).status as { expirationTimestamp: string };
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expirationTimestamp) - Date.now() + 1_100));
    const expired = await whoami();
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toContain('expired');
    expect(expired.nodeStarted).toBe(true);
  });

  it('writes no token into the kubeconfig, only where the prepared answer is', () => {
    const kubeconfig = readFileSync(alice.sandbox.kubeconfig, 'utf8');
    expect(kubeconfig).not.toContain(alice.token);
    expect(kubeconfig).toMatch(/exec-credentials/);
  });
});
