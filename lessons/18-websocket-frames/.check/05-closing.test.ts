// Hidden tests for websocket-frames, part 5: the closing handshake (RFC 6455 §7): a close is
// answered with a close that echoes its code, nothing is sent after it, and the server then
// closes TCP itself. And a connection that dies mid-frame harms no other.
// Each test uses connections of its own and waits on events, so they run side by side.

import { randomBytes } from 'node:crypto';
import { serverTest, check, describeBytes, encodeFrame, expectCloseFrame, expectFrame, expectMessage, Opcode, closePayload } from '#harness/testing/index.ts';
import { open, roundTrip } from './echo.ts';

const test = serverTest('websocket-frames');

const CLOSING = 'RFC 6455 §5.5.1 (close), §7.1.1 (the server closes TCP first), §7.1.2';
const TCP_CLOSE = {
  timeoutMs: 3000,
  why: 'Both close frames have been sent: the WebSocket connection is closed, and the server closes TCP first, without waiting for the client to do it.',
  spec: 'RFC 6455 §7.1.1',
  hint: 'After the close frames, end the socket (conn.end()).',
};

test.concurrent('answers a close frame with a close frame that echoes its code, then closes TCP', async ({ server }) => {
  const client = await open(server);
  await roundTrip(client, 'text', 'one message first');
  await client.send(encodeFrame(Opcode.close, closePayload(1000, 'bye now')));
  await expectCloseFrame(client, [1000], {
    after: 'the client\'s close frame with 1000 "bye now"',
    why: 'The closing handshake: an endpoint that receives a close frame answers with a close frame, which typically echoes the status code. Only then is the WebSocket connection closed.',
    spec: CLOSING,
    hint: 'On opcode 0x8: write a close frame whose body starts with the same 2-byte code.',
  });
  await client.expectClose(TCP_CLOSE);
});

test.concurrent('answers an empty close frame with an empty one (88 00), not with a code', async ({ server }) => {
  const client = await open(server);
  await client.send(encodeFrame(Opcode.close, Buffer.alloc(0)));
  await expectFrame(
    client,
    { opcode: Opcode.close, payload: Buffer.alloc(0) },
    {
      what: 'an empty close frame (88 00) after an empty close frame',
      why: 'A close frame may have no body: then the client gave no status code, and there is none to echo. This server answers a close with the code it received, so an empty close gets an empty close. 1000 would report a status the client never sent, and 1005 ("no status received") is only reported inside an endpoint, never sent.',
      spec: 'RFC 6455 §5.5.1 (the body is optional; the answer "typically echos the status code it received"), §7.1.5, §7.4.1 (1005)',
      hint: 'In receiveClose: no code in the body (payload.length === 0) → sendClose(Buffer.alloc(0)); closePayload(code) only when there was a code.',
    },
  );
  await client.expectClose(TCP_CLOSE);
});

test.concurrent("sends nothing after its close: a message and a ping after the client's close are not answered", async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.close, closePayload(1001, 'going')), encodeFrame(Opcode.text, 'too late'), encodeFrame(Opcode.ping, 'too late')]);
  await expectCloseFrame(client, [1001], {
    after: 'a close frame, then a text frame and a ping',
    why: "The close frame comes first: frames after the client's close are not answered.",
    spec: CLOSING,
  });
  const rest = await client.readToEnd({ timeoutMs: 3000, why: TCP_CLOSE.why, spec: TCP_CLOSE.spec, hint: TCP_CLOSE.hint });
  check(rest.length === 0, {
    message: `Expected nothing after the close frame, received ${describeBytes(rest)}.`,
    why: 'After sending its close frame an endpoint sends no more data frames, and a closing endpoint answers no ping: the connection is closing.',
    spec: 'RFC 6455 §5.5.1',
    hint: 'Once the close is answered, stop handling frames: leave the read loop.',
  });
});

test.concurrent('answers a close that arrives in the middle of a fragmented message', async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.text, 'never ', { fin: false }), encodeFrame(Opcode.close, closePayload(1000))]);
  await expectCloseFrame(client, [1000], {
    after: 'the first fragment of a message, then a close',
    why: 'A close is a control frame: it may come between fragments, and is answered at once. The unfinished message is dropped.',
    spec: CLOSING,
  });
  await client.expectClose(TCP_CLOSE);
});

test.concurrent('echoes a 256 KiB message that comes just before a close, then answers the close', async ({ server }) => {
  const client = await open(server);
  const payload = randomBytes(256 * 1024);
  await client.send([encodeFrame(Opcode.binary, payload), encodeFrame(Opcode.close, closePayload(1000))]);
  await expectMessage(
    client,
    { type: 'binary', data: payload },
    {
      why: 'The message came before the close, so it is answered before the close.',
      spec: CLOSING,
      hint: 'Answer frames in the order they came; the echo goes out before the close frame.',
    },
  );
  await expectCloseFrame(client, [1000], { after: 'the echo' });
  await client.expectClose(TCP_CLOSE);
});

test.concurrent('survives a client that resets the connection in the middle of a frame', async ({ server }) => {
  for (let i = 1; i <= 5; i++) {
    const rude = await open(server, `rude${i}`);
    await rude.send(encodeFrame(Opcode.binary, randomBytes(5000)).subarray(0, 3000));
    rude.reset();
  }
  const client = await open(server, 'polite');
  await roundTrip(client, 'text', 'still there?', {
    why: 'Clients that vanish mid-frame end their own connections, and no other.',
    hint: "A socket error (ECONNRESET) ends that connection's loop quietly; it must not crash the server.",
  });
});

test.concurrent('serves 20 connections at once', async ({ server }) => {
  const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => open(server, `c${i + 1}`)));
  await Promise.all(
    clients.map(async (client, i) => {
      for (let n = 1; n <= 5; n++) await roundTrip(client, n % 2 ? 'text' : 'binary', `client ${i + 1}, message ${n}`);
    }),
  );
});
