/**
 * `kplane -w root:acme:ci bind …`: kcp and kubectl users put the workspace flag before the command, but oclif
 * reads flags only after the command's words. This moves a leading `-w/--workspace` (and `--kubeconfig`) to just
 * before a `--`, or to the end, where every command that takes it finds it.
 */
const movable = new Set(['-w', '--workspace', '--kubeconfig']);

export function moveLeadingFlags(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (!movable.has(name)) break;
    if (arg.includes('=')) {
      leading.push(arg);
      i += 1;
    } else {
      if (i + 1 >= argv.length) break;
      leading.push(arg, argv[i + 1]!);
      i += 2;
    }
  }
  if (leading.length === 0) return [...argv];
  const rest = argv.slice(i);
  const separator = rest.indexOf('--');
  return separator < 0
    ? [...rest, ...leading]
    : [...rest.slice(0, separator), ...leading, ...rest.slice(separator)];
}
