import { setTimeout as sleep } from 'node:timers/promises';
import { clearScreen, printData, type IOStreams } from '../cli/io.js';
import { renderTable } from '../cli/table.js';
import { isStatusCode } from '../client/api-error.js';
import { clusterRows, rolloutProgress, type ClusterRow } from './cluster-status.js';
import { withSession, type DeployCommon, type ReplicaSetObject } from './deploy.js';
import {
  manifestWorksPath,
  notFound,
  readReplicaSet,
  readWorks,
  replicaSetsPath,
  worksSelector,
  type DeployRef,
} from './deploy-state.js';

// `kplane deploy status NAME [--watch]`: per decided cluster, whether its agent applied the work and
// the objects are available, ready/desired replicas from the agents' status feedback, and the
// member's message for what it refused; then one summary line. --watch follows the work and
// replica set watches and shows the state again on every change: redrawn on a terminal, one line
// per changed cluster in a pipe.

/** Long member messages are cut in the table; -o json carries them whole. */
const ERROR_WIDTH = 72;

export interface DeployStatus {
  deploy: ReplicaSetObject;
  summary: NonNullable<ReplicaSetObject['status']>['summary'];
  /** Undefined when the server does not let this user list the works (only the counts are known). */
  clusters?: ClusterRow[];
  /** Whether every decided cluster runs the current version, as `deploy --wait` judges it. */
  progress: ReturnType<typeof rolloutProgress>;
}

async function readStatus(ref: DeployRef): Promise<DeployStatus> {
  const rs = await readReplicaSet<ReplicaSetObject>(ref);
  if (!rs) throw notFound(ref);
  const works = await readWorks(ref);
  return {
    deploy: rs,
    summary: rs.status?.summary ?? {},
    ...(works ? { clusters: clusterRows(works) } : {}),
    progress: rolloutProgress(rs, works ?? []),
  };
}

const truncate = (text: string, width: number) =>
  text.length <= width ? text : `${text.slice(0, width - 1)}…`;

function cells(row: ClusterRow): string[] {
  const ready =
    row.desiredReplicas === undefined ? '-' : `${row.readyReplicas ?? '-'}/${row.desiredReplicas}`;
  // A report for an earlier version of the work says nothing about this one yet.
  const applied = row.leaving
    ? 'Leaving'
    : row.current || row.applied === 'Unknown'
      ? row.applied
      : 'Updating';
  return [row.cluster, applied, row.available, ready, row.error ?? ''];
}

export function summaryLine(status: DeployStatus): string {
  const s = status.summary ?? {};
  const counts = `${s.available ?? 0}/${s.desiredTotal ?? 0} clusters available, ${s.applied ?? 0} applied, ${s.degraded ?? 0} degraded`;
  const progress =
    status.progress.state === 'done'
      ? 'this version is rolled out'
      : status.progress.state === 'failed'
        ? `failed: ${status.progress.message}`
        : status.progress.reason;
  return `deploy ${status.deploy.metadata.name}: ${counts}; ${progress}`;
}

export function renderStatus(io: IOStreams, status: DeployStatus): string {
  if (!status.clusters) return '';
  return renderTable(
    io,
    ['cluster', 'applied', 'available', 'ready', 'error'],
    status.clusters.map((row) => {
      const line = cells(row);
      line[4] = truncate(line[4] ?? '', ERROR_WIDTH);
      return line;
    }),
  );
}

function printOnce(io: IOStreams, status: DeployStatus): void {
  const table = renderStatus(io, status);
  if (table) io.out(table);
  else if (!status.clusters) io.err('(the per-cluster works are not readable here; counts only)');
  else io.err('No cluster has a work of this deploy yet.');
  io.err(summaryLine(status));
}

/** `deploy status NAME`: once, or with --watch until Ctrl-C (the signal) stops it. */
export function deployStatus(
  options: DeployCommon & { name: string; watch?: boolean; signal?: AbortSignal },
  io: IOStreams,
): Promise<void> {
  return withSession(options, async (session, namespace) => {
    const ref: DeployRef = { client: session.client, workspace: session.path, namespace, name: options.name };
    if (!options.watch) {
      const status = await readStatus(ref);
      if (options.output !== 'text') return printData(io, options.output, status);
      return printOnce(io, status);
    }
    await watchStatus(ref, io, options.signal ?? new AbortController().signal);
  });
}

/** One line per cluster whose row changed (and per cluster gone), for a pipe: `time cluster applied …`. */
function changedLines(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  at: string,
): string[] {
  const lines: string[] = [];
  for (const [cluster, line] of after) if (before.get(cluster) !== line) lines.push(`${at}\t${line}`);
  for (const cluster of before.keys()) if (!after.has(cluster)) lines.push(`${at}\t${cluster}\tremoved`);
  return lines;
}

async function watchStatus(ref: DeployRef, io: IOStreams, signal: AbortSignal): Promise<void> {
  let shown = '';
  let rows = new Map<string, string>();
  let summary = '';
  const show = async () => {
    const status = await readStatus(ref);
    const at = new Date().toISOString();
    if (io.stdoutIsTTY) {
      const text = `${renderStatus(io, status)}\n\n${summaryLine(status)}`;
      if (text !== shown) io.out(`${clearScreen()}Every change: ${at}\n\n${text}`);
      shown = text;
      return;
    }
    const next = new Map((status.clusters ?? []).map((row) => [row.cluster, cells(row).join('\t')]));
    for (const line of changedLines(rows, next, at)) io.out(line);
    rows = next;
    const line = summaryLine(status);
    if (line !== summary) io.err(line);
    summary = line;
  };

  // Changes coalesce: a burst of events (every agent reporting at once) shows the state once.
  let dirty = true;
  let wake: () => void = () => undefined;
  const changed = () => {
    dirty = true;
    wake();
  };
  const follow = (path: string, query: Record<string, string>) =>
    (async () => {
      while (!signal.aborted) {
        try {
          await ref.client.watch(path, query, changed, signal);
        } catch (error) {
          if (signal.aborted) return;
          // A server that does not let this user watch works: the replica set's watch still drives.
          if (isStatusCode(error, 403)) return;
        }
        // The server ends watches now and then; pick it up again (and show what changed meanwhile).
        changed();
        await sleep(500, undefined, { signal }).catch(() => undefined);
      }
    })();
  const watches = [
    follow(replicaSetsPath(ref.workspace, ref.namespace), { fieldSelector: `metadata.name=${ref.name}` }),
    follow(manifestWorksPath(ref.workspace), { labelSelector: worksSelector(ref.namespace, ref.name) }),
  ];
  while (!signal.aborted) {
    if (dirty) {
      dirty = false;
      await show();
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (dirty) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sleep(100, undefined, { signal }).catch(() => undefined);
  }
  await Promise.all(watches);
}
