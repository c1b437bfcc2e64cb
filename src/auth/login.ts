import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AccessDeniedError, InvalidInputError, KplaneError } from '../cli/errors.js';
import type { IOStreams } from '../cli/io.js';
import { isStatusCode } from '../client/api-error.js';
import {
  storeToken,
  storeTokenFile,
  type OidcSession,
  type TokenLocation,
} from '../client/credential-store.js';
import { jwtExpiry, looksLikeJwt } from '../client/jwt-claims.js';
import { platformBaseUrl } from '../client/platform-url.js';
import { RestClient } from '../client/rest-client.js';
import { isPlainHttp, plaintextLoginRefused } from '../client/plaintext-token.js';
import { setCluster, setContext, setCurrentContext, setUser } from '../context/kubeconfig/edit.js';
import { modifyKubeconfig } from '../context/kubeconfig/modify.js';
import type { KubeconfigSourceOptions } from '../context/kubeconfig/sources.js';
import type { MergedKubeconfig } from '../context/kubeconfig/types.js';
import { parseWorkspaceUrl, workspaceUrl } from '../context/workspace-url.js';
import { credentialExec } from './exec-command.js';
import { obtainIdToken } from './oidc/login-flow.js';
import { hasDisplay } from './oidc/open-browser.js';
import { oidcLoginSettings, type OidcOverrides } from './oidc/platform-login-settings.js';
import { reviewSelf, tokenExpiry, type UserInfo } from './self-subject-review.js';
import { isTrustedBySystem, presentedCertificate } from './tls-trust.js';

export interface LoginOptions {
  url: string;
  token?: string;
  tokenStdin: boolean;
  /** A file a CI system keeps a fresh ID token in: remembered, and read again on every `auth token`. */
  tokenFile?: string;
  /** OpenID login: the device grant (RFC 8628) instead of the browser. */
  device?: boolean;
  /** OpenID login: print the URL instead of starting the browser. */
  noBrowser?: boolean;
  oidc?: OidcOverrides;
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
  const tokenSources = [
    options.token !== undefined && '--token',
    options.tokenStdin && '--token-stdin',
    options.tokenFile !== undefined && '--token-file',
  ].filter(Boolean);
  if (tokenSources.length > 1)
    throw new InvalidInputError(`use one of ${tokenSources.join(', ')}, not several`);
  const oidcFlags = options.oidc && Object.values(options.oidc).some((value) => value !== undefined);
  if (tokenSources.length > 0 && (oidcFlags || options.device || options.noBrowser)) {
    throw new InvalidInputError(
      `${tokenSources[0]} logs in with a token you already have; the --oidc-*, --device and --no-browser flags are for logging in at the OpenID provider`,
    );
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
  const connection = {
    baseUrl: platform,
    certificateAuthorityData: trust['certificate-authority-data'] as string | undefined,
    insecureSkipTlsVerify: trust['insecure-skip-tls-verify'] === true,
    plaintextTokenAccepted: plaintext,
  };
  const credential = await obtainCredential(options, connection, io, prompts, readStdin);
  const { token } = credential;

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

  const tokenLocation = credential.tokenFile
    ? await storeTokenFile(platform, credential.tokenFile, { insecurePlaintextToken: plaintext })
    : await storeToken(platform, token, jwtExpiry(token) ?? tokenExpiry(user), {
        insecurePlaintextToken: plaintext,
        ...(credential.oidc ? { oidc: credential.oidc } : {}),
        ...(credential.refreshToken ? { refreshToken: credential.refreshToken } : {}),
      });
  const name = entryName(platform);
  const lock = { onWait: (_: string, notice: string) => io.err(notice) };
  await modifyKubeconfig({ ...options.kubeconfig, lock }, (config) => [
    setCluster(name, { server: workspaceUrl(platform, startPath), ...trust }),
    setUser(name, {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        ...credentialExec(platform),
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

interface Credential {
  token: string;
  /** An OpenID login: how to renew the ID token. */
  oidc?: OidcSession;
  refreshToken?: string;
  /** `--token-file`: the absolute path to read again on every `auth token`. */
  tokenFile?: string;
}

/**
 * The token to log in with: one the person has (flag, stdin, prompt), a file a CI system writes, or, when
 * the platform (or a flag) names an OpenID provider, an ID token from logging in there.
 */
async function obtainCredential(
  options: LoginOptions,
  connection: ConstructorParameters<typeof RestClient>[0],
  io: IOStreams,
  prompts: LoginPrompts | undefined,
  readStdin: () => Promise<string>,
): Promise<Credential> {
  if (options.tokenFile !== undefined) {
    const tokenFile = path.resolve(options.tokenFile);
    let token: string;
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new InvalidInputError(`cannot read --token-file: ${(error as Error).message}`);
    }
    if (!looksLikeJwt(token)) {
      throw new InvalidInputError(`${options.tokenFile} holds no ID token (a JWT: three base64url parts)`);
    }
    return { token, tokenFile };
  }
  if (options.token === undefined && !options.tokenStdin) {
    const discovery = new RestClient(connection);
    let session: OidcSession | undefined;
    try {
      session = await oidcLoginSettings(discovery, options.oidc ?? {});
    } finally {
      discovery.close();
    }
    if (session) {
      const tokens = await obtainIdToken(
        session,
        {
          // Without a display a browser cannot open here, unless the person said they will open the URL.
          device: options.device === true || (!hasDisplay() && options.noBrowser !== true),
          openBrowser: options.noBrowser !== true,
        },
        io,
      );
      return {
        token: tokens.idToken,
        oidc: session,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      };
    }
  }
  return { token: await obtainToken(options, prompts, readStdin) };
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
