// Hidden tests for websocket-frames, part 2: messages echoed byte for byte, exact frame bytes as RFC 6455
// §5.7 shows them, ping and pong, and frames that arrive cut at every byte position or many in
// one write. Then the three forms of the payload length at their edges, on the wire both ways
// (the server's heads are compared byte for byte), a 16 MiB message at the default limit, and one
// byte past it. One file and one program for both: a program's start costs more CPU than most of
// these tests, and they run side by side anyway.

import { randomBytes } from 'node:crypto';
import { serverTest, encodeFrame, expectFrame, expectMessage, Opcode, type RawClient } from '#harness/testing/index.ts';
import { expectFailure, FRAMING, open, roundTrip } from './echo.ts';

const test = serverTest('websocket-frames');

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Each test has connections of its own and shares nothing in the program: they run side by side.
test.concurrent('echoes RFC 6455\'s masked "Hello" (81 85 37 fa 21 3d 7f 9f 4d 51 58) as 81 05 48 65 6c 6c 6f', async ({ server }) => {
  const client = await open(server);
  await client.send(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  await expectFrame(
    client,
    { opcode: Opcode.text, payload: 'Hello' },
    {
      why: 'The client masks its payload: each byte XOR the 4-byte key (37 fa 21 3d), byte i with key[i % 4]. The echo carries the payload unmasked, in an unmasked frame: 0x81 (FIN, text), 0x05 (no MASK bit, length 5), "Hello".',
      spec: 'RFC 6455 §5.3 (masking), §5.7 (examples)',
      hint: 'Read the 4-byte key after the length, XOR the payload with it, and write the reply with the MASK bit clear.',
    },
  );
});

test.concurrent('echoes all 256 byte values as a binary message, and text as text', async ({ server }) => {
  const client = await open(server);
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  await client.send(encodeFrame(Opcode.binary, all));
  await expectFrame(
    client,
    { opcode: Opcode.binary, payload: all },
    {
      why: 'A binary message is bytes: every value comes back as it went, in a binary frame (opcode 0x2). 256 bytes take the 16-bit length: 0x7e, then 01 00.',
      spec: FRAMING,
      hint: 'Keep payloads as Buffers; never turn binary into a string.',
    },
  );
  await roundTrip(client, 'text', 'a text message', { hint: 'A text frame (opcode 0x1) goes back as a text frame.' });
});

test.concurrent('echoes UTF-8 text byte for byte, a leading byte order mark included', async ({ server }) => {
  const client = await open(server);
  for (const text of ['Grüße aus Köln — 你好, 世界 👋', '\uFEFFstarts with a BOM (ef bb bf)', '\u{10FFFF}\u{FFFF} noncharacters are valid UTF-8']) {
    await roundTrip(client, 'text', text, {
      why: 'Valid UTF-8 comes back exactly. A decoder that strips a leading byte order mark (EF BB BF) changes the message: TextDecoder does so unless told ignoreBOM: true.',
      spec: 'RFC 6455 §5.6; WHATWG Encoding: TextDecoder ignoreBOM',
      hint: "new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })",
    });
  }
});

test.concurrent('echoes empty text and binary messages', async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.text, ''), encodeFrame(Opcode.binary, Buffer.alloc(0))]);
  await expectFrame(
    client,
    { opcode: Opcode.text, payload: '' },
    {
      why: 'A message may be empty: a frame with length 0 and no payload.',
      spec: FRAMING,
      hint: 'A payload of length 0 is complete as soon as the masking key is read.',
    },
  );
  await expectFrame(client, { opcode: Opcode.binary, payload: Buffer.alloc(0) }, { spec: FRAMING });
});

test.concurrent('answers a ping with a pong that carries the same payload', async ({ server }) => {
  const client = await open(server);
  const payloads = [Buffer.from('are you there?'), Buffer.alloc(0), Buffer.from([0x00, 0x80, 0xff, 0xfe]), Buffer.alloc(125, 0xab)];
  for (const payload of payloads) {
    await client.send(encodeFrame(Opcode.ping, payload));
    await expectFrame(
      client,
      { opcode: Opcode.pong, payload },
      {
        why: "A ping (opcode 0x9) is answered with a pong (opcode 0xA) whose payload is the ping's, byte for byte, as soon as possible. Pings can be empty, or carry up to 125 bytes of anything.",
        spec: 'RFC 6455 §5.5.2, §5.5.3',
        hint: 'In the frame handler: opcode 0x9 → write a frame with opcode 0xA and the same payload.',
      },
    );
  }
});

test.concurrent('ignores a pong nobody asked for', async ({ server }) => {
  const client = await open(server);
  await client.send([encodeFrame(Opcode.pong, 'unsolicited'), encodeFrame(Opcode.text, 'after the pong')]);
  await expectMessage(
    client,
    { type: 'text', data: 'after the pong' },
    {
      why: 'A pong may be sent unsolicited (a heartbeat) and needs no answer: the next thing the server sends is the echo of the text.',
      spec: 'RFC 6455 §5.5.3',
      hint: 'Do nothing for opcode 0xA (or note that the peer is alive); never answer it.',
    },
  );
});

/** A run of frames of every length form and type, and what each must produce. */
function mixedFrames(): { bytes: Buffer; check: (client: RawClient) => Promise<void> } {
  const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  const frames = [
    encodeFrame(Opcode.text, 'héllo'),
    encodeFrame(Opcode.binary, binary),
    encodeFrame(Opcode.ping, 'p'),
    encodeFrame(Opcode.text, ''),
    encodeFrame(Opcode.text, 'ok', { fin: false }),
    encodeFrame(Opcode.continuation, '!'),
  ];
  return {
    bytes: Buffer.concat(frames),
    check: async (client) => {
      const teaching = {
        why: 'TCP delivers bytes, not frames: a frame can arrive in any number of reads, and a read can end anywhere in a frame, even inside the 2-byte header or the masking key.',
        spec: FRAMING,
        hint: 'Keep what arrived; each step of the reader takes its field only when all of its bytes are there, and waits otherwise.',
      };
      await expectMessage(client, { type: 'text', data: 'héllo' }, teaching);
      await expectMessage(client, { type: 'binary', data: binary }, teaching);
      await expectFrame(client, { opcode: Opcode.pong, payload: 'p' }, teaching);
      await expectMessage(client, { type: 'text', data: '' }, teaching);
      await expectMessage(client, { type: 'text', data: 'ok!' }, teaching);
    },
  };
}

test.concurrent('reads frames that arrive a byte at a time', async ({ server }) => {
  const client = await open(server);
  const { bytes, check: expectAll } = mixedFrames();
  await client.send(bytes, { split: 'trickle' });
  await expectAll(client);
});

test.concurrent('reads frames cut at random points, and many frames in one write', async ({ server }) => {
  for (let round = 1; round <= 3; round++) {
    const client = await open(server, `random${round}`);
    const { bytes, check: expectAll } = mixedFrames();
    await client.send(bytes, { split: 'random' });
    await expectAll(client);
  }
  const client = await open(server, 'coalesced');
  const messages = Array.from({ length: 100 }, (_, i) => `message ${i + 1}`);
  await client.send(messages.map((m) => encodeFrame(Opcode.text, m)));
  for (const message of messages) {
    await expectMessage(
      client,
      { type: 'text', data: message },
      {
        why: 'A hundred frames in one write are a hundred messages, answered in order.',
        spec: FRAMING,
        hint: 'After one frame, go on with the bytes left in the buffer: the next frame may already be there.',
      },
    );
  }
});

// The payload length's three forms, at their edges.
const MiB = 1024 * 1024;
const LENGTHS = 'RFC 6455 §5.2 ("Payload length": 7 bits, 7+16 bits, or 7+64 bits, in network byte order)';

test.concurrent('echoes messages at the edges of each length form: 125, 126, 127, 65535, 65536 bytes', async ({ server }) => {
  const client = await open(server);
  const heads: Array<[number, string]> = [
    [125, '82 7d'],
    [126, '82 7e 00 7e'],
    [127, '82 7e 00 7f'],
    [65535, '82 7e ff ff'],
    [65536, '82 7f 00 00 00 00 00 01 00 00'],
  ];
  for (const [length, head] of heads) {
    const payload = randomBytes(length);
    await client.send(encodeFrame(Opcode.binary, payload));
    await expectFrame(
      client,
      { opcode: Opcode.binary, payload },
      {
        what: `a binary frame of ${length} bytes, head ${head}`,
        why: `Up to 125 bytes the length is in byte 1; 126 means "a 16-bit length follows", 127 "a 64-bit length follows", both big-endian (network order). ${length} bytes are written ${head}, and the payload follows unmasked. (The reader had to get the client's frame right first: the same forms, masked.)`,
        spec: LENGTHS,
        hint: 'length < 126: byte 1 = length; length <= 65535: 126 and writeUInt16BE; else 127 and writeBigUInt64BE.',
      },
    );
  }
});

test.concurrent('takes lengths written longer than needed (5 bytes in the 16- and 64-bit forms)', async ({ server }) => {
  const client = await open(server);
  const mask = hex('01 02 03 04');
  const masked = Buffer.from('hello').map((b, i) => b ^ mask[i % 4]!);
  await client.send(Buffer.concat([hex('81 fe 00 05'), mask, masked]));
  await expectMessage(
    client,
    { type: 'text', data: 'hello' },
    {
      why: 'RFC 6455 asks for the minimal length form, but a reader cannot tell a longer form from a shorter one without reading it, and common servers accept it: 126 then 00 05 is a length of 5.',
      spec: LENGTHS,
      hint: 'Read the 16-bit length whenever byte 1 says 126, whatever its value.',
    },
  );
  await client.send(Buffer.concat([hex('81 ff 00 00 00 00 00 00 00 05'), mask, masked]));
  await expectMessage(client, { type: 'text', data: 'hello' }, { spec: LENGTHS, hint: 'Read the 64-bit length whenever byte 1 says 127.' });
});

test.concurrent('fails a frame whose 64-bit length has its most significant bit set with 1002', async ({ server }) => {
  const client = await open(server);
  await client.send(hex('82 ff 80 00 00 00 00 00 00 05 01 02 03 04 aa bb cc dd ee'));
  await expectFailure(client, [1002], {
    after: 'a frame whose 64-bit length is 80 00 00 00 00 00 00 05',
    why: 'The most significant bit of a 64-bit length MUST be 0, so this frame is malformed: a protocol error (1002), not a message too big (1009), whatever the limit. (A reader that keeps only the low 32 bits sees 5, and reads the next 5 bytes as a payload.)',
    spec: 'RFC 6455 §5.2 (Payload length: "the most significant bit MUST be 0"), §7.4.1 (1002)',
    hint: 'readBigUInt64BE, then throw ProtocolError(1002) when (length >> 63n) !== 0n, before the limit is compared and before converting to a Number.',
  });
});

test.concurrent('echoes a 16 MiB message (the default --max-message)', { timeout: 60_000 }, async ({ server }) => {
  const client = await open(server);
  const payload = randomBytes(16 * MiB);
  await client.send(encodeFrame(Opcode.binary, payload));
  await expectMessage(
    client,
    { type: 'binary', data: payload },
    {
      timeoutMs: 20_000,
      why: 'The server takes messages up to --max-message bytes (16 MiB by default), and this one is exactly that long: at the limit is allowed.',
      spec: LENGTHS,
      hint: 'Compare the length with the limit using >, not >=; and read a 64-bit length whole.',
    },
  );
});

test.concurrent('fails a message one byte over the limit with 1009, from its header alone', async ({ server }) => {
  const client = await open(server);
  // Only the head and the masking key: the server must not wait for 16 MiB it will refuse.
  await client.send(Buffer.concat([hex('82 ff 00 00 00 00 01 00 00 01'), hex('0a 0b 0c 0d'), Buffer.alloc(1000)]));
  await expectFailure(client, [1009], {
    why: `The server takes at most ${16 * MiB} bytes (--max-message); this frame announces ${16 * MiB + 1}. The length is known from the header, so the server refuses before reading the payload, with 1009 (message too big).`,
    spec: 'RFC 6455 §7.4.1 (1009), §10.4 (limits)',
    hint: 'Check the length against the limit as soon as it is read, and throw a ProtocolError(1009).',
  });
});
