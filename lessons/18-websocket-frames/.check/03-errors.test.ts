// Hidden tests for websocket-frames, part 3: frames that break the protocol. Each must fail the
// connection with its close code, read from the server's own close frame, after the messages
// before it were answered; then the server closes TCP. And the close codes a peer may send: each
// one of 1000–1014 that is valid echoed on the wire, and isValidCloseCode for every code there is.
// Each test uses connections of its own and waits on events, so they run side by side.

import { serverTest, encodeFrame, expectMessage, expectCloseFrame, Opcode, closePayload, importLessonModule, check } from '#harness/testing/index.ts';
import { CONTROL, expectFailure, FRAGMENTS, FRAMING, open } from './echo.ts';

const test = serverTest('websocket-frames');

interface BadFrames {
  name: string;
  bytes: Buffer;
  codes: number[];
  why: string;
  spec: string;
  hint: string;
}

const CLOSE_BODY = 'RFC 6455 §5.5.1 (close body), §7.4 (status codes)';

const cases: BadFrames[] = [
  ...(
    [
      ['text', Opcode.text],
      ['ping', Opcode.ping],
      ['close', Opcode.close],
    ] as const
  ).map(([kind, opcode]) => ({
    name: `an unmasked ${kind} frame from the client`,
    bytes: encodeFrame(opcode, opcode === Opcode.close ? closePayload(1000) : 'no mask', { mask: null }),
    codes: [1002],
    why: 'Every frame a client sends is masked, control frames included; a server must fail the connection on an unmasked one.',
    spec: 'RFC 6455 §5.1, §5.3',
    hint: 'Check the MASK bit (0x80 of byte 1) in the first step, for every opcode.',
  })),
  ...[1, 2, 4].map((rsv) => ({
    name: `a frame with RSV bits ${rsv.toString(2).padStart(3, '0')} set`,
    bytes: encodeFrame(Opcode.text, 'rsv', { rsv }),
    codes: [1002],
    why: 'RSV1–RSV3 mean something only with an extension that defines them, and none was negotiated.',
    spec: 'RFC 6455 §5.2 (RSV1, RSV2, RSV3)',
    hint: 'byte0 & 0x70 must be 0.',
  })),
  ...[0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => ({
    name: `a frame with the reserved opcode 0x${opcode.toString(16)}`,
    bytes: encodeFrame(opcode, 'reserved'),
    codes: [1002],
    why: `Opcodes 0x3–0x7 (data) and 0xB–0xF (control) are reserved; a receiver of one must fail the connection.`,
    spec: 'RFC 6455 §5.2 (Opcode), §11.8',
    hint: 'Accept only 0x0, 0x1, 0x2, 0x8, 0x9 and 0xA.',
  })),
  ...(
    [
      ['ping', Opcode.ping],
      ['pong', Opcode.pong],
    ] as const
  ).map(([kind, opcode]) => ({
    name: `a ${kind} with FIN clear (a fragmented control frame)`,
    bytes: encodeFrame(opcode, 'half', { fin: false }),
    codes: [1002],
    why: 'Control frames must not be fragmented.',
    spec: CONTROL,
    hint: 'Opcodes 0x8 and above need FIN set.',
  })),
  {
    name: 'a close with FIN clear',
    bytes: encodeFrame(Opcode.close, closePayload(1000), { fin: false }),
    codes: [1002],
    why: 'Control frames must not be fragmented.',
    spec: CONTROL,
    hint: 'Opcodes 0x8 and above need FIN set.',
  },
  ...(
    [
      ['ping', Opcode.ping],
      ['pong', Opcode.pong],
    ] as const
  ).map(([kind, opcode]) => ({
    name: `a ${kind} with 126 bytes of payload`,
    bytes: encodeFrame(opcode, Buffer.alloc(126, 0x70)),
    codes: [1002],
    why: 'A control frame carries at most 125 bytes, so its length always fits in byte 1.',
    spec: CONTROL,
    hint: 'For opcodes 0x8 and above, the 7-bit length must be at most 125.',
  })),
  {
    name: 'a close with a 124-byte reason (126 bytes of body)',
    bytes: encodeFrame(Opcode.close, closePayload(1000, 'r'.repeat(124))),
    codes: [1002],
    why: 'A close frame is a control frame: at most 125 bytes of body.',
    spec: CONTROL,
    hint: 'The 125-byte limit holds for close frames too.',
  },
  {
    name: 'a continuation frame with no message started',
    bytes: encodeFrame(Opcode.continuation, 'orphan'),
    codes: [1002],
    why: 'A continuation frame continues a message; there is none.',
    spec: FRAGMENTS,
    hint: 'Remember the opcode of the message whose fragments are arriving (0 when none); a continuation needs one.',
  },
  {
    name: 'a text message started inside a fragmented one',
    bytes: Buffer.concat([encodeFrame(Opcode.text, 'first ', { fin: false }), encodeFrame(Opcode.text, 'second')]),
    codes: [1002],
    why: 'The fragments of a message are never interleaved with another message: until the FIN fragment, only continuation (and control) frames may come.',
    spec: FRAGMENTS,
    hint: 'A text or binary frame while a message is open is an error.',
  },
  {
    name: 'a binary message started inside a fragmented text message',
    bytes: Buffer.concat([encodeFrame(Opcode.text, 'first ', { fin: false }), encodeFrame(Opcode.binary, Buffer.from([1, 2]))]),
    codes: [1002],
    why: 'A new data frame inside a fragmented message is an error, whatever its type.',
    spec: FRAGMENTS,
    hint: 'A text or binary frame while a message is open is an error.',
  },
  {
    name: 'a close frame with a 1-byte body',
    bytes: encodeFrame(Opcode.close, Buffer.from([0x03])),
    codes: [1002],
    why: 'A close body is empty, or a 2-byte status code and an optional reason; 1 byte is neither.',
    spec: CLOSE_BODY,
    hint: 'payload.length === 1 is a protocol error.',
  },
  ...[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535].map((code) => ({
    name: `a close frame with the status code ${code}`,
    bytes: encodeFrame(Opcode.close, closePayload(code, 'bad code')),
    codes: [1002],
    why:
      (code >= 1004 && code <= 1006) || code === 1015
        ? `${code} is reserved for reports inside an endpoint (1005: no code, 1006: closed without a close frame, 1015: TLS failure) and must never be sent in a close frame.`
        : code < 1000
          ? 'Codes below 1000 are not used.'
          : code >= 5000
            ? 'Codes stop at 4999.'
            : `${code} is in the range reserved for the protocol and has not been assigned.`,
    spec: 'RFC 6455 §7.4.1, §7.4.2; IANA WebSocket Close Code Number Registry',
    hint: 'Valid: 1000–1003, 1007–1014, 3000–4999. Anything else in a close frame is a protocol error.',
  })),
  {
    name: 'a close frame whose reason is not valid UTF-8',
    bytes: encodeFrame(Opcode.close, Buffer.concat([closePayload(1000), Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xed, 0xa0, 0x80, 0x65])])),
    codes: [1002, 1007],
    why: 'The reason of a close frame is UTF-8 text; this one contains an encoded surrogate (ED A0 80).',
    spec: 'RFC 6455 §5.5.1, §8.1',
    hint: "Decode the reason with new TextDecoder('utf-8', { fatal: true }); if it throws, fail the connection.",
  },
];

test.concurrent.for(cases.map((c) => [c.name, c] as const))('fails the connection after %s', async ([, bad], { server }) => {
  const client = await open(server);
  // A good message first, in the same write: it is answered before the bad frame is judged.
  await client.send([encodeFrame(Opcode.text, 'fine so far'), bad.bytes]);
  await expectMessage(
    client,
    { type: 'text', data: 'fine so far' },
    { why: 'The message before the bad frame is good, and is answered first.', spec: FRAMING },
  );
  await expectFailure(client, bad.codes, { why: bad.why, spec: bad.spec, hint: bad.hint, after: bad.name });
});

// Every code of 1000–1014 that may be sent (1012–1014 were registered after RFC 6455), and the
// edges of 3000–4999; isValidCloseCode is checked below for every code of 0–65535.
const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];

test.concurrent('echoes the code of a close frame with each valid code of 1000–1014, and with 3000, 3999, 4000, 4999', async ({ server }) => {
  for (const code of valid) {
    const client = await open(server, `close${code}`);
    // The reason at its longest (123 bytes), ending in a character outside the BMP.
    await client.send(encodeFrame(Opcode.close, closePayload(code, `${'r'.repeat(119)}👋`)));
    await expectCloseFrame(client, [code], {
      after: `a close frame with ${code}`,
      why: `${code} is a code a peer may send${code >= 1012 && code <= 1014 ? ` (registered after RFC 6455: ${code === 1012 ? 'service restart' : code === 1013 ? 'try again later' : 'bad gateway'})` : ''}, with a reason of 123 bytes (the most a close frame has room for) that is valid UTF-8. The answer to a close frame is a close frame that echoes its status code (the reason is optional).`,
      spec: 'RFC 6455 §5.5.1 ("typically echos the status code it received"), §7.4.1; IANA WebSocket Close Code Number Registry',
      hint: 'Valid: 1000–1003, 1007–1014, 3000–4999. Write a close frame whose first two bytes are the received code, big-endian.',
    });
    await client.expectClose({ timeoutMs: 3000, why: 'Both close frames have been sent: the server closes TCP first.', spec: 'RFC 6455 §7.1.1' });
  }
});

interface ConnectionModule {
  isValidCloseCode(code: number): boolean;
}

/** RFC 6455 §7.4.1, §7.4.2 and the IANA registry: the codes a close frame may carry. */
const VALID_CLOSE = (code: number) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

/** Runs of consecutive codes, written as "1004–1006, 1015". */
function ranges(codes: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < codes.length;) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j]! + 1) j++;
    out.push(i === j ? String(codes[i]) : `${codes[i]}–${codes[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

test.concurrent('isValidCloseCode takes 1000–1003, 1007–1014 and 3000–4999, and no other code of 0–65535', async () => {
  const { isValidCloseCode } = await importLessonModule<ConnectionModule>('websocket-frames', 'websocket.ts', ['isValidCloseCode']);
  const refused: number[] = [];
  const taken: number[] = [];
  for (let code = 0; code <= 0xffff; code++) {
    const valid = VALID_CLOSE(code);
    if (isValidCloseCode(code) !== valid) (valid ? refused : taken).push(code);
  }
  check(refused.length === 0 && taken.length === 0, {
    message: `Expected isValidCloseCode to be true for exactly 1000–1003, 1007–1014 and 3000–4999, received ${[
      refused.length > 0 ? `false for ${ranges(refused)}` : '',
      taken.length > 0 ? `true for ${ranges(taken)}` : '',
    ]
      .filter(Boolean)
      .join(', and ')}.`,
    why: '1000–1003 and 1007–1011 are defined by RFC 6455; 1012 (service restart), 1013 (try again later) and 1014 (bad gateway) were registered after it, and a peer may send them. 1004 is reserved, 1005, 1006 and 1015 are only reported inside an endpoint and never sent, the rest of 0–2999 is unassigned or unused, 3000–3999 is for libraries and frameworks, 4000–4999 for applications, and nothing goes above 4999.',
    spec: 'RFC 6455 §7.4.1, §7.4.2; IANA WebSocket Close Code Number Registry',
    hint: 'return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);',
  });
});
