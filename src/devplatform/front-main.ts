import { parseArgs } from 'node:util';
import { startTcpFront, type Backend } from './tcp-front.js';

// Process entry of the front of `kplane dev up --replicas N` (see tcp-front.ts): listens on 127.0.0.1:PORT
// and spreads connections over the replicas until SIGTERM. Prints one JSON ready line ({ready, url, port,
// pid}) once it listens; exit 2 for a bad command line, 1 when the port is taken.

const USAGE =
  'usage: node dist/devplatform/front-main.js --port N --backends 127.0.0.1:PORT[,127.0.0.1:PORT...]';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseBackends(text: string): Backend[] {
  return text.split(',').map((part) => {
    const match = /^(127\.0\.0\.1):(\d{1,5})$/.exec(part.trim());
    if (!match) fail(`--backends: "${part}" is not 127.0.0.1:PORT\n${USAGE}`, 2);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, backends: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (values.port === undefined || !/^\d{1,5}$/.test(values.port) || Number(values.port) > 65535)
    fail(`--port must be 0-65535\n${USAGE}`, 2);
  if (!values.backends) fail(`--backends is required\n${USAGE}`, 2);
  const backends = parseBackends(values.backends);
  let front;
  try {
    front = await startTcpFront({ port: Number(values.port), backends });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(
      code === 'EADDRINUSE'
        ? `127.0.0.1:${values.port} is in use: stop what listens there, or give dev up another --port`
        : `the front failed to start: ${(err as Error).message}`,
      1,
    );
  }
  const running = front;
  const shutdown = () => {
    void running.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: `https://127.0.0.1:${running.port}`, port: running.port, pid: process.pid })}\n`,
  );
}

void main();
