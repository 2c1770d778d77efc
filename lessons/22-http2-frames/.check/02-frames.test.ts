// Hidden tests for http2-frames, part 2: the frame header (RFC 9113 §4.1), PING (§6.7), frames of
// unknown types (§5.5), and the frame size limit (§4.2) on both sides of it.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test.

import { serverTest, openH2, expectH2Frame, expectGoaway, H2Error, H2Type, h2Frame, h2SettingsFrame } from '#harness/testing/index.ts';
import { ACK, ping, pingAck, PING_DATA, PING_TEACHING } from './h2.ts';

const test = serverTest('http2-frames');
const SIZE = 'RFC 9113 §4.2';

test.concurrent('answers a PING with a PING ACK carrying the same 8 octets, bytes ≥ 0x80 included', async ({ server }) => {
  const client = await openH2(server);
  for (const data of [PING_DATA, Buffer.alloc(8, 0xff), Buffer.from('01234567')]) {
    await client.send(ping(data));
    await expectH2Frame(client, pingAck(data), 'a PING ACK with the same 8 octets', PING_TEACHING);
  }
});

test.concurrent('does not answer a PING ACK', async ({ server }) => {
  const client = await openH2(server);
  const other = Buffer.from('pingpong');
  await client.send([pingAck(), ping(other)]);
  await expectH2Frame(client, pingAck(other), 'only the ACK of the second PING (the first was already an ACK)', {
    why: 'A PING with the ACK flag is the answer to a PING of ours; an endpoint must not respond to it.',
    spec: 'RFC 9113 §6.7',
    hint: 'When flags & 0x1 on a PING, send nothing.',
  });
});

test.concurrent('ignores the R bit of the stream identifier', async ({ server }) => {
  const client = await openH2(server);
  await client.send(ping(PING_DATA, { reserved: true }));
  await expectH2Frame(client, pingAck(), 'a PING ACK to a PING whose reserved R bit is set', {
    why: 'The R bit (the top bit of octet 5) is reserved: it must be ignored on receipt, so this PING is on stream 0. The ACK goes out with R = 0.',
    spec: 'RFC 9113 §4.1',
    hint: 'Read the stream id as readUInt32BE(5) & 0x7fffffff.',
  });
});

test.concurrent('ignores frames of unknown types, on any stream, with any flags', async ({ server }) => {
  const client = await openH2(server);
  await client.send([h2Frame(0x0a, 0, 0, Buffer.from('altsvc?')), h2Frame(0x20, 0xff, 1, Buffer.alloc(100, 0x80)), h2Frame(0xff, 0, 7), ping()]);
  await expectH2Frame(client, pingAck(), 'the PING ACK, the unknown frames before it ignored', {
    why: 'Implementations must ignore and discard frames of unknown types: that is how HTTP/2 is extended without breaking old peers.',
    spec: 'RFC 9113 §4.1, §5.5',
    hint: 'The default branch of your switch on the type does nothing.',
  });
});

const pingTeaching = (why: string, spec: string, hint: string) => ({ why, spec, hint });

for (const [length, name] of [
  [7, 'a PING of 7 octets'],
  [9, 'a PING of 9 octets'],
  [0, 'an empty PING'],
] as const) {
  test.concurrent(`answers ${name} with GOAWAY FRAME_SIZE_ERROR`, async ({ server }) => {
    const client = await openH2(server);
    await client.send(h2Frame(H2Type.PING, 0, 0, Buffer.alloc(length, 0x61)));
    await expectGoaway(
      client,
      H2Error.FRAME_SIZE_ERROR,
      name,
      pingTeaching(
        'A PING carries exactly 8 octets; any other length is a connection error of type FRAME_SIZE_ERROR.',
        'RFC 9113 §6.7',
        'Check payload.length === 8 before answering.',
      ),
    );
  });
}

test.concurrent('answers a PING on stream 1 with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(h2Frame(H2Type.PING, 0, 1, PING_DATA));
  await expectGoaway(
    client,
    H2Error.PROTOCOL_ERROR,
    'a PING on stream 1',
    pingTeaching(
      'PING is about the connection: on any stream but 0 it is a connection error of type PROTOCOL_ERROR.',
      'RFC 9113 §6.7',
      'Check frame.streamId === 0.',
    ),
  );
});

test.concurrent('accepts a frame of exactly 16384 octets (the default SETTINGS_MAX_FRAME_SIZE)', async ({ server }) => {
  const client = await openH2(server);
  // Cut in four writes: inside the 9-octet header, after it, and in the middle of the payload, so
  // the frame is read over several reads as a large frame usually is. Frames cut anywhere are part
  // 1's checks (one octet at a time, and at random); cut at random, these 16 KiB took some 300
  // writes, each a timer's wait (a second under load), to prove the size limit.
  await client.send([h2Frame(0x20, 0, 0, Buffer.alloc(16384, 0x5a)), ping()], { split: [4, 5, 8192, 8192 + 17] });
  await expectH2Frame(client, pingAck(), 'the PING ACK after a 16384-octet frame of an unknown type', {
    why: 'A receiver must accept frames up to its SETTINGS_MAX_FRAME_SIZE, 2^14 = 16384 octets until it announces more.',
    spec: SIZE,
    hint: 'Refuse a length only when it is greater than 16384.',
  });
});

test.concurrent('answers a frame of 16385 octets with GOAWAY FRAME_SIZE_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(h2Frame(0x20, 0, 0, Buffer.alloc(16385, 0x5a)));
  await expectGoaway(client, H2Error.FRAME_SIZE_ERROR, 'a frame of 16385 octets on stream 0', {
    why: 'A frame larger than the receiver’s SETTINGS_MAX_FRAME_SIZE (16384 here) is a FRAME_SIZE_ERROR; on stream 0 (or carrying a header block, or SETTINGS) it is a connection error.',
    spec: `${SIZE}, §5.4.1`,
    hint: 'Check the 24-bit length as soon as the 9-octet header is read, before waiting for the payload.',
  });
});

test.concurrent('reads the length as 24 bits: a PING announcing 65544 octets is a FRAME_SIZE_ERROR', async ({ server }) => {
  const client = await openH2(server);
  // 0x010008: with the first octet dropped it would read as 8, a well-sized PING.
  await client.send(h2Frame(H2Type.PING, 0, 0, PING_DATA, { length: 0x010008 }));
  await expectGoaway(client, H2Error.FRAME_SIZE_ERROR, 'a PING whose 24-bit length is 0x010008 (65544)', {
    why: 'The length field is 24 bits (octets 0–2); 65544 is over the 16384 limit. A reader of 16 bits sees 8 and answers.',
    spec: 'RFC 9113 §4.1, §4.2',
    hint: 'header.readUIntBE(0, 3) reads 24 bits.',
  });
});

test.concurrent('acknowledges a later SETTINGS, then answers the PING sent after it', async ({ server }) => {
  const client = await openH2(server);
  await client.send([h2SettingsFrame([[0x2, 0]]), ping()]);
  await expectH2Frame(client, h2Frame(H2Type.SETTINGS, ACK, 0), 'a SETTINGS ACK', { spec: 'RFC 9113 §6.5.3' });
  await expectH2Frame(client, pingAck(), 'a PING ACK', PING_TEACHING);
});
