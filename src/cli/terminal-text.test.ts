import { describe, expect, it } from 'vitest';
import {
  escapeC1InData,
  escapeControlCharacters,
  ownSequence,
  printableText,
  singleLine,
} from './terminal-text.js';

describe('printableText', () => {
  it.each([
    ['clear screen', 'a\x1b[2Jb', 'a^[[2Jb'],
    ['window title (OSC)', '\x1b]0;pwned\x07', '^[]0;pwned^G'],
    ['carriage return', 'ok\rfake', 'ok^Mfake'],
    ['C1 CSI', 'x\u009b31my', 'xM-^[31my'],
    ['DEL and NUL', '\x7f\x00', '^?^@'],
    ['newline and tab stay', 'a\n\tb', 'a\n\tb'],
    ['plain text is untouched', "Current workspace is 'root'.", "Current workspace is 'root'."],
  ])('%s', (_, input, shown) => {
    expect(printableText(input)).toBe(shown);
    expect(escapeControlCharacters(input)).toBe(shown);
  });

  it("keeps kplane's own sequences, which a server cannot forge", () => {
    const bold = ownSequence('\x1b[1m');
    const forged = `\uE000guess:0\uE001`;
    expect(printableText(`${bold}NAME ${forged}\x1b[1m`)).toBe(`\x1b[1mNAME ${forged}^[[1m`);
  });
});

describe('singleLine', () => {
  it('keeps a table cell on one line and in one column', () => {
    expect(singleLine('a\tb\r\nc\nd')).toBe('a b c d');
  });
});

describe('escapeC1InData', () => {
  it('writes C1 controls as \\u escapes, so the JSON means the same', () => {
    const value = { message: 'x\u009b31m\x1b' };
    const text = escapeC1InData(JSON.stringify(value));
    expect(text).toBe('{"message":"x\\u009b31m\\u001b"}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
