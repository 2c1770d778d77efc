// Hidden tests for websocket-chat, part 4: the heartbeat, with the server started as
// `server.ts --port N --ping-interval 200`. Members that answer pings stay; a member that has gone
// silent (no pong, nothing) is dropped within a few intervals, and the room is told.

import { serverTest, check, encodeFrame, readRawFrame, Opcode } from '#harness/testing/index.ts';
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
