import type { IOStreams, OutputFormat } from './io.js';
import { bold, printData } from './io.js';
import { escapeControlCharacters, singleLine } from './terminal-text.js';

/**
 * A list as `-o json|yaml` asks for it; else `table()`, or `empty` on stderr when there is nothing, so stdout
 * stays empty for scripts.
 */
export async function printList(
  io: IOStreams,
  output: OutputFormat,
  items: readonly unknown[],
  empty: string,
  table: () => string,
): Promise<void> {
  if (output !== 'text') return printData(io, output, items);
  if (items.length === 0) io.err(empty);
  else io.out(table());
}

/**
 * kubectl-style columns for people; for a pipe, tab-separated rows without the header (as gh does), so
 * `cut -f1` and `while read` work.
 */
export function renderTable(
  io: IOStreams,
  headers: readonly string[],
  rawRows: readonly (readonly string[])[],
): string {
  // Escaped before the widths are measured, so a value from a server lines up as it will be shown.
  const rows = rawRows.map((row) => row.map((cell) => escapeControlCharacters(singleLine(cell))));
  if (!io.stdoutIsTTY) return rows.map((row) => row.join('\t')).join('\n');
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]! + 3)))
      .join('')
      .trimEnd();
  return [bold(io, line(headers.map((h) => h.toUpperCase()))), ...rows.map(line)].join('\n');
}

/** "5s", "3m", "2h", "4d": the age column kubectl prints. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
