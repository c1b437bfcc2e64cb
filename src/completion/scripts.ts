import { InvalidInputError } from '../cli/errors.js';

export const completionShells = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof completionShells)[number];

/**
 * Shell scripts that hand every TAB to `<bin> __complete <words…> <partial>` (cobra's protocol: candidates, one per
 * line, then `:<directive>`), so the shells share one engine with `kubectl_complete-ws`. Workspace paths contain
 * `:`, which bash treats as a word break, so the bash script rebuilds the words from COMP_LINE itself.
 */
export function completionScript(shell: string, bin = 'kplane'): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  switch (shell) {
    case 'bash':
      return bashScript(bin, fn);
    case 'zsh':
      return zshScript(bin, fn);
    case 'fish':
      return fishScript(bin, fn);
    default:
      throw new InvalidInputError(`unknown shell "${shell}": use bash, zsh or fish`);
  }
}

function bashScript(bin: string, fn: string): string {
  return `# bash completion for ${bin}; load it with: source <(${bin} completion bash)
${fn}() {
  local line="\${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -r -a words <<< "$line"
  if [[ -z "$line" || "$line" == *[[:space:]] ]]; then words+=(""); fi
  local cur="\${words[\${#words[@]}-1]}"
  local out directive
  out=$(${bin} __complete "\${words[@]:1}" 2>/dev/null) || return 0
  if [[ "$out" == *$'\\n'* ]]; then
    directive="\${out##*$'\\n'}"
    out="\${out%$'\\n'*}"
  else
    directive="$out"
    out=""
  fi
  directive="\${directive#:}"
  [[ "$directive" =~ ^[0-9]+$ ]] || directive=0
  COMPREPLY=()
  if [[ -n "$out" ]]; then mapfile -t COMPREPLY <<< "$out"; fi
  # bash replaces only the text after the last ':' (a word break), so drop what comes before it.
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon_prefix="\${cur%"\${cur##*:}"}"
    local i
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon_prefix"}"; done
  fi
  if (( (directive & 2) != 0 )); then compopt -o nospace 2>/dev/null; fi
  if (( (directive & 4) == 0 && \${#COMPREPLY[@]} == 0 )); then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
  return 0
}
complete -F ${fn} ${bin}
`;
}

function zshScript(bin: string, fn: string): string {
  return `#compdef ${bin}
# zsh completion for ${bin}; load it with: source <(${bin} completion zsh)
${fn}() {
  local out directive
  local -a lines candidates
  out=$(${bin} __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive="\${lines[-1]#:}"
  candidates=("\${(@)lines[1,-2]}")
  (( \${#candidates} )) || { (( directive & 4 )) || _files; return; }
  if (( directive & 2 )); then
    compadd -Q -S '' -- "\${candidates[@]}"
  else
    compadd -Q -- "\${candidates[@]}"
  fi
}
if (( $+functions[compdef] )); then compdef ${fn} ${bin}; fi
`;
}

function fishScript(bin: string, fn: string): string {
  return `# fish completion for ${bin}; load it with: ${bin} completion fish | source
function ${fn}
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out (${bin} __complete $tokens[2..-1] "$current" 2>/dev/null)
    or return 0
    set -e out[-1]
    for line in $out
        echo $line
    end
end
complete -c ${bin} -f -a '(${fn})'
`;
}
