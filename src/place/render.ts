import type { IOStreams } from '../cli/io.js';
import { renderTable } from '../cli/table.js';
import {
  AVAILABLE_CONDITION,
  formatTaint,
  tryParseQuantity,
  type Candidate,
  type ManagedCluster,
  type ScheduleResult,
} from '../placement/index.js';

const label = (cluster: ManagedCluster | undefined, key: string) => cluster?.metadata.labels?.[key] ?? '';

function available(cluster: ManagedCluster): string {
  const condition = cluster.status?.conditions?.find((c) => c.type === AVAILABLE_CONDITION);
  return condition?.status === 'True' ? 'True' : (condition?.status ?? 'Unknown');
}

function memory(quantity: string | undefined): string {
  const bytes = tryParseQuantity(quantity);
  return bytes === undefined ? (quantity ?? '') : `${Math.round(bytes / 2 ** 30)}Gi`;
}

export function clustersTable(
  io: IOStreams,
  clusters: readonly ManagedCluster[],
  setsOf: (name: string) => string[],
): string {
  return renderTable(
    io,
    ['Name', 'Region', 'Provider', 'Zone', 'CPU', 'Memory', 'Available', 'Taints', 'Sets'],
    [...clusters]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((cluster) => [
        cluster.metadata.name,
        label(cluster, 'region'),
        label(cluster, 'provider'),
        label(cluster, 'zone'),
        cluster.status?.allocatable?.cpu ?? '',
        memory(cluster.status?.allocatable?.memory),
        available(cluster),
        (cluster.spec?.taints ?? []).map(formatTaint).join(',') || '<none>',
        setsOf(cluster.metadata.name).join(',') || '<none>',
      ]),
  );
}

/** The chosen clusters with the score and reason the algorithm gives them. */
export function decisionsTable(
  io: IOStreams,
  decided: readonly string[],
  result: ScheduleResult | undefined,
  clusters: readonly ManagedCluster[],
): string {
  const byName = new Map(clusters.map((cluster) => [cluster.metadata.name, cluster]));
  const candidates = new Map(
    (result?.candidates ?? []).map((candidate) => [candidate.clusterName, candidate]),
  );
  return renderTable(
    io,
    ['Cluster', 'Region', 'Provider', 'Score', 'Why'],
    [...decided].sort().map((name) => {
      const candidate = candidates.get(name);
      const why = result?.decisions.find((d) => d.clusterName === name)?.reason ?? 'decided by the platform';
      return [
        name,
        label(byName.get(name), 'region'),
        label(byName.get(name), 'provider'),
        score(candidate),
        why,
      ];
    }),
  );
}

/** Every candidate: chosen, or rejected and why. */
export function explainTable(io: IOStreams, result: ScheduleResult): string {
  return renderTable(
    io,
    ['Cluster', 'Result', 'Score', 'Why'],
    result.candidates.map((candidate) => [
      candidate.clusterName,
      candidate.status,
      score(candidate),
      candidate.reasons.map((reason) => reason.message).join('; '),
    ]),
  );
}

function score(candidate: Candidate | undefined): string {
  return candidate?.score === undefined ? '-' : String(Math.round(candidate.score));
}
