import { startDevCompute, stopDevCompute, type DevComputeReady } from './dev-compute.js';
import { anyRecordedAlive } from './recorded-processes.js';
import {
  startReplicated,
  stopReplicated,
  type ReplicatedReady,
  type ReplicatedStartOptions,
} from './replicas.js';

// `dev up --storage etcd [--replicas N]`, detached or in the foreground. Both start the same detached
// processes with pid files (so `dev down` works the same on either); the foreground then waits for
// Ctrl-C, or for everything to have been stopped from elsewhere, and stops what is left.

export interface UpReplicatedOptions extends ReplicatedStartOptions {
  detach: boolean;
  /** With --demo: the demo's member clusters and their agents. */
  withCompute: boolean;
}

export interface UpReplicatedHooks {
  announce(ready: ReplicatedReady, compute: DevComputeReady | undefined): Promise<void>;
  stopProvider(): Promise<void>;
  waitingHint(): void;
}

export async function upReplicated(options: UpReplicatedOptions, hooks: UpReplicatedHooks): Promise<number> {
  const stopAll = async () => {
    await stopDevCompute(options.dataDir);
    await stopReplicated(options.dataDir);
    await hooks.stopProvider();
  };
  let ready: ReplicatedReady;
  let compute: DevComputeReady | undefined;
  try {
    ready = await startReplicated(options);
    // The members and agents live as long as `ready.pid`: the front, or the only replica.
    compute = options.withCompute ? await startDevCompute(ready) : undefined;
  } catch (err) {
    await stopAll();
    throw err;
  }
  await hooks.announce(ready, compute);
  if (options.detach) return 0;
  hooks.waitingHint();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!anyRecordedAlive(options.dataDir)) finish();
    }, 1000);
    const finish = () => {
      clearInterval(timer);
      for (const signal of SIGNALS) process.off(signal, finish);
      resolve();
    };
    for (const signal of SIGNALS) process.once(signal, finish);
  });
  await stopAll();
  return 0;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
