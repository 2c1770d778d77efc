// Hidden tests for websocket-chat, part 4: the heartbeat, with the server started as
// `server.ts --port N --ping-interval 200`. Members that answer pings stay; a member that has gone
// silent (no pong, nothing) is dropped within a few intervals, and the room is told.

import { serverTest, check } from '#harness/testing/index.ts';
import { joinAll, leaveAll, PROTOCOL } from './members.ts';

const INTERVAL = 200;
const test = serverTest('websocket-chat', { args: ['--ping-interval', String(INTERVAL)] });

const SPEC = `RFC 6455 §5.5.2 (ping), §5.5.3 (pong); ${PROTOCOL}`;

// Three pings: a server that does not count pongs as signs of life drops a quiet member at the
// second beat after its last message, before it could send the third.
const PINGS = 3;
const WINDOW = INTERVAL * 15;

// The two tests use rooms of their own, and a member dropped in one is not seen in the other.
test.concurrent(`pings members every ${INTERVAL} ms, and keeps those that answer`, async ({ server }) => {
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
