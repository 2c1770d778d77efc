// HTTP/1.1 messages in one direction of a relayed connection, followed as they pass: the head is
// collected and summarised, then the body is only counted, by the framing the head gives it
// (RFC 9112 §6.3): Content-Length, chunked coding (each chunk boundary reported, §7.1), or the
// close. Nothing is held but a head, so a 64 MiB body costs nothing to follow.

import { byteCount, quote } from '../wire/bytes.ts';
import { parseResponseHead, type Fields } from '../wire/http.ts';

export interface Head {
  /** `GET /x HTTP/1.1` or `HTTP/1.1 200 OK`. */
  startLine: string;
  method?: string;
  status?: number;
  fields: Fields;
}

/** How the body after a head ends, as the conversation decides it (it knows the request method). */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'switch' };

/** Longest head followed; past it the bytes are shown raw. */
const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4096;
/** Fields whose values are worth a line of their own in the summary. */
const NOTABLE =
  /^(range|if-range|content-range|content-encoding|transfer-encoding|connection|upgrade|expect|if-none-match|if-modified-since|etag|location|sec-websocket-accept)$/i;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'switched' | 'lost';

export class HttpLane {
  private state: State = 'head';
  private buffer: Buffer = Buffer.alloc(0);
  private left = 0;
  private bodySize = 0;
  private chunks = 0;

  constructor(
    readonly role: 'request' | 'response',
    /** Decides the framing of a head's body; `switch` hands the rest of the stream to another protocol. */
    private readonly framing: (head: Head) => BodyFraming,
  ) {}

  /** True once the stream is no longer HTTP (after a 101) or could not be followed. */
  get done(): boolean {
    return this.state === 'switched' || this.state === 'lost';
  }

  /** Feeds bytes; returns summary lines for what they completed, and the bytes past a protocol switch. */
  feed(bytes: Buffer): { lines: string[]; rest?: Buffer } {
    const lines: string[] = [];
    let data = bytes;
    while (data.length > 0) {
      if (this.state === 'switched') return { lines, rest: data };
      if (this.state === 'lost') break;
      if (this.state === 'head' || this.state === 'chunk-size' || this.state === 'trailers') {
        const max = this.state === 'head' ? MAX_HEAD : MAX_LINE;
        const { line, rest } = this.takeLine(data, max);
        data = rest;
        if (line === undefined) {
          if ((this.state as State) === 'lost') lines.push(`a head or line longer than spy follows (${byteCount(max)}): shown raw from here`);
          continue;
        }
        lines.push(...this.onLine(line));
      } else if (this.state === 'length' || this.state === 'chunk-data' || this.state === 'close') {
        const take = this.state === 'close' ? data.length : Math.min(this.left, data.length);
        this.bodySize += take;
        this.left -= take;
        data = data.subarray(take);
        if (this.state === 'length' && this.left === 0) lines.push(this.bodyDone(`body complete: ${byteCount(this.bodySize)}`));
        if (this.state === 'chunk-data' && this.left === 0) this.state = 'chunk-end';
      } else if (this.state === 'chunk-end') {
        const { line, rest } = this.takeLine(data, MAX_LINE);
        data = rest;
        if (line !== undefined && line.length !== 2) lines.push(`expected "\\r\\n" after the chunk's data, received ${quote(line)} (RFC 9112 §7.1)`);
        if (line !== undefined) this.state = 'chunk-size';
      }
    }
    return { lines };
  }

  /** The stream ended (FIN or RST): a body framed by the close ends here. */
  end(): string[] {
    if (this.state === 'close') return [this.bodyDone(`body ended by the close: ${byteCount(this.bodySize)}`)];
    if (this.state === 'length' || this.state.startsWith('chunk'))
      return [`the connection closed in the middle of a body (${byteCount(this.bodySize)} of it had arrived)`];
    if (this.state === 'head' && this.buffer.length > 0) return [`the connection closed in the middle of a head: ${byteCount(this.buffer.length)} of it`];
    return [];
  }

  /** Collects bytes up to and including an LF; a head is collected whole, up to its empty line. */
  private takeLine(data: Buffer, max: number): { line?: Buffer; rest: Buffer } {
    const whole = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    const end = this.state === 'head' ? headEnd(whole) : whole.indexOf(0x0a) + 1;
    if (end <= 0) {
      this.buffer = Buffer.from(whole);
      if (this.buffer.length > max) this.state = 'lost';
      return { rest: Buffer.alloc(0) };
    }
    this.buffer = Buffer.alloc(0);
    return { line: whole.subarray(0, end), rest: whole.subarray(end) };
  }

  private onLine(line: Buffer): string[] {
    if (this.state === 'head') return this.onHead(line);
    if (this.state === 'trailers') {
      if (line.length <= 2) return [this.bodyDone(`last chunk: body ${byteCount(this.bodySize)} in ${this.chunks} ${this.chunks === 1 ? 'chunk' : 'chunks'}`)];
      return [`trailer field ${quote(line.subarray(0, -2))}`];
    }
    // chunk-size [; ext] CRLF (RFC 9112 §7.1)
    const size = /^([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r?\n$/.exec(line.toString('latin1'));
    if (!size) {
      this.state = 'lost';
      return [`expected a chunk-size line (hex digits, then "\\r\\n"), received ${quote(line)} (RFC 9112 §7.1): shown raw from here`];
    }
    const n = Number.parseInt(size[1]!, 16);
    if (n === 0) {
      this.state = 'trailers';
      return [];
    }
    this.chunks++;
    this.left = n;
    this.state = 'chunk-data';
    return [`chunk ${this.chunks}: ${byteCount(n)}${size[2] ? ` (extension ${quote(size[2])})` : ''}`];
  }

  private onHead(raw: Buffer): string[] {
    let head: Head;
    try {
      head = this.role === 'request' ? parseRequestHead(raw) : responseHead(raw);
    } catch (error) {
      this.state = 'lost';
      return [`not a valid ${this.role} head: ${(error as Error).message} Shown raw from here.`];
    }
    const framing = this.framing(head);
    this.bodySize = 0;
    this.chunks = 0;
    const lines = [`${head.startLine} · ${head.fields.length} ${head.fields.length === 1 ? 'field' : 'fields'} · ${describeFraming(framing)}`];
    const notable = head.fields.filter(([name]) => NOTABLE.test(name)).map(([name, value]) => `${name}: ${value}`);
    if (notable.length) lines.push(notable.join(' · '));
    lines.push(...statusNotes(head));
    if (framing.kind === 'switch') this.state = 'switched';
    else if (framing.kind === 'chunked') this.state = 'chunk-size';
    else if (framing.kind === 'close') this.state = 'close';
    else if (framing.kind === 'length' && framing.length > 0) ((this.state = 'length'), (this.left = framing.length));
    else this.state = 'head';
    return lines;
  }

  private bodyDone(line: string): string {
    this.state = 'head';
    return line;
  }
}

function describeFraming(framing: BodyFraming): string {
  if (framing.kind === 'length') return framing.length === 0 ? 'empty body (Content-Length: 0)' : `body ${byteCount(framing.length)} (Content-Length)`;
  if (framing.kind === 'chunked') return 'chunked body';
  if (framing.kind === 'close') return 'body until the close';
  if (framing.kind === 'switch') return 'the protocol changes after this head';
  return 'no body';
}

/** What a status means for the bytes that follow, where it is easy to get wrong. */
function statusNotes(head: Head): string[] {
  if (head.status === 206) return ['206: only the bytes Content-Range names (RFC 9110 §15.3.7)'];
  if (head.status === 304) return ['304: the cached copy is still good; never a body (RFC 9110 §15.4.5)'];
  if (head.status === 416) return ['416: no byte of the Range exists (RFC 9110 §15.5.17)'];
  const coding = head.fields.find(([name]) => /^content-encoding$/i.test(name));
  if (coding) return [`the body is ${coding[1]}-coded: the bytes below are not the content itself (RFC 9110 §8.4)`];
  return [];
}

/** End of a head: after the empty line (CRLF CRLF, or a bare LF LF from a sloppy peer). */
function headEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const ends = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((n) => n > 0);
  return ends.length ? Math.min(...ends) : -1;
}

/** `METHOD SP request-target SP HTTP-version CRLF`, then field lines (RFC 9112 §3, §5). */
function parseRequestHead(raw: Buffer): Head {
  const [startLine = '', ...lines] = raw
    .toString('latin1')
    .replace(/\r?\n\r?\n$/, '')
    .split(/\r?\n/);
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ \S+ HTTP\/\d\.\d$/.test(startLine))
    throw new Error(`expected a request line like "GET / HTTP/1.1", received ${quote(startLine)}.`);
  return { startLine, method: startLine.split(' ')[0], fields: lines.map(fieldOf) };
}

function responseHead(raw: Buffer): Head {
  const response = parseResponseHead(raw);
  return { startLine: response.statusLine, status: response.status, fields: response.fields };
}

function fieldOf(line: string): [string, string] {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new Error(`expected a field line "Name: value", received ${quote(line)}.`);
  return [line.slice(0, colon), line.slice(colon + 1).trim()];
}
