import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isStatusCode } from '../client/api-error.js';
import { connectionFromSettings, type Connection } from '../client/connection.js';
import { RestClient } from '../client/rest-client.js';
import { clientSettingsFor } from '../context/kubeconfig/client-settings.js';
import { loadKubeconfig } from '../context/kubeconfig/load.js';
import { agentTokenPath } from '../shared/join-identities.js';
import { writeOwnerOnlyFile } from '../shared/owner-only-file.js';
import { isAccepted, registerCluster, type RegistrationOptions } from './registration.js';

// Joining with a bootstrap token, OCM's klusterlet flow with ServiceAccount tokens where OCM has the hub sign a
// CSR: register with the bootstrap identity, wait for the owner's accept, request the agent's own narrow token
// (TokenRequest on its ServiceAccount), keep it owner-only in the credential folder and renew it before it
// expires. After joining, nothing uses the bootstrap token; a restart reuses the stored credential.

/** How long each agent token lives; it is renewed at 80 % of that. */
export const AGENT_TOKEN_SECONDS = 24 * 3600;
const CREDENTIAL_FILE = 'hub-token.json';
const RETRY_MS = 10_000;

export interface StoredCredential {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** The hub it is for: a credential folder reused against another hub is not used there. */
  server: string;
}

export interface HubJoinOptions {
  bootstrapKubeconfig: string;
  credentialDir: string;
  registration: RegistrationOptions;
  pollMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface JoinedHub {
  /** A client that always sends the agent's current token. */
  hub: RestClient;
  /** Stops renewing and closes the bootstrap client. */
  close(): void;
}

/** When to renew: at 80 % of the token's life, never sooner than in a second. */
export function renewalDelayMs(issuedAt: number, expiresAt: number, now: number): number {
  return Math.max(1000, issuedAt + (expiresAt - issuedAt) * 0.8 - now);
}

export function readStoredCredential(dir: string, server: string): StoredCredential | undefined {
  try {
    const stored = JSON.parse(readFileSync(path.join(dir, CREDENTIAL_FILE), 'utf8')) as StoredCredential;
    if (typeof stored.token !== 'string' || typeof stored.expiresAt !== 'number') return undefined;
    return stored.server === server ? stored : undefined;
  } catch {
    return undefined;
  }
}

function storeCredential(dir: string, credential: StoredCredential): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeOwnerOnlyFile(path.join(dir, CREDENTIAL_FILE), `${JSON.stringify(credential)}\n`);
}

/**
 * Joins the hub named in the bootstrap kubeconfig (or resumes with the credential stored earlier), and returns
 * a hub client that uses only the agent's own token. Resolves undefined if the agent is stopped meanwhile.
 */
export async function joinHub(options: HubJoinOptions): Promise<JoinedHub | undefined> {
  const { config } = await loadKubeconfig({ explicitPath: options.bootstrapKubeconfig });
  const settings = clientSettingsFor(config);
  const baseUrl = settings.server.replace(/\/+$/, '');
  const bootstrap = new RestClient(connectionFromSettings(settings, baseUrl));
  // The hub's address and CA from the bootstrap kubeconfig, with none of its credentials.
  const withoutCredentials: Connection = { ...connectionFromSettings(settings, baseUrl) };
  delete withoutCredentials.token;
  delete withoutCredentials.tokenFile;
  delete withoutCredentials.exec;

  let credential = readStoredCredential(options.credentialDir, baseUrl);
  const hub = new RestClient({ ...withoutCredentials, currentToken: () => credential?.token ?? '' });
  if (credential && !(await stillAccepted(hub, options))) {
    options.log(
      'the stored hub credential was refused (revoked or expired): joining again with the bootstrap token',
    );
    rmSync(path.join(options.credentialDir, CREDENTIAL_FILE), { force: true });
    credential = undefined;
  }
  if (!credential) {
    const issuedAt = Date.now();
    const answer = await firstAgentToken(bootstrap, options);
    if (!answer) {
      bootstrap.close();
      return undefined;
    }
    credential = { token: answer.token, expiresAt: answer.expiresAt, server: baseUrl };
    storeCredential(options.credentialDir, credential);
    options.log(
      `cluster ${options.registration.clusterName} joined: its own hub credential is in ${options.credentialDir} (issued ${new Date(issuedAt).toISOString()})`,
    );
  }
  bootstrap.close();

  let timer: NodeJS.Timeout | undefined;
  let issuedAt = Date.now();
  const schedule = (delay: number) => {
    timer = setTimeout(() => void renew(), delay);
    timer.unref();
  };
  const renew = async () => {
    try {
      const answer = await requestAgentToken(hub, options.registration.clusterName);
      issuedAt = Date.now();
      credential = { token: answer.token, expiresAt: answer.expiresAt, server: baseUrl };
      storeCredential(options.credentialDir, credential);
      options.log('renewed the hub credential');
      schedule(renewalDelayMs(issuedAt, credential.expiresAt, Date.now()));
    } catch (error) {
      options.log(`cannot renew the hub credential: ${(error as Error).message}`);
      if (!options.signal.aborted) schedule(RETRY_MS);
    }
  };
  if (!options.signal.aborted) schedule(renewalDelayMs(issuedAt, credential.expiresAt, issuedAt));
  options.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return { hub, close: () => clearTimeout(timer) };
}

/** Whether the hub still takes the stored credential; an unreachable hub is not a refusal. */
async function stillAccepted(hub: RestClient, options: HubJoinOptions): Promise<boolean> {
  try {
    await isAccepted(hub, options.registration.clusterName);
    return true;
  } catch (error) {
    return !(isStatusCode(error, 401) || isStatusCode(error, 403));
  }
}

/** Registers, waits for the owner's accept, then trades the bootstrap token for the agent's own. */
async function firstAgentToken(
  bootstrap: RestClient,
  options: HubJoinOptions,
): Promise<{ token: string; expiresAt: number } | undefined> {
  const name = options.registration.clusterName;
  let said = '';
  const say = (line: string) => {
    if (line !== said) options.log(line);
    said = line;
  };
  while (!options.signal.aborted) {
    try {
      await registerCluster(bootstrap, options.registration);
      if (!(await isAccepted(bootstrap, name))) {
        say(`cluster ${name} waits for the hub to accept it: kplane cluster accept ${name}`);
      } else {
        return await requestAgentToken(bootstrap, name);
      }
    } catch (error) {
      // The bootstrap token ran out or was revoked: only the owner can help, so stop and say so.
      if (isStatusCode(error, 401))
        throw new Error(
          `the hub refused the bootstrap token (expired or revoked): ask the compute owner for a new one (kplane cluster join-command ${name})`,
        );
      // 403/404 right after the accept: the agent's identity is still being made.
      say(`cluster ${name} cannot join yet: ${(error as Error).message}`);
    }
    await sleep(options.pollMs, options.signal);
  }
  return undefined;
}

async function requestAgentToken(
  client: RestClient,
  cluster: string,
): Promise<{ token: string; expiresAt: number }> {
  const answer = await client.post<{ status: { token: string; expirationTimestamp: string } }>(
    agentTokenPath(cluster),
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: AGENT_TOKEN_SECONDS },
    },
  );
  return { token: answer.status.token, expiresAt: Date.parse(answer.status.expirationTimestamp) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
