// Which kubeconfig files are read, and which one takes current-context and new entries (client-go
// loader.go NewDefaultClientConfigLoadingRules; kubectl PathOptions.GetDefaultFilename).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';

export interface KubeconfigSourceOptions {
  /** `--kubeconfig`: only this file is read (and it must exist). */
  explicitPath?: string;
  /** Defaults to process.env; KUBECONFIG and HOME are read from it. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to env.HOME, then os.homedir(). */
  homeDir?: string;
  /** For tests; defaults to fs.existsSync. */
  exists?: (file: string) => boolean;
}

/** Which kubeconfig, and `-w/--workspace`: act in another workspace without switching. */
export interface WorkspaceSelector extends KubeconfigSourceOptions {
  /** kcp's `-w`: a leading `:` is absolute, anything else relative to the current workspace. */
  workspace?: string;
}

export interface KubeconfigSources {
  /** Absolute paths in precedence order (first wins); may include files that do not exist. */
  files: string[];
  /** True when `--kubeconfig` was given. */
  explicit: boolean;
  /** The default destination for current-context and new entries. */
  destination: string;
}

export function defaultKubeconfigPath(
  options: Pick<KubeconfigSourceOptions, 'env' | 'homeDir'> = {},
): string {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? (env.HOME || homedir());
  return resolve(home, '.kube', 'config');
}

/** KUBECONFIG split on the OS list separator, empties dropped, duplicates removed keeping the first. */
export function kubeconfigEnvFiles(value: string | undefined): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  const files: string[] = [];
  for (const entry of value.split(delimiter)) {
    if (entry === '') continue;
    const file = resolve(entry);
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(file);
  }
  return files;
}

export function kubeconfigSources(options: KubeconfigSourceOptions = {}): KubeconfigSources {
  const exists = options.exists ?? existsSync;
  if (options.explicitPath !== undefined && options.explicitPath !== '') {
    const file = resolve(options.explicitPath);
    return { files: [file], explicit: true, destination: file };
  }
  const envFiles = kubeconfigEnvFiles((options.env ?? process.env).KUBECONFIG);
  if (envFiles.length > 0) {
    const destination =
      envFiles.length === 1
        ? envFiles[0]
        : (envFiles.find((f) => exists(f)) ?? envFiles[envFiles.length - 1]);
    return { files: envFiles, explicit: false, destination: destination as string };
  }
  const file = defaultKubeconfigPath(options);
  return { files: [file], explicit: false, destination: file };
}
