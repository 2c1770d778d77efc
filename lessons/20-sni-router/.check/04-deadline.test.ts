// Hidden tests for sni-router, part 4: the ClientHello deadline. A client that says nothing, or
// trickles its hello, is closed once --hello-timeout has passed since it connected, and is never
// routed. This router has a program of its own (so that the wait overlaps the other checks) with
// a route for a.test and a deadline of 1 s.

import { serverTest, clientHello, records } from '#harness/testing/index.ts';
import { Backend } from './backends.ts';

const A = await Backend.listen('backend-a');
/**
 * The trickling client sends a byte every 50 ms: a deadline restarted on each byte must never fire
 * in this check, even when the machine's load delays a byte by several ticks. 1 s is 20 ticks.
 */
const DEADLINE_MS = 1000;
const TRICKLE_MS = 50;
const test = serverTest('sni-router', { args: ['--route', `a.test=${A.address}`, '--hello-timeout', String(DEADLINE_MS)] });

test(`closes a client that sends nothing, and one that trickles its hello, at the ${DEADLINE_MS / 1000} s deadline`, async ({ server }) => {
  const teaching = {
    why: `A client that connects and says nothing, or sends its hello a byte at a time forever, holds a socket and a buffer: enough of them and nobody else gets in. The router started with --hello-timeout ${DEADLINE_MS} closes any connection whose ClientHello is not whole within ${DEADLINE_MS / 1000} s of connecting.`,
    spec: 'this lesson (README: Decisions); the "slowloris" attack',
    hint: 'Start a timer (setTimeout) when the connection opens, destroy the socket when it fires, and clear it when the hello is whole. Do not restart it on each read.',
  };
  const silent = await server.connect('silent');
  const trickler = await server.connect('trickler');
  const hello = records(clientHello({ serverName: 'a.test' }));
  let sent = 0;
  const started = performance.now();
  // One byte every 50 ms: the whole hello would take 10 s. The connection must be closed long
  // before; a router that has not closed it after three deadlines has no deadline that holds.
  while (trickler.state === 'open' && sent < hello.length && performance.now() - started < DEADLINE_MS * 3) {
    trickler.socket.write(hello.subarray(sent, sent + 1));
    sent++;
    await new Promise((resolve) => setTimeout(resolve, TRICKLE_MS));
  }
  await silent.expectClose({
    timeoutMs: 1500,
    ...teaching,
    why: `A client that sent nothing for ${Math.round(performance.now() - started)} ms: ${teaching.why}`,
  });
  await trickler.expectClose({ timeoutMs: 500, ...teaching, why: `A client that sent ${sent} bytes, one every ${TRICKLE_MS} ms: ${teaching.why}` });
  A.expectNone('The trickling client was routed.');
});
