import { readFileSync } from 'node:fs';
import { AccessDeniedError, InvalidInputError, KplaneError } from '../cli/errors.js';
import type { IOStreams } from '../cli/io.js';
import { isStatusCode } from '../client/api-error.js';
import { storeToken, type TokenLocation } from '../client/credential-store.js';
import { platformBaseUrl } from '../client/platform-url.js';
import { RestClient } from '../client/rest-client.js';
import { isPlainHttp, plaintextLoginRefused } from '../client/plaintext-token.js';
import { setCluster, setContext, setCurrentContext, setUser } from '../context/kubeconfig/edit.js';
import { modifyKubeconfig } from '../context/kubeconfig/modify.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import type { MergedKubeconfig } from '../context/kubeconfig/types.js';
import { parseWorkspaceUrl, workspaceUrl } from '../context/workspace-url.js';
import { execPluginCommand } from './exec-command.js';
import { reviewSelf, tokenExpiry, type UserInfo } from './self-subject-review.js';
import { isTrustedBySystem, presentedCertificate } from './tls-trust.js';

export interface LoginOptions {
  url: string;
  token?: string;
  tokenStdin: boolean;
  certificateAuthorityFile?: string;
  insecureSkipTlsVerify: boolean;
  /** Accept sending the token to an http:// platform in clear text. */
  insecurePlaintextToken?: boolean;
  kubeconfig: KubeconfigSourceOptions;
}

export interface LoginResult {
  platform: string;
  context: string;
  user: UserInfo;
  tokenLocation: TokenLocation;
}

/** What a person is asked when a platform's certificate is unknown; injected so the prompt library loads late. */
export interface LoginPrompts {
  token(): Promise<string>;
  trustCertificate(details: { subject: string; fingerprint: string }): Promise<boolean>;
}

/**
 * `login`: check the token with the platform, store it in the keyring (or the owner-only file), and write one
 * cluster, one user and one context. The user entry is an exec credential plugin: the kubeconfig holds no secret.
 * Nothing is stored or written unless the platform accepted the token.
 */
export async function login(
  options: LoginOptions,
  io: IOStreams,
  prompts: LoginPrompts | undefined,
  readStdin: () => Promise<string>,
): Promise<LoginResult> {
  if (options.token !== undefined && options.tokenStdin) {
    throw new InvalidInputError('use either --token or --token-stdin, not both');
  }
  if (options.certificateAuthorityFile && options.insecureSkipTlsVerify) {
    throw new InvalidInputError('use either --certificate-authority or --insecure-skip-tls-verify, not both');
  }
  const platform = platformBaseUrl(options.url);
  const plaintext = isPlainHttp(platform);
  if (plaintext && !options.insecurePlaintextToken) throw plaintextLoginRefused(platform);
  if (plaintext)
    io.err(
      `Warning: ${platform} is plain HTTP: anyone who can see the traffic can take your token and act as you.`,
    );
  const startPath = parseWorkspaceUrl(options.url)?.path ?? 'root';
  const trust = await decideTrust(platform, options, io, prompts);
  const token = await obtainToken(options, prompts, readStdin);

  const client = new RestClient({
    baseUrl: platform,
    token,
    certificateAuthorityData: trust['certificate-authority-data'] as string | undefined,
    insecureSkipTlsVerify: trust['insecure-skip-tls-verify'] === true,
    plaintextTokenAccepted: plaintext,
  });
  let user: UserInfo;
  try {
    user = await reviewSelf(client);
  } catch (error) {
    if (isStatusCode(error, 401)) {
      throw new AccessDeniedError(`the platform at ${platform} did not accept this token (Unauthorized)`);
    }
    throw error;
  } finally {
    client.close();
  }

  const tokenLocation = await storeToken(platform, token, tokenExpiry(user), {
    insecurePlaintextToken: plaintext,
  });
  const name = entryName(platform);
  const lock = { onWait: (_: string, notice: string) => io.err(notice) };
  await modifyKubeconfig({ ...options.kubeconfig, lock }, (config) => [
    setCluster(name, { server: workspaceUrl(platform, startPath), ...trust }),
    setUser(name, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: execPluginCommand(),
        args: ['auth', 'token', '--server', platform],
        interactiveMode: 'Never',
        provideClusterInfo: false,
      },
    }),
    setContext(name, { cluster: name, user: name }),
    // Stay where you are when you are already somewhere on this platform as this user (in a workspace, say).
    ...(isCurrentlyOn(config, platform, name) ? [] : [setCurrentContext(name)]),
  ]);
  return { platform, context: name, user, tokenLocation };
}

async function decideTrust(
  platform: string,
  options: LoginOptions,
  io: IOStreams,
  prompts: LoginPrompts | undefined,
): Promise<Record<string, unknown>> {
  if (options.insecureSkipTlsVerify) return { 'insecure-skip-tls-verify': true };
  if (options.certificateAuthorityFile) {
    let pem: string;
    try {
      pem = readFileSync(options.certificateAuthorityFile, 'utf8');
    } catch (error) {
      throw new InvalidInputError(`cannot read --certificate-authority: ${(error as Error).message}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new InvalidInputError(`${options.certificateAuthorityFile} holds no PEM certificate`);
    }
    return { 'certificate-authority-data': Buffer.from(pem).toString('base64') };
  }
  const url = new URL(platform);
  if (url.protocol === 'http:' || (await isTrustedBySystem(url))) return {};
  const presented = await presentedCertificate(url);
  if (!prompts) {
    throw new InvalidInputError(
      `the certificate of ${platform} is not trusted by this machine (SHA-256 ${presented.sha256Fingerprint}): ` +
        'pass --certificate-authority FILE (kplane dev up writes DATA_DIR/ca.crt) or --insecure-skip-tls-verify',
    );
  }
  io.err(`The platform at ${platform} presents a certificate this machine does not know:`);
  io.err(`  subject:  ${presented.subject}`);
  io.err(`  SHA-256:  ${presented.sha256Fingerprint}`);
  const accepted = await prompts.trustCertificate({
    subject: presented.subject,
    fingerprint: presented.sha256Fingerprint,
  });
  if (!accepted) throw new KplaneError('not logged in: the certificate was not trusted');
  return { 'certificate-authority-data': Buffer.from(presented.pem).toString('base64') };
}

async function obtainToken(
  options: LoginOptions,
  prompts: LoginPrompts | undefined,
  readStdin: () => Promise<string>,
): Promise<string> {
  const token = options.tokenStdin
    ? (await readStdin()).trim()
    : options.token !== undefined
      ? options.token.trim()
      : prompts
        ? (await prompts.token()).trim()
        : undefined;
  if (token === undefined) throw new InvalidInputError('no token: pass --token-stdin (or --token TOKEN)');
  if (token === '' || /\s/.test(token)) throw new InvalidInputError('the token is empty or contains spaces');
  return token;
}

/** `kplane@host:port`, one name for the cluster, user and context of a platform. */
export function entryName(platform: string): string {
  const url = new URL(platform);
  return `kplane@${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

function isCurrentlyOn(config: MergedKubeconfig, platform: string, userName: string): boolean {
  const context = config.contexts.get(config.currentContext);
  if (context?.value.user !== userName) return false;
  const clusterName = context.value.cluster;
  const server = typeof clusterName === 'string' ? config.clusters.get(clusterName)?.value.server : undefined;
  if (typeof server !== 'string') return false;
  try {
    return platformBaseUrl(server) === platform;
  } catch {
    return false;
  }
}
