import { describe, expect, it } from 'vitest';
import { ContextExistsError, planCreateContext } from './create-context.js';
import { applyChangesToConfig } from './kubeconfig/edit.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from './kubeconfig/load.js';
import type { MergedKubeconfig } from './kubeconfig/types.js';
import { NotAWorkspaceError } from './workspace-path.js';

const FILE = '/home/me/.kube/config';

function kubeconfig(server: string, moreContexts = ''): MergedKubeconfig {
  const text = `apiVersion: v1
kind: Config
current-context: workspace.kcp.io/current
clusters:
- name: workspace.kcp.io/current
  cluster: {server: '${server}', certificate-authority-data: Q0E=}
contexts:
- name: workspace.kcp.io/current
  context: {cluster: workspace.kcp.io/current, user: me, namespace: team}
${moreContexts}users:
- name: me
  user: {token: secret}
`;
  return mergeKubeconfigFiles([parseKubeconfigText(text, FILE)], { files: [FILE], destination: FILE });
}

const bodies = (entries: MergedKubeconfig['clusters']) =>
  Object.fromEntries([...entries].map(([name, entry]) => [name, entry.value]));

describe('planCreateContext (kcp ws create-context)', () => {
  it('names the context and cluster after the path, keeps user and namespace, copies no user', () => {
    const config = kubeconfig('https://h/clusters/root:a');
    const plan = planCreateContext(config, { overwrite: false });
    expect(plan).toMatchObject({ name: 'root:a', path: 'root:a', created: true, switched: true });
    const after = applyChangesToConfig(config, plan.changes);
    expect(after.currentContext).toBe('root:a');
    expect(bodies(after.contexts)['root:a']).toEqual({ cluster: 'root:a', user: 'me', namespace: 'team' });
    expect(bodies(after.clusters)['root:a']).toEqual({
      server: 'https://h/clusters/root:a',
      'certificate-authority-data': 'Q0E=',
    });
    expect(bodies(after.users)).toEqual(bodies(config.users));
  });

  it('refuses an existing context or cluster of that name unless overwriting', () => {
    const existing = kubeconfig(
      'https://h/clusters/root:a',
      '- name: x\n  context: {cluster: x, user: me}\n',
    );
    expect(() => planCreateContext(existing, { name: 'x', overwrite: false })).toThrow(
      new ContextExistsError('context', 'x'),
    );
    expect(planCreateContext(existing, { name: 'x', overwrite: true })).toMatchObject({ created: false });
    const cluster = kubeconfig('https://h/clusters/root:a');
    (cluster.clusters as Map<string, unknown>).set('y', cluster.clusters.get('workspace.kcp.io/current'));
    expect(() => planCreateContext(cluster, { name: 'y', overwrite: false })).toThrow(
      'cluster "y" already exists in kubeconfig, use --overwrite to update it',
    );
  });

  it('needs a workspace URL', () => {
    expect(() => planCreateContext(kubeconfig('https://h/services/x'), { overwrite: false })).toThrow(
      new NotAWorkspaceError('https://h/services/x'),
    );
  });
});
