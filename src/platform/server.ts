import { resolve } from 'node:path';
import { ResourceHandler } from './api/handler.js';
import { OpenApiPublisher } from './api/openapi.js';
import { ResourceService } from './api/resource-service.js';
import { Authorizer } from './auth/authorize.js';
import type { AuthenticationConfig } from './auth/oidc/config.js';
import { JwtAuthenticators } from './auth/oidc/jwt-authenticator.js';
import { loginDiscoveryDocument } from './auth/oidc/login-discovery.js';
import { RequestAuthenticator } from './auth/request-authenticator.js';
import { credentialValidIn } from './auth/service-account-tokens.js';
import { builtinRegistry } from './api/resources/index.js';
import { CrdDefinitions } from './apiextensions/crd-source.js';
import { boundDefinitions } from './apis/bound-resources.js';
import { ExportView } from './apis/export-view.js';
import { ExportCatalog } from './apis/catalog.js';
import { bootstrapRoot } from './controllers/root-bootstrap.js';
import type { LeaderElector } from './controllers/leader-election.js';
import {
  runControllersWhileLeading,
  startControllers,
  type RunningControllers,
} from './controllers/platform-controllers.js';
import { ApiError } from './http/errors.js';
import { openStorage, type OpenStorage } from './storage/open-storage.js';
import { memberRegistry } from './member/member-registry.js';
import { startMemberMode, type RunningMember } from './member/member-mode.js';
import type { MemberSpec } from './member/member-spec.js';
import {
  createDualProtocolServer,
  DEFAULT_CONNECTION_TIMEOUTS,
  type ConnectionTimeouts,
  type DualProtocolServer,
} from './http/dual-protocol.js';
import { closeServer, listenOnLoopback, LOOPBACK } from './http/listen.js';
import { plainHttpListener } from './http/plain-http.js';
import { Router } from './http/router.js';
import { AnswerLedger } from './http/answer-ledger.js';
import { WatchRegistry } from './http/watch-registry.js';
import { ensureAdminToken, writeAdminKubeconfig } from './process/admin-credentials.js';
import { makeOwnerOnly } from './process/owner-only.js';
import { DEFAULT_WATCH_HISTORY_MS } from './storage/event-log.js';
import { acquirePidFile } from './process/pid-file.js';
import { HomeWorkspaces } from './tenancy/home.js';
import { ensureServingCertificates } from './tls/platform-certificates.js';

export interface PlatformOptions {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  demo?: boolean;
  /** Request logs on stderr. */
  log?: boolean;
  /** Limits on connections that do not get to a request; kube-apiserver's unless given. */
  connectionTimeouts?: Partial<ConnectionTimeouts>;
  /** How far back a watch may resume (etcd's compaction interval); 5 minutes unless set. */
  watchHistoryMs?: number;
  /** JWT authenticators (Kubernetes' AuthenticationConfiguration), beside the static tokens. */
  authentication?: AuthenticationConfig;
  /**
   * Member mode: serve these clusters instead of the platform, each a plain Kubernetes API at
   * `/clusters/<name>` (dev compute that agents join); no workspaces, compute or work API.
   */
  members?: MemberSpec[];
  /** Member mode: how long after a spec change a workload's simulated status follows (default 100 ms). */
  simulationDelayMs?: number;
  /** Where objects live: SQLite in the data folder (the default), or etcd, which several replicas may share. */
  storage?:
    | { engine: 'sqlite' }
    | {
        engine: 'etcd';
        endpoints: string[];
        keyPrefix?: string;
        tls?: { caFile: string; certFile?: string; keyFile?: string };
      };
  /**
   * One of several replicas sharing this data folder (certificates and the admin token live there): the
   * pid file is then `server-ID.pid`, so each replica claims its own.
   */
  replicaId?: string;
  /**
   * The https origin clients reach the platform at, when not its own port (replicas behind a front):
   * what workspace URLs and the admin kubeconfig name, so they stay the same whichever replica wrote them.
   */
  externalUrl?: string;
}

export interface RunningPlatform {
  /** `https://127.0.0.1:PORT` (the same port answers /version and the health checks in plain HTTP too). */
  url: string;
  port: number;
  dataDir: string;
  kubeconfig: string;
  tokenFile: string;
  /** The CA that signed the serving certificate (PEM file), for clients other than kubectl. */
  caFile: string;
  /** Member mode: the clusters served. */
  members?: RunningMember[];
  close(): Promise<void>;
}

/**
 * Starts the local platform on 127.0.0.1 with its data in `dataDir`: makes the folder owner-only
 * (an existing one too), claims it, opens the database, listens, makes sure root and the admin
 * credentials exist, finishes any workspace a previous run left half-way, and seeds the demo tree
 * when asked.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const dataDir = resolve(options.dataDir);
  const loosened = makeOwnerOnly(dataDir);
  if (loosened.length > 0)
    process.stderr.write(
      `kplane platform: made ${dataDir} owner-only (folders 0700, files 0600): ` +
        `${loosened.length} had looser modes\n`,
    );
  const releasePid = acquirePidFile(dataDir, process.pid, options.replicaId);
  let storage: OpenStorage | undefined;
  let server: DualProtocolServer | undefined;
  const watches = new WatchRegistry();
  let running: RunningControllers | undefined;
  let elector: LeaderElector | undefined;
  let memberMode: { stop(): void } | undefined;
  let closing: Promise<void> | undefined;
  // Stops whatever has started, so a failed start cleans up exactly as a stop does.
  const close = () =>
    (closing ??= (async () => {
      // A leader stops its controllers, then releases the Lease, so the next replica takes over at once.
      if (elector) await elector.stop();
      running?.stop();
      running = undefined;
      memberMode?.stop();
      watches.closeAll();
      if (server) await closeServer(server);
      storage?.close();
      releasePid();
    })());
  try {
    const history = options.watchHistoryMs !== undefined ? { maxAgeMs: options.watchHistoryMs } : {};
    storage = await openStorage({
      dataDir,
      choice: options.storage ?? { engine: 'sqlite' },
      history,
      relaxedDurability: options.members !== undefined,
      // A 404 or a resourceVersion 409 may only mean this replica has not yet seen another's write.
      mayBeStale: (err) => err instanceof ApiError && (err.code === 404 || err.code === 409),
    });
    const { store, clusters, tokens } = storage;
    const env = { baseUrl: '' };
    const authorizer = new Authorizer(store);
    const registry = options.members
      ? memberRegistry({ authorizer })
      : builtinRegistry({ onCreated: (key) => running?.workspaces.enqueue(key), authorizer, tokens });
    // What a workspace serves beyond the built-in kinds: first the APIs bound into it.
    if (!options.members)
      registry.addSource(
        boundDefinitions(
          store,
          (ref) => clusters.resolve(ref),
          () => store.resourceVersion,
        ),
      );
    // Then the workspace's own CustomResourceDefinitions (never over a bound API of the same name).
    registry.addSource(new CrdDefinitions(store, store.events).source);
    const service = new ResourceService(store, clusters, env);
    let port = options.port;
    const serverAddress = () => `${LOOPBACK}:${port}`;
    const resources = new ResourceHandler(service, watches);
    const jwt = options.authentication ? new JwtAuthenticators(options.authentication) : undefined;
    const router = new Router({
      authenticator: new RequestAuthenticator(tokens, jwt),
      loginDiscovery: loginDiscoveryDocument(options.authentication),
      clusters,
      registry,
      openapi: new OpenApiPublisher(registry),
      resources,
      authorizer,
      homes: new HomeWorkspaces({ service, registry, clusters }),
      exportView: new ExportView({
        service,
        clusters,
        registry,
        authorizer,
        resources,
        watches,
        serverAddress,
      }),
      catalog: new ExportCatalog({ store: service.store, clusters, authorizer }),
      serverAddress,
      credentialValidIn: (user, cluster) => credentialValidIn(user, cluster, store),
      answers: new AnswerLedger(),
      log: options.log ?? false,
    });
    const certificates = ensureServingCertificates(dataDir);
    server = createDualProtocolServer(
      router.listener,
      plainHttpListener(router.listener, () => env.baseUrl),
      {
        // The whole chain, leaf then CA: a client that trusts on first use (kplane login) takes the
        // CA from the handshake, so the trust it keeps survives a new serving certificate.
        cert: `${certificates.certPem.trimEnd()}\n${certificates.caPem}`,
        key: certificates.keyPem,
      },
      { ...DEFAULT_CONNECTION_TIMEOUTS, ...options.connectionTimeouts },
    );
    port = await listenOnLoopback(server.front, options.port);
    const localUrl = `https://${LOOPBACK}:${port}`;
    env.baseUrl = options.externalUrl ?? localUrl;

    if (options.members) {
      const tokenFile = await ensureAdminToken(dataDir, tokens);
      const running = await startMemberMode({
        service,
        registry,
        clusters,
        members: options.members,
        dataDir,
        baseUrl: env.baseUrl,
        tokenFile,
        caPem: certificates.caPem,
        simulationDelayMs: options.simulationDelayMs ?? 100,
      });
      memberMode = running;
      const kubeconfig = running.members[0]?.kubeconfig ?? '';
      const { members } = running;
      return {
        url: env.baseUrl,
        port,
        dataDir,
        kubeconfig,
        tokenFile,
        caFile: certificates.caFile,
        members,
        close,
      };
    }
    await bootstrapRoot(service, registry, clusters, env.baseUrl);
    const tokenFile = await ensureAdminToken(dataDir, tokens);
    const kubeconfig = writeAdminKubeconfig(dataDir, env.baseUrl, tokenFile, certificates.caPem);
    const controllers = {
      service,
      registry,
      clusters,
      env,
      demo: options.demo ?? false,
      // etcd refuses a Txn of more than --max-txn-ops operations (128 by default).
      ...(storage.shared ? { maxPlacementsPerTransaction: 16 } : {}),
      ...(storage.compactable
        ? {
            compaction: {
              history: storage.compactable,
              intervalMs: options.watchHistoryMs ?? DEFAULT_WATCH_HISTORY_MS,
            },
          }
        : {}),
    };
    if (!storage.shared) {
      running = await startControllers(controllers);
    } else {
      elector = await runControllersWhileLeading(
        store,
        controllers,
        (started) => (running = started),
        options.replicaId,
      );
    }
    return { url: localUrl, port, dataDir, kubeconfig, tokenFile, caFile: certificates.caFile, close };
  } catch (err) {
    await close();
    throw err;
  }
}
