// Hidden tests for websocket-frames, part 4: fragmented messages, control frames between their
// fragments, and UTF-8 checked as the fragments arrive: a character may be cut between two
// fragments, and invalid text fails as soon as it can no longer become valid.

import { serverTest, encodeFrame, expectFrame, expectMessage, Opcode } from '#harness/testing/index.ts';
import { CONTROL, expectFailure, FRAGMENTS, open } from './echo.ts';

const test = serverTest('websocket-frames');

const UTF8 = 'RFC 6455 §5.6, §8.1 (invalid UTF-8 fails the connection with 1007)';

/** A message as fragments: the first with `opcode`, the rest continuations, FIN on the last. */
function fragments(opcode: number, pieces: Buffer[]): Buffer[] {
  return pieces.map((piece, i) => encodeFrame(i === 0 ? opcode : Opcode.continuation, piece, { fin: i === pieces.length - 1 }));
}

// Each test has connections of its own and shares nothing in the program: they run side by side.
test.concurrent('joins a text message sent in three fragments, and a binary one in many', async ({ server }) => {
  const client = await open(server);
  await client.send(
    fragments(
      Opcode.text,
      ['Hel', 'lo, ', 'world'].map((s) => Buffer.from(s)),
    ),
  );
  await expectMessage(
    client,
    { type: 'text', data: 'Hello, world' },
    {
      why: 'A message can come as a first frame (FIN clear), continuation frames (opcode 0x0) and a last one with FIN: it is one message, echoed once.',
      spec: FRAGMENTS,
      hint: 'Collect the payloads until the FIN frame; the first frame says whether the message is text or binary.',
    },
  );
  const binary = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff));
  const pieces: Buffer[] = [Buffer.alloc(0)];
  for (let at = 0; at < binary.length; at += 997) pieces.push(binary.subarray(at, at + 997));
  pieces.push(Buffer.alloc(0));
  await client.send(fragments(Opcode.binary, pieces));
  await expectMessage(client, { type: 'binary', data: binary }, { why: 'Fragments may be of any size, empty ones included.', spec: FRAGMENTS });
});

test.concurrent('answers a ping that arrives between the fragments of a message at once, and still joins the message', async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.text, 'fragmented ', { fin: false }), encodeFrame(Opcode.ping, 'in the middle')]);
  await expectFrame(
    client,
    { opcode: Opcode.pong, payload: 'in the middle' },
    {
      why: 'Control frames may come between the fragments of a message, and a ping is answered as soon as it arrives, not after the message: the rest of it may be minutes away.',
      spec: `${CONTROL}; ${FRAGMENTS}`,
      hint: 'Handle control frames as they come, and keep the message being joined untouched by them.',
    },
  );
  await client.send([
    encodeFrame(Opcode.continuation, 'message, ', { fin: false }),
    encodeFrame(Opcode.pong, 'unasked'),
    encodeFrame(Opcode.continuation, 'joined'),
  ]);
  await expectMessage(
    client,
    { type: 'text', data: 'fragmented message, joined' },
    {
      why: 'The ping and the pong between the fragments are not part of the message.',
      spec: FRAGMENTS,
      hint: 'A control frame must not reset or end the message being joined.',
    },
  );
});

test.concurrent('joins text whose characters are cut between fragments, at every position', async ({ server }) => {
  const client = await open(server);
  const text = Buffer.from('aé你👋z'); // 1 + 2 + 3 + 4 + 1 bytes
  for (let at = 1; at < text.length; at++) {
    await client.send(fragments(Opcode.text, [text.subarray(0, at), text.subarray(at)]));
    await expectMessage(
      client,
      { type: 'text', data: text },
      {
        why: `Fragments are cut anywhere, also inside a character: here after byte ${at} of ${text.length}. Neither fragment is valid UTF-8 on its own; the message is.`,
        spec: UTF8,
        hint: 'One TextDecoder for the whole message, fed each fragment with decode(payload, { stream: true }) and the last with stream: false. A new decoder per fragment, or Buffer.toString per fragment, fails here.',
      },
    );
  }
  await client.send(
    fragments(
      Opcode.text,
      [...Buffer.from('👋')].map((b) => Buffer.from([b])),
    ),
  );
  await expectMessage(client, { type: 'text', data: '👋' }, { why: 'Four fragments of one byte each, one character.', spec: UTF8 });
});

const invalid: Array<[string, Buffer]> = [
  ['a byte that never occurs in UTF-8 (ff)', Buffer.from([0x61, 0xff, 0x62])],
  ['an overlong encoding of "/" (c0 af)', Buffer.from([0xc0, 0xaf])],
  ['an encoded surrogate (ed a0 80)', Buffer.from([0x61, 0xed, 0xa0, 0x80])],
  ['a code point above U+10FFFF (f4 90 80 80)', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
  ['a lone continuation byte (80)', Buffer.from([0x80, 0x61])],
  ['a character cut short at the end of the message (e4 bd)', Buffer.from([0x61, 0xe4, 0xbd])],
];

test.concurrent.for(invalid.map(([what, bytes]) => [what, bytes] as const))('fails a text message with %s with 1007', async ([what, bytes], { server }) => {
  const client = await open(server);
  await client.send(encodeFrame(Opcode.text, bytes));
  await expectFailure(client, [1007], {
    after: `a text message with ${what}`,
    why: 'A text message must be valid UTF-8; one that is not fails the connection with 1007 (invalid frame payload data). Replacing bad bytes with U+FFFD, as Buffer.toString does, hides the error.',
    spec: UTF8,
    hint: "new TextDecoder('utf-8', { fatal: true }) throws on invalid input: catch it and fail with 1007.",
  });
});

test.concurrent('fails a text message as soon as a fragment makes it invalid, before the message ends', async ({ server }) => {
  const client = await open(server);
  // κόσμε, then an encoded surrogate: valid so far, then bytes no continuation can make valid.
  await client.send(encodeFrame(Opcode.text, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5]), { fin: false }));
  await client.expectNothingMore(100, { why: 'The first fragment is valid UTF-8 so far: nothing to answer yet.' });
  await client.send(encodeFrame(Opcode.continuation, Buffer.from([0xed, 0xa0, 0x80, 0x65, 0x64]), { fin: false }));
  // The last fragment is never sent: only a reader that checks as it goes can fail now.
  await expectFailure(client, [1007], {
    after: 'a fragment with an encoded surrogate, the message not finished',
    why: 'Once the bytes can no longer become valid UTF-8, the server fails the connection at once, without waiting for the rest of the message (which here never comes).',
    spec: `${UTF8}; RFC 6455 §5.6`,
    hint: 'Decode each fragment as it arrives, with one TextDecoder({ fatal: true }) and { stream: true }; it throws on the first impossible byte.',
  });
});

test.concurrent('fails a text message whose fragments are valid alone but invalid together', async ({ server }) => {
  const client = await open(server);
  // "ab" plus the first byte of a 2-byte character, then a space where its second byte must be.
  await client.send(fragments(Opcode.text, [Buffer.from([0x61, 0x62, 0xce]), Buffer.from(' and more')]));
  await expectFailure(client, [1007], {
    after: 'a character cut between fragments and never completed',
    why: 'The first fragment ends inside a character; the second starts with a byte that cannot continue it.',
    spec: UTF8,
    hint: 'The decoder carries the cut character from one fragment to the next: one decoder per message, stream: true until the last fragment.',
  });
});

test.concurrent('echoes binary messages whatever their bytes, invalid UTF-8 included', async ({ server }) => {
  const client = await open(server);
  const bytes = Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]);
  await client.send(fragments(Opcode.binary, [bytes.subarray(0, 3), bytes.subarray(3)]));
  await expectMessage(
    client,
    { type: 'binary', data: bytes },
    { why: 'Only text messages are UTF-8; binary ones are bytes.', spec: 'RFC 6455 §5.6', hint: 'Check UTF-8 for text messages only.' },
  );
});
