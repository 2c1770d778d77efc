// websocket-handshake: the opening handshake of RFC 6455 §4, server side. A WebSocket starts as an
// ordinary HTTP/1.1 GET that asks to switch protocols; the server checks the request field by
// field and answers 101 Switching Protocols, with a Sec-WebSocket-Accept that proves it read the
// client's key, or an error status that says what was wrong.

import { createHash } from 'node:crypto';
import { fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';
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
  // TODO: SHA-1 of the key (as the client sent it: a string, not decoded) with WEBSOCKET_GUID
  //       appended, and the 20-byte digest in base64. node:crypto's createHash does both steps.
  void createHash;
  void key;
  return '';
}

/**
 * Whether a comma-separated field lists `token`, case-insensitively, in any of its lines
 * (`Connection: keep-alive, Upgrade` lists `upgrade`; RFC 9110 §5.6.1, §7.6.1).
 */
export function listsToken(head: RequestHead, name: string, token: string): boolean {
  // TODO: every line of the field (fieldValues), split at commas, each item trimmed: true when one
  //       of them is `token`, compared case-insensitively.
  void fieldValues;
  void head;
  void name;
  void token;
  return false;
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
  // TODO: check the request by RFC 6455 §4.2.1, and answer the first rule it breaks with
  //       refuse(status, why):
  //       - a GET, and not HTTP/1.0: else 400
  //       - Connection lists "upgrade" (listsToken): else 400
  //       - exactly one Sec-WebSocket-Key, 16 bytes in base64 (24 characters ending in "=="): else 400
  //       - exactly one Sec-WebSocket-Version, "13": else 426, with the field Sec-WebSocket-Version: 13
  //       - when policy.origins is set, an Origin that is present must be on the list: else 403
  //       Then answer { status: 101, headers } with Upgrade, Connection, Sec-WebSocket-Accept
  //       (acceptKey), and Sec-WebSocket-Protocol only when the client offered one of
  //       policy.protocols: the first of its offers that the endpoint speaks. No extensions.
  void policy;
  void head;
  return refuse(501, 'answerHandshake (handshake.ts) is not written yet (TODO in the file).');
}

/** An error response for a handshake the server will not complete. */
function refuse(status: number, message: string): Response {
  return text(status, `${message}\n`);
}
