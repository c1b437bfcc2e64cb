import { exitCodeFor, messageOf } from '../cli/errors.js';
import { parseOutputFormat, processIOStreams, type OutputFormat } from '../cli/io.js';
import { canShowPicker } from '../cli/prompts.js';
import { authTokenServerArg } from '../client/own-exec-plugin.js';

/**
 * The commands people, shell prompts and kubectl wait on (`ws`, `ws use`, `ws current`, `auth token`) skip
 * oclif's start-up, which costs more than the command itself. Anything this parser does not fully understand (help, unknown flags,
 * other commands) falls through to oclif, which runs the same use-case functions, so behaviour is identical.
 */
interface HotWorkspaceCommand {
  action: 'use' | 'current';
  /** Undefined for `ws use` without an argument; '' when an empty one was given (refused by useWorkspace). */
  target: string | undefined;
  short: boolean;
  output: OutputFormat;
  kubeconfig?: string;
}

interface HotAuthTokenCommand {
  action: 'auth-token';
  server: string;
}

type HotCommand = HotWorkspaceCommand | HotAuthTokenCommand;

/** `auth token --server URL` and nothing else; anything more goes to oclif. */
function parseAuthToken(argv: readonly string[]): HotAuthTokenCommand | undefined {
  const server = authTokenServerArg(argv);
  return server === undefined ? undefined : { action: 'auth-token', server };
}

const wsSubcommands = new Set([
  'use',
  'cd',
  'current',
  'tree',
  'create',
  'create-context',
  'exec',
  'env',
  'shell',
]);

export function parseHotCommand(argv: readonly string[]): HotCommand | undefined {
  if (argv[0] === 'auth') return parseAuthToken(argv);
  if (argv[0] !== 'ws') return undefined;
  const positionals: string[] = [];
  let short = false;
  let output = 'text';
  let kubeconfig: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inlineValue] =
      arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    const takeValue = () => inlineValue ?? argv[++i];
    if (flag === '--short') short = true;
    else if (flag === '--kubeconfig') kubeconfig = takeValue();
    else if (flag === '-o' || flag === '--output') output = takeValue() ?? '';
    else if (arg.startsWith('-o') && arg.length > 2 && !arg.startsWith('--')) output = arg.slice(2);
    else if (arg === '-' || !arg.startsWith('-')) positionals.push(arg);
    else return undefined;
  }
  if (kubeconfig === undefined && argv.includes('--kubeconfig')) return undefined;
  let parsedOutput: OutputFormat;
  try {
    parsedOutput = parseOutputFormat(output);
  } catch {
    return undefined;
  }
  const base = { short, output: parsedOutput, kubeconfig };
  const [first, second, ...rest] = positionals;
  if (rest.length > 0) return undefined;
  if (first === undefined || ((first === 'current' || first === '.') && second === undefined)) {
    return { action: 'current', target: '.', ...base };
  }
  if (first === 'use' || first === 'cd') return { action: 'use', target: second, ...base };
  if (wsSubcommands.has(first) || second !== undefined) return undefined;
  return { action: 'use', target: first, ...base };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Returns the exit code when it handled the command, or undefined to let oclif take it. */
export async function runHotCommand(argv: readonly string[]): Promise<number | undefined> {
  if (process.env.KPLANE_NO_FAST_PATH) return undefined;
  if (argv[0] === '__complete') {
    const { runCompletion } = await import('../completion/run.js');
    return runCompletion(argv.slice(1), processIOStreams());
  }
  const command = parseHotCommand(argv);
  if (!command) return undefined;
  const io = processIOStreams();
  // `ws use` with no argument in a terminal opens the picker, which lives in the oclif command.
  if (command.action === 'use' && command.target === undefined && canShowPicker(io)) return undefined;
  if (command.action === 'auth-token') {
    try {
      const { printExecCredential } = await import('../auth/exec-credential.js');
      await printExecCredential(command.server, io);
      return 0;
    } catch (error) {
      io.err(`Error: ${messageOf(error)}`);
      return exitCodeFor(error);
    }
  }
  const kubeconfig = { explicitPath: command.kubeconfig };
  try {
    if (command.action === 'current') {
      const { showCurrentWorkspace } = await import('../workspace/current.js');
      await showCurrentWorkspace({ kubeconfig, short: command.short, output: command.output }, io);
    } else {
      const { useWorkspace } = await import('../workspace/use.js');
      await useWorkspace(
        { kubeconfig, target: command.target, short: command.short, output: command.output },
        io,
      );
    }
    return 0;
  } catch (error) {
    // A shell prompt calls `ws --short`: it must stay silent when there is nothing to show.
    if (command.short && command.action === 'current') return 0;
    io.err(`Error: ${messageOf(error)}`);
    return exitCodeFor(error);
  }
}
