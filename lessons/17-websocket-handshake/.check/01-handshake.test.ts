// Hidden tests for websocket-handshake: the accept value, the 101 and its fields, the variants of
// Upgrade and Connection a real client sends, subprotocols and extensions, and the hand-over: after
// the 101 the connection carries frames, the first of which may come in the same write as the
// request. The endpoint echoes small frames once your loop has handed it the connection.
// Each test uses connections of its own and waits on events, so they run side by side.

import { randomBytes } from 'node:crypto';
import {
  serverTest,
  importLessonModule,
  check,
  quote,
  httpCases,
  request,
  readResponse,
  readResponseHead,
  checkStatus,
  encodeFrame,
  closePayload,
  Opcode,
  SAMPLE_KEY,
  SAMPLE_ACCEPT,
  acceptFor,
  handshakeRequest,
  openWebSocket,
  expectFrame,
  type HttpCase,
  type HandshakeSpec,
} from '#harness/testing/index.ts';

const test = serverTest('websocket-handshake');

const ACCEPT = 'RFC 6455 §4.2.2 step 5.4; §1.3';
const HANDOVER = 'RFC 6455 §4.2.2 ("the WebSocket connection is established"); RFC 9110 §7.8 (Upgrade)';

interface HandshakeModule {
  acceptKey(key: string): string;
}

test.concurrent("acceptKey turns the RFC's sample key into s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", async () => {
  const { acceptKey } = await importLessonModule<HandshakeModule>('websocket-handshake', 'handshake.ts', ['acceptKey']);
  const fresh = randomBytes(16).toString('base64');
  for (const [key, want] of [
    [SAMPLE_KEY, SAMPLE_ACCEPT],
    [fresh, acceptFor(fresh)],
  ] as const) {
    let got: unknown;
    let thrown: Error | undefined;
    try {
      got = acceptKey(key);
    } catch (error) {
      thrown = error as Error;
    }
    check(thrown === undefined && got === want, {
      message: `Expected acceptKey(${quote(key)}) to return ${quote(want)}, ${thrown ? `but it threw: ${thrown.message.replace(/\.$/, '')}` : `received ${typeof got === 'string' ? quote(got) : String(got)}`}.`,
      why: 'The server proves it read this handshake: it appends the GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" to the key exactly as sent (a string of 24 characters, not decoded), takes the SHA-1 of that, and sends the 20-byte digest in base64.',
      spec: ACCEPT,
      hint: "createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64') (node:crypto).",
    });
  }
});

test.concurrent("answers the RFC's sample handshake with 101 Switching Protocols and Sec-WebSocket-Accept", async ({ server }) => {
  const { response } = await openWebSocket(server, {
    hint: 'Answer a valid handshake with 101: Upgrade: websocket, Connection: Upgrade and Sec-WebSocket-Accept.',
  });
  for (const name of ['Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions', 'Content-Length', 'Transfer-Encoding']) {
    check(response.header(name) === undefined, {
      message: `Expected no ${name} field in the 101, received "${name}: ${response.header(name)}".`,
      why: name.startsWith('Sec')
        ? 'The client offered no subprotocol and no extension; a server may only choose among what was offered, and a client that gets anything else fails the connection.'
        : 'A 1xx response has no content, and a server must not send Content-Length or Transfer-Encoding in it.',
      spec: name.startsWith('Sec') ? 'RFC 6455 §4.2.2 steps 5.5, 5.6; §4.1 (client requirements 5, 6)' : 'RFC 9110 §8.6, §6.4.1',
    });
  }
});

test.concurrent('after the 101, the connection carries frames: a text frame comes back', async ({ server }) => {
  const { client } = await openWebSocket(server);
  await client.send(encodeFrame(Opcode.text, 'hello', { mask: Buffer.from('37fa213d', 'hex') }));
  await expectFrame(
    client,
    { opcode: Opcode.text, payload: 'hello' },
    {
      why: 'After the 101 the connection is no longer HTTP: what the client sends now are WebSocket frames, and the endpoint echoes them. If your connection loop goes on reading requests, these bytes are taken for a malformed request head.',
      spec: HANDOVER,
      hint: 'For an Upgrade, the writer hands the connection over (await response.takeOver(conn, bytes)) and then ends the socket, so that the loop reads no more requests.',
    },
  );
  await client.send(encodeFrame(Opcode.binary, Buffer.from([0x00, 0x80, 0xff])));
  await expectFrame(client, { opcode: Opcode.binary, payload: Buffer.from([0x00, 0x80, 0xff]) }, { spec: HANDOVER });
  await client.send(encodeFrame(Opcode.close, closePayload(1000, 'bye')));
  await expectFrame(client, { opcode: Opcode.close, payload: closePayload(1000, 'bye') }, { spec: 'RFC 6455 §5.5.1' });
  await client.expectClose({ why: 'After the closing handshake the server ends the connection.' });
});

test.concurrent('answers a frame sent in the same write as the handshake', async ({ server }) => {
  const frames = Buffer.concat([encodeFrame(Opcode.text, 'sent with the request'), encodeFrame(Opcode.text, 'and a second one')]);
  const teaching = {
    why: 'A client may send its first frames right behind the request, without waiting for the 101, and they then arrive in the same read as the head. Your HTTP reader has already read them: they sit in reader.buffer, and they are the start of the frame stream.',
    spec: HANDOVER,
    hint: 'Hand over what is left in the reader: response.takeOver(conn, Buffer.from(reader.consume(reader.buffer.length))). And let the corked 101 go first (uncork).',
  };
  const { client } = await openWebSocket(server, { with: frames, ...teaching });
  await expectFrame(client, { opcode: Opcode.text, payload: 'sent with the request' }, teaching);
  await expectFrame(client, { opcode: Opcode.text, payload: 'and a second one' }, teaching);
});

test.concurrent('answers a handshake and frames that arrive cut at random points', async ({ server }) => {
  for (let round = 1; round <= 3; round++) {
    const payload = `round ${round}: ${'x'.repeat(round * 30)}`;
    const { client } = await openWebSocket(server, { name: `random${round}`, with: encodeFrame(Opcode.text, payload), split: 'random' });
    await expectFrame(
      client,
      { opcode: Opcode.text, payload },
      { spec: HANDOVER, hint: 'Wherever the cut falls, the bytes after the head are the start of the frames.' },
    );
  }
});

test.concurrent('upgrades after ordinary requests on the same connection (keep-alive, then WebSocket)', async ({ server }) => {
  const client = await server.connect();
  await client.send([request({ target: '/' }), request({ target: '/' }), handshakeRequest(), encodeFrame(Opcode.text, 'after two requests')]);
  for (const n of [1, 2]) {
    const response = await readResponse(client, { what: `the response to pipelined request ${n} (GET /)` });
    checkStatus(response, 200, { why: 'GET / is ordinary HTTP; the handshake comes after it on the same connection.' });
  }
  const answer = await readResponseHead(client, { what: 'the answer to the handshake, third on the connection' });
  checkStatus(answer, 101, {
    why: 'A connection that served requests can still be upgraded: the loop reads requests until one switches protocols.',
    spec: HANDOVER,
  });
  await expectFrame(
    client,
    { opcode: Opcode.text, payload: 'after two requests' },
    {
      why: 'The frame came in the same write as three requests. The reader that read them holds it: there is one reader for the connection, and its leftover bytes go to WebSocket.',
      spec: HANDOVER,
    },
  );
});

const accepted = (name: string, spec: HandshakeSpec, why: string, hint?: string): HttpCase => ({
  name,
  send: handshakeRequest(spec),
  expect: { status: 101, fields: { 'Sec-WebSocket-Accept': acceptFor(spec.key ?? SAMPLE_KEY) } },
  why,
  spec: 'RFC 6455 §4.2.1; RFC 9110 §5.1 (names), §7.6.1 (Connection), §7.8 (Upgrade)',
  hint: hint ?? 'Field names and these tokens compare case-insensitively; Connection is a comma-separated list, over any number of lines.',
});

const FRESH_KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';

// Each case on a connection of its own: they run side by side.
const ACCEPTED: HttpCase[] = [
  accepted(
    'accepts "Upgrade: WebSocket" (the token is case-insensitive)',
    { headers: [['Upgrade', 'WebSocket']] },
    'The Upgrade value "websocket" is an ASCII case-insensitive token.',
  ),
  accepted(
    'accepts every field name in lower case',
    {
      omit: ['Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version'],
      headers: [
        ['upgrade', 'websocket'],
        ['connection', 'upgrade'],
        ['sec-websocket-key', SAMPLE_KEY],
        ['sec-websocket-version', '13'],
      ],
    },
    'Field names are case-insensitive: an HTTP/1.1 client may send them in any case (HTTP/2 sends them all in lower case).',
  ),
  accepted(
    'accepts "Connection: keep-alive, Upgrade" (as Firefox sends it)',
    { headers: [['Connection', 'keep-alive, Upgrade']] },
    'Connection is a list of options; "upgrade" only has to be one of them.',
  ),
  accepted(
    'accepts "Connection: Upgrade" on a second Connection line',
    {
      headers: [
        ['Connection', 'keep-alive'],
        ['Connection', 'Upgrade'],
      ],
    },
    'A list field may come on several lines; they mean the same as one line joined with commas (RFC 9110 §5.3).',
  ),
  accepted('accepts "Connection: UPGRADE"', { headers: [['Connection', 'UPGRADE']] }, 'Connection options are case-insensitive tokens.'),
  accepted(
    `accepts a fresh key (${FRESH_KEY})`,
    { key: FRESH_KEY },
    'Every client picks a new random key; the accept value is computed from this one.',
    'Hash the key from this request, not a fixed one.',
  ),
  accepted(
    'accepts any Origin when no --origin is given',
    { headers: [['Origin', 'http://any.example']] },
    'Without an allow-list the server takes connections from any page.',
    'Check Origin only when --origin was given.',
  ),
  {
    name: 'picks the subprotocol the client offers that the endpoint speaks ("superchat, chat" → chat)',
    send: handshakeRequest({ protocols: ['superchat', 'chat'] }),
    expect: { status: 101, fields: { 'Sec-WebSocket-Protocol': 'chat' } },
    why: 'The endpoint speaks "chat". The client lists what it can speak; the server answers with exactly one of those, the first it supports.',
    spec: 'RFC 6455 §4.2.2 step 5.5; §1.9',
    hint: 'Split every Sec-WebSocket-Protocol line at commas, trim, and answer with the first one in policy.protocols.',
  },
  {
    name: 'picks the subprotocol from offers on two lines',
    send: handshakeRequest({
      headers: [
        ['Sec-WebSocket-Protocol', 'superchat'],
        ['Sec-WebSocket-Protocol', 'chat'],
      ],
    }),
    expect: { status: 101, fields: { 'Sec-WebSocket-Protocol': 'chat' } },
    why: 'Offers may come on several Sec-WebSocket-Protocol lines; together they are one list.',
    spec: 'RFC 6455 §11.3.4; RFC 9110 §5.3',
    hint: 'Collect every line (fieldValues), then split each at commas.',
  },
  {
    name: 'sends no Sec-WebSocket-Protocol when it speaks none of the offered ones',
    send: handshakeRequest({ protocols: ['superchat', 'v2.chat'] }),
    expect: { status: 101, fields: { 'Sec-WebSocket-Protocol': null } },
    why: 'A server may only answer with a protocol the client offered. Speaking none of them, it says nothing, and the client decides whether to go on without one.',
    spec: 'RFC 6455 §4.2.2 step 5.5; §4.1 (client requirement 6)',
    hint: 'Add Sec-WebSocket-Protocol only when you found a match; never echo the offer.',
  },
  {
    name: 'accepts no extension, even when the client offers permessage-deflate (as browsers do)',
    send: handshakeRequest({ headers: [['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits']] }),
    expect: { status: 101, fields: { 'Sec-WebSocket-Extensions': null } },
    why: 'Extensions are offers. This server implements none, so it must not answer with one: a client would then compress its frames (and set RSV1), which this server cannot read.',
    spec: 'RFC 6455 §4.2.2 step 5.6, §9.1; RFC 7692',
    hint: 'Leave Sec-WebSocket-Extensions out of the 101.',
  },
];

httpCases(test, ACCEPTED, { concurrent: true });
