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
  // The key is hashed as the client sent it, as text: it is never base64-decoded first.
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID, 'latin1')
    .digest('base64');
}

/**
 * Whether a comma-separated field lists `token`, case-insensitively, in any of its lines
 * (`Connection: keep-alive, Upgrade` lists `upgrade`; RFC 9110 §5.6.1, §7.6.1).
 */
export function listsToken(head: RequestHead, name: string, token: string): boolean {
  const wanted = token.toLowerCase();
  return fieldValues(head.headers, name).some((value) => value.split(',').some((item) => item.trim().toLowerCase() === wanted));
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
  // §4.2.1 item 1: an HTTP/1.1 (or later) GET.
  if (head.method !== 'GET') return refuse(400, `A WebSocket handshake is a GET; received ${head.method}.`);
  if (head.version === 'HTTP/1.0') return refuse(400, 'A WebSocket handshake needs HTTP/1.1; received HTTP/1.0.');
  // Item 4: the Upgrade must be named in Connection too (RFC 9110 §7.8), or a proxy that does not
  // understand it would forward it as if it were an ordinary request.
  if (!listsToken(head, 'connection', 'upgrade')) return refuse(400, 'The Connection field must list "Upgrade".');
  // Item 5: a nonce of exactly 16 bytes, base64-encoded: always 24 characters ending in "==".
  const keys = fieldValues(head.headers, 'sec-websocket-key');
  if (keys.length !== 1) return refuse(400, `A handshake has exactly one Sec-WebSocket-Key; received ${keys.length}.`);
  const key = keys[0]!;
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return refuse(400, `Sec-WebSocket-Key must be 16 bytes in base64 (24 characters); received ${JSON.stringify(key)}.`);
  // Item 6, and §4.4: a version we do not speak is answered with the one we do.
  const versions = fieldValues(head.headers, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0] !== '13') {
    const response = refuse(426, `This server speaks WebSocket version 13; received ${versions.length === 0 ? 'no version' : versions.join(', ')}.`);
    response.headers!.push(['Sec-WebSocket-Version', '13']);
    return response;
  }
  // §10.2: a browser always says which page opened the socket; other clients may say anything.
  const origin = fieldValues(head.headers, 'origin')[0];
  if (policy.origins && origin !== undefined && !policy.origins.includes(origin.toLowerCase())) {
    return refuse(403, `Origin ${origin} may not open a WebSocket here.`);
  }

  const headers: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', acceptKey(key)],
  ];
  // §4.2.2 step 5.5: at most one subprotocol, one the client offered, or none at all. Offers come
  // in the client's order of preference, across any number of lines.
  const offered = fieldValues(head.headers, 'sec-websocket-protocol').flatMap((value) => value.split(',').map((item) => item.trim()));
  const protocol = offered.find((name) => policy.protocols.includes(name));
  if (protocol !== undefined) headers.push(['Sec-WebSocket-Protocol', protocol]);
  // Extensions (Sec-WebSocket-Extensions, such as permessage-deflate) are only offers: a server
  // that answers none of them uses none, and that is what this one does.
  return { status: 101, headers };
}

/** An error response for a handshake the server will not complete. */
function refuse(status: number, message: string): Response {
  return text(status, `${message}\n`);
}
