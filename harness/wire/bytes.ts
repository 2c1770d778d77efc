// How bytes from the wire are shown to a learner: escaped text when they read as text,
// a hex dump when they don't, and a caret under the first byte that differs.

export type Bytes = Buffer | Uint8Array | string;

/** The bytes of a string (UTF-8) or a byte array, as a Buffer. */
export function toBuffer(data: Bytes): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** True when the bytes read as text: valid UTF-8 with no control bytes but tab, CR and LF. */
export function looksLikeText(bytes: Buffer): boolean {
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
    if (b === 0x7f) return false;
  }
  // A lone continuation byte or a truncated sequence means this is not UTF-8 text.
  return Buffer.compare(Buffer.from(bytes.toString('utf8'), 'utf8'), bytes) === 0;
}

const ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

/**
 * One byte as it appears inside a quoted string: printable ASCII as itself, CR/LF/TAB as `\r` `\n`
 * `\t`, anything else as `\xNN`. Every byte maps to a fixed-width piece, so carets can line up.
 */
export function escapeByte(b: number): string {
  if (ESCAPES[b] !== undefined) return ESCAPES[b];
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** Bytes as a quoted, escaped string: `"GET / HTTP/1.1\r\n"`. Non-ASCII shows as `\xNN`. */
export function quote(data: Bytes): string {
  let out = '"';
  for (const b of toBuffer(data)) out += escapeByte(b);
  return out + '"';
}

/** Classic 16-bytes-a-row hex dump with an ASCII column, offsets relative to `base`. */
export function hexDump(data: Bytes, base = 0): string[] {
  const bytes = toBuffer(data);
  const rows: string[] = [];
  for (let row = 0; row < bytes.length; row += 16) {
    const slice = bytes.subarray(row, row + 16);
    const hex = [...slice].map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ').padEnd(23);
    const right = hex.slice(8).join(' ').padEnd(23);
    const ascii = [...slice].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${(base + row).toString(16).padStart(8, '0')}  ${left}  ${right}  |${ascii}|`);
  }
  return rows;
}

/** Index of the first byte where `a` and `b` differ, or -1 when they are equal. */
export function firstDifference(a: Bytes, b: Bytes): number {
  const x = toBuffer(a);
  const y = toBuffer(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? -1 : n;
}

/** Human size: `17 bytes`, `64 KiB`, `1.5 MiB`. */
export function byteCount(n: number): string {
  if (n === 1) return '1 byte';
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * Expected and received bytes around their first difference, as data: the renderer
 * (check/render-comparison.ts) lays them out one above the other with a caret. Only excerpts
 * travel (base64), so a failed 48 MiB echo does not ship 48 MiB to the reporter.
 */
export interface Comparison {
  /** Byte offset of the first difference. */
  offset: number;
  /** Offset of the first byte of both excerpts. */
  start: number;
  /** Shown as escaped text (both sides read as text); otherwise as hex pairs. */
  text: boolean;
  expected: Excerpt;
  received: Excerpt;
}

export interface Excerpt {
  /** The bytes from `start`, base64. */
  bytes: string;
  /** The length of the whole. */
  length: number;
}

/**
 * Compares expected and received bytes: undefined when they are equal, otherwise the excerpts
 * around the first difference. Text gets a wide window; binary (either side) a narrow one in hex,
 * so that a UTF-8 replacement character (`ef bf bd`) stands out where a raw byte was expected.
 */
export function compareBytes(expected: Bytes, received: Bytes, window = 48): Comparison | undefined {
  const exp = toBuffer(expected);
  const got = toBuffer(received);
  const offset = firstDifference(exp, got);
  if (offset < 0) return undefined;
  const text = looksLikeText(exp) && looksLikeText(got);
  const start = Math.max(0, offset - (text ? window : 8));
  const stop = offset + (text ? window : 8);
  const excerpt = (buf: Buffer): Excerpt => ({ bytes: buf.subarray(start, stop).toString('base64'), length: buf.length });
  return { offset, start, text, expected: excerpt(exp), received: excerpt(got) };
}
