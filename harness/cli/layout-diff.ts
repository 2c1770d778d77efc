// `learn diff` compares the learner's code with the reference by what it says, not how it is laid
// out: an editor that formats on save (other indentation, spaces after commas, blank lines) must
// not bury the one real difference under a hundred layout ones. Lines are compared by a key that
// drops the whitespace outside string literals (kept only where it separates two words, so
// `return x` still differs from `returnx`), and blank lines are not compared at all. Whitespace
// inside a string literal is never dropped: `${name}: ${value}` and `${name}:${value}` are
// different bytes on the wire.

import { diffArrays } from 'diff';

interface Line {
  /** 1-based line number in its file. */
  number: number;
  text: string;
  /** What is compared: the line without layout. */
  key: string;
}

export interface HunkLine {
  /** ' ' the same in both (shown as the learner wrote it), '-' only theirs, '+' only the reference. */
  sign: ' ' | '-' | '+';
  text: string;
}

export interface Hunk {
  /** First line of the hunk in the learner's file and in the reference (1-based). */
  oursStart: number;
  theirsStart: number;
  lines: HunkLine[];
}

const WORD = /[\p{L}\p{N}_$]/u;

/** Every non-blank line of a TypeScript text with its layout-free key. */
export function significantLines(text: string): Line[] {
  const lines: Line[] = [];
  // Where the scan is: in code, in a string literal (its quote: ' " or `), or in a /* comment */.
  let mode: 'code' | 'block' | "'" | '"' | '`' = 'code';
  let key = '';
  let pendingSpace = false; // whitespace seen outside a literal, not yet written
  let raw = '';
  let number = 1;
  const endLine = () => {
    if (raw.trim() !== '') lines.push({ number, text: raw, key });
    number++;
    raw = '';
    key = '';
    pendingSpace = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      endLine();
      continue;
    }
    raw += c;
    if (mode === "'" || mode === '"' || mode === '`') {
      key += c;
      if (c === '\\' && i + 1 < text.length && text[i + 1] !== '\n') {
        raw += text[i + 1];
        key += text[++i];
      } else if (c === mode) mode = 'code';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      pendingSpace = true;
      continue;
    }
    // A space survives only between two word characters: `const x`, `return value`; in a
    // comment, between any two (its words matter, its spacing does not).
    if (pendingSpace && key !== '' && (mode === 'block' || (WORD.test(c) && WORD.test(key.at(-1)!)))) key += ' ';
    pendingSpace = false;
    key += c;
    if (mode === 'block') {
      if (c === '/' && text[i - 1] === '*') mode = 'code';
    } else if (c === "'" || c === '"' || c === '`') mode = c;
    else if (c === '/' && text[i + 1] === '*') mode = 'block';
    else if (c === '/' && text[i + 1] === '/') {
      // A line comment: no quote inside it opens a literal.
      const end = text.indexOf('\n', i);
      const rest = text.slice(i + 1, end < 0 ? text.length : end);
      raw += rest;
      key += rest.replace(/\s+/g, ' ').trimEnd();
      i += rest.length;
    }
  }
  if (raw !== '') endLine();
  return lines;
}

/** The differences between two texts that are not layout, as hunks with `context` lines around. */
export function layoutInsensitiveHunks(ours: string, theirs: string, context = 3): Hunk[] {
  const a = significantLines(ours);
  const b = significantLines(theirs);
  const ops: Array<{ sign: HunkLine['sign']; line: Line; at: [number, number] }> = [];
  let i = 0;
  let j = 0;
  for (const change of diffArrays(
    a.map((l) => l.key),
    b.map((l) => l.key),
  )) {
    for (let n = 0; n < change.count; n++) {
      if (change.added) ops.push({ sign: '+', line: b[j]!, at: [i, j++] });
      else if (change.removed) ops.push({ sign: '-', line: a[i]!, at: [i++, j] });
      else ops.push({ sign: ' ', line: a[i]!, at: [i++, j++] });
    }
  }
  // Group changed ops with up to `context` unchanged ones on either side; close groups merge.
  const hunks: Hunk[] = [];
  let current: { from: number; to: number } | undefined;
  const groups: Array<{ from: number; to: number }> = [];
  ops.forEach((op, index) => {
    if (op.sign === ' ') return;
    const from = Math.max(0, index - context);
    const to = Math.min(ops.length - 1, index + context);
    if (current && from <= current.to + 1) current.to = to;
    else groups.push((current = { from, to }));
  });
  for (const { from, to } of groups) {
    const first = ops[from]!;
    const [oi, ti] = first.at;
    hunks.push({
      oursStart: a[oi]?.number ?? (a.at(-1)?.number ?? 0) + 1,
      theirsStart: b[ti]?.number ?? (b.at(-1)?.number ?? 0) + 1,
      lines: ops.slice(from, to + 1).map((op) => ({ sign: op.sign, text: op.line.text })),
    });
  }
  return hunks;
}
