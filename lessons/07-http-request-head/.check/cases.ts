// Request heads the server must refuse, with the rule each one breaks. Shared with the checks of
// the later HTTP lessons, which re-check the parser they build on.

export interface BadHead {
  /** What is wrong, as a noun phrase: "a header line without a colon". */
  what: string;
  /** The bytes sent (latin1: one character a byte). */
  head: string;
  /** The bytes given to parseRequestHead, when they differ from `head`. */
  unitHead?: string;
  status: number;
  why?: string;
  spec: string;
  hint?: string;
  /** false: checked on parseRequestHead only, not on the wire (where another answer is allowed too). */
  wire?: boolean;
}

const HOST = 'Host: example.test\r\n';

export const MALFORMED: BadHead[] = [
  {
    what: 'a request line without a version',
    head: `GET /\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3',
    hint: 'A request line has exactly three parts, separated by single spaces.',
  },
  {
    what: 'a request line with a fourth part',
    head: `GET / HTTP/1.1 extra\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3',
    hint: 'A request line has exactly three parts, separated by single spaces.',
  },
  {
    what: 'a method that is not a token',
    head: `GE(T / HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.1; RFC 9110 §5.6.2 (token)',
    hint: "A method is a token: letters, digits and !#$%&'*+-.^_`|~, nothing else.",
  },
  {
    what: 'a protocol name in lower case ("http/1.1")',
    head: `GET / http/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §2.3 (HTTP-name is case-sensitive)',
    hint: 'Match the version against exactly HTTP/DIGIT.DIGIT.',
  },
  {
    what: 'a version without a minor number ("HTTP/1")',
    head: `GET / HTTP/1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §2.3',
    hint: 'Match the version against exactly HTTP/DIGIT.DIGIT.',
  },
  {
    what: 'a header line without a colon',
    head: `GET / HTTP/1.1\r\n${HOST}X-Broken\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §5',
    hint: 'A field line is name ":" value; no colon, no field.',
  },
  {
    what: 'whitespace between a field name and its colon',
    head: `GET / HTTP/1.1\r\n${HOST}X-Space : y\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §5.1 (a server MUST reject it with 400)',
    why: 'Servers and proxies that trim the name and servers that do not would disagree about which field this is: that disagreement is how requests get smuggled.',
    hint: 'Check that the name (everything before the first colon) is a token, with nothing trimmed.',
  },
  {
    what: 'a folded field value (a line starting with whitespace)',
    head: `GET / HTTP/1.1\r\n${HOST}X-Fold: first\r\n  second\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §5.2 (obs-fold)',
    why: 'Line folding is obsolete; this server refuses it rather than guess how to unfold.',
    hint: 'A field line that starts with a space or a tab is a fold: reject it.',
  },
  {
    what: 'an empty field name',
    head: `GET / HTTP/1.1\r\n${HOST}: no-name\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §5; RFC 9110 §5.1 (field-name = token)',
    hint: 'A token has at least one character.',
  },
  {
    what: 'a field name that is not a token',
    head: `GET / HTTP/1.1\r\n${HOST}X(Bad): y\r\n\r\n`,
    status: 400,
    spec: 'RFC 9110 §5.1, §5.6.2',
    hint: 'Check the name against the token characters.',
  },
  {
    what: 'a control character in a field value',
    head: `GET / HTTP/1.1\r\n${HOST}X-Nul: a\x00b\r\n\r\n`,
    status: 400,
    spec: 'RFC 9110 §5.5',
    wire: false,
    why: 'RFC 9110 lets a server either refuse a NUL in a value or replace it with a space; this lesson refuses it.',
    hint: 'Refuse control characters (other than tab) in values.',
  },
  {
    what: 'no Host field in an HTTP/1.1 request',
    head: 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n',
    status: 400,
    spec: 'RFC 9112 §3.2 (a server MUST answer 400)',
    hint: 'After the field lines, count the Host fields: an HTTP/1.1 request needs exactly one.',
  },
  {
    what: 'two Host fields',
    head: `GET / HTTP/1.1\r\n${HOST}Host: other.test\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2 (a server MUST answer 400)',
    hint: 'After the field lines, count the Host fields: an HTTP/1.1 request needs exactly one.',
  },
  {
    what: 'two Host fields whose names differ only in case',
    head: `GET / HTTP/1.1\r\n${HOST}host: example.test\r\n\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2; RFC 9110 §5.1 (names are case-insensitive)',
    hint: 'Count Host fields case-insensitively: "host" is the Host field too.',
  },
  {
    what: 'a Host value that is not a host name',
    head: 'GET / HTTP/1.1\r\nHost: exa mple.test\r\n\r\n',
    status: 400,
    spec: 'RFC 9112 §3.2 (an invalid Host value is a 400)',
    hint: 'A Host value is a host name or address, optionally ":port", with no spaces.',
  },
];

/** Request-targets that are none of the four forms, or a form the method may not use (RFC 9112 §3.2). */
export const BAD_TARGETS: BadHead[] = [
  {
    what: 'a target that is neither a path nor a URI ("!")',
    head: `GET ! HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2',
    hint: 'An ordinary request\'s target starts with "/" (origin-form) or is an absolute URI like http://host/path.',
  },
  {
    what: 'a relative path as the target ("../x")',
    head: `GET ../x HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2.1 (origin-form = absolute-path [ "?" query ])',
    hint: 'origin-form starts with "/": anything else that is not an absolute URI is a 400.',
  },
  {
    what: 'host:port as the target of a GET ("a:80")',
    head: `GET a:80 HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2.3 (authority-form is only used for CONNECT)',
    hint: 'host:port (authority-form) is for CONNECT only; an absolute URI has "://" after its scheme.',
  },
  {
    what: 'the target "*" with a method other than OPTIONS',
    head: `GET * HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2.4 (asterisk-form is only used for a server-wide OPTIONS)',
    hint: 'Accept "*" only when the method is OPTIONS.',
  },
  {
    what: 'a CONNECT whose target is a path, not host:port',
    head: `CONNECT / HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2.3; RFC 9110 §9.3.6 (CONNECT)',
    hint: 'CONNECT takes exactly host:port.',
  },
  {
    what: 'a byte ≥ 0x80 in the target',
    head: `GET /caf\xe9 HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    spec: 'RFC 9112 §3.2; RFC 3986 §2 (a URI is ASCII; other bytes are percent-encoded)',
    hint: 'A target is visible ASCII (0x21–0x7e) only: test it byte by byte, or as latin1 text.',
  },
];

/** The ones checked on the wire. */
export const WIRE_MALFORMED = MALFORMED.filter((bad) => bad.wire !== false);

export const WRONG_VERSION: BadHead[] = [
  {
    what: 'version HTTP/2.0',
    head: `GET / HTTP/2.0\r\n${HOST}\r\n`,
    status: 505,
    spec: 'RFC 9110 §6.2, §15.6.6 (505 HTTP Version Not Supported)',
    hint: 'Accept HTTP/1.x; answer any other well-formed version with 505.',
  },
  {
    what: 'version HTTP/0.9',
    head: `GET / HTTP/0.9\r\n${HOST}\r\n`,
    status: 505,
    spec: 'RFC 9110 §6.2, §15.6.6',
    hint: 'Accept HTTP/1.x; answer any other well-formed version with 505.',
  },
  {
    what: 'version HTTP/3.0',
    head: `GET / HTTP/3.0\r\n${HOST}\r\n`,
    status: 505,
    spec: 'RFC 9110 §6.2, §15.6.6',
    hint: 'Accept HTTP/1.x; answer any other well-formed version with 505.',
  },
];

/** The limit on a head, request line through the empty line's CRLF. */
export const MAX_HEAD = 8 * 1024;

/** A GET whose head is exactly `size` bytes long, padded with an X-Pad field. */
export function headOfSize(size: number, target: string): Buffer {
  const start = `GET ${target} HTTP/1.1\r\n${HOST}X-Pad: `;
  const end = '\r\n\r\n';
  const pad = size - start.length - end.length;
  if (pad < 0) throw new Error(`a head of ${size} bytes is too small for ${target}`);
  return Buffer.from(start + 'p'.repeat(pad) + end, 'latin1');
}
