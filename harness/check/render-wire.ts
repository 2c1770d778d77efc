// Renders a test's transcript: one row an event, with the time, the client, an arrow for the
// direction, and the bytes below it, escaped text or a hex dump. HTTP heads are always text (a
// byte that is not printable shows as \xHH where it is), every line of them: the field that is
// wrong may be any one. Only bodies are dumped in hex, and only bodies are cut short.

import { byteCount, hexDump, looksLikeText, quote } from '../wire/bytes.ts';
import { httpHeadLength, startsHttpHead, type WireEvent } from '../wire/transcript.ts';
import { paint, symbols } from '../terminal.ts';

/** Text lines shown per event before the rest is summarised. */
const MAX_TEXT_LINES = 12;
/** Hex rows shown per event (head and tail together). */
const MAX_HEX_ROWS = 8;

export function renderWire(events: readonly WireEvent[]): string[] {
  const whoWidth = Math.max(2, ...events.map((e) => e.who.length));
  return events.flatMap((event) => renderWireEvent(event, whoWidth));
}

/**
 * One event: its row (time, client, arrow or what happened), the protocol summary lines if it has
 * any (`learn spy`), then its bytes. Shared by failing checks, `learn spy` and `learn probe`, so
 * the wire looks the same everywhere.
 */
export function renderWireEvent(event: WireEvent, whoWidth = 2): string[] {
  const lines: string[] = [];
  const time = paint.dim(`+${event.at}ms`.padEnd(8));
  const who = event.who.padEnd(whoWidth);
  const pad = ' '.repeat(9 + whoWidth + 3);
  if (event.kind === 'send' || event.kind === 'recv') {
    const arrow = event.kind === 'send' ? paint.sent(symbols.send) : paint.received(symbols.recv);
    const pieces = event.pieces && event.pieces > 1 ? paint.dim(` in ${event.pieces} ${event.kind === 'send' ? 'writes' : 'reads'}`) : '';
    lines.push(`${time} ${who} ${arrow} ${event.datagram ? 'datagram, ' : ''}${byteCount(event.size ?? 0)}${pieces}`);
    for (const line of event.summary ?? []) lines.push(pad + paint.info(line));
    const body = renderBytes(event).map((l) => pad + (event.kind === 'send' ? paint.sent(l) : paint.received(l)));
    lines.push(...body);
  } else {
    const text = event.text ?? event.kind;
    const styled = event.kind === 'rst' || event.kind === 'timeout' || event.kind === 'exit' ? paint.failure(text) : paint.dim(text);
    lines.push(`${time} ${who}   ${styled}`);
  }
  return lines;
}

/** The bytes of one event: head (and tail, if it was larger than the preview). */
function renderBytes(event: WireEvent): string[] {
  let head = Buffer.from(event.head ?? '', 'base64');
  let tail = event.tail ? Buffer.from(event.tail, 'base64') : undefined;
  const size = event.size ?? head.length;
  // Nothing between the preview's head and tail: one piece, with no "0 bytes not shown" between.
  if (tail && head.length + tail.length >= size) [head, tail] = [Buffer.concat([head, tail]), undefined];
  if (startsHttpHead(head)) return renderHttp(head, tail, size);
  return renderPiece(head, tail, size, 0);
}

/** Bytes that are not an HTTP head: escaped text if they read as text, else hex. */
function renderPiece(head: Buffer, tail: Buffer | undefined, size: number, offset: number): string[] {
  const text = looksLikeText(head) && (!tail || looksLikeText(tail));
  return text ? renderText(head, tail, size) : renderHex(head, tail, size, offset);
}

/**
 * HTTP messages one after another (pipelined, or a response and the next): each head as text,
 * whole; each body between them as text or hex. A message starts where a request or status line
 * does.
 */
function renderHttp(bytes: Buffer, tail: Buffer | undefined, size: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headLength = httpHeadLength(bytes, at);
    if (headLength > 0) {
      out.push(...renderHead(bytes.subarray(at, at + headLength)));
      at += headLength;
      continue;
    }
    let next = at + 1;
    while (next < bytes.length && !startsHttpHead(bytes, next)) next++;
    const last = next >= bytes.length;
    out.push(...renderPiece(bytes.subarray(at, next), last ? tail : undefined, last ? size - at : next - at, at));
    if (last) return out;
    at = next;
  }
  if (tail)
    out.push(paint.dim(`… ${byteCount(size - bytes.length - tail.length)} not shown …`), ...renderPiece(tail, undefined, tail.length, size - tail.length));
  return out;
}

/** An HTTP head: every line, quoted, bytes that are not printable as \xHH in place. */
function renderHead(head: Buffer): string[] {
  return collapseRepeats(splitLines(head, 120).map(quote));
}

function renderText(head: Buffer, tail: Buffer | undefined, size: number): string[] {
  const lines = collapseRepeats(splitLines(head).map(quote));
  const out =
    lines.length > MAX_TEXT_LINES ? [...lines.slice(0, MAX_TEXT_LINES - 2), `… ${lines.length - (MAX_TEXT_LINES - 2)} more lines …`, lines.at(-1)!] : lines;
  if (tail) {
    out.push(paint.dim(`… ${byteCount(size - head.length - tail.length)} not shown …`));
    out.push(...collapseRepeats(splitLines(tail).slice(-3).map(quote)));
  }
  return out;
}

/** A hex dump; `offset` is where the bytes start in the event, so the offsets shown are the wire's. */
function renderHex(head: Buffer, tail: Buffer | undefined, size: number, offset = 0): string[] {
  const rows = hexDump(head, offset);
  const out =
    rows.length > MAX_HEX_ROWS
      ? [...rows.slice(0, MAX_HEX_ROWS - 2), paint.dim(`… ${byteCount(Math.min(head.length, size) - (MAX_HEX_ROWS - 2) * 16)} more …`)]
      : rows;
  if (tail) {
    out.push(paint.dim(`… ${byteCount(size - head.length - tail.length)} not shown …`));
    out.push(...hexDump(tail.subarray(-32), offset + size - 32).slice(-2));
  }
  return out;
}

/** Splits after each LF, keeping it, so every shown line ends where the wire's line did. */
function splitLines(bytes: Buffer, width = 64): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  // Long lines without LF are cut into rows of `width` bytes, so nothing runs off the screen.
  return lines.flatMap((line) => (line.length <= width ? [line] : chunk(line, width)));
}

function chunk(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Runs of the same line shown once with a count: `"bbbb…" ×8`. */
function collapseRepeats(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i + 1;
    while (j < lines.length && lines[j] === lines[i]) j++;
    out.push(j - i > 1 ? `${lines[i]} ${paint.dim(`×${j - i}`)}` : lines[i]!);
    i = j;
  }
  return out;
}
