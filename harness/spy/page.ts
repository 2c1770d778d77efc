// The page `learn spy` writes when it stops: the whole session as a sequence diagram, clients on
// the left, the server on the right, one row per event with its arrow and summary, each
// expandable to the bytes. Self-contained: inline CSS, no script, no link to anything, so it
// opens from disk with no network. Every piece of text from the wire is escaped before it goes in.

import { byteCount, hexDump, looksLikeText, quote } from '../wire/bytes.ts';
import type { SpyEvent } from './record.ts';
import { quoteText } from '../wire/text-preview.ts';

export interface PageInfo {
  title: string;
  /** Lines said above the diagram: which ports, which program. */
  about: string[];
  events: readonly SpyEvent[];
  /** Events not kept (past the page's bound). */
  dropped: number;
}

/** `&`, `<`, `>`, quotes: text that can never become markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(info: PageInfo): string {
  const rows = info.events.map(row).join('\n');
  const dropped = info.dropped ? `<p class="note">… ${info.dropped} more events were not kept (the page keeps the first ${info.events.length}).</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(info.title)}</h1>
${info.about.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<div class="diagram">
<div class="row heads"><span>time</span><span>lane</span><span></span><span class="ends"><span>client</span><span>server</span></span><span></span></div>
${rows}
</div>
${dropped}
</body>
</html>
`;
}

function row(event: SpyEvent): string {
  // A colour per connection (`c2`), and per HTTP/2 stream on it (`c2/s3`): streams 1, 3, 5 … take the next colours.
  const [connection = 0, stream = 0] = (event.who.match(/\d+/g) ?? []).map(Number);
  const lane = `lane${(connection + Math.ceil(stream / 2)) % 6}`;
  const time = `<span class="time">+${event.at} ms</span><span class="who ${lane}">${escapeHtml(event.who)}</span>`;
  const summary = (event.summary ?? []).map((line) => `<div class="summary">${escapeHtml(line)}</div>`).join('');
  if (event.kind === 'send' || event.kind === 'recv') {
    const label = `${byteCount(event.size ?? 0)}${event.pieces && event.pieces > 1 ? ` in ${event.pieces} ${event.kind === 'send' ? 'writes' : 'reads'}` : ''}`;
    const direction = event.kind === 'send' ? 'to-server' : 'to-client';
    return `<div class="row ${direction}">${time}<span class="life"></span><div class="msg"><div class="arrow ${lane}"><span>${escapeHtml(label)}</span></div>${summary}<details><summary>the bytes</summary>${bytesOf(event)}</details></div><span class="life"></span></div>`;
  }
  // Closing and resetting are messages on the wire too (FIN and RST segments): drawn as arrows.
  const from = event.kind === 'fin' ? 'to-client' : event.kind === 'half-close' ? 'to-server' : undefined;
  const rst = event.kind === 'rst' || event.kind === 'reset';
  const direction = from ?? (rst ? (event.kind === 'reset' ? 'to-server' : 'to-client') : 'note');
  const text = escapeHtml(event.text ?? event.kind);
  if (direction === 'note')
    return `<div class="row note">${time}<span class="life"></span><div class="msg"><div class="text">${text}</div>${summary}</div><span class="life"></span></div>`;
  return `<div class="row ${direction} ${rst ? 'rst' : 'fin'}">${time}<span class="life"></span><div class="msg"><div class="arrow ${lane}"><span>${text}</span></div>${summary}</div><span class="life"></span></div>`;
}

/** The kept bytes: escaped text a line at a time when they read as text, a hex dump when not. */
function bytesOf(event: SpyEvent): string {
  const head = Buffer.from(event.keptHead ?? event.head ?? '', 'base64');
  const tail = Buffer.from(event.keptTail ?? event.tail ?? '', 'base64');
  const size = event.size ?? head.length;
  const gap = size - head.length - tail.length;
  const show = (bytes: Buffer, base: number) => (looksLikeText(bytes) ? lines(bytes).map(quote) : hexDump(bytes, base)).map(escapeHtml).join('\n');
  const kept =
    gap > 0
      ? `<pre>${show(head, 0)}</pre><p class="note">… ${byteCount(gap)} not kept …</p><pre>${show(tail, size - tail.length)}</pre>`
      : `<pre>${show(Buffer.concat([head, tail]), 0)}</pre>`;
  return kept + unmaskedOf(event);
}

/**
 * A client's WebSocket frames are masked (RFC 6455 §5.3): their payload bytes on the wire are XORed
 * with a key and read as noise. Below the bytes, each masked frame's payload as it means: text as
 * text, a line at a time, bytes as a hex dump.
 */
function unmaskedOf(event: SpyEvent): string {
  const parts = (event.unmasked ?? []).map((payload) => {
    const bytes = Buffer.from(payload.bytes, 'base64');
    // Text is cut only after a LF (never inside a UTF-8 sequence) and wrapped by the page.
    const shown = payload.text ? splitAfterLf(bytes).map((line) => quoteText(line, line.length, Infinity)) : hexDump(bytes, 0);
    const more = payload.size > bytes.length ? `<p class="note">… ${byteCount(payload.size - bytes.length)} more not kept …</p>` : '';
    const wrap = payload.text ? ' class="wrap"' : '';
    return `<p class="note">${escapeHtml(`Unmasked, the payload of: ${payload.frame}`)}</p><pre${wrap}>${shown.map(escapeHtml).join('\n')}</pre>${more}`;
  });
  if (event.unmaskedUnsaid) parts.push(`<p class="note">… ${event.unmaskedUnsaid} more masked frames not shown unmasked</p>`);
  return parts.join('');
}

/** Splits after each LF, keeping it, as the terminal transcript does. */
function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a || i - start >= 96) out.push(bytes.subarray(start, (start = i + 1)));
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

function splitAfterLf(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) out.push(bytes.subarray(start, (start = i + 1)));
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
.diagram { display: grid; grid-template-columns: 6em 3em 1.5em minmax(20em, 1fr) 1.5em; row-gap: 0.3em; }
.row { display: contents; }
.heads span { font-weight: bold; border-bottom: 1px solid #999; }
.ends { display: flex; justify-content: space-between; }
.life { border-left: 2px solid #bbb; margin-left: 0.6em; }
.time { color: #777; font-variant-numeric: tabular-nums; }
.who { font-weight: bold; }
.msg { padding: 0.2em 0; min-width: 0; }
.arrow { position: relative; border-top: 2px solid currentColor; margin: 0.9em 0.4em 0.2em; text-align: center; }
.arrow span { position: relative; top: -1.35em; background: #fff; padding: 0 0.4em; font-size: 0.9em; }
.to-server .arrow::after, .to-client .arrow::before { content: ''; position: absolute; top: -7px; border: 6px solid transparent; }
.to-server .arrow::after { right: -2px; border-left: 10px solid currentColor; }
.to-client .arrow::before { left: -2px; border-right: 10px solid currentColor; }
.rst .arrow { border-top-style: dashed; color: #c00; }
.fin .arrow { border-top-style: dotted; }
.summary { font-size: 0.9em; color: #055; margin: 0 0.4em; white-space: pre-wrap; overflow-wrap: anywhere; }
.note .text, p.note { color: #777; font-style: italic; }
details { margin: 0.2em 0.4em; }
summary { cursor: pointer; color: #555; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.4em; overflow-x: auto; margin: 0.2em 0; font-size: 0.85em; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
.lane0 { color: #1f5fbf; } .lane1 { color: #b5460f; } .lane2 { color: #2a7d2a; }
.lane3 { color: #8a2be2; } .lane4 { color: #a0522d; } .lane5 { color: #00838f; }
`;
