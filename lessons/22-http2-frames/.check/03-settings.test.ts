// Hidden tests for http2-frames, part 3: SETTINGS validated (RFC 9113 §6.5, §6.5.2), each value at
// its limits on both sides. A good SETTINGS is acknowledged and the connection goes on; a bad one
// ends it with a GOAWAY carrying the code the RFC names.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test.

import {
  serverTest,
  openH2,
  expectH2Frame,
  expectGoaway,
  H2Error,
  H2_ERROR_NAMES,
  H2Type,
  h2Frame,
  h2Settings,
  h2SettingsFrame,
  H2_SETTINGS_ACK,
  H2_PREFACE,
} from '#harness/testing/index.ts';
import { ACK, ping, pingAck, PING_TEACHING } from './h2.ts';

const test = serverTest('http2-frames');
const SETTINGS = 'RFC 9113 §6.5.2';
const SIZE = 'RFC 9113 §4.2';

interface Good {
  name: string;
  settings: Array<[number, number]>;
  why: string;
  hint: string;
}

const good: Good[] = [
  { name: 'SETTINGS_ENABLE_PUSH 0', settings: [[0x2, 0]], why: 'ENABLE_PUSH takes 0 or 1.', hint: 'Refuse only values above 1.' },
  { name: 'SETTINGS_ENABLE_PUSH 1', settings: [[0x2, 1]], why: 'ENABLE_PUSH takes 0 or 1.', hint: 'Refuse only values above 1.' },
  {
    name: 'SETTINGS_INITIAL_WINDOW_SIZE 2^31-1',
    settings: [[0x4, 2 ** 31 - 1]],
    why: 'The largest window is 2^31-1, and it is allowed.',
    hint: 'Refuse only values greater than 2 ** 31 - 1.',
  },
  {
    name: 'SETTINGS_INITIAL_WINDOW_SIZE 0',
    settings: [[0x4, 0]],
    why: 'A window of 0 is allowed: the peer may send no DATA until it grows.',
    hint: 'Refuse only values greater than 2 ** 31 - 1.',
  },
  {
    name: 'SETTINGS_MAX_FRAME_SIZE 16384',
    settings: [[0x5, 16384]],
    why: 'MAX_FRAME_SIZE may be 2^14 (16384) to 2^24-1 (16777215), both included.',
    hint: 'value >= 2 ** 14 && value <= 2 ** 24 - 1.',
  },
  {
    name: 'SETTINGS_MAX_FRAME_SIZE 16777215',
    settings: [[0x5, 16777215]],
    why: 'MAX_FRAME_SIZE may be 2^14 (16384) to 2^24-1 (16777215), both included.',
    hint: 'value >= 2 ** 14 && value <= 2 ** 24 - 1.',
  },
  {
    name: 'unknown settings 0x7, 0x10 and 0xffff',
    settings: [
      [0x7, 1],
      [0x10, 0xffffffff],
      [0xffff, 12345],
    ],
    why: 'An endpoint must ignore a setting with an unknown or unsupported identifier: that is how new settings are added.',
    hint: 'The default branch of your switch on the identifier does nothing.',
  },
  {
    name: 'every known setting at once, HEADER_TABLE_SIZE 0 and MAX_CONCURRENT_STREAMS 0 included',
    settings: [
      [0x1, 0],
      [0x2, 0],
      [0x3, 0],
      [0x4, 1 << 20],
      [0x5, 1 << 20],
      [0x6, 0xffffffff],
    ],
    why: 'HEADER_TABLE_SIZE, MAX_CONCURRENT_STREAMS and MAX_HEADER_LIST_SIZE take any 32-bit value.',
    hint: 'Only ENABLE_PUSH, INITIAL_WINDOW_SIZE and MAX_FRAME_SIZE have ranges to check.',
  },
];

for (const { name, settings, why, hint } of good) {
  test.concurrent(`accepts and acknowledges ${name}`, async ({ server }) => {
    const client = await openH2(server);
    await client.send([h2SettingsFrame(settings), ping()]);
    await expectH2Frame(client, H2_SETTINGS_ACK, `the SETTINGS ACK of ${name}`, { why, spec: SETTINGS, hint });
    await expectH2Frame(client, pingAck(), 'the PING ACK after it (the connection goes on)', PING_TEACHING);
  });
}

interface Bad {
  name: string;
  frame: Buffer;
  code: number;
  why: string;
  spec: string;
  hint: string;
}

const bad: Bad[] = [
  {
    name: 'SETTINGS_ENABLE_PUSH 2',
    frame: h2SettingsFrame([[0x2, 2]]),
    code: H2Error.PROTOCOL_ERROR,
    why: 'ENABLE_PUSH other than 0 or 1 is a connection error of type PROTOCOL_ERROR.',
    spec: SETTINGS,
    hint: 'if (value > 1) throw PROTOCOL_ERROR.',
  },
  {
    name: 'SETTINGS_INITIAL_WINDOW_SIZE 2^31',
    frame: h2SettingsFrame([[0x4, 2 ** 31]]),
    code: H2Error.FLOW_CONTROL_ERROR,
    why: 'INITIAL_WINDOW_SIZE above 2^31-1 (the largest flow-control window) is a connection error of type FLOW_CONTROL_ERROR.',
    spec: `${SETTINGS}, §6.9.2`,
    hint: 'if (value > 2 ** 31 - 1) throw FLOW_CONTROL_ERROR.',
  },
  {
    name: 'SETTINGS_INITIAL_WINDOW_SIZE 2^32-1',
    frame: h2SettingsFrame([[0x4, 0xffffffff]]),
    code: H2Error.FLOW_CONTROL_ERROR,
    why: 'INITIAL_WINDOW_SIZE above 2^31-1 is a FLOW_CONTROL_ERROR; read the value as unsigned (readUInt32BE), or 0xffffffff becomes -1 and slips under the limit.',
    spec: SETTINGS,
    hint: 'payload.readUInt32BE(offset + 2), and compare with 2 ** 31 - 1.',
  },
  {
    name: 'SETTINGS_MAX_FRAME_SIZE 16383',
    frame: h2SettingsFrame([[0x5, 16383]]),
    code: H2Error.PROTOCOL_ERROR,
    why: 'MAX_FRAME_SIZE below 2^14 (16384) is a PROTOCOL_ERROR.',
    spec: SETTINGS,
    hint: 'value < 2 ** 14 is refused; 2 ** 14 itself is fine.',
  },
  {
    name: 'SETTINGS_MAX_FRAME_SIZE 16777216',
    frame: h2SettingsFrame([[0x5, 16777216]]),
    code: H2Error.PROTOCOL_ERROR,
    why: 'MAX_FRAME_SIZE above 2^24-1 (16777215) is a PROTOCOL_ERROR.',
    spec: SETTINGS,
    hint: 'value > 2 ** 24 - 1 is refused; 2 ** 24 - 1 itself is fine.',
  },
  {
    name: 'SETTINGS_MAX_FRAME_SIZE 0',
    frame: h2SettingsFrame([[0x5, 0]]),
    code: H2Error.PROTOCOL_ERROR,
    why: 'MAX_FRAME_SIZE below 2^14 is a PROTOCOL_ERROR.',
    spec: SETTINGS,
    hint: 'value < 2 ** 14 is refused.',
  },
  {
    name: 'a bad value after a good one in the same frame',
    frame: h2SettingsFrame([
      [0x3, 10],
      [0x2, 7],
    ]),
    code: H2Error.PROTOCOL_ERROR,
    why: 'Every setting in the frame is checked, not only the first.',
    spec: SETTINGS,
    hint: 'Loop over the payload 6 octets at a time.',
  },
  {
    name: 'a SETTINGS payload of 5 octets',
    frame: h2Frame(H2Type.SETTINGS, 0, 0, Buffer.alloc(5)),
    code: H2Error.FRAME_SIZE_ERROR,
    why: 'A SETTINGS payload is a multiple of 6 octets; any other length is a FRAME_SIZE_ERROR.',
    spec: 'RFC 9113 §6.5',
    hint: 'payload.length % 6 !== 0 → FRAME_SIZE_ERROR.',
  },
  {
    name: 'a SETTINGS payload of 8 octets (one setting and 2 more)',
    frame: h2Frame(H2Type.SETTINGS, 0, 0, Buffer.concat([h2Settings([[0x3, 10]]), Buffer.alloc(2)])),
    code: H2Error.FRAME_SIZE_ERROR,
    why: 'A SETTINGS payload is a multiple of 6 octets; any other length is a FRAME_SIZE_ERROR.',
    spec: 'RFC 9113 §6.5',
    hint: 'Check payload.length % 6 before reading any setting.',
  },
  {
    name: 'SETTINGS on stream 1',
    frame: h2Frame(H2Type.SETTINGS, 0, 1, h2Settings([[0x3, 10]])),
    code: H2Error.PROTOCOL_ERROR,
    why: 'SETTINGS is about the connection: on any stream but 0 it is a PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.5',
    hint: 'Check frame.streamId === 0 first.',
  },
  {
    name: 'a SETTINGS ACK with 6 octets of payload',
    frame: h2Frame(H2Type.SETTINGS, ACK, 0, h2Settings([[0x3, 10]])),
    code: H2Error.FRAME_SIZE_ERROR,
    why: 'A SETTINGS ACK carries no settings; one with a payload is a FRAME_SIZE_ERROR.',
    spec: 'RFC 9113 §6.5',
    hint: 'When flags & 0x1, payload.length must be 0.',
  },
];

for (const { name, frame, code, why, spec, hint } of bad) {
  test.concurrent(`answers ${name} with GOAWAY ${H2_ERROR_NAMES[code]}`, async ({ server }) => {
    const client = await openH2(server);
    await client.send(frame);
    await expectGoaway(client, code, name, { why, spec: `${spec}, §5.4.1`, hint });
  });
}

test.concurrent('answers a bad value in the first SETTINGS frame with a GOAWAY and no ACK', async ({ server }) => {
  const client = await server.connect();
  await client.send([H2_PREFACE, h2SettingsFrame([[0x4, 2 ** 31]])]);
  await expectGoaway(client, H2Error.FLOW_CONTROL_ERROR, 'SETTINGS_INITIAL_WINDOW_SIZE 2^31 in the first SETTINGS', {
    why: 'A SETTINGS frame is acknowledged only once all its values are applied; a bad value ends the connection instead.',
    spec: 'RFC 9113 §6.5.3, §6.5.2',
    hint: 'Validate all the settings, then write the ACK.',
    skip: (f) => f.type === H2Type.SETTINGS && f.flags === 0 && f.length === 0,
  });
});

test.concurrent("keeps its own 16384 limit after the client's SETTINGS_MAX_FRAME_SIZE 16777215", async ({ server }) => {
  const client = await openH2(server, { settings: [[0x5, 16777215]] });
  await client.send(h2Frame(0x20, 0, 0, Buffer.alloc(16385, 0x5a)));
  await expectGoaway(client, H2Error.FRAME_SIZE_ERROR, 'a 16385-octet frame, after the client raised its own SETTINGS_MAX_FRAME_SIZE', {
    why: "SETTINGS_MAX_FRAME_SIZE is the largest frame the SENDER of the setting is willing to receive: the client's value limits what the server sends, never what it accepts. The server announced nothing, so 16384 stands for it.",
    spec: `${SETTINGS} (SETTINGS_MAX_FRAME_SIZE), ${SIZE}`,
    hint: "Give the frame reader the server's own limit (16384), and keep the client's in the peer settings.",
  });
});
