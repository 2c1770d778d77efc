// Hidden tests for websocket-chat, part 4: the timers. The heartbeat, with the server started as
// `server.ts --port N --ping-interval 200`: members that answer pings stay; a member that has gone
// silent (no pong, nothing) is dropped within a few intervals, and the room is told. Then a
// graceful shutdown, each test on a program of its own; then what the earlier lessons built.
// Every test here mostly waits on a timer of the program's (a beat, a close timeout) or of the
// check's, each on programs or rooms of its own, so they all run side by side: the waits overlap.

import {
  serverTest,
  check,
  closePayload,
  earlierLessonsCases,
  encodeFrame,
  expectCloseFrame,
  httpCases,
  readRawFrame,
  Opcode,
} from '#harness/testing/index.ts';
import { joinAll, leaveAll, PROTOCOL } from './members.ts';

const INTERVAL = 200;
const test = serverTest('websocket-chat', { args: ['--ping-interval', String(INTERVAL)] });

const SPEC = `RFC 6455 §5.5.2 (ping), §5.5.3 (pong); ${PROTOCOL}`;

// Three pings: a server that does not count pongs as signs of life drops a quiet member at the
// second beat after its last message, before it could send the third.
const PINGS = 3;
const WINDOW = INTERVAL * 15;

// The tests use rooms of their own, and a member dropped in one is not seen in the other.
test.concurrent(`pings members again and again (--ping-interval ${INTERVAL}), and keeps those that answer`, async ({ server }) => {
  const [ann, bob] = await joinAll(server, ['ann', 'bob'], 'alive');
  await Promise.all(
    [ann!, bob!].map((member) =>
      member.expectQuiet(WINDOW, {
        until: () => member.pings >= PINGS,
        what: 'while the room is quiet (pings aside)',
        why: 'ann and bob answer every ping, so both stay, and nobody leaves.',
      }),
    ),
  );
  check(ann!.pings >= PINGS && bob!.pings >= PINGS, {
    message: `Expected the server to ping ann and bob ${PINGS} times within ${WINDOW} ms (--ping-interval ${INTERVAL}), received ${ann!.pings} and ${bob!.pings} pings.`,
    why: 'A connection that carries nothing may be dead without anyone knowing: a peer that vanished without a FIN (a laptop closed, a cable pulled) looks exactly like a quiet one. Pings find out.',
    spec: SPEC,
    hint: 'setInterval(…, pingIntervalMs): ping every member.',
  });
  await bob!.say('still here?');
  for (const member of [ann!, bob!])
    await member.expect(
      { type: 'message', from: 'bob', text: 'still here?' },
      { why: 'Both answered every ping: both are still in the room.', hint: 'Count any pong (or message) as a sign of life.' },
    );
  await leaveAll([ann!, bob!]);
});

test.concurrent('drops a member that stops answering pings, and tells the room', async ({ server }) => {
  const [ann, ghost] = await joinAll(server, ['ann', 'ghost'], 'haunted');
  // ghost reads nothing from now on, so it answers no ping: a peer that is gone without a word.
  ghost!.client.pauseReading();
  await ann!.expect(
    { type: 'left', room: 'haunted', name: 'ghost' },
    {
      timeoutMs: INTERVAL * 10,
      why: `ghost has not answered a ping for several intervals of ${INTERVAL} ms: the server takes it for dead, closes its connection and tells the room.`,
      spec: SPEC,
      hint: 'At each beat: a member not heard from since the last ping is dropped (leave, then destroy the socket); the others are pinged again.',
    },
  );
  ghost!.client.resumeReading();
  await ghost!.client.expectClose({ timeoutMs: 3000, why: 'A member dropped for not answering is disconnected.', spec: SPEC });
  await leaveAll([ann!]);
});

test.concurrent('keeps a member that answers no ping but talks after each one: any message counts as life', async ({ server }) => {
  const [ann, talker] = await joinAll(server, ['ann', 'talker'], 'chatty');
  const TALKS = PINGS + 1;
  const teaching = {
    why: `talker answers no ping, but says something after each one (a client whose library does not answer pings, busy talking). A pong or any message is a sign of life: talker must stay in the room.`,
    spec: `${SPEC}; README "Who counts as alive"`,
    hint: 'Set member.alive = true on every message, as well as on every pong.',
  };
  // talker reads its frames itself and never sends a pong: each ping is answered with a message.
  const talking = (async () => {
    const deadline = performance.now() + WINDOW;
    let said = 0;
    while (said < TALKS) {
      const { frame } = await readRawFrame(
        talker!.client,
        { timeoutMs: Math.max(1, Math.round(deadline - performance.now())), ...teaching },
        `a ping (every ${INTERVAL} ms) or talker's own message`,
      );
      if (frame.opcode === Opcode.ping) {
        said++;
        await talker!.client.send(encodeFrame(Opcode.text, JSON.stringify({ type: 'message', text: `busy ${said}` })));
      } else {
        check(frame.opcode === Opcode.text && JSON.parse(frame.payload.toString('utf8')).type === 'message', {
          message: `Expected only talker's own messages for talker while it talks, received ${frame.payload.toString('utf8').slice(0, 160)}.`,
          ...teaching,
        });
      }
    }
  })();
  // ann reads (and answers its own pings) meanwhile: each of talker's messages, and no "left".
  for (let n = 1; n <= TALKS; n++) await ann!.expect({ type: 'message', from: 'talker', text: `busy ${n}` }, { timeoutMs: WINDOW, ...teaching });
  await talking;
  await ann!.request({ type: 'list_users' });
  await ann!.expect({ type: 'users', room: 'chatty', users: ['ann', 'talker'] }, teaching);
  await leaveAll([ann!, talker!]);
});

// A graceful shutdown. On SIGTERM or SIGINT, every member gets a close frame 1001 (going away)
// before the process exits: a member that answers the close is let go at once, one that answers
// late is waited for, and one that never answers does not keep the server up for long. Each test
// ends its program, so each has one of its own, and they run side by side: SIGTERM with a short
// --close-timeout and a member that never answers, SIGINT with a long one and a member that
// answers late. server.ts sends both signals to the same chat.shutdown(), so between them the two
// tests hold both rules for both signals.

const SHUTDOWN = `RFC 6455 §7.4.1 (1001 going away), §7.1.2; ${PROTOCOL}`;

/** How long the SIGTERM program waits for cid, who never answers its close. */
const SHORT_CLOSE_TIMEOUT = 200;
const shutdownTest = serverTest('websocket-chat', { args: ['--close-timeout', String(SHORT_CLOSE_TIMEOUT)] });

shutdownTest.skipIf(process.platform === 'win32').concurrent('on SIGTERM, sends every member a close frame 1001 and exits', async ({ server }) => {
  const members = await joinAll(server, ['ann', 'bob', 'cid'], 'bye');
  const silent = members[2]!;
  process.kill(server.program.pid!, 'SIGTERM');
  for (const member of members) {
    await expectCloseFrame(member.client, [1001], {
      timeoutMs: 3000,
      after: 'SIGTERM',
      why: 'The server was sent SIGTERM. Before it exits, it tells every member why the connection ends: a close frame with 1001 (going away). A member whose connection simply drops cannot tell a shutdown from a crash, and reconnects blindly.',
      spec: SHUTDOWN,
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
    message: 'Expected the server to exit within 5 s of SIGTERM, but it is still running.',
    why: `Two members answered the close at once; cid did not, and a server waits for a close answer only so long (--close-timeout, ${SHORT_CLOSE_TIMEOUT} ms here) before it drops the connection.`,
    spec: SHUTDOWN,
    hint: 'shutdown(): close(1001) every member, then wait for each connection to end; close() arms a timer that destroys a connection whose peer never answers.',
  });
  check(server.program.exit?.code === 0, {
    message: `Expected the server to exit with code 0 after a graceful shutdown, but it ${server.program.describeExit()}.`,
    spec: SHUTDOWN,
  });
});

// A graceful shutdown with a slow peer: bob answers the close only after a while. The server must
// still be there, bob's connection open, until he does; and once every member has answered, it
// exits at once, not after --close-timeout (set long here, so that waiting it out shows).
const LONG_CLOSE_TIMEOUT = 10_000;
// How late bob answers. A server that does not wait for him has exited (or closed his connection)
// a few milliseconds after writing its close frames: 250 ms leaves that many times over, on a
// loaded machine too, and the check still proves the wait, since bob answers only after it.
const LATE_MS = 250;
const slowTest = serverTest('websocket-chat', { args: ['--close-timeout', String(LONG_CLOSE_TIMEOUT)] });

slowTest
  .skipIf(process.platform === 'win32')
  .concurrent(
    'on SIGINT, sends every member a close frame 1001, waits for one that answers late, then exits without waiting out --close-timeout',
    async ({ server }) => {
      const [ann, bob] = await joinAll(server, ['ann', 'bob'], 'bye-late');
      process.kill(server.program.pid!, 'SIGINT');
      for (const member of [ann!, bob!])
        await expectCloseFrame(member.client, [1001], {
          timeoutMs: 3000,
          after: 'SIGINT',
          why: 'The server was sent SIGINT (Ctrl-C). Before it exits, it tells every member why the connection ends: a close frame with 1001 (going away).',
          spec: SHUTDOWN,
          hint: 'process.once(signal, …) is wired in server.ts: chat.shutdown() must close every connection with 1001, and resolve once they have ended.',
        });
      await ann!.client.send(encodeFrame(Opcode.close, closePayload(1001)));
      await ann!.client.end();
      // bob is slow to answer (a phone on a bad network): the closing handshake is not over for him.
      await new Promise((resolve) => setTimeout(resolve, LATE_MS));
      check(server.program.exit === undefined && bob!.client.state === 'open', {
        message: `Expected the server to wait for bob's answer to its close (--close-timeout ${LONG_CLOSE_TIMEOUT} ms), but ${server.program.exit ? `it ${server.program.describeExit()}` : `it closed bob's connection (${bob!.client.state.toUpperCase()})`} ${LATE_MS} ms after its close frame, before bob answered.`,
        why: 'A graceful shutdown sends every member a close frame 1001 and waits for each answer (or for --close-timeout): a connection closed before the closing handshake is over ends as 1006 (abnormal) for the client, and whatever it sent meanwhile is lost.',
        spec: `RFC 6455 §7.1.2 (start the closing handshake), §7.1.1, §7.1.5; ${SHUTDOWN}`,
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
      const exit = await Promise.race([server.program.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000))]);
      check(exit !== undefined, {
        message: `Expected the server to exit soon after the last member answered its close, but it is still running ${Math.round(performance.now() - answered)} ms later (--close-timeout is ${LONG_CLOSE_TIMEOUT} ms).`,
        why: '--close-timeout bounds the wait for a member that never answers. Once every member has answered, there is nothing left to wait for: waiting out the timeout anyway delays every restart by it.',
        spec: SHUTDOWN,
        hint: "shutdown(): await the members' connections (member.done); each ends when its closing handshake is over, and close()'s timer is only for those that never answer.",
      });
      check(exit.code === 0, {
        message: `Expected the server to exit with code 0 after a graceful shutdown, but it ${server.program.describeExit()}.`,
        spec: SHUTDOWN,
      });
    },
  );

// What the earlier lessons built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts): on the heartbeat's program, which no test here stops,
// rather than on one more program.
httpCases(test, earlierLessonsCases(), { concurrent: true });
