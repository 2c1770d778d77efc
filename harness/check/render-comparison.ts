// Lays out a byte comparison (wire/bytes.ts compareBytes) for a learner: expected above received,
// escaped text or hex pairs, and a caret under the first byte that differs.
//
//   expected  "HTTP/1.1 200 OK\r\n"
//   received  "HTTP/1.0 200 OK\r\n"
//                     ^ first difference (byte 7)

import { escapeByte, type Comparison } from '../wire/bytes.ts';

export interface ComparisonLayout {
  expected: string;
  received: string;
  /** The line under them, with the caret and what it points at. */
  caret: string;
}

/** Width of the `expected  ` label column. */
const LABEL = 10;

export function layoutComparison(comparison: Comparison): ComparisonLayout {
  const { offset, start, text } = comparison;
  const show = (side: Comparison['expected']) => {
    const slice = Buffer.from(side.bytes, 'base64');
    const cells = text ? [...slice].map(escapeByte) : [...slice].map((b) => b.toString(16).padStart(2, '0'));
    const joined = text ? cells.join('') : cells.join(' ');
    const before = text ? cells.slice(0, offset - start).join('').length : cells.slice(0, offset - start).join(' ').length + (offset > start ? 1 : 0);
    const prefix = start > 0 ? '…' : '';
    const suffix = side.length > start + slice.length ? '…' : '';
    return { shown: text ? `${prefix}"${joined}"${suffix}` : `${prefix}${joined}${suffix}`, caretAt: prefix.length + (text ? 1 : 0) + before };
  };
  const e = show(comparison.expected);
  const r = show(comparison.received);
  const receivedEnds = offset >= comparison.received.length;
  const what = receivedEnds ? 'received ends here' : offset >= comparison.expected.length ? 'extra bytes start here' : 'first difference';
  return {
    expected: `${'expected'.padEnd(LABEL)}${e.shown}${text ? '' : '  (hex)'}`,
    received: `${'received'.padEnd(LABEL)}${r.shown}${receivedEnds ? ' (ends)' : ''}`,
    caret: `${' '.repeat(LABEL)}${' '.repeat(Math.max(e.caretAt, Math.min(r.caretAt, r.shown.length)))}^ ${what} (byte ${offset})`,
  };
}
