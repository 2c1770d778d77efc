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
  // TODO: loop:
  //       - look for the end of the head in reader.buffer (findHeadEnd); once found, consume
  //         exactly the head and return parseRequestHead(head). Leave what follows in the reader.
  //       - not found, and MAX_HEAD_BYTES or more buffered: throw new HttpError(431, …).
  //       - otherwise fill() the reader. At EOF: return undefined if nothing is buffered, or
  //         throw new HttpError(400, …) if part of a head is.
  //       Search each byte once: after a read, findHeadEnd(reader.buffer, from) resumes just
  //       before where the last search stopped (one byte back: a lone CR may be half a CRLF).
  throw new HttpError(501, 'readRequestHead is not written yet (TODO in request-head.ts).');
}

/**
 * Where the head in `bytes` ends: the index just past its empty line, or -1 if the head has not
 * all arrived. Searches from `from` on (what comes before was searched already), and at most
 * MAX_HEAD_BYTES far. RFC 9112 §2.2 lets a server accept a bare LF as a line end; we don't: a bare
 * LF, or a CR followed by anything but LF, is answered with 400 as soon as it shows up.
 */
export function findHeadEnd(bytes: Buffer, from = 0): number {
  // TODO: scan bytes[from] up to MAX_HEAD_BYTES for CR LF CR LF and return the index after it.
  //       Judge each byte by the ones before it, never after (a CR at the end of what arrived is
  //       judged when the next byte comes): an LF needs a CR before it (else 400), and an LF
  //       with LF two bytes before ends the head; any other byte after a CR is a 400. Not found: -1.
  void from;
  return -1;
}

/**
 * Parses a complete head: request line, field lines, and the empty line, each ending in CRLF.
 * Throws HttpError 400 for anything malformed and 505 for an HTTP version other than 1.x.
 */
export function parseRequestHead(head: Buffer): RequestHead {
  // TODO: decode the bytes as latin1 (one character per byte, nothing lost), split at CRLF,
  //       check that the head ends with an empty line, then parse the first line with
  //       parseRequestLine and each following line with parseFieldLine, and call checkHost.
  throw new HttpError(501, 'parseRequestHead is not written yet (TODO in request-head.ts).');
}

// RFC 9110 §5.6.2: token = 1*tchar, tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
// "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA. Methods, field names, transfer and content
// codings, range units are all tokens: the lessons after this one import this one grammar.
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** RFC 9112 §3: method SP request-target SP HTTP-version. */
function parseRequestLine(line: string): { method: string; target: string; version: string } {
  // TODO: exactly three parts separated by single spaces, else 400. The method is a TOKEN, kept
  //       as sent (methods are case-sensitive); the target passes checkTarget; the version
  //       matches HTTP/DIGIT.DIGIT exactly (400 if not), and its major digit is 1 (505 if not).
  void TOKEN;
  void checkTarget;
  throw new HttpError(501, `parseRequestLine is not written yet (TODO in request-head.ts): ${JSON.stringify(line)}`);
}

// RFC 9112 §3.2.2 absolute-form: scheme "://" authority …, as a client sends it to a proxy.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+\-.]*:\/\/[^/?#]/;
// §3.2.3 authority-form: uri-host ":" port (RFC 3986 §3.2.2), a name or an [IPv6] literal.
const AUTHORITY_FORM = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]+):\d+$/;

/** RFC 9112 §3.2: the four forms of request-target, and which methods may use which. */
function checkTarget(method: string, target: string): void {
  // TODO: 400 unless the target is one or more visible ASCII characters (0x21–0x7e), and:
  //       CONNECT: AUTHORITY_FORM (host:port) and nothing else; "*": only with OPTIONS;
  //       anything else: a path starting with "/" (origin-form) or ABSOLUTE_FORM.
  void method;
  void target;
  void ABSOLUTE_FORM;
  void AUTHORITY_FORM;
}

/** RFC 9112 §5: field-name ":" OWS field-value OWS. Trailer fields (chunked-request) have this grammar too. */
export function parseFieldLine(line: string): HeaderField {
  // TODO: 400 for a line that starts with a space or tab (obs-fold), for a line without a colon,
  //       and for a name (everything before the FIRST colon) that ends in whitespace or is not a
  //       TOKEN. The value is the rest, with spaces and tabs (only those) trimmed at both ends;
  //       400 if it holds a control character other than tab.
  throw new HttpError(501, `parseFieldLine is not written yet (TODO in request-head.ts): ${JSON.stringify(line)}`);
}

/** RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; a second one, or a bad one, is a 400. */
function checkHost(version: string, headers: HeaderField[]): void {
  // TODO: 400 for more than one Host field, for none when the version is not HTTP/1.0, and for a
  //       value that is not uri-host [":" port]. An empty value is allowed.
  void version;
  void headers;
}

/** Every value of the field `name`, in order. Names compare case-insensitively (RFC 9110 §5.1). */
export function fieldValues(headers: HeaderField[], name: string): string[] {
  // TODO: the values of every field whose name equals `name`, ignoring case.
  void headers;
  void name;
  return [];
}

// Used by the parser you write; these lines only keep the stub free of "unused" warnings.
void CR;
void LF;
void parseRequestLine;
void parseFieldLine;
void checkHost;
