// Cases that every HTTP server from chunked-request on must still pass: the course's server is the
// sum of its lessons, so what an earlier lesson built keeps answering as it did (an upload in either
// framing to /echo, the streaming demos, /greeting), and one policy holds for the same situation
// everywhere (a method the server does not implement is 501, OPTIONS * is answered for the server
// as a whole, "*" with another method is 400). A lesson adds them with
// `httpCases(test, earlierLessonsCases())`.

import { request } from '../wire/http.ts';
import type { HttpCase } from './cases.ts';

/** Bytes that must come back as they are: every byte value, 0x80 and above included. */
const UPLOAD = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7) % 256));

/** `data` as a chunked body in pieces of `size` bytes, then the last chunk. */
function chunked(data: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) {
    const piece = data.subarray(at, at + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

const KEPT =
  "Each lesson's server.ts builds its application on the previous lesson's (app.ts), and runs it with HTTP/1.1's whole framing (chunked-request's framing.ts) through your keep-alive loop.";

export function earlierLessonsCases(): HttpCase[] {
  return [
    {
      name: 'still echoes an upload to /echo in chunks (PUT, as curl -T sends it) and with a Content-Length (POST), byte for byte',
      exchanges: [
        {
          send: request({ method: 'PUT', target: '/echo', headers: [['Transfer-Encoding', 'chunked']], body: chunked(UPLOAD, 256), contentLength: false }),
          expect: { status: 200, body: UPLOAD, close: false },
          what: 'PUT /echo with a chunked body of 600 bytes (every byte value)',
        },
        {
          send: request({ method: 'POST', target: '/echo', body: UPLOAD }),
          expect: { status: 200, body: UPLOAD, close: false },
          what: 'POST /echo with a Content-Length body of 600 bytes',
        },
      ],
      why: `chunked-request's server read uploads in both framings, and this server carries every capability of the lessons before it. A server that answers 501 to a chunked upload refuses curl -T, Python's encode_chunked and fetch with a stream body. ${KEPT}`,
      spec: 'RFC 9112 §6.1, §7.1 (chunked), §6.2 (Content-Length)',
      hint: 'If this fails, run npx learn check chunked-request: the reader (chunked-body.ts) and the loop (keep-alive) are from there.',
    },
    {
      name: 'still answers the routes of Part 3: /greeting and the streaming /sheep',
      exchanges: [
        { send: { target: '/greeting' }, expect: { status: 200, body: /aus K/, close: false } },
        { send: { target: '/sheep?n=2&interval=0' }, expect: { status: 200, body: /^1 sheep\n2 sheep\n$/, close: false } },
      ],
      why: `Every route of an earlier lesson keeps answering as it did. ${KEPT}`,
      spec: 'RFC 9112 §7.1 (a body of unknown length goes in chunks)',
      hint: 'If this fails, run npx learn check chunked-response.',
    },
    ...policyCases(),
  ];
}

/** One policy for the same situation in every server from keep-alive on (which keeps the connection for them). */
export function policyCases(): HttpCase[] {
  return [
    {
      name: 'answers a method the server does not implement (BREW) with 501, on a route and on any other path',
      exchanges: [
        { send: { method: 'BREW', target: '/greeting' }, expect: { status: 501 } },
        { send: { method: 'BREW', target: '/' }, expect: { status: 501 } },
      ],
      why: 'A method the server does not implement is a 501 wherever it is sent: the fault is the method, not the resource (a 405 would say that this resource takes other methods, and list them). One policy for the whole server, files included.',
      spec: 'RFC 9110 §9.1, §15.6.2 (501), §15.5.6 (405)',
      hint: 'The router (http-response) answers 501 for a method outside METHODS; a mount (static-files) must leave that question to it.',
    },
    {
      name: 'answers OPTIONS * with 204 and Allow listing the methods the server implements, and GET * with 400',
      exchanges: [
        {
          send: { method: 'OPTIONS', target: '*' },
          expect: { status: 204, fields: { Allow: /^(?=.*\bGET\b)(?=.*\bHEAD\b)(?=.*\bPOST\b)(?=.*\bPUT\b)/ }, close: false },
        },
        { send: { method: 'GET', target: '*' }, expect: { status: 400, close: true } },
      ],
      why: 'OPTIONS * asks about the server as a whole, not about a resource: a 404 would say there is no server. "*" is a target for OPTIONS only; with any other method the request is malformed.',
      spec: 'RFC 9110 §9.3.7 (OPTIONS *); RFC 9112 §3.2.4 (asterisk-form)',
      hint: 'OPTIONS * is a route of the application (app.ts); GET * is refused by your parser (http-request-head: checkTarget). Run npx learn check http-request-head if the second fails.',
    },
  ];
}
