// Hidden tests for websocket-frames, part 6: the message size limit, with the server started as
// `server.ts --port N --max-message 1000`: exactly at the limit, and one past it, in one frame and
// across fragments (control frames between them do not count).
// Each test uses connections of its own and waits on events, so they run side by side.

import { serverTest, earlierLessonsCases, encodeFrame, expectFrame, expectMessage, httpCases, Opcode } from '#harness/testing/index.ts';
import { expectFailure, open } from './echo.ts';

const LIMIT = 1000;
const test = serverTest('websocket-frames', { args: ['--max-message', String(LIMIT)] });

const SPEC = 'RFC 6455 §10.4 (implementation-specific limits), §7.4.1 (1009 message too big)';
const WHY = `The server was started with --max-message ${LIMIT}: a message of up to ${LIMIT} bytes, all fragments together, is taken; a byte more fails the connection with 1009.`;

test.concurrent(`echoes a message of exactly ${LIMIT} bytes, in one frame and in fragments`, async ({ server }) => {
  const client = await open(server);
  await client.send(encodeFrame(Opcode.binary, Buffer.alloc(LIMIT, 0x41)));
  await expectMessage(
    client,
    { type: 'binary', data: Buffer.alloc(LIMIT, 0x41) },
    { why: WHY, spec: SPEC, hint: 'At the limit is allowed: compare with >, not >=.' },
  );
  await client.send([
    encodeFrame(Opcode.text, 'x'.repeat(600), { fin: false }),
    encodeFrame(Opcode.ping, Buffer.alloc(125, 0x70)),
    encodeFrame(Opcode.continuation, 'y'.repeat(400)),
  ]);
  await expectFrame(client, { opcode: Opcode.pong, payload: Buffer.alloc(125, 0x70) });
  await expectMessage(
    client,
    { type: 'text', data: `${'x'.repeat(600)}${'y'.repeat(400)}` },
    { why: `${WHY} The ping between the fragments is not part of the message.`, spec: SPEC, hint: 'Count the payloads of data frames only.' },
  );
});

test.concurrent(`fails a message of ${LIMIT + 1} bytes in one frame with 1009`, async ({ server }) => {
  const client = await open(server);
  await client.send(encodeFrame(Opcode.binary, Buffer.alloc(LIMIT + 1, 0x41)));
  await expectFailure(client, [1009], { why: WHY, spec: SPEC, hint: "Compare the frame's length with the limit as soon as it is read." });
});

test.concurrent(`fails a message whose fragments add up to ${LIMIT + 1} bytes with 1009`, async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.binary, Buffer.alloc(600), { fin: false }), encodeFrame(Opcode.continuation, Buffer.alloc(401))]);
  await expectFailure(client, [1009], {
    why: `${WHY} Each fragment alone is under the limit; the message is not.`,
    spec: SPEC,
    hint: "Add up the lengths of the message's frames, and compare the sum.",
  });
});

test.concurrent('counts the limit in bytes, not characters', async ({ server }) => {
  const client = await open(server);
  const text = 'é'.repeat(501); // 501 characters, 1002 bytes
  await client.send(encodeFrame(Opcode.text, text));
  await expectFailure(client, [1009], {
    why: `${WHY} "é" is 2 bytes in UTF-8: 501 of them are 1002 bytes.`,
    spec: SPEC,
    hint: 'Count payload bytes (the frame lengths), not decoded characters.',
  });
});

// What the earlier lessons built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts), on this file's program rather than on one more: the
// uploads to /echo are HTTP bodies, which --max-message does not bound.
httpCases(test, earlierLessonsCases(), { concurrent: true });
