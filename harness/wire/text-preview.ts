// Payloads quoted for one summary line: text as the text it is, bytes as bytes.
//
// A WebSocket text frame (and a close frame's reason) carries UTF-8 (RFC 6455 §5.6, §5.5.1), so
// it is decoded and shown as characters: `é`, `"` and `\` stay themselves, so JSON reads as it
// was sent. Escaped are only what a reader could not see or that would disturb the terminal:
// control characters (`\n`, `\x1b`, …), invisible formatting and bidirectional controls
// (`\u{202e}`), and bytes that are not UTF-8 (`\xff`, a sequence cut at a frame's edge). A binary
// payload is shown byte by byte, as the transcript shows bytes.

import { quote } from './bytes.ts';

/**
 * Characters a summary shows of a payload. A lesson 19 chat message (its JSON with type, room,
 * sender, text and time) is 100 to 200 characters: it fits whole, while a megabyte payload still
 * takes one line.
 */
export const PREVIEW_CHARS = 200;

/** UTF-8 takes at most 4 bytes a character: the bytes that can fill PREVIEW_CHARS. */
export const PREVIEW_BYTES = PREVIEW_CHARS * 4;

/** `"{"type":"join"}"`: UTF-8 decoded; cut with … when longer than `maxChars` or when `total` says more follows. */
export function quoteText(bytes: Buffer, total = bytes.length, maxChars = PREVIEW_CHARS): string {
  let out = '';
  let chars = 0;
  let i = 0;
  while (i < bytes.length && chars < maxChars) {
    const { codePoint, size } = decodeAt(bytes, i);
    if (codePoint === undefined) {
      // Not UTF-8 here. At the end of the bytes kept, a sequence cut by the preview is not an error.
      if (size === 0 && bytes.length < total) break;
      out += `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      out += showCodePoint(codePoint);
      i += size;
    }
    chars++;
  }
  return `"${out}${i < total ? '…' : ''}"`;
}

/** `"\x00\xff…"`: bytes as a transcript quotes them, at most as many as fill `maxChars`. */
export function quoteBytes(bytes: Buffer, total = bytes.length, maxChars = PREVIEW_CHARS): string {
  let shown = '';
  let n = 0;
  for (; n < bytes.length; n++) {
    const next = quote(bytes.subarray(n, n + 1)).slice(1, -1);
    if (shown.length + next.length > maxChars) break;
    shown += next;
  }
  return `"${shown}${n < total ? '…' : ''}"`;
}

const NAMED: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

function showCodePoint(codePoint: number): string {
  if (NAMED[codePoint]) return NAMED[codePoint];
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (invisible(codePoint)) return `\\u{${codePoint.toString(16)}}`;
  return String.fromCodePoint(codePoint);
}

/** C1 controls, zero-width and bidirectional formatting, line separators, BOM, noncharacters at U+FFFx. */
function invisible(c: number): boolean {
  return (
    (c >= 0x80 && c <= 0x9f) ||
    c === 0xad ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x206f) ||
    c === 0xfeff ||
    (c >= 0xfff9 && c <= 0xfffb) ||
    c === 0xfffe ||
    c === 0xffff
  );
}

/**
 * The code point that starts at `i` and its size in bytes (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing past U+10FFFF). `codePoint` undefined: not UTF-8 there; `size` 0 then means
 * a sequence that is fine so far but cut by the end of the bytes.
 */
function decodeAt(bytes: Buffer, i: number): { codePoint: number | undefined; size: number } {
  const lead = bytes[i]!;
  if (lead < 0x80) return { codePoint: lead, size: 1 };
  const size = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (size === 0) return { codePoint: undefined, size: 1 };
  let codePoint = lead & (0x7f >> size);
  for (let k = 1; k < size; k++) {
    const next = bytes[i + k];
    if (next === undefined) return { codePoint: undefined, size: 0 };
    if ((next & 0xc0) !== 0x80) return { codePoint: undefined, size: 1 };
    // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
    if (k === 1 && ((lead === 0xe0 && next < 0xa0) || (lead === 0xed && next > 0x9f) || (lead === 0xf0 && next < 0x90) || (lead === 0xf4 && next > 0x8f)))
      return { codePoint: undefined, size: 1 };
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  return { codePoint, size };
}
