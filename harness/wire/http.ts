// HTTP/1.1 as the checks speak it: requests built byte by byte, and responses read from a
// RawClient (so every byte lands in the transcript) with the framing rules of RFC 9112 checked on
// the way: the status line, CRLF line ends, field lines, and a body delimited by Content-Length,
// chunked coding or the close. A response that breaks a rule fails with a message naming it.
//
// Later parts build on the same pieces: `readResponseHead` alone for an upgrade (the bytes after
// the head are then WebSocket frames), `readBody` with the head's framing for chunked responses,
// files, ranges and compressed bodies.

import { byteCount, quote, toBuffer, type Bytes } from './bytes.ts';
import { describe, type RawClient, type ReadOptions } from './client.ts';
import { WireError, wireErrorOf, type Teaching } from './errors.ts';

/** Header or trailer fields in the order they were sent, names as sent. */
export type Fields = Array<[name: string, value: string]>;

export interface RequestSpec {
  method?: string;
  target?: string;
  version?: string;
  /** The Host field's value, sent first; `null` sends no Host. Default `localhost`. */
  host?: string | null;
  headers?: Fields;
  body?: Bytes;
  /** Add `Content-Length` for the body (default: when there is a body and the headers frame none). */
  contentLength?: boolean;
}

/** The bytes of a request: `request({ method: 'POST', target: '/echo', body: 'hi' })`. */
export function request(spec: RequestSpec = {}): Buffer {
  const { method = 'GET', target = '/', version = 'HTTP/1.1', host = 'localhost', headers = [] } = spec;
  const body = spec.body === undefined ? undefined : toBuffer(spec.body);
  const fields: Fields = [];
  if (host !== null) fields.push(['Host', host]);
  fields.push(...headers);
  const framed = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  if (spec.contentLength ?? (body !== undefined && !framed)) fields.push(['Content-Length', String(body?.length ?? 0)]);
  const head = `${method} ${target} ${version}\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** A response's head as received, and its body once read. */
export class HttpResponse {
  /** The body, once read (empty for a head read alone or a response with no body). */
  body: Buffer = Buffer.alloc(0);
  /** How the end of the body was found (RFC 9112 §6.3). */
  framing: Framing = 'no body';
  trailers: Fields = [];

  constructor(
    /** The head's bytes, status line through the blank line. */
    readonly raw: Buffer,
    readonly version: string,
    readonly status: number,
    readonly reason: string,
    readonly fields: Fields,
  ) {}

  /** `HTTP/1.1 200 OK`. */
  get statusLine(): string {
    return `${this.version} ${this.status}${this.reason ? ` ${this.reason}` : ''}`;
  }

  /** Every value of a field, in order; names compare case-insensitively (RFC 9110 §5.1). */
  headerValues(name: string): string[] {
    const wanted = name.toLowerCase();
    return this.fields.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
  }

  /** A field's value, repeated lines joined with ", " (RFC 9110 §5.3); undefined when absent. */
  header(name: string): string | undefined {
    const values = this.headerValues(name);
    return values.length === 0 ? undefined : values.join(', ');
  }

  /** Whether a comma-separated field (Connection, Transfer-Encoding) lists `token`, case-insensitively. */
  hasToken(name: string, token: string): boolean {
    return this.headerValues(name).some((v) => v.split(',').some((t) => t.trim().toLowerCase() === token.toLowerCase()));
  }

  /** One line for messages: `"HTTP/1.1 404 Not Found" with a body of 16 bytes: "No route for /x\n"`. */
  summary(): string {
    const body =
      this.framing === 'no body' || this.body.length === 0
        ? 'no body'
        : `a body of ${byteCount(this.body.length)}: ${quote(this.body.subarray(0, 80))}${this.body.length > 80 ? '…' : ''}`;
    return `${quote(this.statusLine)} with ${body}`;
  }
}

export type Framing = 'no body' | 'content-length' | 'chunked' | 'close';

export interface ReadResponseOptions extends ReadOptions {
  /** The request's method: a response to HEAD never has a body (RFC 9112 §6.3). */
  method?: string;
  /** What the response answers, for messages: `the response to request 3`. Default `a response`. */
  what?: string;
  /** Largest head accepted (default 64 KiB). */
  maxHeadBytes?: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const SPEC = 'RFC 9112 §4 (status line), §5 (field lines), §6.3 (message body length)';

/** Reads a whole response: head, then the body as its framing says. */
export async function readResponse(client: RawClient, options: ReadResponseOptions = {}): Promise<HttpResponse> {
  const response = await readResponseHead(client, options);
  await readBody(client, response, options);
  return response;
}

/** Reads and checks a response head, leaving whatever follows it (a body, frames) unread. */
export async function readResponseHead(client: RawClient, options: ReadResponseOptions = {}): Promise<HttpResponse> {
  const what = options.what ?? 'a response';
  const max = options.maxHeadBytes ?? 64 * 1024;
  let raw: Buffer;
  try {
    raw = await client.readUntil(HEAD_END, { ...options, max });
  } catch (error) {
    const wire = wireErrorOf(error);
    if (!wire) throw error;
    const partial = await client.readFor(0);
    throw client.explain(missingHead(wire, what, partial, client, max, options));
  }
  return explained(client, () => parseResponseHead(raw, what, options));
}

/** Checks the bytes of a head (status line to blank line) and splits it into its parts. */
export function parseResponseHead(raw: Buffer, what = 'a response', options: Pick<ReadOptions, 'why' | 'spec' | 'hint'> = {}): HttpResponse {
  const fail = (message: string, why?: string) => malformed(message, { ...failureContext(options), why: why ?? options.why });
  const text = raw.toString('latin1');
  const bareLf = text.search(/(?<!\r)\n/);
  if (bareLf >= 0) {
    throw fail(
      `Expected every line of ${what}'s head to end with "\\r\\n", received a bare "\\n" at byte ${bareLf}: ${quote(raw.subarray(Math.max(0, bareLf - 30), bareLf + 1))}.`,
      'HTTP/1.1 ends every line of the head with CRLF (RFC 9112 §2.1).',
    );
  }
  const [statusLine = '', ...fieldLines] = text.slice(0, -4).split('\r\n');
  const status = /^(HTTP\/\d\.\d) (\d{3}) ([^\r\n]*)$/.exec(statusLine);
  if (!status) {
    throw fail(
      `Expected ${what} to start with a status line like "HTTP/1.1 200 OK", received ${quote(statusLine)}.`,
      'A status line is HTTP-version SP status-code SP reason-phrase, then CRLF; the reason may be empty, the spaces may not (RFC 9112 §4).',
    );
  }
  const fields: Fields = [];
  for (const line of fieldLines) {
    const field = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!field)
      throw fail(
        `Expected a header field line "Name: value" in ${what}, received ${quote(line)}.`,
        'A field line is a token name, a colon right after it, and the value; no space before the colon, no folding (RFC 9112 §5).',
      );
    fields.push([field[1]!, field[2]!]);
  }
  return new HttpResponse(raw, status[1]!, Number(status[2]), status[3]!, fields);
}

/** How a response's body ends, from its status, headers and the request method (RFC 9112 §6.3). */
export function framingOf(response: HttpResponse, method = 'GET'): { framing: Framing; length?: number } {
  const { status } = response;
  if (method.toUpperCase() === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { framing: 'no body' };
  const codings = response
    .headerValues('transfer-encoding')
    .flatMap((v) => v.split(','))
    .map((c) => c.trim().toLowerCase());
  if (codings.length > 0) return { framing: codings.at(-1) === 'chunked' ? 'chunked' : 'close' };
  const lengths = response
    .headerValues('content-length')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim());
  if (lengths.length === 0) return { framing: 'close' };
  if (!lengths.every((v) => /^\d+$/.test(v)) || new Set(lengths.map(Number)).size > 1 || !Number.isSafeInteger(Number(lengths[0]))) {
    throw malformed(`Expected Content-Length to be one decimal number, received ${lengths.map((v) => quote(v)).join(' and ')}.`, {
      why: 'The client uses it to know where the body ends; a value it cannot read leaves it no way to find the next response.',
      spec: 'RFC 9110 §8.6; RFC 9112 §6.3',
    });
  }
  return { framing: 'content-length', length: Number(lengths[0]) };
}

/** Reads the body of `response` (whose head was just read) into `response.body`. */
export async function readBody(client: RawClient, response: HttpResponse, options: ReadResponseOptions = {}): Promise<HttpResponse> {
  const what = options.what ?? 'the response';
  const { framing, length } = explained(client, () => framingOf(response, options.method));
  response.framing = framing;
  const context = failureContext(options);
  if (framing === 'content-length') {
    response.body = await readBodyPart(
      client,
      () => client.readExactly(length!, { ...options, ...context }),
      `the body of ${what}, ${byteCount(length!)} (Content-Length: ${length})`,
      options,
    );
  } else if (framing === 'chunked') {
    await explained(client, () => readChunked(client, response, what, options));
  } else if (framing === 'close') {
    response.body = await client.readToEnd({
      ...options,
      why:
        options.why ??
        `${capitalise(what)} has neither Content-Length nor Transfer-Encoding, so its body ends only when the connection closes (RFC 9112 §6.3, rule 8).`,
      hint: options.hint ?? 'Send Content-Length with every response whose length you know.',
    });
  }
  return response;
}

/** RFC 9112 §7.1: chunk-size [; ext] CRLF, data, CRLF …, then 0 CRLF, trailer fields, CRLF. */
async function readChunked(client: RawClient, response: HttpResponse, what: string, options: ReadResponseOptions): Promise<void> {
  const parts: Buffer[] = [];
  for (;;) {
    const line = await client.readUntil(CRLF, { ...options, max: 4096 });
    const size = /^([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r\n$/.exec(line.toString('latin1'));
    if (!size)
      throw malformed(`Expected a chunk-size line (hex digits, then "\\r\\n") in ${what}, received ${quote(line)}.`, {
        ...failureContext(options),
        spec: 'RFC 9112 §7.1',
      });
    const n = Number.parseInt(size[1]!, 16);
    if (n === 0) break;
    parts.push(await readBodyPart(client, () => client.readExactly(n, options), `a chunk of ${byteCount(n)} of ${what}`, options));
    const end = await client.readExactly(2, options);
    if (!end.equals(CRLF))
      throw malformed(`Expected "\\r\\n" after a chunk of ${byteCount(n)} of ${what}, received ${quote(end)}.`, {
        ...failureContext(options),
        spec: 'RFC 9112 §7.1',
      });
  }
  for (;;) {
    const line = await client.readUntil(CRLF, { ...options, max: 64 * 1024 });
    if (line.length === 2) break;
    const field = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*\r\n$/.exec(line.toString('latin1'));
    if (!field)
      throw malformed(`Expected a trailer field or the final "\\r\\n" of ${what}, received ${quote(line)}.`, {
        ...failureContext(options),
        spec: 'RFC 9112 §7.1.2',
      });
    response.trailers.push([field[1]!, field[2]!]);
  }
  response.body = Buffer.concat(parts);
}

async function readBodyPart(client: RawClient, read: () => Promise<Buffer>, what: string, options: ReadResponseOptions): Promise<Buffer> {
  try {
    return await read();
  } catch (error) {
    const wire = wireErrorOf(error);
    if (!wire) throw error;
    const partial = client.buffered;
    const ended = client.state !== 'open';
    throw client.explain(
      wire.with({
        waitingFor: what,
        fact: `Expected ${what}, ${ended ? `but the connection closed after ${byteCount(partial)} of it` : `received ${partial === 0 ? 'none of it' : `only ${byteCount(partial)}`} within ${seconds(wire)}`}.`,
        teaching: {
          ...failureContext(options),
          why: options.why ?? 'Content-Length promises exactly that many bytes of body; the client waits for all of them.',
        },
      }),
    );
  }
}

/** A read of a head that failed, said in terms of heads: too long, bare LFs, cut short, or silent. */
function missingHead(wire: WireError, what: string, partial: Buffer, client: RawClient, max: number, options: ReadResponseOptions): WireError {
  const got = partial.length === 0 ? 'nothing' : `${byteCount(partial.length)} without the blank line that ends a head: ${describe(partial)}`;
  const say = (fact: string, kind = wire.kind) => wire.with({ kind, fact, waitingFor: what, teaching: failureContext(options) });
  if (partial.length > max)
    return say(
      `Expected ${what} with a head of at most ${byteCount(max)}, received ${byteCount(partial.length)} without the blank line that ends a head.`,
      'limit',
    );
  if (partial.includes('\n\n'))
    return say(`Expected ${what} whose head ends with "\\r\\n\\r\\n", received a head whose lines end with a bare "\\n": ${describe(partial)}.`, 'malformed');
  if (client.state === 'fin') return say(`Expected ${what}, received ${got}, and then the connection was closed (FIN).`);
  if (client.state !== 'open') return say(`Expected ${what}, received ${got}, and then the connection was reset (RST).`);
  return say(`Expected ${what} within ${seconds(wire)}, received ${got}.`);
}

/** How long a failed read was allowed to wait: `2 s`. */
function seconds(wire: WireError): string {
  return `${(wire.timeoutMs ?? 2000) / 1000} s`;
}

/** A response that breaks HTTP's grammar: the rule, and where it is written. */
function malformed(fact: string, teaching: Teaching): WireError {
  return new WireError({ kind: 'malformed', fact, teaching });
}

/** Runs `read` and passes a WireError it throws through the client's `explain`. */
function explained<T>(client: RawClient, read: () => T): T {
  const rethrow = (error: unknown): never => {
    throw error instanceof WireError ? client.explain(error) : error;
  };
  try {
    const result = read();
    return (result instanceof Promise ? result.catch(rethrow) : result) as T;
  } catch (error) {
    return rethrow(error);
  }
}

function failureContext(options: Pick<ReadOptions, 'why' | 'spec' | 'hint'>): { why?: string; spec: string; hint?: string } {
  return { why: options.why, spec: options.spec ?? SPEC, hint: options.hint };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
