import { parseArgs } from 'node:util';
import { isProcessAlive } from '../shared/process-alive.js';
import { readFleetConfig, runAgentFleet } from './agent-fleet.js';

// Process entry of the dev compute's agents (`kplane dev up --demo`): one agent loop per member of the fleet
// file, until SIGTERM, or until the platform they serve (`--exit-with PID`) is gone, so a platform killed
// outright leaves no agents behind. Prints one JSON ready line once every loop has started.

const USAGE = 'usage: node dist/devplatform/agent-fleet-main.js --fleet FILE [--exit-with PID]';

function main(): void {
  let values;
  try {
    ({ values } = parseArgs({
      options: { fleet: { type: 'string' }, 'exit-with': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!values.fleet) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const config = readFleetConfig(values.fleet);
  const stop = new AbortController();
  // The loops end at their next step; one waiting out an unreachable hub or member could take its time, and an
  // agent may be killed at any line (it reconciles from what it finds), so a second is all they get.
  const shutdown = () => {
    stop.abort();
    setTimeout(() => process.exit(0), 1000).unref();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, shutdown);
  const parent = values['exit-with'] === undefined ? undefined : Number(values['exit-with']);
  if (parent !== undefined) {
    const timer = setInterval(() => {
      if (isProcessAlive(parent)) return;
      clearInterval(timer);
      shutdown();
    }, 1000);
    timer.unref();
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  runAgentFleet(config, stop.signal, log).then(
    () => process.exit(0),
    (err: unknown) => {
      log(`agents stopped: ${(err as Error).message}`);
      process.exit(1);
    },
  );
  process.stdout.write(
    `${JSON.stringify({ ready: true, agents: config.members.length, pid: process.pid })}\n`,
  );
}

main();
