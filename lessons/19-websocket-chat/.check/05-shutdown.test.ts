// Hidden tests for websocket-chat, part 5: a graceful shutdown. On SIGTERM (or SIGINT), every
// member gets a close frame 1001 (going away) before the process exits; members that answer the
// close are let go at once, and one that does not answer does not keep the server up for long.
// Each test ends its program, so each has one of its own, started with a short --close-timeout
// (the wait for the silent member). The two timeouts differ so that the programs differ: the
// runner then starts both at once, and the two tests run side by side. A third, with a long
// --close-timeout, has a member that answers late: the server must wait for it, and no longer.

import { serverTest, check, expectCloseFrame, encodeFrame, Opcode, closePayload } from '#harness/testing/index.ts';
import { joinAll, PROTOCOL } from './members.ts';

const SPEC = `RFC 6455 §7.4.1 (1001 going away), §7.1.2; ${PROTOCOL}`;

const CLOSE_TIMEOUTS = { SIGTERM: 200, SIGINT: 250 } as const;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  const closeTimeout = CLOSE_TIMEOUTS[signal];
  const test = serverTest('websocket-chat', { args: ['--close-timeout', String(closeTimeout)] });
  test.skipIf(process.platform === 'win32').concurrent(`on ${signal}, sends every member a close frame 1001 and exits`, async ({ server }) => {
    const members = await joinAll(server, ['ann', 'bob', 'cid'], `bye-${signal}`);
    const silent = members[2]!;
    process.kill(server.program.pid!, signal);
    for (const member of members) {
      await expectCloseFrame(member.client, [1001], {
        timeoutMs: 3000,
        after: `${signal}`,
        why: `The server was sent ${signal}. Before it exits, it tells every member why the connection ends: a close frame with 1001 (going away). A member whose connection simply drops cannot tell a shutdown from a crash, and reconnects blindly.`,
        spec: SPEC,
        hint: 'process.once(signal, …) is wired in server.ts: chat.shutdown() must close every connection with 1001, and resolve once they have ended.',
      });
      // The others answer the close and end their side, as a browser does: the server lets them go at once.
      if (member !== silent) {
        await member.client.send(encodeFrame(Opcode.close, closePayload(1001)));
        await member.client.end();
      }
    }
    const exit = await Promise.race([server.program.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 5000))]);
    check(exit !== undefined, {
      message: `Expected the server to exit within 5 s of ${signal}, but it is still running.`,
      why: `Two members answered the close at once; cid did not, and a server waits for a close answer only so long (--close-timeout, ${closeTimeout} ms here) before it drops the connection.`,
      spec: SPEC,
      hint: 'shutdown(): close(1001) every member, then wait for each connection to end; close() arms a timer that destroys a connection whose peer never answers.',
    });
    check(server.program.exit?.code === 0, {
      message: `Expected the server to exit with code 0 after a graceful shutdown, but it ${server.program.describeExit()}.`,
      spec: SPEC,
    });
  });
}

// A graceful shutdown with a slow peer: bob answers the close only after a while. The server must
// still be there, bob's connection open, until he does; and once every member has answered, it
// exits at once, not after --close-timeout (set long here, so that waiting it out shows).
const LONG_CLOSE_TIMEOUT = 10_000;
const LATE_MS = 500;
const slowTest = serverTest('websocket-chat', { args: ['--close-timeout', String(LONG_CLOSE_TIMEOUT)] });

slowTest
  .skipIf(process.platform === 'win32')
  .concurrent('on SIGTERM, waits for a member that answers its close late, then exits without waiting out --close-timeout', async ({ server }) => {
    const [ann, bob] = await joinAll(server, ['ann', 'bob'], 'bye-late');
    process.kill(server.program.pid!, 'SIGTERM');
    for (const member of [ann!, bob!]) await expectCloseFrame(member.client, [1001], { timeoutMs: 3000, after: 'SIGTERM', spec: SPEC });
    await ann!.client.send(encodeFrame(Opcode.close, closePayload(1001)));
    await ann!.client.end();
    // bob is slow to answer (a phone on a bad network): the closing handshake is not over for him.
    await new Promise((resolve) => setTimeout(resolve, LATE_MS));
    check(server.program.exit === undefined && bob!.client.state === 'open', {
      message: `Expected the server to wait for bob's answer to its close (--close-timeout ${LONG_CLOSE_TIMEOUT} ms), but ${server.program.exit ? `it ${server.program.describeExit()}` : `it closed bob's connection (${bob!.client.state.toUpperCase()})`} ${LATE_MS} ms after its close frame, before bob answered.`,
      why: 'A graceful shutdown sends every member a close frame 1001 and waits for each answer (or for --close-timeout): a connection closed before the closing handshake is over ends as 1006 (abnormal) for the client, and whatever it sent meanwhile is lost.',
      spec: `RFC 6455 §7.1.2 (start the closing handshake), §7.1.1, §7.1.5; ${SPEC}`,
      hint: "shutdown(): after close(1001) on every member, await every member's connection (member.done), not only the close frames being written.",
    });
    await bob!.client.send(encodeFrame(Opcode.close, closePayload(1001)));
    const answered = performance.now();
    await bob!.client.expectClose({
      timeoutMs: 3000,
      why: "bob answered the close: both close frames have been sent, and the server closes TCP first (it does not wait for bob's FIN to start).",
      spec: 'RFC 6455 §7.1.1',
    });
    await bob!.client.end();
    const exit = await Promise.race([server.program.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 5000))]);
    check(exit !== undefined, {
      message: `Expected the server to exit soon after the last member answered its close, but it is still running ${Math.round(performance.now() - answered)} ms later (--close-timeout is ${LONG_CLOSE_TIMEOUT} ms).`,
      why: '--close-timeout bounds the wait for a member that never answers. Once every member has answered, there is nothing left to wait for: waiting out the timeout anyway delays every restart by it.',
      spec: SPEC,
      hint: "shutdown(): await the members' connections (member.done); each ends when its closing handshake is over, and close()'s timer is only for those that never answer.",
    });
  });
