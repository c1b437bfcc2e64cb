import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute } from 'node:path';

/**
 * Recognises the exec credential plugin `kplane login` writes (`kplane auth token --server URL`), so kplane can
 * read its own stored token in-process instead of starting a second copy of itself for it.
 */
export interface ExecPluginCall {
  command: string;
  args: readonly string[];
  env: readonly { name: string; value: string }[];
}

/**
 * The URL of `auth token --server URL` (or `--server=URL`) with nothing else, or undefined. The hot path takes
 * exactly these words as `auth token` too, so whatever this accepts, the plugin would run as the same code.
 */
export function authTokenServerArg(args: readonly string[]): string | undefined {
  if (args[0] !== 'auth' || args[1] !== 'token') return undefined;
  const rest = args.slice(2);
  if (rest.length === 2 && rest[0] === '--server') return rest[1];
  if (rest.length === 1 && rest[0]!.startsWith('--server=')) return rest[0]!.slice('--server='.length);
  return undefined;
}

/**
 * The shell line of the credential entry older kplane logins wrote where NODE_EXTRA_CA_CERTS is set: it runs
 * `"$0" "$@"` (kplane auth token …) with the variable moved to KPLANE_EXTRA_CA_CERTS, so Node 20 does not parse
 * the bundle at start-up and kplane reads it only for a connection that needs it (cli/deferred-extra-ca.ts).
 * Kubeconfigs keep it, so it is still recognised.
 */
export const DEFER_EXTRA_CA_SHELL_LINE =
  'KPLANE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS" NODE_EXTRA_CA_CERTS= exec "$0" "$@"';

/**
 * The shell line of the credential entry `kplane login` writes on Linux and macOS, run as
 * `/bin/sh -c LINE NAME kplane auth token --server URL`. It prints the answer prepared for that platform
 * (client/prepared-credentials.ts: `$XDG_CONFIG_HOME/kplane/exec-credentials/NAME`) without starting Node when it
 * is the answer for exactly these words, credentials.json still has the bytes the answer came from (`cksum`),
 * the answer is still due (`date +%s` below its due second, or 0), kubectl asks for the ExecCredential version
 * it holds (as kubectl writes KUBERNETES_EXEC_INFO), and KPLANE_NO_FAST_PATH is unset. A config folder path
 * with `..` goes to kplane: Node reads it as text, the shell through symlinks.
 * Otherwise it runs the rest of the words, with NODE_EXTRA_CA_CERTS (when set) moved aside as the line above
 * does. Written for any POSIX sh (dash, bash, busybox, zsh as sh): quiet on stderr, digits checked before
 * comparing, since zsh takes an empty string for 0.
 */
export const PREPARED_CREDENTIAL_SHELL_LINE = [
  'd=${XDG_CONFIG_HOME:-${HOME:+$HOME/.config}}/kplane;',
  'f=$d/exec-credentials/$0;',
  'if [ -z "$KPLANE_NO_FAST_PATH" ] && [ "$d" != /kplane ] && case /$d/ in */../*) false ;; esac && [ -f "$f" ]',
  '&& { { read -r sum && read -r due && IFS= read -r server && IFS= read -r answer; } <"$f"; } 2>/dev/null',
  '&& [ $# -eq 5 ] && [ "$2 $3 $4" = "auth token --server" ] && [ "$5" = "$server" ]',
  '&& [ "$(cksum 2>/dev/null <"$d/credentials.json")" = "$sum" ]',
  `&& case $due in 0) ;; '' | *[!0-9]*) false ;;`,
  `*) now=$(date +%s 2>/dev/null); case $now in '' | *[!0-9]*) false ;; *) [ "$now" -lt "$due" ] ;; esac ;; esac`,
  `&& case \${KUBERNETES_EXEC_INFO:-v1} in v1 | '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1",'*) ;; *) false ;; esac;`,
  `then printf '%s\\n' "$answer" && exit 0; fi;`,
  '[ -z "${NODE_EXTRA_CA_CERTS+set}" ] || { export KPLANE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"; NODE_EXTRA_CA_CERTS=; };',
  'exec "$@"',
].join(' ');

export const POSIX_SHELL = '/bin/sh';

/** The command and arguments either shell line runs, when `exec` is such an entry; else `exec` itself. */
export function unwrapCredentialShell(exec: ExecPluginCall): ExecPluginCall {
  const [flag, line, ...rest] = exec.args;
  if (exec.command !== POSIX_SHELL || flag !== '-c') return exec;
  const words =
    line === PREPARED_CREDENTIAL_SHELL_LINE ? rest.slice(1) : line === DEFER_EXTRA_CA_SHELL_LINE ? rest : [];
  const [command, ...args] = words;
  if (!command) return exec;
  return { command, args, env: exec.env };
}

/**
 * The platform URL when `exec` runs kplane's own `auth token`: the bare name `kplane` (what login writes for a
 * global install) or a path `isThisKplane` recognises, directly or through the shell line above. Any `env`
 * entry rules it out, since it could point the plugin at another HOME or config folder, and so at another
 * token than the one this process would read.
 */
export function ownAuthTokenServer(
  call: ExecPluginCall,
  isThisKplane: (command: string) => boolean,
): string | undefined {
  const exec = unwrapCredentialShell(call);
  if (exec.env.length > 0) return undefined;
  const server = authTokenServerArg(exec.args);
  if (server === undefined) return undefined;
  if (exec.command === 'kplane') return server;
  // Any other bare name is some other program on PATH; a path from the kubeconfig is absolute by now.
  if (!isAbsolute(exec.command)) return undefined;
  return isThisKplane(exec.command) ? server : undefined;
}

/**
 * Launchers that run `kplane ARGS` for ARGS unchanged. `kubectl-ws` and the completion helpers add words of
 * their own, so a kubeconfig naming them is not `kplane auth token`; but this process may have been started
 * by any of them (`kubectl ws use`), which still makes their siblings ours.
 */
const verbatimLaunchers = new Set(['run.js', 'kubectl-kplane']);
const launchers = new Set([
  ...verbatimLaunchers,
  'kubectl-ws',
  'kubectl_complete-kplane',
  'kubectl_complete-ws',
]);

/**
 * True when `command` resolves to the launcher that started this process, or to a verbatim launcher beside it
 * (login run as `kubectl kplane login` writes the path of `kubectl-kplane`, which a later `kplane ws use`,
 * started through `run.js`, must still recognise).
 */
export function isThisKplane(command: string, launcher: string | undefined = process.argv[1]): boolean {
  if (!launcher) return false;
  let target: string;
  let self: string;
  try {
    target = realpathSync(command);
    self = realpathSync(launcher);
  } catch {
    return false;
  }
  if (target === self) return true;
  return (
    launchers.has(basename(self)) &&
    dirname(target) === dirname(self) &&
    verbatimLaunchers.has(basename(target))
  );
}
