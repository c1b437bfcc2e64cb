import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authTokenServerArg,
  DEFER_EXTRA_CA_SHELL_LINE,
  isThisKplane,
  PREPARED_CREDENTIAL_SHELL_LINE,
  ownAuthTokenServer,
  type ExecPluginCall,
} from './own-exec-plugin.js';

const url = 'https://127.0.0.1:6443';
const ours = '/opt/kplane/bin/run.js';
const isOurs = (command: string) => command === ours;
const plugin = (command: string, args: string[], env: ExecPluginCall['env'] = []): ExecPluginCall => ({
  command,
  args,
  env,
});

describe('recognising kplane login’s own exec plugin', () => {
  it.each([
    [
      'the bare name, as login writes it for a global install',
      plugin('kplane', ['auth', 'token', '--server', url]),
    ],
    ['--server=URL', plugin('kplane', ['auth', 'token', `--server=${url}`])],
    ['a path that is this kplane', plugin(ours, ['auth', 'token', '--server', url])],
    ['a platform URL with a path prefix', plugin('kplane', ['auth', 'token', '--server', `${url}/kcp`])],
    [
      'the shell line that defers NODE_EXTRA_CA_CERTS (older logins)',
      plugin('/bin/sh', ['-c', DEFER_EXTRA_CA_SHELL_LINE, 'kplane', 'auth', 'token', '--server', url]),
    ],
    [
      'the shell line that prints a prepared answer',
      plugin('/bin/sh', [
        '-c',
        PREPARED_CREDENTIAL_SHELL_LINE,
        'f00d',
        'kplane',
        'auth',
        'token',
        '--server',
        url,
      ]),
    ],
  ])('reads the token in-process for %s', (_, exec) => {
    expect(ownAuthTokenServer(exec, isOurs)).toBe(exec.args.at(-1)!.replace('--server=', ''));
  });

  it.each([
    ['another command', plugin('gke-gcloud-auth-plugin', ['auth', 'token', '--server', url])],
    [
      'kubectl-kplane by bare name (login never writes it)',
      plugin('kubectl-kplane', ['auth', 'token', '--server', url]),
    ],
    ['a relative path', plugin('bin/run.js', ['auth', 'token', '--server', url])],
    ['a path that is some other kplane', plugin('/usr/local/bin/kplane', ['auth', 'token', '--server', url])],
    ['auth token without --server', plugin('kplane', ['auth', 'token'])],
    ['--server without its value', plugin('kplane', ['auth', 'token', '--server'])],
    ['an extra argument', plugin('kplane', ['auth', 'token', '--server', url, '--verbose'])],
    ['a flag before the command', plugin('kplane', ['--debug', 'auth', 'token', '--server', url])],
    ['another subcommand', plugin('kplane', ['auth', 'login', '--server', url])],
    ['a look-alike flag', plugin('kplane', ['auth', 'token', '--servers', url])],
    ['no arguments', plugin('kplane', [])],
    [
      'another shell line',
      plugin('/bin/sh', ['-c', 'exec "$0" "$@"', 'kplane', 'auth', 'token', '--server', url]),
    ],
    [
      'the shell line running another program',
      plugin('/bin/sh', ['-c', DEFER_EXTRA_CA_SHELL_LINE, 'other', 'auth', 'token', '--server', url]),
    ],
    [
      'the prepared-answer line running another program',
      plugin('/bin/sh', [
        '-c',
        PREPARED_CREDENTIAL_SHELL_LINE,
        'f00d',
        'other',
        'auth',
        'token',
        '--server',
        url,
      ]),
    ],
    [
      'the prepared-answer line without its answer name',
      plugin('/bin/sh', ['-c', PREPARED_CREDENTIAL_SHELL_LINE, 'kplane', 'auth', 'token', '--server', url]),
    ],
    [
      'an env entry, which could point it at another config folder',
      plugin(
        'kplane',
        ['auth', 'token', '--server', url],
        [{ name: 'XDG_CONFIG_HOME', value: '/elsewhere' }],
      ),
    ],
  ])('runs the plugin as a process for %s', (_, exec) => {
    expect(ownAuthTokenServer(exec, isOurs)).toBeUndefined();
  });

  it('takes exactly the words the hot path runs as `auth token`', () => {
    expect(authTokenServerArg(['auth', 'token', '--server', url])).toBe(url);
    expect(authTokenServerArg(['auth', 'token', `--server=${url}`])).toBe(url);
    expect(authTokenServerArg(['auth', 'token', '--server=', 'x'])).toBeUndefined();
    expect(authTokenServerArg(['token', '--server', url])).toBeUndefined();
  });
});

describe('which paths are this kplane', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kplane-launchers-'));
  const bin = path.join(root, 'pkg', 'bin');
  const other = path.join(root, 'other');
  mkdirSync(bin, { recursive: true });
  mkdirSync(other);
  for (const name of ['run.js', 'kubectl-kplane', 'kubectl-ws', 'kubectl_complete-ws']) {
    writeFileSync(path.join(bin, name), '');
  }
  writeFileSync(path.join(other, 'run.js'), '');
  writeFileSync(path.join(other, 'vitest.mjs'), '');
  // A global install: `kplane` on PATH is a link to the package's launcher.
  const globalKplane = path.join(root, 'kplane');
  symlinkSync(path.join(bin, 'run.js'), globalKplane);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['the launcher itself, through a link', globalKplane, path.join(bin, 'run.js')],
    ['the link, when started through it', path.join(bin, 'run.js'), globalKplane],
    ['kubectl-kplane beside the launcher', path.join(bin, 'kubectl-kplane'), globalKplane],
    ['run.js when started as kubectl ws', path.join(bin, 'run.js'), path.join(bin, 'kubectl-ws')],
    ['run.js when started by a completion helper', globalKplane, path.join(bin, 'kubectl_complete-ws')],
  ])('yes: %s', (_, command, launcher) => {
    expect(isThisKplane(command, launcher)).toBe(true);
  });

  it.each([
    ['kubectl-ws, which adds `ws` to the words', path.join(bin, 'kubectl-ws'), globalKplane],
    ['a launcher of another install', path.join(other, 'run.js'), globalKplane],
    [
      'a sibling when this process is not a kplane launcher',
      path.join(other, 'run.js'),
      path.join(other, 'vitest.mjs'),
    ],
    ['a command that does not exist', path.join(bin, 'kplane-missing'), globalKplane],
  ])('no: %s', (_, command, launcher) => {
    expect(isThisKplane(command, launcher)).toBe(false);
  });
});
