// websocket-handshake: the opening handshake of RFC 6455 §4, server side. A WebSocket starts as an
// ordinary HTTP/1.1 GET that asks to switch protocols; the server checks the request field by
// field and answers 101 Switching Protocols, with a Sec-WebSocket-Accept that proves it read the
// client's key, or an error status that says what was wrong.

import { createHash } from 'node:crypto';
import { HttpError, fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
import { text, type Response } from '../08-http-response/response.ts';

/** RFC 6455 §1.3: the GUID every server appends to the client's key before hashing it. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What an endpoint accepts. */
export interface HandshakePolicy {
  /** Subprotocols the endpoint speaks (Sec-WebSocket-Protocol), e.g. `['chat']`. */
  protocols: string[];
  /** Origins allowed to connect (the --origin flag); undefined: any origin (RFC 6455 §10.2). */
  origins?: string[];
}

/** The Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2, step 5.4). */
export function acceptKey(key: string): string {
  // TODO: createHash('sha1') from node:crypto, update() with the key and WEBSOCKET_GUID joined as
  //       one string, digest('base64'). Hash the key as the client sent it (24 characters of text):
  //       never base64-decode it first. The RFC's key dGhlIHNhbXBsZSBub25jZQ== must give
  //       s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
  throw new HttpError(501, 'acceptKey is not written yet (TODO in handshake.ts).');
}

/**
 * Whether a comma-separated field lists `token`, case-insensitively, in any of its lines
 * (`Connection: keep-alive, Upgrade` lists `upgrade`; RFC 9110 §5.6.1, §7.6.1).
 */
export function listsToken(head: RequestHead, name: string, token: string): boolean {
  // TODO: every line of the field (fieldValues(head.headers, name)), each split at ",", each piece
  //       trimmed and lower-cased, compared whole with the token lower-cased: true when one is equal.
  //       "keep-alive, Upgrade" lists "upgrade"; "upgrades" does not (no includes() on the value).
  throw new HttpError(501, 'listsToken is not written yet (TODO in handshake.ts).');
}

/** Whether the request asks to switch to WebSocket at all: its Upgrade field lists `websocket`. */
export function wantsWebSocket(head: RequestHead): boolean {
  return listsToken(head, 'upgrade', 'websocket');
}

/**
 * Checks an opening handshake (RFC 6455 §4.2.1) and answers it: 101 with the fields of §4.2.2, or
 * the error response for the first rule the request breaks. Call it for requests that want
 * WebSocket (wantsWebSocket).
 */
export function answerHandshake(head: RequestHead, policy: HandshakePolicy): Response {
  // TODO: check the rules of RFC 6455 §4.2.1 in this order; at the first one the request breaks,
  //       return refuse(status, why) (why: what was wrong, for the body):
  //       1. the method is GET, and head.version is not "HTTP/1.0": else 400;
  //       2. Connection lists "upgrade" (listsToken): else 400;
  //       3. exactly one Sec-WebSocket-Key (fieldValues), 16 bytes in base64, that is 24 characters
  //          matching /^[A-Za-z0-9+/]{22}==$/: else 400;
  //       4. exactly one Sec-WebSocket-Version, and it is "13": else 426, and push
  //          ['Sec-WebSocket-Version', '13'] onto that response's headers (the version we speak);
  //       5. policy.origins set and an Origin came: it is on the list, lower-cased and compared
  //          whole: else 403. Without an allow-list, or without Origin, go on.
  //       Then return { status: 101, headers } with Upgrade: websocket, Connection: Upgrade,
  //       Sec-WebSocket-Accept: acceptKey(key), and Sec-WebSocket-Protocol: the first offer the
  //       policy speaks (every Sec-WebSocket-Protocol line, split at ",", trimmed; in the client's
  //       order), or no such field when it speaks none. Never echo an offer; answer no extension.
  return refuse(501, 'answerHandshake is not written yet (TODO in handshake.ts).');
}

/** An error response for a handshake the server will not complete. */
function refuse(status: number, message: string): Response {
  return text(status, `${message}\n`);
}
