// http-request-head: the head of an HTTP/1.1 request, read from a connection and parsed: the request line
// and the header fields, up to the empty line. The grammar is RFC 9112 §2–§5; the comments cite it.

import type { BufferedReader } from './reader.ts';

/** The most bytes a head may take, request line through the empty line's CRLF. More: 431. */
export const MAX_HEAD_BYTES = 8 * 1024;

/** A request we answer with an error status; `message` becomes the body. */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HeaderField {
  /** As the client sent it: `content-type` and `Content-Type` are the same field. */
  name: string;
  /** Without the optional whitespace around it. */
  value: string;
}

export interface RequestHead {
  method: string;
  target: string;
  /** `HTTP/1.1`, `HTTP/1.0`. */
  version: string;
  /** In the order they came; a name can repeat. */
  headers: HeaderField[];
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Reads the next request head. Resolves with undefined when the connection ends before the
 * first byte of one (the client is done); throws HttpError when the head is bad or too big.
 */
export async function readRequestHead(reader: BufferedReader): Promise<RequestHead | undefined> {
  // Where the search for the end resumes after the next read. findHeadEnd looks back at most two
  // bytes from where it is, so what was searched once is not searched again: a head that trickles
  // in a byte at a time costs one look per byte, not one look per byte per read.
  let searched = 0;
  for (;;) {
    // RFC 9112 §2.2: a server SHOULD ignore empty lines (CRLF) received before the request line.
    if (searched === 0) while (reader.buffer[0] === CR && reader.buffer[1] === LF) reader.consume(2);
    const end = findHeadEnd(reader.buffer, searched);
    if (end > 0) return parseRequestHead(reader.consume(end));
    if (reader.buffer.length >= MAX_HEAD_BYTES) {
      throw new HttpError(431, `The request head is larger than ${MAX_HEAD_BYTES} bytes.`);
    }
    // One byte back: while a lone CR is all there is, it may still be the start of an empty line.
    searched = Math.max(0, reader.buffer.length - 1);
    if (!(await reader.fill())) {
      if (reader.buffer.length === 0) return undefined;
      throw new HttpError(400, 'The connection ended in the middle of the request head.');
    }
  }
}

/**
 * Where the head in `bytes` ends: the index just past its empty line, or -1 if the head has not
 * all arrived. Searches from `from` on (what comes before was searched already), and at most
 * MAX_HEAD_BYTES far. RFC 9112 §2.2 lets a server accept a bare LF as a line end; we don't: a bare
 * LF, or a CR followed by anything but LF, is answered with 400 as soon as it shows up.
 */
export function findHeadEnd(bytes: Buffer, from = 0): number {
  const limit = Math.min(bytes.length, MAX_HEAD_BYTES);
  // Each byte is judged by the bytes before it, never after: a CR at the end of what has arrived
  // is judged when the next byte comes.
  for (let i = from; i < limit; i++) {
    if (bytes[i] === LF) {
      if (bytes[i - 1] !== CR) throw new HttpError(400, 'A line of the head ends with a bare LF; lines end with CRLF.');
      if (bytes[i - 2] === LF) return i + 1; // CRLF CRLF: an empty line
    } else if (bytes[i - 1] === CR) {
      throw new HttpError(400, 'The head has a CR that is not followed by LF.');
    }
  }
  return -1;
}

/**
 * Parses a complete head: request line, field lines, and the empty line, each ending in CRLF.
 * Throws HttpError 400 for anything malformed and 505 for an HTTP version other than 1.x.
 */
export function parseRequestHead(head: Buffer): RequestHead {
  // latin1 maps each byte to one character and back, so nothing is lost or merged. The grammar
  // is ASCII; bytes above 0x7f may appear only in field values (obs-text, RFC 9110 §5.5).
  const lines = head.toString('latin1').split('\r\n');
  // The head ends with CRLF CRLF, so splitting leaves two empty strings at the end.
  const last = lines.length - 2;
  if (last < 1 || lines[last] !== '' || lines[last + 1] !== '') throw new HttpError(400, 'The head does not end with an empty line.');
  const { method, target, version } = parseRequestLine(lines[0]!);
  const headers: HeaderField[] = [];
  for (let i = 1; i < last; i++) headers.push(parseFieldLine(lines[i]!));
  checkHost(version, headers);
  return { method, target, version, headers };
}

// RFC 9110 §5.6.2: token = 1*tchar, tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
// "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. Methods, field names, transfer and content
// codings, range units are all tokens: the lessons after this one import this one grammar.
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9112 §3: method SP request-target SP HTTP-version. */
function parseRequestLine(line: string): { method: string; target: string; version: string } {
  const parts = line.split(' ');
  if (parts.length !== 3) throw new HttpError(400, `A request line is "METHOD target HTTP/1.1"; received ${JSON.stringify(line)}.`);
  const [method = '', target = '', version = ''] = parts;
  // RFC 9110 §9.1: a method is a token, and case-sensitive: "get" is not GET. Which methods this
  // server implements is for the router to say (501); the parser only checks the grammar.
  if (!TOKEN.test(method)) throw new HttpError(400, `The method ${JSON.stringify(method)} is not a token.`);
  checkTarget(method, target);
  // §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT, and "HTTP" is case-sensitive.
  const match = /^HTTP\/(\d)\.\d$/.exec(version);
  if (!match) throw new HttpError(400, `The version ${JSON.stringify(version)} is not of the form HTTP/1.1.`);
  // RFC 9110 §6.2: we speak 1.x (a later 1.x is handled as 1.1); any other major version: 505.
  if (match[1] !== '1') throw new HttpError(505, `This server speaks HTTP/1.1; the request is ${version}.`);
  return { method, target, version };
}

// RFC 9112 §3.2.2 absolute-form: scheme "://" authority …, as a client sends it to a proxy.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+\-.]*:\/\/[^/?#]/;
// §3.2.3 authority-form: uri-host ":" port (RFC 3986 §3.2.2), a name or an [IPv6] literal.
const AUTHORITY_FORM = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+):\d+$/;

/** RFC 9112 §3.2: the four forms of request-target, and which methods may use which. */
function checkTarget(method: string, target: string): void {
  // Every form is visible ASCII: no spaces, no control bytes, nothing above 0x7e.
  if (!/^[\x21-\x7e]+$/.test(target)) throw new HttpError(400, `The request-target ${JSON.stringify(target)} is empty or has characters a URI cannot have.`);
  if (method === 'CONNECT') {
    // §3.2.3: CONNECT names a host and port to tunnel to, and nothing else does.
    if (!AUTHORITY_FORM.test(target)) throw new HttpError(400, `CONNECT takes a target of the form host:port; received ${JSON.stringify(target)}.`);
  } else if (target === '*') {
    // §3.2.4: "*" means the server as a whole, and only OPTIONS can ask about that.
    if (method !== 'OPTIONS') throw new HttpError(400, `The target "*" is only for OPTIONS; received it with ${method}.`);
  } else if (!target.startsWith('/') && !ABSOLUTE_FORM.test(target)) {
    // §3.2.1 origin-form (/path?query) or §3.2.2 absolute-form (http://host/path); "a:80",
    // "../x" and "!" are neither.
    throw new HttpError(400, `The request-target ${JSON.stringify(target)} is neither a path starting with "/" nor an absolute URI.`);
  }
}

/** RFC 9112 §5: field-name ":" OWS field-value OWS. Trailer fields (chunked-request) have this grammar too. */
export function parseFieldLine(line: string): HeaderField {
  // §5.2: a line that starts with whitespace continues the previous one (obs-fold). A server must
  // reject it or unfold it; we reject it.
  if (line.startsWith(' ') || line.startsWith('\t')) throw new HttpError(400, 'Header fields may not be folded onto a line that starts with whitespace.');
  const colon = line.indexOf(':');
  if (colon < 0) throw new HttpError(400, `The header line ${JSON.stringify(line)} has no colon.`);
  const name = line.slice(0, colon);
  // §5.1: no whitespace between the name and the colon, and a server MUST answer such a line 400.
  if (/[ \t]$/.test(name)) throw new HttpError(400, `The header name ${JSON.stringify(name)} is followed by whitespace before the colon.`);
  if (!TOKEN.test(name)) throw new HttpError(400, `The header name ${JSON.stringify(name)} is not a token.`);
  // OWS is spaces and tabs only: String.trim() would also strip other characters, such as the
  // byte 0xa0 (a no-break space in latin1), which belong to the value.
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
  // RFC 9110 §5.5: CR, LF and NUL are never allowed in a value; we refuse every control byte but HTAB.
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new HttpError(400, `The value of ${name} contains a control character.`);
  return { name, value };
}

/** RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; a second one, or a bad one, is a 400. */
function checkHost(version: string, headers: HeaderField[]): void {
  const hosts = fieldValues(headers, 'host');
  if (hosts.length > 1) throw new HttpError(400, 'The request has more than one Host field.');
  if (hosts.length === 0 && version !== 'HTTP/1.0') throw new HttpError(400, 'An HTTP/1.1 request must have a Host field.');
  // uri-host [ ":" port ] (RFC 3986 §3.2.2); empty is allowed for targets without an authority.
  if (hosts.length === 1 && !/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:\d*)?$/.test(hosts[0]!)) {
    throw new HttpError(400, `The Host value ${JSON.stringify(hosts[0])} is not a host name.`);
  }
}

/** Every value of the field `name`, in order. Names compare case-insensitively (RFC 9110 §5.1). */
export function fieldValues(headers: HeaderField[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const field of headers) {
    // Comparing lengths first skips lower-casing the names that cannot match.
    if (field.name.length === wanted.length && field.name.toLowerCase() === wanted) values.push(field.value);
  }
  return values;
}
