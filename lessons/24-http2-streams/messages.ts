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

export interface RequestMessage {
  head: RequestHead;
  /** The content-length field, when the request has one: the DATA must add up to it (§8.1.1). */
  contentLength?: number;
}

/** A request's header list → the head the application reads. Throws MalformedError. */
export function requestFromFields(fields: FieldTuple[]): RequestMessage {
  // TODO: the pseudo-header fields (:method, :scheme, :authority, :path) come first, once each,
  //       and no others (§8.3); every name is lowercase visible ASCII and every value without NUL,
  //       CR, LF or whitespace at its ends (§8.2.1); no connection-specific field, and TE only
  //       "trailers" (§8.2.2); :method, :scheme and a non-empty :path are there (CONNECT: only
  //       :authority, §8.5). Anything else: throw MalformedError. Then the head: method, target
  //       :path, version 'HTTP/2', the regular fields, and host from :authority when there is none.
  void fields;
  void TOKEN;
  void REQUEST_PSEUDO;
  void BAD_NAME_OCTET;
  void BAD_VALUE;
  throw new MalformedError('requestFromFields (messages.ts) is not written yet (TODO in the file).');
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
  // TODO: the rules of every field, and no pseudo-header (MalformedError).
  return fields.map(([name, value]) => ({ name, value }));
}

/**
 * A response's header list: `:status` first (§8.3.2), then date, then the handler's fields with
 * names in lowercase (§8.2) and without the connection-specific ones (§8.2.2), then
 * content-length when the body's length is known (`length`, undefined when it is not).
 */
export function responseFields(response: StreamingResponse, length: number | undefined): FieldTuple[] {
  // TODO: [':status', …] first, then ['date', httpDate()], then the handler's fields with their
  //       names in lowercase, leaving out CONNECTION_SPECIFIC ones; content-length last when
  //       `length` is known and the status has a body (not 204 or 304).
  void httpDate;
  void CONNECTION_SPECIFIC;
  void length;
  return [[':status', String(response.status)], ...(response.headers ?? [])];
}
