// Hidden tests for http2-frames, part 1: the connection preface both ways (RFC 9113 §3.4), the
// SETTINGS exchange that opens every connection, and frames however the bytes are cut.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test;
// the one that proves silence runs alone.

import {
  serverTest,
  check,
  openH2,
  expectH2Frame,
  expectGoaway,
  H2_PREFACE,
  H2_SERVER_SETTINGS,
  H2Error,
  H2Type,
  h2Frame,
  h2SettingsFrame,
  H2_SETTINGS_ACK,
  describeBytes,
} from '#harness/testing/index.ts';
import { ping, pingAck, PING_DATA, PING_TEACHING } from './h2.ts';

const test = serverTest('http2-frames');
const PREFACE_SPEC = 'RFC 9113 §3.4';

test.concurrent('sends an empty SETTINGS frame first, and acknowledges the client SETTINGS with 00 00 00 04 01 00 00 00 00', async ({ server }) => {
  const client = await openH2(server);
  await client.send(ping());
  await expectH2Frame(client, pingAck(), 'a PING ACK with the same 8 octets', PING_TEACHING);
});

test.concurrent('reads the preface and the first SETTINGS sent one octet at a time', async ({ server }) => {
  const client = await openH2(server, { split: 'trickle', settings: [[0x4, 1 << 20]] });
  await client.send(ping(), { split: 'trickle' });
  await expectH2Frame(client, pingAck(), 'a PING ACK after a PING sent one octet at a time', {
    ...PING_TEACHING,
    why: 'TCP delivers bytes, not frames: a frame header can arrive over several reads.',
    hint: 'Keep what arrived until a whole 9-octet header, then a whole payload, is there (one consume(n); a step that lacks bytes returns).',
  });
});

test.concurrent('reads frames cut at random places, several in one read', async ({ server }) => {
  const client = await openH2(server, { split: 'random' });
  const datas = [0, 1, 2, 3, 4].map((i) => Buffer.from(PING_DATA.map((byte) => byte ^ (i * 0x11))));
  await client.send(
    datas.map((data) => ping(data)),
    { split: 'random' },
  );
  for (const data of datas) {
    await expectH2Frame(client, pingAck(data), `the PING ACK of ${describeBytes(data)}, in order`, {
      why: 'Several frames can arrive in one read, and one frame over several: every frame is answered, in the order sent.',
      spec: 'RFC 9113 §4.1, §6.7',
      hint: 'After handling a frame, look for the next one in the bytes left over before waiting for more.',
    });
  }
});

for (const [name, bytes] of [
  ['an HTTP/1.1 request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
  ['a preface whose last octet is wrong', Buffer.concat([H2_PREFACE.subarray(0, 23), Buffer.from('\r')])],
  ['a preface with HTTP/2.1 in it', Buffer.from('PRI * HTTP/2.1\r\n\r\nSM\r\n\r\n')],
] as const) {
  test.concurrent(`closes the connection on ${name} instead of the preface`, async ({ server }) => {
    const client = await server.connect();
    await client.send([bytes, h2SettingsFrame()]);
    const received = await client.readToEnd({
      why: `${name} is not the 24-octet preface PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n: the peer does not speak HTTP/2, and the connection is closed (a GOAWAY PROTOCOL_ERROR may come first).`,
      spec: PREFACE_SPEC,
      hint: 'Compare the first 24 octets with the whole preface (Buffer.equals), and close when they differ.',
    });
    // What may come before the close: our SETTINGS, then a GOAWAY with PROTOCOL_ERROR.
    let rest = received.subarray(0);
    if (rest.subarray(0, 9).equals(H2_SERVER_SETTINGS)) rest = rest.subarray(9);
    const goawayOk = rest.length >= 17 && rest[3] === H2Type.GOAWAY && rest.readUInt32BE(13) === H2Error.PROTOCOL_ERROR;
    check(rest.length === 0 || goawayOk, {
      message: `Expected nothing but the server's SETTINGS and possibly a GOAWAY PROTOCOL_ERROR before the close, received ${describeBytes(received)}.`,
      why: 'A bad preface is a connection error of type PROTOCOL_ERROR; nothing of it was processed.',
      spec: `${PREFACE_SPEC}, §5.4.1`,
    });
  });
}

test.concurrent('answers a first frame other than SETTINGS with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await server.connect();
  await client.send([H2_PREFACE, ping()]);
  await expectH2Frame(client, H2_SERVER_SETTINGS, "the server's SETTINGS", { spec: PREFACE_SPEC });
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'a PING as the first frame', {
    why: "The client's preface is the 24 octets followed by a SETTINGS frame; any other first frame is a connection error.",
    spec: PREFACE_SPEC,
    hint: 'Remember whether the client SETTINGS came; until it has, any other frame type is a PROTOCOL_ERROR.',
  });
});

// Alone: the silence after the SETTINGS ACK is proved fastest with no other client open.
test('acknowledges every SETTINGS frame, three in one write, and never a SETTINGS ACK', async ({ server }) => {
  const client = await openH2(server);
  await client.send([h2SettingsFrame([[0x3, 100]]), H2_SETTINGS_ACK, h2SettingsFrame(), h2SettingsFrame([[0x1, 0]]), ping()]);
  for (const n of [1, 2, 3]) {
    await expectH2Frame(client, H2_SETTINGS_ACK, `the ACK of SETTINGS frame ${n} of 3`, {
      why: 'Each SETTINGS frame is acknowledged once; a SETTINGS with the ACK flag is itself never acknowledged (that would never end).',
      spec: 'RFC 9113 §6.5.3',
      hint: 'Answer a SETTINGS only when its ACK flag (0x1) is clear.',
    });
  }
  await expectH2Frame(client, pingAck(), 'the PING ACK, right after the three SETTINGS ACKs (nothing for the ACK)', {
    why: 'A SETTINGS frame with the ACK flag acknowledges ours; answering it would be answering an answer.',
    spec: 'RFC 9113 §6.5, §6.5.3',
    hint: 'When flags & 0x1, the frame is an ACK: note it, and send nothing.',
  });
  await client.send(h2Frame(H2Type.SETTINGS, 0x1, 0));
  await client.expectNothingMore(200, { why: 'A SETTINGS ACK is never answered.', spec: 'RFC 9113 §6.5.3' });
});
