// Hidden tests for websocket-handshake, part 4: after the hand-over, HTTP's idle timeout no longer
// applies. The server is started as `server.ts --port N --idle-timeout 300`.

import { serverTest, encodeFrame, Opcode, openWebSocket, expectFrame } from '#harness/testing/index.ts';

const IDLE_MS = 300;
const test = serverTest('websocket-handshake', { args: ['--idle-timeout', String(IDLE_MS)] });

test(`keeps an upgraded connection open past the HTTP idle timeout (${IDLE_MS} ms here)`, async ({ server }) => {
  const { client } = await openWebSocket(server);
  await client.send(encodeFrame(Opcode.text, 'before the pause'));
  await expectFrame(client, { opcode: Opcode.text, payload: 'before the pause' });
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 3));
  await client.send(encodeFrame(Opcode.text, 'after the pause'));
  await expectFrame(
    client,
    { opcode: Opcode.text, payload: 'after the pause' },
    {
      why: `The keep-alive idle timer (${IDLE_MS} ms) closes idle HTTP connections. A WebSocket is meant to sit quiet for minutes between messages; after the 101 the timer is HTTP's no more, and WebSocket keeps its own watch (pings, in websocket-chat).`,
      spec: 'Node docs: socket.setTimeout(0) disables the timer; RFC 6455 §5.5.2 (pings)',
      hint: 'In the hand-over, before takeOver: socket.setTimeout(0).',
    },
  );
});
