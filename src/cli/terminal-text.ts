// Strings a server sent (names, condition messages, error messages) may hold terminal control sequences: clear
// the screen, set the window title, move the cursor, hide or rewrite what was printed. kplane shows such
// characters instead of obeying them, everywhere it prints text, terminal or pipe (a pipe often ends in one:
// `| less -R`, `| tee`, a CI log). Newline and tab stay. -o json|yaml stay exact: they escape control characters
// themselves (see escapeC1InData).
//
// kplane's own sequences (bold table headers, `ws tree --watch` clearing the screen) travel through the text as
// tokens that carry a per-process secret, which a server cannot forge, and become real sequences only after the
// escaping.

// C0 controls but \t and \n, DEL, and the C1 controls (U+0080-U+009F, which some terminals obey too).
const CONTROL_CLASS = '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]';
const CONTROL = new RegExp(CONTROL_CLASS, 'g');
const HAS_CONTROL = new RegExp(CONTROL_CLASS);

/** `cat -v`'s notation: ESC is ^[ (as kubectl prints it), DEL ^?, a C1 control M-^[ and so on. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0x7f) return '^?';
  if (code >= 0x80) return `M-${visible(String.fromCharCode(code - 0x80))}`;
  return `^${String.fromCharCode(code + 64)}`;
}

export function escapeControlCharacters(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, visible) : text;
}

const secret = Math.random().toString(36).slice(2, 12);
const ownSequences: string[] = [];
const TOKEN = new RegExp(`\uE000${secret}:(\\d+)\uE001`, 'g');

/** A control sequence of kplane's own, to put in printed text: it survives printText's escaping. */
export function ownSequence(sequence: string): string {
  let index = ownSequences.indexOf(sequence);
  if (index < 0) index = ownSequences.push(sequence) - 1;
  return `\uE000${secret}:${index}\uE001`;
}

/** What reaches the stream: foreign control characters shown, kplane's own sequences restored. */
export function printableText(text: string): string {
  const escaped = escapeControlCharacters(text);
  return ownSequences.length === 0 || !escaped.includes('\uE000')
    ? escaped
    : escaped.replace(TOKEN, (_, index: string) => ownSequences[Number(index)] ?? '');
}

/** A table cell on one line: a tab or line break in a value would split a row or a column. */
export function singleLine(cell: string): string {
  return /[\t\n\r]/.test(cell) ? cell.replace(/\r\n|[\t\n\r]/g, ' ') : cell;
}

/**
 * JSON.stringify escapes C0 controls but leaves C1 controls raw (and so does the YAML writer, inside a double-quoted
 * scalar): written as \u escapes, the document means exactly the same and holds no control character.
 */
export function escapeC1InData(text: string): string {
  return /[\u0080-\u009f]/.test(text)
    ? text.replace(/[\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : text;
}
