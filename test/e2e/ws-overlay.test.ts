import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kplane, run } from './helpers/cli.js';
import { demoPlatformSession } from './helpers/session.js';

const session = demoPlatformSession();
const { kubeconfigText } = session;
let env: Record<string, string>;

beforeAll(() => {
  // Overlays go to a folder of the sandbox, so the test can see that none is left behind.
  env = {
    ...session.user.env,
    TMPDIR: path.join(session.user.dir, 'tmp'),
    XDG_RUNTIME_DIR: path.join(session.user.dir, 'run'),
  };
  mkdirSync(env.TMPDIR!);
  mkdirSync(env.XDG_RUNTIME_DIR!);
});

/** Overlays of `ws exec`/`ws shell` (those of `ws env` live until `--unset`, by design). */
const leftovers = () => readdirSync(env.TMPDIR!).filter((name) => name.startsWith('kplane-ws-'));
const shellOverlays = () => {
  const dir = path.join(env.XDG_RUNTIME_DIR!, 'kplane');
  return existsSync(dir) ? readdirSync(dir) : [];
};
const bash = (script: string, extraEnv: Record<string, string> = {}) =>
  run('/bin/bash', ['-c', script], { env: { ...env, ...extraEnv } });

describe('ws exec', () => {
  it('runs kubectl in the workspace and leaves the kubeconfig and no overlay behind', async () => {
    const before = kubeconfigText();
    const result = await kplane(
      ['ws', 'exec', 'root:acme:web', '--', 'kubectl', 'get', 'configmaps', '-o', 'name'],
      {
        env,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('configmap/web-config');
    expect(kubeconfigText()).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it('passes the exit code through and sees the overlay from a nested kplane', async () => {
    const failing = await kplane(['ws', 'exec', ':root:acme', '--', 'sh', '-c', 'exit 7'], { env });
    expect(failing.code).toBe(7);
    const words = await kplane(
      ['ws', 'exec', ':root', '--', 'sh', '-c', 'echo "$*"', 'sh', 'root', '-w', 'root'],
      {
        env,
      },
    );
    expect(words).toMatchObject({ code: 0, stdout: 'root -w root\n' });
    const missing = await kplane(['ws', 'exec', ':root', '--', 'kplane-no-such-command'], { env });
    expect(missing.code).toBe(127);
    const nested = await kplane(['ws', 'exec', ':root:acme:api', '--', 'kplane', 'ws', '--short'], { env });
    expect(nested).toMatchObject({ code: 0, stdout: 'root:acme:api\n' });
    expect(leftovers()).toEqual([]);
  });

  it('fails on a bad or unknown path before running anything', async () => {
    const before = kubeconfigText();
    const bad = await kplane(['ws', 'exec', 'Not_Valid', '--', 'sh', '-c', 'echo ran'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    const unknown = await kplane(['ws', 'exec', ':root:nope', '--', 'sh', '-c', 'echo ran'], { env });
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe('');
    expect(kubeconfigText()).toBe(before);
    expect(leftovers()).toEqual([]);
  });
});

describe('ws env', () => {
  it('points two shells at different workspaces at once; ws use inside one changes only that one', async () => {
    const before = kubeconfigText();
    const webEnv = await bash(
      'eval "$(kplane ws env :root:acme:web)"; env | grep -E "^(KUBECONFIG|KPLANE_)"',
    );
    const apiEnv = await bash(
      'eval "$(kplane ws env :root:acme:api)"; env | grep -E "^(KUBECONFIG|KPLANE_)"',
    );
    expect(webEnv.code, webEnv.stderr).toBe(0);
    expect(apiEnv.code, apiEnv.stderr).toBe(0);
    const parseEnv = (text: string) =>
      Object.fromEntries(
        text
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    const web = parseEnv(webEnv.stdout);
    const api = parseEnv(apiEnv.stdout);
    expect(web.KUBECONFIG).not.toBe(api.KUBECONFIG);
    expect(web.KUBECONFIG!.endsWith(`:${session.user.kubeconfig}`)).toBe(true);

    const webConfigMaps = await run('kubectl', ['get', 'configmaps', '-o', 'name'], {
      env: { ...env, ...web },
    });
    expect(webConfigMaps.stdout).toContain('configmap/web-config');
    const apiWhere = await kplane(['ws', '--short'], { env: { ...env, ...api } });
    expect(apiWhere.stdout).toBe('root:acme:api\n');

    const moved = await kplane(['ws', 'use', '..'], { env: { ...env, ...api } });
    expect(moved.code, moved.stderr).toBe(0);
    expect((await kplane(['ws', '--short'], { env: { ...env, ...api } })).stdout).toBe('root:acme\n');
    expect((await kplane(['ws', '--short'], { env: { ...env, ...web } })).stdout).toBe('root:acme:web\n');
    expect((await kplane(['ws', '--short'], { env })).stdout).toBe('root\n');
    expect(kubeconfigText()).toBe(before);

    // A second `ws env` in the same shell replaces its overlay instead of stacking, and --unset restores.
    const again = await bash(
      'eval "$(kplane ws env :root:acme:web)"; eval "$(kplane ws env :root:acme:api)"; echo "$KUBECONFIG"; ' +
        'eval "$(kplane ws env --unset)"; echo "${KUBECONFIG}"; echo "${KPLANE_WORKSPACE_OVERLAY:-none}"',
    );
    const [stacked, restored, overlay] = again.stdout.trim().split('\n');
    expect(stacked!.split(':')).toHaveLength(2);
    expect(restored).toBe(session.user.kubeconfig);
    expect(overlay).toBe('none');
    expect(shellOverlays()).not.toContain(path.basename(stacked!.split(':')[0]!));
  });

  it('prints fish syntax', async () => {
    const result = await kplane(['ws', 'env', ':root:acme', '--shell', 'fish'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^set -gx KUBECONFIG '/m);
    expect(result.stdout).toMatch(/^set -gx KPLANE_WORKSPACE_OVERLAY '/m);
  });
});

describe('ws shell', () => {
  it('runs a shell in the workspace, lets ws use switch only that shell, and cleans up', async () => {
    const before = kubeconfigText();
    const script = [
      'echo "ws=$KPLANE_WORKSPACE"',
      'kubectl get configmaps -o name',
      'kplane ws use .. >/dev/null',
      'kplane ws --short',
      'exit 3',
    ].join('\n');
    const result = await kplane(['ws', 'shell', ':root:acme:web'], {
      env: { ...env, SHELL: '/bin/sh' },
      input: `${script}\n`,
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain('ws=root:acme:web\n');
    expect(result.stdout).toContain('configmap/web-config');
    expect(result.stdout).toContain('root:acme\n');
    expect(kubeconfigText()).toBe(before);
    expect(leftovers()).toEqual([]);
  });
});

describe('-w/--workspace', () => {
  it('acts in another workspace without switching', async () => {
    const before = kubeconfigText();
    const tree = await kplane(['ws', 'tree', '-w', ':root:acme:api'], { env });
    expect(tree.code, tree.stderr).toBe(0);
    const treeFlagAfter = await kplane(['ws', 'tree', '-w', ':root:acme', '--full'], { env });
    expect(treeFlagAfter.code, treeFlagAfter.stderr).toBe(0);
    expect(treeFlagAfter.stdout).toContain('root:acme:web');
    const places = await kplane(['place', 'list', '-w', 'acme:web', '-o', 'json'], { env });
    expect(places.code, places.stderr).toBe(0);
    const whoami = await kplane(['whoami', '-w', ':root:acme:api', '-o', 'json'], { env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain('root:acme:api');
    const leading = await kplane(['-w', ':root:acme', 'ws', 'tree', '--full'], { env });
    expect(leading).toMatchObject({ code: 0, stdout: treeFlagAfter.stdout });
    const bad = await kplane(['ws', 'tree', '-w', '..'], { env });
    expect(bad.code).toBe(2);
    expect(kubeconfigText()).toBe(before);
  });
});
