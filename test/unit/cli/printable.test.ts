// What the CLI prints for people shows a terminal's control characters as escapes
// (server/src/cli/printable.ts): a title from a shared board cannot colour, retitle or clear
// a teammate's terminal, nor reorder its text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printable } from '../../../server/src/cli/printable';

describe('printable', () => {
  it('shows escape sequences, bells, NUL, DEL, C1 controls and bidi overrides as escapes', () => {
    assert.equal(printable('\u001b[31mRED\u001b]0;pwned\u0007'), '\\u001b[31mRED\\u001b]0;pwned\\u0007');
    assert.equal(printable('a\u0000b\u007fc\u009bd'), 'a\\u0000b\\u007fc\\u009bd');
    assert.equal(printable('abc\u202Egpj.exe'), 'abc\\u202egpj.exe');
    assert.equal(printable('x\u2066y\u2069'), 'x\\u2066y\\u2069');
  });

  it('keeps line breaks, tabs, CRLF and every other character', () => {
    assert.equal(printable('one\ttwo\nthree\r\nfour'), 'one\ttwo\nthree\r\nfour');
    assert.equal(printable('Ünïcödé — 日本語 ✔'), 'Ünïcödé — 日本語 ✔');
    assert.equal(printable('over\rwrite'), 'over\\u000dwrite', 'a lone carriage return would hide what came before it');
  });
});
