// Hidden tests for websocket-chat, part 5: a graceful shutdown. On SIGTERM (or SIGINT), every
// member gets a close frame 1001 (going away) before the process exits; members that answer the
// close are let go at once, and one that does not answer does not keep the server up for long.
// Each test ends its program, so each has one of its own, started with a short --close-timeout
// (the wait for the silent member). The two timeouts differ so that the programs differ: the
// runner then starts both at once, and the two tests run side by side.

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
