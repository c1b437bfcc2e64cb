import { call, parsed, type Replica } from './replicas.js';

// Clients that create ConfigMaps with names of their own through any replica, the way a careful client
// survives a replica or etcd member dying: a create that got no answer or a 503 is sent again, with the
// SAME name, to the next replica. A retried create answered 409 AlreadyExists was made by an earlier
// attempt, so it counts as acknowledged: that is what makes the retry safe, and what the test checks.

export interface WritersOptions {
  /** Client i starts on replicas[i % length] and moves to the next one when its replica fails it. */
  replicas: Replica[];
  token: string;
  /** The ConfigMaps collection to create in, e.g. /clusters/root:a/api/v1/namespaces/default/configmaps. */
  collectionPath: string;
  clients: number;
  writesPerClient: number;
  namePrefix: string;
  /** How long one name may keep failing before its writer gives up on it (the test then fails). */
  giveUpAfterMs: number;
  /** Called after every acknowledged write with how many there are so far. */
  onAcknowledged?: (count: number) => void;
}

export interface AcknowledgedWrite {
  name: string;
  /** The replica that acknowledged it. */
  via: string;
  /** 201, or 409 AlreadyExists on a retry (an earlier attempt had made it). */
  how: 'created' | 'already-existed';
  attempts: number;
}

export interface WritersReport {
  acknowledged: AcknowledgedWrite[];
  /** Attempts that got no answer or a 503 and were sent again to the next replica. */
  retried: number;
  /** Answers no client should get: anything but 201, 503, or 409 AlreadyExists on a retry. */
  unexpected: { name: string; replica: string; status: number; body: string }[];
  /** Names whose writer ran out of time, with the last thing it heard. */
  gaveUp: { name: string; last: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const configMap = (name: string, client: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { client: String(client) },
});

export async function runWriters(options: WritersOptions): Promise<WritersReport> {
  const report: WritersReport = { acknowledged: [], retried: 0, unexpected: [], gaveUp: [] };

  const writeOne = async (client: number, name: string, start: number): Promise<number> => {
    let target = start;
    const deadline = Date.now() + options.giveUpAfterMs;
    for (let attempts = 1; ; attempts++) {
      const replica = options.replicas[target % options.replicas.length]!;
      const outcome = await call(replica, options.collectionPath, {
        token: options.token,
        method: 'POST',
        body: configMap(name, client),
      });
      const reason = parsed<{ reason?: string }>(outcome)?.reason;
      const acknowledge = (how: AcknowledgedWrite['how']) => {
        report.acknowledged.push({ name, via: replica.name, how, attempts });
        options.onAcknowledged?.(report.acknowledged.length);
        return target;
      };
      if (outcome.answered && outcome.status === 201) return acknowledge('created');
      if (outcome.answered && outcome.status === 409 && reason === 'AlreadyExists' && attempts > 1)
        return acknowledge('already-existed');
      if (outcome.answered && outcome.status !== 503) {
        report.unexpected.push({ name, replica: replica.name, status: outcome.status, body: outcome.body });
        return target;
      }
      if (Date.now() > deadline) {
        const last = outcome.answered ? `${outcome.status} ${outcome.body}` : outcome.why;
        report.gaveUp.push({ name, last });
        return target;
      }
      report.retried++;
      target++;
      await sleep(Math.min(50 * attempts, 500));
    }
  };

  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      // A client stays on the replica that last served it.
      let target = client;
      for (let n = 0; n < options.writesPerClient; n++)
        target = await writeOne(client, `${options.namePrefix}${client}-${n}`, target);
    }),
  );
  return report;
}
