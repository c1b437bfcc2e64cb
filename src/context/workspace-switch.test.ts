import { describe, expect, it } from 'vitest';
import {
  type KubeconfigChange,
  applyChangesToConfig,
  applyChangesToText,
  routeChanges,
} from './kubeconfig/edit.js';
import { mergeKubeconfigFiles, parseKubeconfigText } from './kubeconfig/load.js';
import type { MergedKubeconfig } from './kubeconfig/types.js';
import {
  ClusterNotFoundError,
  ContextNotFoundError,
  NoPreviousWorkspaceError,
  currentWorkspace,
  planSwapToPrevious,
  planUseWorkspace,
} from './workspace-switch.js';

const FILE = '/home/me/.kube/config';
const CUR = 'workspace.kcp.io/current';
const PREV = 'workspace.kcp.io/previous';

function kubeconfig(text: string): MergedKubeconfig {
  return mergeKubeconfigFiles([parseKubeconfigText(text, FILE)], { files: [FILE], destination: FILE });
}

/** The parts a test compares: current-context and the bodies of clusters and contexts by name. */
function view(config: MergedKubeconfig) {
  const bodies = (m: MergedKubeconfig['clusters']) =>
    Object.fromEntries([...m].map(([k, v]) => [k, v.value]));
  return {
    currentContext: config.currentContext,
    clusters: bodies(config.clusters),
    contexts: bodies(config.contexts),
  };
}

/** Applies changes both as data and through the text editor, and checks they agree. */
function after(text: string, changes: KubeconfigChange[]) {
  const config = kubeconfig(text);
  const data = view(applyChangesToConfig(config, changes));
  const written = applyChangesToText(text, FILE, routeChanges(config, changes).get(FILE) ?? []);
  expect(view(kubeconfig(written))).toEqual(data);
  return data;
}

const plain = `
current-context: test
contexts:
- name: test
  context: {cluster: test, user: test, namespace: ns, extensions: [{name: e, extension: {v: 1}}]}
clusters:
- name: test
  cluster: {server: "https://test/clusters/root:foo", certificate-authority-data: Q0E=, insecure-skip-tls-verify: true}
users:
- name: test
  user: {token: t}
`;

const onWorkspace = `
current-context: ${CUR}
contexts:
- name: ${CUR}
  context: {cluster: ${CUR}, user: test}
- name: ${PREV}
  context: {cluster: test, user: test}
- name: test
  context: {cluster: test, user: test}
clusters:
- name: ${CUR}
  cluster: {server: "https://test/clusters/root:foo:bar", certificate-authority-data: Q0E=}
- name: test
  cluster: {server: "https://test/clusters/root:foo"}
`;

const bothWorkspaces = `
current-context: ${CUR}
contexts:
- name: ${CUR}
  context: {cluster: ${CUR}, user: test}
- name: ${PREV}
  context: {cluster: ${PREV}, user: test, namespace: old}
clusters:
- name: ${CUR}
  cluster: {server: "https://test/clusters/root:b"}
- name: ${PREV}
  cluster: {server: "https://test/clusters/root:a"}
`;

describe('planUseWorkspace (kcp commitConfig)', () => {
  const table: {
    name: string;
    before: string;
    url: string;
    after?: ReturnType<typeof view>;
    error?: Error;
  }[] = [
    {
      name: 'from a plain context: previous is a verbatim copy, no previous cluster',
      before: plain,
      url: 'https://test/clusters/root:foo:bar',
      after: {
        currentContext: CUR,
        clusters: {
          test: {
            server: 'https://test/clusters/root:foo',
            'certificate-authority-data': 'Q0E=',
            'insecure-skip-tls-verify': true,
          },
          [CUR]: {
            server: 'https://test/clusters/root:foo:bar',
            'certificate-authority-data': 'Q0E=',
            'insecure-skip-tls-verify': true,
          },
        },
        contexts: {
          test: {
            cluster: 'test',
            user: 'test',
            namespace: 'ns',
            extensions: [{ name: 'e', extension: { v: 1 } }],
          },
          [CUR]: {
            cluster: CUR,
            user: 'test',
            namespace: 'ns',
            extensions: [{ name: 'e', extension: { v: 1 } }],
          },
          [PREV]: {
            cluster: 'test',
            user: 'test',
            namespace: 'ns',
            extensions: [{ name: 'e', extension: { v: 1 } }],
          },
        },
      },
    },
    {
      name: 'from workspace.kcp.io/current: the old cluster becomes previous',
      before: onWorkspace,
      url: 'https://test/clusters/root:baz',
      after: {
        currentContext: CUR,
        clusters: {
          [CUR]: { server: 'https://test/clusters/root:baz', 'certificate-authority-data': 'Q0E=' },
          test: { server: 'https://test/clusters/root:foo' },
          [PREV]: { server: 'https://test/clusters/root:foo:bar', 'certificate-authority-data': 'Q0E=' },
        },
        contexts: {
          [CUR]: { cluster: CUR, user: 'test' },
          [PREV]: { cluster: PREV, user: 'test' },
          test: { cluster: 'test', user: 'test' },
        },
      },
    },
    {
      name: 'current context missing',
      before: plain.replace('current-context: test', 'current-context: nope'),
      url: 'https://x/clusters/root',
      error: new ContextNotFoundError('nope'),
    },
    {
      name: 'no current context',
      before: plain.replace('current-context: test', ''),
      url: 'https://x/clusters/root',
      error: new ContextNotFoundError(''),
    },
    {
      name: "current context's cluster missing",
      before: plain.replace('{cluster: test,', '{cluster: gone,'),
      url: 'https://x/clusters/root',
      error: new ClusterNotFoundError('gone'),
    },
  ];
  it.each(table)('$name', ({ before, url, after: want, error }) => {
    if (error) {
      expect(() => planUseWorkspace(kubeconfig(before), url)).toThrow(error.message);
      expect(() => planUseWorkspace(kubeconfig(before), url)).toThrow(error.constructor as new () => Error);
    } else {
      expect(after(before, planUseWorkspace(kubeconfig(before), url))).toEqual(want);
    }
  });

  it('gives kcp messages', () => {
    expect(new ContextNotFoundError('workspace.kcp.io/current').message).toBe(
      'current "workspace.kcp.io/current" context not found',
    );
    expect(new ClusterNotFoundError('x').message).toBe('cluster "x" not found in kubeconfig');
    expect(new NoPreviousWorkspaceError().message).toBe('no previous workspace found in kubeconfig');
  });
});

describe('planSwapToPrevious (kcp swapContexts)', () => {
  const table: { name: string; before: string; after?: ReturnType<typeof view>; error?: Error }[] = [
    {
      name: 'both on workspace clusters: contexts and clusters trade places',
      before: bothWorkspaces,
      after: {
        currentContext: CUR,
        clusters: {
          [CUR]: { server: 'https://test/clusters/root:a' },
          [PREV]: { server: 'https://test/clusters/root:b' },
        },
        contexts: {
          [CUR]: { cluster: CUR, user: 'test', namespace: 'old' },
          [PREV]: { cluster: PREV, user: 'test' },
        },
      },
    },
    {
      name: 'previous is a plain context: it comes back verbatim',
      before: onWorkspace,
      after: {
        currentContext: CUR,
        clusters: {
          [CUR]: { server: 'https://test/clusters/root:foo:bar', 'certificate-authority-data': 'Q0E=' },
          test: { server: 'https://test/clusters/root:foo' },
          [PREV]: { server: 'https://test/clusters/root:foo:bar', 'certificate-authority-data': 'Q0E=' },
        },
        contexts: {
          [CUR]: { cluster: 'test', user: 'test' },
          [PREV]: { cluster: PREV, user: 'test' },
          test: { cluster: 'test', user: 'test' },
        },
      },
    },
    {
      name: 'no previous workspace',
      before: plain,
      error: new NoPreviousWorkspaceError(),
    },
    {
      name: 'previous cluster missing',
      before: bothWorkspaces.replace(
        `- name: ${PREV}\n  cluster: {server: "https://test/clusters/root:a"}\n`,
        '',
      ),
      error: new ClusterNotFoundError(PREV),
    },
  ];
  it.each(table)('$name', ({ before, after: want, error }) => {
    if (error) {
      expect(() => planSwapToPrevious(kubeconfig(before))).toThrow(error.message);
    } else {
      expect(after(before, planSwapToPrevious(kubeconfig(before)))).toEqual(want);
    }
  });

  it('- with non-cluster context (kcp test): current context `test` goes to previous as is', () => {
    const before = `
current-context: test
contexts:
- name: test
  context: {cluster: test, user: test}
- name: ${PREV}
  context: {cluster: ${PREV}, user: test}
clusters:
- name: test
  cluster: {server: "https://test/clusters/root:foo"}
- name: ${CUR}
  cluster: {server: "https://test/clusters/root:stale"}
- name: ${PREV}
  cluster: {server: "https://test/clusters/root:prev"}
`;
    expect(after(before, planSwapToPrevious(kubeconfig(before)))).toEqual({
      currentContext: CUR,
      clusters: {
        test: { server: 'https://test/clusters/root:foo' },
        [CUR]: { server: 'https://test/clusters/root:prev' },
        [PREV]: { server: 'https://test/clusters/root:prev' },
      },
      contexts: {
        test: { cluster: 'test', user: 'test' },
        [CUR]: { cluster: CUR, user: 'test' },
        [PREV]: { cluster: 'test', user: 'test' },
      },
    });
  });

  it('use, then -, then - again lands where it started and back', () => {
    let text = plain;
    const step = (plan: (c: MergedKubeconfig) => KubeconfigChange[]) => {
      const config = kubeconfig(text);
      text = applyChangesToText(text, FILE, routeChanges(config, plan(config)).get(FILE) ?? []);
      return currentWorkspace(kubeconfig(text)).parsed?.path;
    };
    expect(step((c) => planUseWorkspace(c, 'https://test/clusters/root:foo:bar'))).toBe('root:foo:bar');
    expect(step((c) => planUseWorkspace(c, 'https://test/clusters/root:x'))).toBe('root:x');
    expect(step(planSwapToPrevious)).toBe('root:foo:bar');
    expect(step(planSwapToPrevious)).toBe('root:x');
    expect(step(planSwapToPrevious)).toBe('root:foo:bar');
  });
});

describe('currentWorkspace', () => {
  it('reads the current workspace without the network', () => {
    expect(currentWorkspace(kubeconfig(onWorkspace))).toEqual({
      contextName: CUR,
      context: { cluster: CUR, user: 'test' },
      clusterName: CUR,
      cluster: { server: 'https://test/clusters/root:foo:bar', 'certificate-authority-data': 'Q0E=' },
      server: 'https://test/clusters/root:foo:bar',
      parsed: { base: 'https://test', path: 'root:foo:bar' },
    });
  });

  it('has no parsed path for a URL that is not a workspace', () => {
    const got = currentWorkspace(
      kubeconfig(plain.replace('https://test/clusters/root:foo', 'https://kind:6443')),
    );
    expect(got.server).toBe('https://kind:6443');
    expect(got.parsed).toBeUndefined();
  });

  it('fails like kcp when the context or cluster is missing', () => {
    expect(() => currentWorkspace(kubeconfig('current-context: x\n'))).toThrow(
      'current "x" context not found',
    );
    expect(() =>
      currentWorkspace(kubeconfig('current-context: x\ncontexts: [{name: x, context: {cluster: y}}]\n')),
    ).toThrow('cluster "y" not found in kubeconfig');
  });
});
