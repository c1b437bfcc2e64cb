// Plain data shapes of a loaded kubeconfig. Values are what the YAML holds (yaml's toJSON), so fields that
// kplane does not know about survive a copy.

export type YamlObject = { [key: string]: unknown };

export type KubeconfigSection = 'clusters' | 'contexts' | 'users';

/** The key that holds an entry's body inside a list item: `- name: x\n  cluster: {...}`. */
export const BODY_KEY = { clusters: 'cluster', contexts: 'context', users: 'user' } as const satisfies Record<
  KubeconfigSection,
  string
>;

export interface KubeconfigEntry {
  readonly name: string;
  /** The body: the value of `cluster:`, `context:` or `user:` ({} when absent). */
  readonly value: YamlObject;
  /** Other keys of the list item besides `name` and the body key (rare; kept on copy). */
  readonly extra: YamlObject;
  /** Absolute path of the file this entry came from (client-go's LocationOfOrigin). */
  readonly origin: string;
}

export interface MergedKubeconfig {
  /** The files in precedence order (absolute paths), existing or not. */
  readonly files: readonly string[];
  /** Where current-context and new entries are written (kubectl's PathOptions.GetDefaultFilename). */
  readonly destination: string;
  /** First non-empty current-context in precedence order, or ''. */
  readonly currentContext: string;
  readonly clusters: ReadonlyMap<string, KubeconfigEntry>;
  readonly contexts: ReadonlyMap<string, KubeconfigEntry>;
  readonly users: ReadonlyMap<string, KubeconfigEntry>;
}

export const SECTIONS: readonly KubeconfigSection[] = ['clusters', 'contexts', 'users'];
