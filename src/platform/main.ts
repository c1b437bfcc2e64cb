import { parseArgs } from 'node:util';
import { DurationError, parseDuration } from './auth/duration.js';
import type { AuthenticationConfig } from './auth/oidc/config.js';
import { isProcessAlive } from '../shared/process-alive.js';
import type { MemberSpec } from './member/member-spec.js';
import { isOwnerCommand, runOwnerCommand, type OwnerCommand } from './tools/owner-commands.js';

// Process entry of the local platform. The CLI relies on this contract: one JSON line on stdout
// when ready, nothing else on stdout, errors on stderr with exit code 1.
//
// `main.js token …` and `main.js revoke-tokens …` are the owner's tools instead (see
// tools/owner-commands.ts); they load no HTTP code.

const USAGE =
  'usage: node dist/platform/main.js --port N --data-dir DIR [--demo] [--watch-history DURATION (default 5m)] [--authentication-config FILE]\n' +
  '       node dist/platform/main.js --members demo|FILE --port N --data-dir DIR [--exit-with PID]   (dev member clusters)';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

interface CommandLine {
  port: number;
  dataDir: string;
  demo: boolean;
  watchHistoryMs?: number;
  authentication?: AuthenticationConfig;
  members?: MemberSpec[];
  exitWith?: number;
}

async function parseCommandLine(): Promise<CommandLine> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        demo: { type: 'boolean' },
        'watch-history': { type: 'string' },
        'authentication-config': { type: 'string' },
        members: { type: 'string' },
        'exit-with': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  const port = Number(values.port);
  if (values.port === undefined || !/^\d+$/.test(values.port) || port > 65535)
    fail(`--port must be 0-65535\n${USAGE}`, 2);
  if (!values['data-dir']) fail(`--data-dir is required\n${USAGE}`, 2);
  const args: CommandLine = { port, dataDir: values['data-dir'], demo: values.demo ?? false };
  if (values['watch-history'] !== undefined) {
    try {
      args.watchHistoryMs = parseDuration(values['watch-history']);
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      fail(`--watch-history: ${err.message}\n${USAGE}`, 2);
    }
  }
  const authenticationFile = values['authentication-config'];
  if (authenticationFile !== undefined) args.authentication = await loadAuthentication(authenticationFile);
  if (values.members !== undefined && args.demo)
    fail(`--members serves member clusters, not the platform: it takes no --demo\n${USAGE}`, 2);
  if (values.members !== undefined) args.members = await loadMembers(values.members);
  if (values['exit-with'] !== undefined) {
    if (!/^[1-9]\d*$/.test(values['exit-with'])) fail(`--exit-with must be a process id\n${USAGE}`, 2);
    args.exitWith = Number(values['exit-with']);
  }
  return args;
}

/** A bad file stops the start (exit 2): a platform that quietly took nobody's JWTs would be worse. */
async function loadAuthentication(file: string): Promise<AuthenticationConfig> {
  // Loaded only when asked for: YAML and CEL are not needed by a platform without JWT authenticators.
  const { AuthenticationConfigError, loadAuthenticationConfig } = await import('./auth/oidc/config.js');
  try {
    return loadAuthenticationConfig(file);
  } catch (err) {
    if (!(err instanceof AuthenticationConfigError)) throw err;
    fail(`--authentication-config ${file}: ${err.message}`, 2);
  }
}

async function loadMembers(argument: string): Promise<MemberSpec[]> {
  const { loadMemberSpecs, MemberSpecError } = await import('./member/member-spec.js');
  try {
    return loadMemberSpecs(argument);
  } catch (err) {
    if (!(err instanceof MemberSpecError)) throw err;
    fail(`--members ${argument}: ${err.message}`, 2);
  }
}

/**
 * Dev members and their agents live as long as the platform they serve: a platform killed outright (no
 * `dev down`) must not leave them behind, so they watch its process rather than wait to be told.
 */
function exitWith(pid: number, shutdown: () => void): void {
  const timer = setInterval(() => {
    if (isProcessAlive(pid)) return;
    clearInterval(timer);
    shutdown();
  }, 1000);
  timer.unref();
}

async function ownerTool(command: OwnerCommand): Promise<void> {
  const result = await runOwnerCommand(command, process.argv.slice(3));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (isOwnerCommand(command)) return ownerTool(command);
  const args = await parseCommandLine();
  const [{ startPlatform }, { PortInUseError }, { AlreadyRunningError }] = await Promise.all([
    import('./server.js'),
    import('./http/listen.js'),
    import('./process/pid-file.js'),
  ]);
  let platform;
  try {
    platform = await startPlatform({ ...args, log: process.env.KPLANE_LOG === '1' });
  } catch (err) {
    if (err instanceof AlreadyRunningError || err instanceof PortInUseError) fail(err.message);
    fail(`kplane platform failed to start: ${(err as Error).message}`);
  }
  const running = platform;
  const shutdown = () => {
    running.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`kplane platform failed to stop cleanly: ${(err as Error).message}`),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  if (args.exitWith !== undefined) exitWith(args.exitWith, shutdown);
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      url: running.url,
      kubeconfig: running.kubeconfig,
      dataDir: running.dataDir,
      pid: process.pid,
      ...(running.members ? { members: running.members } : {}),
    })}\n`,
  );
}

void main();
