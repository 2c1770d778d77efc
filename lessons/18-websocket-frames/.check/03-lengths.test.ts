// Hidden tests for websocket-frames, part 3: the three forms of the payload length at their edges,
// on the wire both ways (the server's heads are compared byte for byte), a 16 MiB message at the default limit, and one byte past it.
// Each test uses connections of its own and waits on events, so they run side by side.

import { randomBytes } from 'node:crypto';
import { serverTest, encodeFrame, expectFrame, expectMessage, Opcode } from '#harness/testing/index.ts';
import { expectFailure, open } from './echo.ts';

const test = serverTest('websocket-frames');

const MiB = 1024 * 1024;
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
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
