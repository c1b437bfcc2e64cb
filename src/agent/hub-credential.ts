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
  /** Stops renewing and checking. */
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

/** The hub's address from the bootstrap kubeconfig, and a client holding its bootstrap token. */
async function readBootstrap(
  file: string,
): Promise<{ baseUrl: string; address: Connection; client: RestClient }> {
  const { config } = await loadKubeconfig({ explicitPath: file });
  const settings = clientSettingsFor(config);
  const baseUrl = settings.server.replace(/\/+$/, '');
  const address: Connection = { ...connectionFromSettings(settings, baseUrl) };
  delete address.token;
  delete address.tokenFile;
  delete address.exec;
  return { baseUrl, address, client: new RestClient(connectionFromSettings(settings, baseUrl)) };
}

/**
 * Joins the hub named in the bootstrap kubeconfig (or resumes with the credential stored earlier), and returns
 * a hub client that uses only the agent's own token. Afterwards it renews that token at 80 % of its life, and
 * checks now and then that the hub still takes it: a denied and again accepted cluster joins again by itself
 * (with the bootstrap kubeconfig as it is then, so a fresh join-command written over it counts). Resolves
 * undefined if the agent is stopped before it joined.
 */
export async function joinHub(options: HubJoinOptions): Promise<JoinedHub | undefined> {
  const first = await readBootstrap(options.bootstrapKubeconfig);
  first.client.close();
  const { baseUrl } = first;
  let credential = readStoredCredential(options.credentialDir, baseUrl);
  let issuedAt = Date.now();
  const hub = new RestClient({ ...first.address, currentToken: () => credential?.token ?? '' });
  const adopt = (answer: { token: string; expiresAt: number }) => {
    issuedAt = Date.now();
    credential = { token: answer.token, expiresAt: answer.expiresAt, server: baseUrl };
    storeCredential(options.credentialDir, credential);
  };
  const join = async (): Promise<boolean> => {
    const bootstrap = await readBootstrap(options.bootstrapKubeconfig);
    try {
      const answer = await firstAgentToken(bootstrap.client, options);
      if (!answer) return false;
      adopt(answer);
      options.log(
        `cluster ${options.registration.clusterName} joined: its own hub credential is in ${options.credentialDir}`,
      );
      return true;
    } finally {
      bootstrap.client.close();
    }
  };
  const discard = () => {
    options.log(
      'the hub refused the stored credential (denied, revoked or expired): joining again with the bootstrap token',
    );
    rmSync(path.join(options.credentialDir, CREDENTIAL_FILE), { force: true });
    credential = undefined;
  };

  if (credential && !(await stillAccepted(hub, options))) discard();
  if (!credential && !(await join())) return undefined;

  const timers = new Set<NodeJS.Timeout>();
  const after = (delay: number, work: () => Promise<void>) => {
    if (options.signal.aborted) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void work();
    }, delay);
    timer.unref();
    timers.add(timer);
  };
  const renew = async () => {
    // While joining again there is nothing to renew; the join brings a fresh token.
    if (!credential) return after(RETRY_MS, renew);
    try {
      adopt(await requestAgentToken(hub, options.registration.clusterName));
      options.log('renewed the hub credential');
      after(renewalDelayMs(issuedAt, credential?.expiresAt ?? 0, Date.now()), renew);
    } catch (error) {
      options.log(`cannot renew the hub credential: ${(error as Error).message}`);
      after(RETRY_MS, renew);
    }
  };
  const checkEvery = Math.max(options.pollMs * 5, 5000);
  const check = async () => {
    try {
      if (!(await stillAccepted(hub, options))) {
        discard();
        await join();
      }
    } catch (error) {
      options.log(`cannot join again: ${(error as Error).message}`);
    }
    after(checkEvery, check);
  };
  after(renewalDelayMs(issuedAt, credential?.expiresAt ?? 0, issuedAt), renew);
  after(checkEvery, check);
  const stop = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  options.signal.addEventListener('abort', stop, { once: true });
  return { hub, close: stop };
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
