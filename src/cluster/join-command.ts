import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { InvalidInputError } from '../cli/errors.js';
import { printData, type IOStreams, type OutputFormat } from '../cli/io.js';
import { readCurrentContext } from '../workspace/kubeconfig-view.js';
import type { WorkspaceSelector } from '../workspace/session.js';
import { workspaceUrl } from '../context/workspace-url.js';
import { writeOwnerOnlyFile } from '../shared/owner-only-file.js';
import { applyObjects, withComputeSession } from './compute-session.js';
import { bootstrapAccount, bootstrapObjects } from './join-rbac.js';

/** kube-apiserver refuses TokenRequests under 10 minutes; the platform's maximum is a year. */
const MIN_TTL_SECONDS = 600;
const MAX_TTL_SECONDS = 365 * 24 * 3600;
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface JoinCommandOptions {
  kubeconfig: WorkspaceSelector;
  name: string;
  ttlSeconds: number;
  labels: string[];
  /** Where the bootstrap kubeconfig goes; `NAME-bootstrap.kubeconfig` in the current folder unless given. */
  bootstrapFile?: string;
  /** Printed in the agent line; a placeholder for the owner to fill in unless given. */
  memberKubeconfig?: string;
  output: OutputFormat;
}

export interface JoinCommand {
  cluster: string;
  bootstrapKubeconfig: string;
  expirationTimestamp: string;
  /** The `kplane agent` command line, as words. */
  command: string[];
}

/** Refuses what cannot work before anything is made on the hub. */
export function validateJoinOptions(
  options: Pick<JoinCommandOptions, 'name' | 'ttlSeconds' | 'labels'>,
): void {
  if (!CLUSTER_NAME.test(options.name))
    throw new InvalidInputError(
      `invalid cluster name "${options.name}": use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    );
  if (options.ttlSeconds < MIN_TTL_SECONDS || options.ttlSeconds > MAX_TTL_SECONDS)
    throw new InvalidInputError('--ttl must be between 10m and 365d: the hub refuses other token lifetimes');
  for (const label of options.labels)
    if (label.indexOf('=') <= 0) throw new InvalidInputError(`--label ${label}: expected KEY=VALUE`);
}

/**
 * `kplane cluster join-command NAME`: makes sure NAME's bootstrap identity exists in the compute workspace,
 * mints it a token for `ttl`, writes that into an owner-only bootstrap kubeconfig (a token on a command line
 * would show in every process listing) and prints the `kplane agent` line that uses it.
 */
export async function joinCommand(options: JoinCommandOptions, io: IOStreams): Promise<void> {
  validateJoinOptions(options);
  const current = await readCurrentContext(options.kubeconfig);
  const join = await withComputeSession(options.kubeconfig, async (session, base) => {
    await applyObjects(session.client, base, bootstrapObjects(options.name));
    const account = bootstrapAccount(options.name);
    const answer = await session.client.post<{ status: { token: string; expirationTimestamp: string } }>(
      `${base}/api/v1/namespaces/${account.namespace}/serviceaccounts/${account.name}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: options.ttlSeconds },
      },
    );
    const file = path.resolve(options.bootstrapFile ?? `${options.name}-bootstrap.kubeconfig`);
    writeOwnerOnlyFile(
      file,
      bootstrapKubeconfig({
        server: workspaceUrl(session.base, session.path),
        certificateAuthorityData: certificateAuthorityData(current.settings),
        insecureSkipTlsVerify: current.settings.insecureSkipTlsVerify === true,
        user: `${options.name}-bootstrap`,
        token: answer.status.token,
      }),
    );
    return {
      cluster: options.name,
      bootstrapKubeconfig: file,
      expirationTimestamp: answer.status.expirationTimestamp,
      command: agentCommand(options, file),
    } satisfies JoinCommand;
  });
  if (options.output !== 'text') return printData(io, options.output, join);
  io.err(
    `Bootstrap kubeconfig for cluster ${join.cluster} written to ${join.bootstrapKubeconfig} (owner-only; valid until ${join.expirationTimestamp}).`,
  );
  io.err(`Run on a machine that reaches the cluster, then accept it: kplane cluster accept ${join.cluster}`);
  io.out(join.command.map(shellWord).join(' '));
}

function agentCommand(options: JoinCommandOptions, bootstrapFile: string): string[] {
  return [
    'kplane',
    'agent',
    '--cluster-name',
    options.name,
    '--bootstrap-kubeconfig',
    bootstrapFile,
    '--hub-credential-dir',
    `${options.name}-hub-credential`,
    '--member-kubeconfig',
    options.memberKubeconfig ?? 'MEMBER_KUBECONFIG',
    ...options.labels.flatMap((label) => ['--label', label]),
  ];
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function certificateAuthorityData(settings: {
  certificateAuthorityData?: string;
  certificateAuthority?: string;
}): string | undefined {
  if (settings.certificateAuthorityData) return settings.certificateAuthorityData;
  if (settings.certificateAuthority) return readFileSync(settings.certificateAuthority).toString('base64');
  return undefined;
}

function bootstrapKubeconfig(entry: {
  server: string;
  certificateAuthorityData: string | undefined;
  insecureSkipTlsVerify: boolean;
  user: string;
  token: string;
}): string {
  const cluster: Record<string, unknown> = { server: entry.server };
  if (entry.certificateAuthorityData) cluster['certificate-authority-data'] = entry.certificateAuthorityData;
  if (entry.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'hub', cluster }],
    users: [{ name: entry.user, user: { token: entry.token } }],
    contexts: [{ name: 'bootstrap', context: { cluster: 'hub', user: entry.user } }],
    'current-context': 'bootstrap',
  });
}
