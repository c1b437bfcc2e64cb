import { describe, expect, it } from 'vitest';
import { KubeconfigContextError, clientSettingsFor } from './client-settings.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from './load.js';

function merged(...files: [path: string, text: string][]) {
  const parsed = files.map(([p, t]) => parseKubeconfigText(t, p));
  return mergeKubeconfigFiles(parsed, { files: files.map(([p]) => p), destination: files[0]?.[0] ?? '' });
}

describe('clientSettingsFor', () => {
  const a = `
current-context: dev
contexts:
- name: dev
  context: {cluster: platform, user: me, namespace: team}
- name: broken
  context: {cluster: nowhere, user: me}
- name: nouser
  context: {cluster: platform, user: ghost}
`;
  const b = `
clusters:
- name: platform
  cluster:
    server: https://h/clusters/root
    certificate-authority: ca.crt
    insecure-skip-tls-verify: yes
    tls-server-name: internal
users:
- name: me
  user:
    tokenFile: token
    client-certificate: /abs/cert
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/kplane
      args: [auth, token]
      env: [{name: A, value: b}]
      provideClusterInfo: true
`;

  it('resolves file references against the file each entry came from', () => {
    const s = clientSettingsFor(merged(['/home/me/.kube/config', a], ['/etc/kube/shared', b]));
    expect(s).toMatchObject({
      contextName: 'dev',
      clusterName: 'platform',
      userName: 'me',
      namespace: 'team',
      server: 'https://h/clusters/root',
      certificateAuthority: '/etc/kube/ca.crt',
      insecureSkipTlsVerify: true,
      tlsServerName: 'internal',
      tokenFile: '/etc/kube/token',
      clientCertificate: '/abs/cert',
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: '/etc/kube/bin/kplane',
        args: ['auth', 'token'],
        env: [{ name: 'A', value: 'b' }],
        provideClusterInfo: true,
      },
    });
  });

  it.each([
    ['broken', 'cluster "nowhere" was not found for context "broken"'],
    ['nouser', 'user "ghost" was not found for context "nouser"'],
    ['missing', 'context "missing" not found in kubeconfig'],
  ])('%s fails clearly', (ctx, message) => {
    expect(() => clientSettingsFor(merged(['/k/a', a], ['/k/b', b]), ctx)).toThrow(KubeconfigContextError);
    expect(() => clientSettingsFor(merged(['/k/a', a], ['/k/b', b]), ctx)).toThrow(message);
  });

  it('fails when no context is current', () => {
    expect(() => clientSettingsFor(merged(['/k/b', b]))).toThrow(
      'no current context is set in the kubeconfig',
    );
  });
});
