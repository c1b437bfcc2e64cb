import type { AuthenticationConfig } from './auth/oidc/config.js';
import { isProcessAlive } from '../shared/process-alive.js';
import type { MemberSpec } from './member/member-spec.js';
import { parsePlatformArgs, PlatformArgsError, type StorageChoice } from './process/platform-args.js';
import { isOwnerCommand, runOwnerCommand, type OwnerCommand } from './tools/owner-commands.js';

// Process entry of the local platform. The CLI relies on this contract: one JSON line on stdout
// when ready, nothing else on stdout, errors on stderr with exit code 1.
//
// `main.js token …` and `main.js revoke-tokens …` are the owner's tools instead (see
// tools/owner-commands.ts); they load no HTTP code.

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
  storage: StorageChoice;
  replicaId?: string;
}

/** The flags checked by parsePlatformArgs (exit 2 with its message), then the files they name loaded. */
async function parseCommandLine(): Promise<CommandLine> {
  let parsed;
  try {
    parsed = parsePlatformArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof PlatformArgsError)) throw err;
    fail(err.message, 2);
  }
  const { authenticationConfigFile, members, ...args } = parsed;
  const commandLine: CommandLine = args;
  if (authenticationConfigFile !== undefined)
    commandLine.authentication = await loadAuthentication(authenticationConfigFile);
  if (members !== undefined) commandLine.members = await loadMembers(members);
  return commandLine;
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
