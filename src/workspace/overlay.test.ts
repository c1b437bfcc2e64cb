import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clientSettingsFor } from '../context/kubeconfig/client-settings.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from '../context/kubeconfig/load.js';
import {
  buildOverlayKubeconfig,
  overlayKubeconfigList,
  userKubeconfigFiles,
  writeTemporaryOverlay,
} from './overlay.js';
import { quoteForShell, unsetWorkspaceEnvScript } from './shell-env.js';

function merged(...files: [path: string, text: string][]) {
  const parsed = files.map(([p, t]) => parseKubeconfigText(t, p));
  return mergeKubeconfigFiles(parsed, { files: files.map(([p]) => p), destination: files[0]?.[0] ?? '' });
}

const userConfig = `
current-context: dev
clusters:
- name: platform
  cluster:
    server: https://h/prefix/clusters/root
    certificate-authority: ca.crt
    tls-server-name: internal
contexts:
- name: dev
  context: {cluster: platform, user: me, namespace: team}
users:
- name: me
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: kplane, args: [auth, token]}
`;

describe('buildOverlayKubeconfig', () => {
  const config = merged(['/home/u/.kube/config', userConfig]);
  const overlay = buildOverlayKubeconfig(config, 'https://h/prefix/clusters/root:a:b');

  it('copies the cluster with only server changed (file references made absolute) and no user entry', () => {
    expect(overlay).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'workspace.kcp.io/current',
          cluster: {
            server: 'https://h/prefix/clusters/root:a:b',
            'certificate-authority': '/home/u/.kube/ca.crt',
            'tls-server-name': 'internal',
          },
        },
      ],
      contexts: [
        {
          name: 'workspace.kcp.io/current',
          context: { cluster: 'workspace.kcp.io/current', user: 'me', namespace: 'team' },
        },
      ],
      'current-context': 'workspace.kcp.io/current',
    });
    expect(stringify(overlay)).not.toContain('exec');
  });

  it('merged in front of the user files, points kubectl at the workspace with the user’s credentials', () => {
    const layered = merged(['/tmp/o/kubeconfig', stringify(overlay)], ['/home/u/.kube/config', userConfig]);
    const settings = clientSettingsFor(layered);
    expect(settings.server).toBe('https://h/prefix/clusters/root:a:b');
    expect(settings.userName).toBe('me');
    expect(settings.exec?.args).toEqual(['auth', 'token']);
    expect(settings.namespace).toBe('team');
  });

  it('fails clearly without a current context', () => {
    expect(() => buildOverlayKubeconfig(merged(['/k', 'clusters: []']), 'https://h/clusters/root')).toThrow(
      /no current context/,
    );
  });
});

describe('overlay files and lists', () => {
  it('writes a private overlay and removes it', () => {
    const overlay = writeTemporaryOverlay('kind: Config\n', ['/a', '/b']);
    try {
      expect(readFileSync(overlay.file, 'utf8')).toBe('kind: Config\n');
      expect(statSync(overlay.file).mode & 0o777).toBe(0o600);
      expect(statSync(join(overlay.file, '..')).mode & 0o777).toBe(0o700);
      expect(overlay.kubeconfigList).toBe([overlay.file, '/a', '/b'].join(delimiter));
    } finally {
      overlay.remove();
    }
    expect(() => statSync(overlay.file)).toThrow();
  });

  it('drops an overlay of ours from the front of KUBECONFIG instead of stacking', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'kplane-overlay-test-'));
    try {
      const ours = join(dir, 'ws-env-42.kubeconfig');
      const env = { KUBECONFIG: [ours, '/u/one', '/u/two'].join(delimiter), KPLANE_WORKSPACE_OVERLAY: ours };
      expect(userKubeconfigFiles({}, env)).toEqual(['/u/one', '/u/two']);
      // Not ours (not named in KPLANE_WORKSPACE_OVERLAY): kept.
      expect(userKubeconfigFiles({}, { KUBECONFIG: env.KUBECONFIG })).toEqual([ours, '/u/one', '/u/two']);
      expect(userKubeconfigFiles({}, { HOME: '/h' })).toEqual(['/h/.kube/config']);
      expect(userKubeconfigFiles({ explicitPath: '/x/cfg' }, env)).toEqual(['/x/cfg']);
      expect(overlayKubeconfigList(ours, ['/u/one'])).toBe([ours, '/u/one'].join(delimiter));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quoteForShell', () => {
  it.each([
    ['bash', "/tmp/it's here", "'/tmp/it'\\''s here'"],
    ['zsh', '/a:/b', "'/a:/b'"],
    ['fish', "/tmp/it's\\x", "'/tmp/it\\'s\\\\x'"],
  ] as const)('%s quotes %s', (shell, value, expected) => {
    expect(quoteForShell(shell, value)).toBe(expected);
  });
});

describe('unsetWorkspaceEnvScript', () => {
  it('restores the KUBECONFIG saved by ws env and removes the overlay', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'kplane-overlay-test-'));
    try {
      const ours = join(dir, 'ws-env-42.kubeconfig');
      writeFileSync(ours, 'kind: Config\n');
      const env = {
        KUBECONFIG: [ours, '/u/one'].join(delimiter),
        KPLANE_WORKSPACE_OVERLAY: ours,
        KPLANE_WORKSPACE_PREVIOUS_KUBECONFIG: '/u/one',
      };
      expect(unsetWorkspaceEnvScript('bash', env)).toBe(
        "export KUBECONFIG='/u/one';\nunset KPLANE_WORKSPACE_OVERLAY;\nunset KPLANE_WORKSPACE_PREVIOUS_KUBECONFIG;",
      );
      expect(existsSync(ours)).toBe(false);
      expect(
        unsetWorkspaceEnvScript('fish', { ...env, KPLANE_WORKSPACE_PREVIOUS_KUBECONFIG: '' }).split('\n')[0],
      ).toBe('set -e KUBECONFIG;');
      // Outside a `ws env` overlay there is nothing to undo.
      expect(unsetWorkspaceEnvScript('bash', { KUBECONFIG: '/u/one' })).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
