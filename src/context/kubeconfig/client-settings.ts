// What a REST client needs from the kubeconfig for one context, with file references resolved against the file
// each entry came from (client-go's LocationOfOrigin rule).
import { resolveExecCommand, resolveOriginPath } from './load.js';
import type { MergedKubeconfig, YamlObject } from './types.js';

export interface ExecCredentialConfig {
  apiVersion: string;
  /** Absolute when the kubeconfig gave a path with a separator; otherwise a name to look up on PATH. */
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode?: string;
}

export interface ClientSettings {
  contextName: string;
  clusterName: string;
  userName: string;
  /** The context's namespace, if any (callers default to `default`). */
  namespace?: string;
  server: string;
  /** Absolute path. */
  certificateAuthority?: string;
  /** Base64, as in the file. */
  certificateAuthorityData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  token?: string;
  /** Absolute path. */
  tokenFile?: string;
  /** Absolute path. */
  clientCertificate?: string;
  clientCertificateData?: string;
  /** Absolute path. */
  clientKey?: string;
  clientKeyData?: string;
  exec?: ExecCredentialConfig;
}

export class KubeconfigContextError extends Error {
  override readonly name = 'KubeconfigContextError';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// kubectl reads YAML 1.1, where yes/on/true (any case) are booleans.
function bool(value: unknown): boolean {
  return value === true || (typeof value === 'string' && /^(y|yes|true|on)$/i.test(value));
}

function obj(value: unknown): YamlObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as YamlObject) : {};
}

function execConfig(raw: unknown, origin: string): ExecCredentialConfig | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const exec = obj(raw);
  const command = str(exec.command);
  if (!command) return undefined;
  const env = Array.isArray(exec.env)
    ? exec.env.map((e) => ({ name: String(obj(e).name ?? ''), value: String(obj(e).value ?? '') }))
    : [];
  return {
    apiVersion: str(exec.apiVersion) ?? '',
    command: resolveExecCommand(origin, command),
    args: Array.isArray(exec.args) ? exec.args.map(String) : [],
    env,
    installHint: str(exec.installHint),
    provideClusterInfo: bool(exec.provideClusterInfo),
    interactiveMode: str(exec.interactiveMode),
  };
}

/**
 * Resolves the settings for `contextName` (default: the current context). Throws KubeconfigContextError when
 * the context, its cluster or a named user is missing.
 */
export function clientSettingsFor(config: MergedKubeconfig, contextName?: string): ClientSettings {
  const name = contextName ?? config.currentContext;
  if (name === '') throw new KubeconfigContextError('no current context is set in the kubeconfig');
  const context = config.contexts.get(name);
  if (!context) throw new KubeconfigContextError(`context "${name}" not found in kubeconfig`);
  const clusterName = str(context.value.cluster) ?? '';
  const cluster = config.clusters.get(clusterName);
  if (!cluster)
    throw new KubeconfigContextError(`cluster "${clusterName}" was not found for context "${name}"`);
  const userName = str(context.value.user) ?? '';
  const user = config.users.get(userName);
  if (userName !== '' && !user)
    throw new KubeconfigContextError(`user "${userName}" was not found for context "${name}"`);
  const c = cluster.value;
  const u = user?.value ?? {};
  const userOrigin = user?.origin ?? cluster.origin;
  const path = (origin: string, v: unknown) => {
    const s = str(v);
    return s === undefined ? undefined : resolveOriginPath(origin, s);
  };
  return {
    contextName: name,
    clusterName,
    userName,
    namespace: str(context.value.namespace),
    server: str(c.server) ?? '',
    certificateAuthority: path(cluster.origin, c['certificate-authority']),
    certificateAuthorityData: str(c['certificate-authority-data']),
    insecureSkipTlsVerify: bool(c['insecure-skip-tls-verify']),
    tlsServerName: str(c['tls-server-name']),
    proxyUrl: str(c['proxy-url']),
    token: str(u.token),
    tokenFile: path(userOrigin, u.tokenFile),
    clientCertificate: path(userOrigin, u['client-certificate']),
    clientCertificateData: str(u['client-certificate-data']),
    clientKey: path(userOrigin, u['client-key']),
    clientKeyData: str(u['client-key-data']),
    exec: execConfig(u.exec, userOrigin),
  };
}
