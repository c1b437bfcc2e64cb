import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kplane, repoRoot, run, userSandbox } from './helpers/cli.js';

// kubectl runs `auth token` before every call. With a token kept in the file, the launcher prints it before it
// reads the hot path's bundle (loaded with `vm` and a code cache) or anything else; everything else goes on as
// before. KPLANE_NO_FAST_PATH=1 runs the same words through oclif: the reference the answers must equal.

const platform = 'https://127.0.0.1:9';
const sandbox = userSandbox('kplane-auth-cached-');
let probe: string;

beforeAll(() => {
  probe = path.join(sandbox.dir, 'vm-probe.cjs');
  writeFileSync(
    probe,
    "process.on('exit', () => require('node:fs').writeSync(2, `vm loaded: ${process.moduleLoadList.includes('NativeModule vm')}\\n`));\n",
  );
});
afterAll(() => sandbox.cleanup());

function storeRecord(record: object): void {
  const dir = path.join(sandbox.env.XDG_CONFIG_HOME!, 'kplane');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'credentials.json'),
    JSON.stringify({ version: 1, platforms: { [platform]: record } }),
    {
      mode: 0o600,
    },
  );
}

const authToken = (env: Record<string, string> = {}) =>
  kplane(['auth', 'token', '--server', platform], { env: { ...sandbox.env, ...env } });
const probed = () => ({ NODE_OPTIONS: `--require ${probe}` });

describe('auth token with a token kept in the file', () => {
  it('prints what the full command prints, without reading the hot path bundle', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    storeRecord({ location: 'file', token: 't0ken', expiresAt });
    const fast = await authToken(probed());
    expect(fast.stderr).toBe('vm loaded: false\n');
    expect(fast.code).toBe(0);
    const full = await authToken({ KPLANE_NO_FAST_PATH: '1' });
    expect(full.code).toBe(0);
    expect(fast.stdout).toBe(full.stdout);
    expect(JSON.parse(fast.stdout).status).toEqual({ token: 't0ken', expirationTimestamp: expiresAt });
  });

  it('an expired one goes on to the full command: same message, same exit code', async () => {
    storeRecord({ location: 'file', token: 't0ken', expiresAt: '2020-01-01T00:00:00Z' });
    const launched = await authToken(probed());
    expect(launched.stderr).toContain('vm loaded: true');
    const full = await authToken({ KPLANE_NO_FAST_PATH: '1' });
    expect(launched.code).toBe(full.code);
    expect(launched.code).toBe(4); // access denied, as the exit code table says
    expect(launched.stderr.replace('vm loaded: true\n', '')).toBe(full.stderr);
    expect(launched.stdout).toBe('');
  });

  it('through the kubectl plugin launcher and the deferring shell line alike', async () => {
    storeRecord({ location: 'file', token: 't0ken' });
    const viaPlugin = await run(
      path.join(repoRoot, 'bin', 'kubectl-kplane'),
      ['auth', 'token', '--server', platform],
      { env: { ...sandbox.env, ...probed() } },
    );
    expect(viaPlugin.stderr).toBe('vm loaded: false\n');
    const shellLine = await run(
      '/bin/sh',
      [
        '-c',
        'KPLANE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS" NODE_EXTRA_CA_CERTS= exec "$0" "$@"',
        path.join(sandbox.dir, 'bin', 'kplane'),
        'auth',
        'token',
        '--server',
        platform,
      ],
      { env: { ...sandbox.env, ...probed(), NODE_EXTRA_CA_CERTS: '/nonexistent/company-ca.pem' } },
    );
    // Node did not read the bundle (it would warn that it cannot), nor did kplane: no connection to make.
    expect(shellLine.stderr).toBe('vm loaded: false\n');
    expect(JSON.parse(shellLine.stdout).status.token).toBe('t0ken');
    expect(viaPlugin.stdout).toBe(shellLine.stdout);
  });
});
