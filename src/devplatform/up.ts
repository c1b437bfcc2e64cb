import path from 'node:path';
import { parseDuration } from '../cli/duration.js';
import { InvalidInputError } from '../cli/errors.js';
import { PLATFORM_CA_FILE } from '../shared/tls/certificates.js';
import type { IOStreams, OutputFormat } from '../cli/io.js';
import { printData } from '../cli/io.js';
import { fetchWorkspaceTree, renderWorkspaceTree } from '../workspace/tree.js';
import { withWorkspaceSession } from '../workspace/session.js';
import { defaultPort, previousPort, resolveDataDir } from './data-dir.js';
import { launchDevMembers, startDevCompute, stopDevCompute, type DevComputeReady } from './dev-compute.js';
import { kplaneInvocation } from './invocation.js';
import { startDetached, startForeground, stopPlatform, type PlatformReady } from './process.js';
import { refuseWhileRunning } from './recorded-processes.js';
import type { ReplicatedReady } from './replicas.js';
import { namesStorage, rememberedStorage } from './remembered-storage.js';
import { devStorage, type DevStorageFlags } from './storage-options.js';

export interface DevUpOptions {
  port?: number;
  dataDir?: string;
  demo: boolean;
  /** How far back a watch may resume, as given (`5m`); the platform's default when undefined. */
  watchHistory?: string | undefined;
  /** Kubernetes' AuthenticationConfiguration: JWT issuers whose ID tokens the platform accepts. */
  authenticationConfig?: string | undefined;
  /** Also run a real OpenID provider for the demo users, and have the platform accept its tokens. */
  oidc?: boolean | undefined;
  /**
   * With --demo: run the demo's clusters as real member API endpoints, joined by agents (default). Off, the
   * demo's ManagedClusters are records only, for tests that play the agent themselves.
   */
  members?: boolean | undefined;
  detach: boolean;
  output: OutputFormat;
  /** --storage, --etcd-* and --replicas; the default is one process on SQLite. */
  storage?: DevStorageFlags | undefined;
}

/**
 * `dev up`: start the platform (in the foreground, or detached), then say where it is and show its tree.
 * In the foreground it resolves when the platform stops.
 */
export async function devUp(options: DevUpOptions, io: IOStreams): Promise<number> {
  const watchHistorySeconds =
    options.watchHistory === undefined ? undefined : historySeconds(options.watchHistory);
  if (options.oidc && options.authenticationConfig !== undefined)
    throw new InvalidInputError(
      '--oidc writes its own authentication configuration: give --oidc or --authentication-config, not both',
    );
  const dataDir = resolveDataDir(options.dataDir);
  const given = options.storage ?? {};
  const remembered = namesStorage(given) ? undefined : rememberedStorage(dataDir);
  const replicated = devStorage(remembered ? { ...remembered, replicas: given.replicas } : given);
  const port = options.port ?? previousPort(dataDir) ?? defaultPort;
  // Replicas of a `dev up --storage etcd` hold their own pid files, which a single platform would not see.
  refuseWhileRunning(dataDir);
  // Loaded only when asked for: the provider module is not needed by any other dev up.
  const provider = options.oidc
    ? await (await import('./demo-oidc.js')).startDemoProvider(dataDir, { detach: options.detach })
    : undefined;
  const stopProvider = async () => {
    if (provider) await (await import('./demo-oidc.js')).stopDemoProvider(dataDir);
  };
  const startOptions = {
    port,
    dataDir,
    demo: options.demo,
    watchHistorySeconds,
    // The platform may run from another folder (detached): it gets the path as the user meant it.
    authenticationConfig:
      provider?.authenticationConfig ??
      (options.authenticationConfig === undefined ? undefined : path.resolve(options.authenticationConfig)),
  };
  const oidcIssuer = provider?.issuer;
  const withCompute = options.demo && options.members !== false;
  if (replicated) {
    // Loaded only when asked for: the default dev up starts as fast as it did.
    const { upReplicated } = await import('./up-replicated.js');
    return upReplicated(
      { ...startOptions, ...replicated, detach: options.detach, withCompute },
      {
        announce: (ready, compute) =>
          announce({ ...ready, ...(oidcIssuer ? { oidcIssuer } : {}) }, compute, io, options),
        stopProvider,
        waitingHint: () => {
          if (options.output === 'text') io.err('Press Ctrl-C to stop the platform.');
        },
      },
    );
  }
  // The member clusters start beside the platform rather than after it (they need nothing from it but its
  // pid, to go when it goes); the agents that join them start once the platform serves.
  let members: Promise<PlatformReady> | undefined;
  const onSpawn = withCompute
    ? (pid: number) => {
        members = launchDevMembers(dataDir, pid);
        members.catch(() => undefined);
      }
    : undefined;
  if (options.detach) {
    const ready = await startDetached(startOptions, undefined, onSpawn).catch(async (err: unknown) => {
      await stopProvider();
      throw err;
    });
    const compute = withCompute
      ? await startDevCompute(ready, members).catch(async (err: unknown) => {
          await stopPlatform(dataDir).catch(() => undefined);
          await stopProvider();
          throw err;
        })
      : undefined;
    await announce({ ...ready, ...(oidcIssuer ? { oidcIssuer } : {}) }, compute, io, options);
    return 0;
  }
  const { ready, child } = await startForeground(startOptions, onSpawn).catch(async (err: unknown) => {
    await stopProvider();
    throw err;
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code) => {
      void stopDevCompute(dataDir)
        .then(stopProvider)
        .finally(() => resolve(code ?? 0));
    }),
  );
  const compute = withCompute
    ? await startDevCompute(ready, members).catch((err: unknown) => {
        child.kill('SIGTERM');
        throw err;
      })
    : undefined;
  await announce({ ...ready, ...(oidcIssuer ? { oidcIssuer } : {}) }, compute, io, options);
  if (options.output === 'text') io.err('Press Ctrl-C to stop the platform.');
  return exited;
}

/** Checked here, before anything starts, so a typo gets the CLI's message and exit code. */
function historySeconds(text: string): number {
  const ms = parseDuration(text, '--watch-history');
  if (ms < 1000)
    throw new InvalidInputError(`invalid --watch-history "${text}": keep at least 1s of history, e.g. 5m`);
  return Math.ceil(ms / 1000);
}

async function announce(
  ready: PlatformReady & { oidcIssuer?: string; topology?: ReplicatedReady['topology'] },
  compute: DevComputeReady | undefined,
  io: IOStreams,
  options: DevUpOptions,
): Promise<void> {
  if (options.output !== 'text') {
    await printData(io, options.output, compute ? { ...ready, compute } : ready);
    return;
  }
  // Lines to paste: spelled the way this shell can run kplane, and naming only workspaces that exist.
  const kplane = kplaneInvocation();
  const downHint = options.detach ? `${kplane} dev down --data-dir ${shellQuote(ready.dataDir)}` : 'Ctrl-C';
  io.out(
    [
      `kplane platform is running at ${ready.url} (pid ${ready.pid}, data in ${ready.dataDir}).`,
      '',
      'Use it:',
      `  export KUBECONFIG=${shellQuote(ready.kubeconfig)}`,
      `  ${kplane} ws tree`,
      options.demo ? `  ${kplane} ws use :root:acme:web` : `  ${kplane} ws create team-a --enter`,
      '  kubectl get configmaps',
      '',
      // Not in the lines above: with KUBECONFIG on the admin's file, login would add a person to it.
      ...(ready.oidcIssuer
        ? [
            `Or, in another shell, log in as alice, bob or carol (any password) at the OpenID provider ${ready.oidcIssuer}:`,
            `  ${kplane} login ${ready.url} --certificate-authority ${shellQuote(path.join(ready.dataDir, PLATFORM_CA_FILE))}`,
            '',
          ]
        : []),
      `Stop it with ${downHint}.`,
      '',
      ...(ready.topology ? topologyLines(ready.topology, kplane) : []),
      ...(compute ? computeLines(compute) : []),
      'Workspaces:',
    ].join('\n'),
  );
  return withWorkspaceSession({ explicitPath: ready.kubeconfig }, async (session) => {
    io.out(renderWorkspaceTree(await fetchWorkspaceTree(session.client, session.path), { full: false }));
  });
}

/** The processes behind the platform's address: the front, each replica, and etcd. */
function topologyLines(topology: ReplicatedReady['topology'], kplane: string): string[] {
  const local = topology.etcd.local;
  return [
    ...(topology.front
      ? [`Front (spreads connections over the replicas): ${topology.front.url} (pid ${topology.front.pid})`]
      : []),
    `Platform ${topology.replicas.length === 1 ? 'process' : 'replicas'}:`,
    ...topology.replicas.map(
      (replica) => `  ${replica.id ?? 'platform'}: ${replica.url} (pid ${replica.pid})`,
    ),
    `etcd: ${topology.etcd.endpoints.join(',')}${local ? ` (local, pid ${local.pid}, data in ${local.dataDir})` : ''}`,
    `Logs: ${[topology.front ? 'server-*.log, front.log' : 'server.log', ...(local ? ['etcd.log'] : [])].join(', ')} in the data folder; \`${kplane} dev status\` shows which run.`,
    '',
  ];
}

/** Where the member clusters are and how to look at one with kubectl. */
function computeLines(compute: DevComputeReady): string[] {
  const first = compute.members[0];
  return [
    `Member clusters (real Kubernetes APIs, pid ${compute.membersPid}), joined by kplane agents (pid ${compute.agentsPid}):`,
    `  ${compute.members.map((member) => member.name).join(', ')}`,
    `Their admin kubeconfigs are in ${compute.dir}, e.g.:`,
    ...(first ? [`  kubectl --kubeconfig ${shellQuote(first.kubeconfig)} get nodes,deployments -A`] : []),
    '',
  ];
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
