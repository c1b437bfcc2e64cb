import { copyFileSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kplane, kubectl, repoRoot, run } from './helpers/cli.js';
import { demoPlatformSession } from './helpers/session.js';

const launchers = ['kubectl-ws', 'kubectl-kplane', 'kubectl_complete-ws', 'kubectl_complete-kplane'];

const session = demoPlatformSession('kplane-plugins-');
const { kubeconfigText } = session;

beforeAll(() => {
  // As `npm install -g` would: the package's launchers, linked into a folder on PATH.
  for (const name of launchers)
    symlinkSync(path.join(repoRoot, 'bin', name), path.join(session.user.dir, 'bin', name));
});

const env = () => session.user.env;
const lines = (text: string) => text.trimEnd().split('\n');

describe('kubectl plugins', () => {
  it('kubectl plugin list finds both plugins', async () => {
    const result = await kubectl(['plugin', 'list', '--name-only'], { env: env() });
    expect(result.stdout).toContain('kubectl-ws');
    expect(result.stdout).toContain('kubectl-kplane');
  });

  it('kubectl ws use and kubectl ws behave exactly like kplane ws, kubeconfig included', async () => {
    const viaKubectl = await kubectl(['ws', 'use', ':root:acme:web'], { env: env() });
    const kubeconfigViaKubectl = kubeconfigText();
    copyFileSync(session.platform.adminKubeconfig, session.user.kubeconfig);
    const viaKplane = await kplane(['ws', 'use', ':root:acme:web'], { env: env() });
    expect(viaKubectl).toEqual(viaKplane);
    expect(viaKubectl).toMatchObject({
      code: 0,
      stdout: "Current workspace is 'root:acme:web' (type root:team).\n",
    });
    expect(kubeconfigViaKubectl).toBe(kubeconfigText());

    const current = await kubectl(['ws'], { env: env() });
    expect(current).toEqual(await kplane(['ws'], { env: env() }));
    expect(current.stdout).toBe("Current workspace is 'root:acme:web'.\n");
    expect((await kubectl(['ws', '--short'], { env: env() })).stdout).toBe('root:acme:web\n');
  });

  it('passes exit codes through, and leaves the kubeconfig alone on error', async () => {
    const before = kubeconfigText();
    const viaKubectl = await kubectl(['ws', 'use', ':root:nope'], { env: env() });
    const viaKplane = await kplane(['ws', 'use', ':root:nope'], { env: env() });
    expect(viaKubectl.code).not.toBe(0);
    expect(viaKubectl).toEqual(viaKplane);
    expect(kubeconfigText()).toBe(before);
  });

  it('kubectl kplane runs any kplane command, oclif ones too', async () => {
    const result = await kubectl(['kplane', 'ws', 'tree'], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('acme');
    expect(result.stdout).toContain('web');
    expect(result).toEqual(await kplane(['ws', 'tree'], { env: env() }));
  });
});

describe('completion', () => {
  it('completes a partial workspace path from the platform', async () => {
    const result = await kplane(['__complete', 'ws', 'use', 'root:acme:w'], { env: env() });
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual(['root:acme:web', ':4']);

    const children = await kplane(['__complete', 'ws', ''], { env: env() });
    expect(lines(children.stdout)).toEqual(expect.arrayContaining(['use', 'tree', '..', ':', 'acme', ':4']));
  });

  it('kubectl_complete-ws answers what kubectl asks for `kubectl ws use root:acme:w<TAB>`', async () => {
    const helper = await run(
      path.join(session.user.dir, 'bin', 'kubectl_complete-ws'),
      ['use', 'root:acme:w'],
      {
        env: env(),
      },
    );
    expect(lines(helper.stdout)).toEqual(['root:acme:web', ':4']);

    // kubectl's own completion hands the plugin's words to the helper and prints its answer.
    const viaKubectl = await kubectl(['__complete', 'ws', 'use', 'root:acme:w'], { env: env() });
    expect(viaKubectl.stdout).toContain('root:acme:web');
    const viaKplanePlugin = await kubectl(['__complete', 'kplane', 'ws', 'use', 'root:acme:'], {
      env: env(),
    });
    expect(viaKplanePlugin.stdout).toContain('root:acme:api');
  });

  it('completes export references for bind, and output formats', async () => {
    const binds = await kplane(['__complete', 'bind', 'root:'], { env: env() });
    expect(binds.code).toBe(0);
    expect(lines(binds.stdout).at(-1)).toBe(':4');
    for (const line of lines(binds.stdout).slice(0, -1)) expect(line).toMatch(/^root:[a-z0-9:-]+$/);

    const outputs = await kplane(['__complete', 'ws', 'tree', '-o', ''], { env: env() });
    expect(lines(outputs.stdout)).toEqual(['text', 'json', 'yaml', ':4']);
  });

  it('completes nothing, silently, when the platform is unreachable or there is no kubeconfig', async () => {
    writeFileSync(
      session.user.kubeconfig,
      kubeconfigText().replaceAll(session.platform.url, 'https://127.0.0.1:1'),
    );
    const unreachable = await kplane(['__complete', 'ws', 'use', 'root:acme:'], { env: env() });
    expect(unreachable).toEqual({ code: 0, stdout: ':4\n', stderr: '' });

    rmSync(session.user.kubeconfig);
    const missing = await kplane(['__complete', 'ws', 'use', 'a'], { env: env() });
    expect(missing).toEqual({ code: 0, stdout: ':4\n', stderr: '' });
  });

  it('prints scripts for bash, zsh and fish', async () => {
    const bash = await kplane(['completion', 'bash'], { env: env() });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -F _kplane_complete kplane');
    const scriptFile = path.join(session.user.dir, 'kplane.bash');
    writeFileSync(scriptFile, bash.stdout);
    expect(await run('bash', ['-n', scriptFile])).toMatchObject({ code: 0, stderr: '' });
    const defined = await run('bash', [
      '-c',
      `source ${scriptFile} && declare -F _kplane_complete && complete -p kplane`,
    ]);
    expect(defined.code, defined.stderr).toBe(0);

    // Drive the function as bash would for `kplane ws use root:acme:w<TAB>` (`:` is a word break).
    const line = 'kplane ws use root:acme:w';
    const tab = await run(
      'bash',
      [
        '-c',
        `source ${scriptFile}; COMP_LINE='${line}'; COMP_POINT=${line.length}; ` +
          `COMP_WORDS=(kplane ws use root : acme : w); COMP_CWORD=7; _kplane_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { env: env() },
    );
    expect(tab.stdout).toBe('web\n');

    for (const shell of ['zsh', 'fish']) {
      const script = await kplane(['completion', shell], { env: env() });
      expect(script.code).toBe(0);
      expect(script.stdout).toContain('kplane __complete');
    }
    expect((await kplane(['completion', 'tcsh'], { env: env() })).code).not.toBe(0);
  });
});

describe('ws --short for shell prompts', () => {
  it.each([
    ['fast path', {}],
    ['oclif', { KPLANE_NO_FAST_PATH: '1' }],
  ])('prints nothing and succeeds without a workspace (%s)', async (_, extraEnv) => {
    const missing = path.join(session.user.dir, 'no-such-kubeconfig');
    expect(existsSync(missing)).toBe(false);
    const noKubeconfig = await kplane(['ws', '--short'], {
      env: { ...env(), ...extraEnv, KUBECONFIG: missing },
    });
    expect(noKubeconfig).toEqual({ code: 0, stdout: '', stderr: '' });

    // A kubeconfig whose current context points at something that is not a workspace, and one with no current
    // context. Neither may reach the network: the server is unroutable.
    const notWorkspace = path.join(session.user.dir, 'plain-kubeconfig');
    writeFileSync(
      notWorkspace,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: plain, cluster: {server: "https://10.255.255.1:6443"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: plain, context: {cluster: plain, user: u}}]',
        'current-context: plain',
        '',
      ].join('\n'),
    );
    const plain = await kplane(['ws', '--short'], {
      env: { ...env(), ...extraEnv, KUBECONFIG: notWorkspace },
    });
    expect(plain).toEqual({ code: 0, stdout: '', stderr: '' });

    writeFileSync(notWorkspace, readFileSync(notWorkspace, 'utf8').replace('current-context: plain', ''));
    const noContext = await kplane(['ws', '--short'], {
      env: { ...env(), ...extraEnv, KUBECONFIG: notWorkspace },
    });
    expect(noContext).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
