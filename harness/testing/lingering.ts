// The close after a server's last response on a connection, checked the way a pipelining client
// meets it. Shared by the HTTP lessons that close connections (request-head, response, body,
// keep-alive), through index.ts.
//
// A client that pipelines sends its next request before the answer to the current one arrives. If
// the server closes its socket while those bytes are unread, or while more are on their way, the
// OS answers them with a reset (RST, RFC 1122 §4.2.2.13), and a reset throws away whatever the
// server sent that the client has not received yet. A lingering close (line-protocol) avoids it:
// FIN after the response, then read and drop what still comes until the client closes too.

import type { RawClient } from '../wire/client.ts';
import { readResponse } from '../wire/http.ts';
import { checkResponse, type Expect } from './cases.ts';
import { check } from './failure.ts';

export const LINGERING = {
  spec: 'RFC 9112 §9.6 (tear-down: close the sending side first, then keep reading); RFC 1122 §4.2.2.13',
  why: 'A socket closed while the client is still sending answers the bytes that arrive with a reset (RST), and a reset throws away responses the client has not read yet. The client sent a second request right behind the first, as pipelining clients do; it must still get the whole first response and a plain FIN.',
  hint: 'Close as line-protocol does: end() (FIN) once the response is out, then read and drop what the client still sends until it closes too (with a time limit), and only then destroy().',
};

export interface LingeringCase {
  /** The request the server answers and then closes after, and the bytes pipelined behind it. */
  send: Buffer;
  /** What the response must be. */
  expect: Expect;
  /** More bytes the client goes on sending once it has the response (the rest of its pipeline). */
  more: Buffer;
  method?: string;
}

/**
 * Sends a request with more pipelined behind it, reads the response, and then keeps sending: the
 * server must have sent FIN, go on taking the bytes without a reset, and close once the client
 * closes too.
 */
export async function checkLingeringClose(client: RawClient, item: LingeringCase): Promise<void> {
  await client.send(item.send);
  const label = 'the response to the first of two pipelined requests';
  const response = await readResponse(client, { method: item.method, what: label, timeoutMs: 5000, ...LINGERING });
  await checkResponse(client, response, item.expect, label, LINGERING);
  await client.expectClose({ by: 'fin', ...LINGERING });
  // The rest of the pipeline, in two writes: a reset sent in answer to the first makes the second fail.
  for (const piece of [item.more.subarray(0, item.more.length >> 1), item.more.subarray(item.more.length >> 1)]) {
    if (client.state !== 'fin') break;
    await client.send(piece);
    await client.readFor(50);
  }
  check(client.state === 'fin', {
    message: `Expected the server to take the bytes the client still sent after the response (it closed with FIN), but it reset the connection (RST).`,
    ...LINGERING,
  });
  await client.end();
  const closed = await closedWithin(client, 5000);
  check(closed && client.state === 'fin', {
    message: closed
      ? 'Expected the connection to end quietly once the client closed too, but the server reset it (RST).'
      : 'Expected the server to close once the client had closed its side too, but the connection stayed open for 5 s.',
    ...LINGERING,
  });
}

/** Lets a check wait for a socket to close fully, bounded by `ms`. */
export async function closedWithin(client: RawClient, ms: number): Promise<boolean> {
  if (client.socket.closed) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
