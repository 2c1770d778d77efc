// http2-streams: HTTP messages in header lists (RFC 9113 §8). A request's header list becomes
// the RequestHead the course's application already reads (http-request-head), and a handler's
// Response becomes the header list of the answer. HTTP/2 has no request line and no status line:
// they travel as pseudo-header fields, names that start with ":" and come before every other
// field. A request that breaks a rule of §8.2 or §8.3 is malformed (§8.1.1): the stream is reset
// with PROTOCOL_ERROR, and the connection lives on.

import { TOKEN, type HeaderField, type RequestHead } from '../07-http-request-head/request-head.ts';
import { httpDate } from '../08-http-response/response.ts';
import type { StreamingResponse } from '../11-chunked-response/chunked.ts';

/** A header field as HPACK carries it: name and value, one character per octet. */
export type FieldTuple = [name: string, value: string];

/** §8.1.1: a malformed request or response; the stream is reset with PROTOCOL_ERROR. */
export class MalformedError extends Error {
  override name = 'MalformedError';
}

/** §8.2.2: fields that describe one HTTP/1.1 connection, and mean nothing in HTTP/2. */
export const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

/** §8.3.1: the pseudo-header fields a request may carry. */
const REQUEST_PSEUDO = [':method', ':scheme', ':authority', ':path'];

// §8.2.1: a name is lowercase (no 0x41-0x5a), visible ASCII only (no 0x00-0x20, 0x7f-0xff), and
// has no colon but the one that starts a pseudo-header.
const BAD_NAME_OCTET = /[\x00-\x20A-Z\x7f-\xff:]/;
// §8.2.1: a value has no NUL, LF or CR, and does not start or end with a space or a tab.
const BAD_VALUE = /[\0\r\n]|^[ \t]|[ \t]$/;

/** §8.2.1: the rules every field follows, pseudo or not. */
function checkField(name: string, value: string): void {
  const bare = name.startsWith(':') ? name.slice(1) : name;
  if (bare === '') throw new MalformedError(`A field with an empty name (${JSON.stringify(name)}).`);
  if (BAD_NAME_OCTET.test(bare)) {
    throw new MalformedError(`The field name ${JSON.stringify(name)} has an uppercase letter, a space, a colon or an octet outside visible ASCII (§8.2.1).`);
  }
  if (BAD_VALUE.test(value)) throw new MalformedError(`The value of ${name} has NUL, CR or LF, or starts or ends with whitespace (§8.2.1).`);
}

/** §8.2.2: connection-specific fields, and TE with anything but "trailers". */
function checkNotConnectionSpecific(name: string, value: string): void {
  if (CONNECTION_SPECIFIC.includes(name)) throw new MalformedError(`${name} is a connection-specific field; HTTP/2 does not carry it (§8.2.2).`);
  if (name === 'te' && value !== 'trailers') throw new MalformedError(`TE may only be "trailers" in HTTP/2; received ${JSON.stringify(value)} (§8.2.2).`);
}

export interface RequestMessage {
  head: RequestHead;
  /** The content-length field, when the request has one: the DATA must add up to it (§8.1.1). */
  contentLength?: number;
}

/** A request's header list → the head the application reads. Throws MalformedError. */
export function requestFromFields(fields: FieldTuple[]): RequestMessage {
  const pseudo = new Map<string, string>();
  const headers: HeaderField[] = [];
  for (const [name, value] of fields) {
    checkField(name, value);
    if (name.startsWith(':')) {
      // §8.3: every pseudo-header comes before the first regular field, once, and only those of a request.
      if (headers.length > 0) throw new MalformedError(`The pseudo-header ${name} comes after a regular field (§8.3).`);
      if (!REQUEST_PSEUDO.includes(name)) throw new MalformedError(`${name} is not a request pseudo-header (§8.3.1).`);
      if (pseudo.has(name)) throw new MalformedError(`The pseudo-header ${name} appears twice (§8.3.1).`);
      pseudo.set(name, value);
      continue;
    }
    checkNotConnectionSpecific(name, value);
    headers.push({ name, value });
  }

  const method = pseudo.get(':method');
  if (method === undefined) throw new MalformedError('The request has no :method (§8.3.1).');
  if (!TOKEN.test(method)) throw new MalformedError(`The :method ${JSON.stringify(method)} is not a token.`);
  const authority = pseudo.get(':authority');
  let target: string;
  if (method === 'CONNECT') {
    // §8.5: CONNECT names only the authority it wants a tunnel to.
    if (pseudo.has(':scheme') || pseudo.has(':path')) throw new MalformedError('A CONNECT request has no :scheme and no :path (§8.5).');
    if (authority === undefined) throw new MalformedError('A CONNECT request needs :authority (§8.5).');
    target = authority;
  } else {
    // §8.3.1: every other request has :method, :scheme and a non-empty :path.
    if (!pseudo.has(':scheme')) throw new MalformedError('The request has no :scheme (§8.3.1).');
    const path = pseudo.get(':path');
    if (path === undefined) throw new MalformedError('The request has no :path (§8.3.1).');
    if (path === '') throw new MalformedError('The :path is empty; the least it can be is "/" (§8.3.1).');
    target = path;
  }

  // §8.3.1: :authority stands in for Host. The application reads Host, so it gets one.
  const hosts = headers.filter((field) => field.name === 'host');
  if (authority !== undefined && hosts.length === 0) headers.unshift({ name: 'host', value: authority });
  if (authority !== undefined && hosts.some((host) => host.value.toLowerCase() !== authority.toLowerCase())) {
    throw new MalformedError(`Host ${JSON.stringify(hosts[0]!.value)} differs from :authority ${JSON.stringify(authority)} (§8.3.1).`);
  }

  return { head: { method, target, version: 'HTTP/2', headers }, contentLength: contentLengthOf(headers) };
}

/** The content-length of a request, if it has one: digits, and every value the same (RFC 9110 §8.6). */
function contentLengthOf(headers: HeaderField[]): number | undefined {
  const values = headers.filter((field) => field.name === 'content-length').flatMap((field) => field.value.split(','));
  if (values.length === 0) return undefined;
  const lengths = values.map((value) => value.trim());
  if (!lengths.every((length) => /^\d+$/.test(length) && length === lengths[0])) {
    throw new MalformedError(`content-length ${JSON.stringify(values.join(','))} is not one number.`);
  }
  return Number(lengths[0]);
}

/** §8.1: trailers are regular fields only; a pseudo-header there makes the request malformed. */
export function trailersFromFields(fields: FieldTuple[]): HeaderField[] {
  return fields.map(([name, value]) => {
    checkField(name, value);
    if (name.startsWith(':')) throw new MalformedError(`The pseudo-header ${name} in trailers (§8.1).`);
    checkNotConnectionSpecific(name, value);
    return { name, value };
  });
}

/**
 * A response's header list: `:status` first (§8.3.2), then date, then the handler's fields with
 * names in lowercase (§8.2) and without the connection-specific ones (§8.2.2), then
 * content-length when the body's length is known (`length`, undefined when it is not).
 */
export function responseFields(response: StreamingResponse, length: number | undefined): FieldTuple[] {
  const fields: FieldTuple[] = [
    [':status', String(response.status)],
    ['date', httpDate()],
  ];
  for (const [name, value] of response.headers ?? []) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.includes(lower) || lower === 'date') continue;
    fields.push([lower, value]);
  }
  const bodyless = response.status === 204 || response.status === 304;
  if (length !== undefined && !bodyless && !fields.some(([name]) => name === 'content-length')) fields.push(['content-length', String(length)]);
  return fields;
}
