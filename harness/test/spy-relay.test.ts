// `learn spy`'s relay and summaries, in process but on real sockets: a SpySession between a plain
// client and a small server of the test's own, so that each side's view of FIN and RST can be
// checked where it lands. The command end to end (real clients, references, the page) is in
// spy.test.ts.

import net from 'node:net';
import { describe, expect, test, type TestContext } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Conversation } from '../spy/conversation.ts';
import { LivePrinter } from '../spy/live.ts';
import { SpyRecord, type SpyEvent } from '../spy/record.ts';
import { SpySession } from '../spy/session.ts';
import { PREVIEW_CHARS } from '../wire/text-preview.ts';
import { setColour } from '../terminal.ts';
import { encodeFrame, closePayload, Opcode } from '../wire/websocket.ts';
import { alertRecord, clientHello, ContentType, record, records } from '../wire/tls.ts';
import { H2HeaderEncoder } from '../wire/hpack.ts';
import { H2_PREFACE, H2Error, h2Frame, h2SettingsFrame, H2_SETTINGS_ACK, H2Type } from '../wire/http2.ts';

setColour(false);

/** A server that records what arrives and how its connection ended; the test drives its socket. */
interface Upstream {
  port: number;
  accepted: Promise<net.Socket>;
  close: () => void;
}

async function upstream(): Promise<Upstream> {
  const server = net.createServer({ allowHalfOpen: true });
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, accepted, close: () => server.close() };
}

/** How a socket's reading side ended: its bytes, and FIN or RST. */
function ending(socket: net.Socket): Promise<{ bytes: Buffer; by: 'fin' | 'rst' }> {
  const parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => parts.push(chunk));
  return new Promise((resolve) => {
    socket.once('end', () => resolve({ bytes: Buffer.concat(parts), by: 'fin' }));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ bytes: Buffer.concat(parts), by: error.code === 'ECONNRESET' ? 'rst' : 'fin' }));
  });
}

/** A spy between a client socket and the upstream; its printed lines are kept. Stopped when the test ends. */
async function spyBetween({ onTestFinished }: TestContext) {
  const server = await upstream();
  const lines: string[] = [];
  const spy = new SpySession({ listenPort: await freePort(), serverPort: server.port, out: (line) => lines.push(line) });
  await spy.listen();
  onTestFinished(() => (spy.stop(), server.close()));
  const client = net.connect({ port: portOf(spy), host: '127.0.0.1', allowHalfOpen: true });
  const peer = await server.accepted;
  await new Promise<void>((resolve) => (client.readyState === 'open' ? resolve() : client.once('connect', () => resolve())));
  onTestFinished(() => {
    client.destroy();
    peer.destroy();
  });
  return { client, peer, lines, spy };
}

function portOf(spy: SpySession): number {
  return ((spy as unknown as { listener: net.Server }).listener.address() as net.AddressInfo).port;
}

const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe.concurrent('the relay', () => {
  test('passes every byte value both ways, and a half-close as FIN while the other way keeps flowing', async (context) => {
    const { client, peer, lines } = await spyBetween(context);
    const atServer = ending(peer);
    const atClient = ending(client);
    client.end(everyByte); // bytes, then FIN
    const server = await atServer;
    expect(server).toEqual({ bytes: everyByte, by: 'fin' });
    // The client's FIN closed one direction only: the server can still answer.
    peer.end(Buffer.concat([everyByte, everyByte]));
    expect(await atClient).toEqual({ bytes: Buffer.concat([everyByte, everyByte]), by: 'fin' });
    await until(() => lines.some((l) => l.includes('server closed its side (FIN)')));
    expect(lines.join('\n')).toContain('client closed its side (FIN)');
  });

  test("passes the client's RST to the server as RST", async (context) => {
    const { client, peer, lines } = await spyBetween(context);
    const atServer = ending(peer);
    client.write('before the reset');
    await until(() => lines.some((l) => l.includes('before the reset')));
    client.resetAndDestroy();
    expect(await atServer).toEqual({ bytes: Buffer.from('before the reset'), by: 'rst' });
    await until(() => lines.some((l) => l.includes('client reset the connection (RST)')));
  });

  test("passes the server's RST to the client as RST, after the bytes sent before it", async (context) => {
    const { client, peer, lines } = await spyBetween(context);
    const atClient = ending(client);
    let arrived = '';
    client.on('data', (chunk: Buffer) => (arrived += chunk));
    peer.write('last words');
    await until(() => arrived === 'last words');
    peer.resetAndDestroy();
    expect(await atClient).toEqual({ bytes: Buffer.from('last words'), by: 'rst' });
    await until(() => lines.some((l) => l.includes('server reset the connection (RST)')));
  });

  test('a server that is not there: the client is reset and the transcript says why', async ({ onTestFinished }) => {
    const lines: string[] = [];
    const spy = new SpySession({ listenPort: await freePort(), serverPort: await freePort(), out: (line) => lines.push(line) });
    await spy.listen();
    onTestFinished(() => spy.stop());
    const client = net.connect({ port: portOf(spy), host: '127.0.0.1' });
    expect((await ending(client)).by).toBe('rst');
    await until(() => lines.some((l) => l.includes('spy could not reach the server (ECONNREFUSED)')));
  });
});

describe('what spy says the bytes mean', () => {
  /** Feeds a conversation in order and returns every summary line. */
  const say = (...steps: Array<['client' | 'server', string | Buffer]>) => {
    const conversation = new Conversation();
    return steps.flatMap(([from, bytes]) => conversation.data(from, Buffer.from(bytes)));
  };

  test('a request line, its fields and body; the response and its framing, however the bytes are cut', () => {
    const request = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello';
    const lines = say(...[...request].map((c) => ['client', c] as ['client', string]), ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello']);
    expect(lines).toEqual([
      'POST /echo HTTP/1.1 · 2 fields · body 5 bytes (Content-Length)',
      'body complete: 5 bytes',
      'HTTP/1.1 200 OK · 1 field · body 5 bytes (Content-Length)',
      'body complete: 5 bytes',
    ]);
  });

  test('chunk boundaries, HEAD, 206 with its range, 304, Content-Encoding', () => {
    expect(
      say(['client', 'GET /p HTTP/1.1\r\n\r\n'], ['server', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\n\r\n']),
    ).toEqual([
      'GET /p HTTP/1.1 · 0 fields · no body',
      'HTTP/1.1 200 OK · 1 field · chunked body',
      'Transfer-Encoding: chunked',
      'chunk 1: 5 bytes',
      'chunk 2: 1 byte (extension ";x=y")',
      'last chunk: body 6 bytes in 2 chunks',
    ]);
    // A response to HEAD announces a length and has no body: the next response starts right after.
    const head = say(
      ['client', 'HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n'],
      ['server', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'],
    );
    expect(head.filter((l) => l.startsWith('HTTP/1.1'))).toEqual([
      'HTTP/1.1 200 OK · 1 field · no body',
      'HTTP/1.1 200 OK · 1 field · body 3 bytes (Content-Length)',
    ]);
    const range = say(
      ['client', 'GET /a HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n'],
      ['server', 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/26\r\nContent-Length: 2\r\n\r\nab'],
    );
    expect(range).toContain('Range: bytes=0-1');
    expect(range).toContain('Content-Range: bytes 0-1/26');
    expect(range).toContain('206: only the bytes Content-Range names (RFC 9110 §15.3.7)');
    const notModified = say(
      ['client', 'GET /a HTTP/1.1\r\nIf-None-Match: "x"\r\n\r\n'],
      ['server', 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 26\r\n\r\n'],
    );
    expect(notModified).toContain('HTTP/1.1 304 Not Modified · 2 fields · no body');
    const gzip = say(['client', 'GET / HTTP/1.1\r\n\r\n'], ['server', 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n\x1f\x8b']);
    expect(gzip).toContain('the body is gzip-coded: the bytes below are not the content itself (RFC 9110 §8.4)');
  });

  test('WebSocket frames after a 101: FIN, opcode, mask, length, payload, close code', () => {
    const lines = say(
      ['client', 'GET /echo HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
      [
        'server',
        Buffer.concat([Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'), encodeFrame(Opcode.text, 'hi', { mask: null })]),
      ],
      ['client', encodeFrame(Opcode.binary, Buffer.from([0x00, 0xff]), { fin: false })],
      ['client', encodeFrame(Opcode.close, closePayload(1000, 'bye'))],
    );
    expect(lines.slice(-5)).toEqual([
      'HTTP/1.1 101 Switching Protocols · 1 field · the protocol changes after this head',
      'Upgrade: websocket',
      'WebSocket text frame · FIN · unmasked · 2 bytes: "hi"',
      'WebSocket binary frame · not FIN · masked · 2 bytes: "\\x00\\xff"',
      'WebSocket close frame · FIN · masked · 1000 (normal closure) "bye"',
    ]);
  });

  test('WebSocket text as text: UTF-8 decoded, quotes and backslashes kept, only what cannot be seen escaped; a longer preview; bytes stay bytes', () => {
    const upgrade: Array<['client' | 'server', string]> = [
      ['client', 'GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
      ['server', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
    ];
    const json = '{"type":"message","text":"héllo ✓ 👋 \\"quoted\\"\\ttab"}'; // JSON's own escapes, shown as sent
    const long = `${'a'.repeat(PREVIEW_CHARS - 1)}é${'b'.repeat(50)}`;
    // A text message in two frames, a UTF-8 sequence (é: c3 a9) cut between them.
    const split = Buffer.from('café au lait');
    const lines = say(
      ...upgrade,
      ['client', encodeFrame(Opcode.text, json)],
      ['client', encodeFrame(Opcode.text, 'tab\tnew\nline \\ esc\x1b rtl\u202e nul\x00 del\x7f')],
      ['client', encodeFrame(Opcode.text, long)],
      ['client', encodeFrame(Opcode.text, split.subarray(0, 4), { fin: false })],
      ['client', encodeFrame(Opcode.ping, 'between fragments')],
      ['client', encodeFrame(Opcode.continuation, split.subarray(4))],
      ['client', encodeFrame(Opcode.text, Buffer.from([0x68, 0xff, 0x69]))],
      ['server', encodeFrame(Opcode.binary, Buffer.from('é"'), { mask: null })],
      ['server', encodeFrame(Opcode.close, closePayload(1001, 'fermé'), { mask: null })],
    );
    expect(lines.slice(-9)).toEqual([
      `WebSocket text frame · FIN · masked · ${Buffer.byteLength(json)} bytes: "${json}"`,
      'WebSocket text frame · FIN · masked · 36 bytes: "tab\\tnew\\nline \\ esc\\x1b rtl\\u{202e} nul\\x00 del\\x7f"',
      // Cut after PREVIEW_CHARS characters, not bytes: the é counts once.
      `WebSocket text frame · FIN · masked · ${Buffer.byteLength(long)} bytes: "${'a'.repeat(PREVIEW_CHARS - 1)}é…"`,
      'WebSocket text frame · not FIN · masked · 4 bytes: "caf\\xc3"',
      'WebSocket ping frame · FIN · masked · 17 bytes: "between fragments"',
      'WebSocket continuation frame · FIN · masked · 9 bytes: "\\xa9 au lait"',
      'WebSocket text frame · FIN · masked · 3 bytes: "h\\xffi"', // not UTF-8: the byte, escaped
      'WebSocket binary frame · FIN · unmasked · 3 bytes: "\\xc3\\xa9\\""',
      'WebSocket close frame · FIN · unmasked · 1001 (going away) "fermé"',
    ]);
  });

  test("a client's masked frames are handed over unmasked, for the page", () => {
    const conversation = new Conversation();
    conversation.data('client', Buffer.from('GET /chat HTTP/1.1\r\nUpgrade: websocket\r\n\r\n'));
    conversation.data('server', Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'));
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const frame = encodeFrame(Opcode.binary, payload, { mask: Buffer.from([0x12, 0x34, 0x56, 0x78]) });
    // Cut at odd places: the mask must be applied from each byte's offset in the payload.
    let from = 0;
    for (const to of [3, 7, 11, 101, frame.length]) conversation.data('client', frame.subarray(from, (from = to)));
    const [unmasked, ...others] = conversation.takeUnmasked();
    expect(others).toEqual([]);
    expect(unmasked!.bytes.equals(payload)).toBe(true);
    expect(unmasked).toMatchObject({ size: 300, text: false, frame: expect.stringMatching(/^WebSocket binary frame · FIN · masked · 300 bytes: "\\x00\\x01/) });
    expect(conversation.takeUnmasked()).toEqual([]);
    // The server's frames are not masked: their bytes on the wire already read as they mean.
    conversation.data('server', encodeFrame(Opcode.text, 'hi', { mask: null }));
    expect(conversation.takeUnmasked()).toEqual([]);
  });

  test('TLS: the ClientHello in the clear (name, ALPN, versions), the ServerHello, alerts; encrypted records only counted', () => {
    const hello = records(clientHello({ serverName: 'a.test', grease: true, keyShareBytes: 1216 }), { sizes: [600] }); // 2 records
    const random = Buffer.alloc(32, 0x42);
    const serverHelloBody = Buffer.concat([
      Buffer.from([3, 3]),
      random,
      Buffer.from([0]),
      Buffer.from([0x13, 0x01, 0]),
      Buffer.from('0006002b00020304', 'hex'),
    ]);
    const serverHello = record(Buffer.concat([Buffer.from([2, 0, 0, serverHelloBody.length]), serverHelloBody]), { version: 0x0303 });
    const ccs = record(Buffer.from([1]), { type: ContentType.change_cipher_spec, version: 0x0303 });
    const encrypted = (n: number) => record(Buffer.alloc(n, 0xee), { type: ContentType.application_data, version: 0x0303 });
    const lines = say(
      ...[...hello].map((b) => ['client', Buffer.from([b])] as ['client', Buffer]), // one byte at a time
      ['server', Buffer.concat([serverHello, ccs, encrypted(300), encrypted(40)])],
      ['client', Buffer.concat([ccs, encrypted(53)])],
    );
    expect(lines).toEqual([
      `TLS ClientHello · server_name "a.test" · ALPN h2, http/1.1 · offers TLS 1.3, TLS 1.2 · ${hello.length - 14} bytes (readable by anyone on the path)`,
      'TLS ServerHello · TLS 1.3 · cipher suite 0x1301 · 46 bytes',
      'TLS change_cipher_spec record · 1 byte',
      'TLS application_data record · 300 bytes (encrypted: from here on spy, like anyone on the path, sees only record sizes)',
      'TLS application_data record · 40 bytes (encrypted)',
      'TLS change_cipher_spec record · 1 byte',
      'TLS application_data record · 53 bytes (encrypted: from here on spy, like anyone on the path, sees only record sizes)',
    ]);
    const bare = clientHello({ serverName: null, alpn: [] });
    expect(say(['client', records(bare)], ['server', alertRecord(112)])).toEqual([
      `TLS ClientHello · no server_name · offers TLS 1.3, TLS 1.2 · ${bare.length - 4} bytes (readable by anyone on the path)`,
      'TLS alert · fatal · unrecognized_name (112)',
    ]);
  });

  test('a protocol spy cannot tell stays raw: no summaries', () => {
    expect(say(['client', 'hello\n'], ['server', 'hello\n'])).toEqual([]);
    expect(say(['server', 'name?\n'], ['client', 'GET / HTTP/1.1\r\n\r\n'])).toEqual([]);
  });
});

describe('HTTP/2 as spy reads it', () => {
  /** A conversation fed byte by byte, in the order given: the lines, and the bytes of each lane (`client 0`, `server 3`). */
  const h2 = (...steps: Array<['client' | 'server', Buffer]>) => {
    const conversation = new Conversation();
    const lines: string[] = [];
    const lanes = new Map<string, Buffer>();
    for (const [from, bytes] of steps) {
      for (const byte of bytes) {
        for (const piece of conversation.pieces(from, Buffer.from([byte]))) {
          lines.push(...piece.lines);
          const lane = `${from} ${piece.stream ?? 0}`; // as the session does: no stream yet (still sniffing) is the connection's lane
          lanes.set(lane, Buffer.concat([lanes.get(lane) ?? Buffer.alloc(0), piece.bytes]));
        }
      }
    }
    return { lines, lanes, conversation };
  };
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

  test('frames both ways by type, stream, flags and length, with what they carry; header blocks decoded (CONTINUATION joined, padding and priority stripped); one lane per stream; cut anywhere', () => {
    const requests = new H2HeaderEncoder({ index: true, huffman: true }); // the client's blocks share one dynamic table
    const first = requests.encode([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/a'],
      [':authority', 'x.test'],
      ['x-bytes', '\x00\xff "q"'],
    ]);
    const second = requests.encode([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/b'],
      [':authority', 'x.test'], // from the dynamic table: only a decoder that kept the first block reads it
    ]);
    const half = Math.floor(first.length / 2);
    const priority = Buffer.concat([u32(0x80000000 | 0), Buffer.from([15])]); // exclusive on stream 0, weight 16
    const clientFrames = {
      settings: h2SettingsFrame([
        [0x1, 8192],
        [0x3, 100],
        [0x99, 7],
      ]),
      headers: h2Frame(H2Type.HEADERS, 0x1 | 0x8 | 0x20, 1, Buffer.concat([Buffer.from([3]), priority, first.subarray(0, half), Buffer.alloc(3)])),
      continuation: h2Frame(H2Type.CONTINUATION, 0x4, 1, first.subarray(half)),
      second: h2Frame(H2Type.HEADERS, 0x1 | 0x4, 3, second),
      window: h2Frame(H2Type.WINDOW_UPDATE, 0, 0, u32(1000)),
      rst: h2Frame(H2Type.RST_STREAM, 0, 3, u32(H2Error.CANCEL)),
      unknown: h2Frame(0xfa, 0x01, 0, Buffer.from('ab')),
      badSettings: h2Frame(H2Type.SETTINGS, 0, 0, Buffer.from([0, 1, 0, 0, 0x10])),
      ping: h2Frame(H2Type.PING, 0, 0, Buffer.from('0001020304050607', 'hex')),
    };
    const responses = new H2HeaderEncoder({ index: true, huffman: true }); // the server's table: another one
    const serverSettings = h2SettingsFrame([[0x4, 1 << 20]]);
    const serverFrames = {
      ack: H2_SETTINGS_ACK,
      headers: h2Frame(
        H2Type.HEADERS,
        0x4,
        1,
        responses.encode([
          [':status', '200'],
          ['content-type', 'text/plain'],
        ]),
      ),
      text: h2Frame(H2Type.DATA, 0, 1, Buffer.from('héllo\n')),
      binary: h2Frame(H2Type.DATA, 0x1 | 0x8, 1, Buffer.from([2, 0x00, 0xff, 0, 0])),
      broken: h2Frame(H2Type.HEADERS, 0x4 | 0x1, 3, Buffer.from([0x80])), // index 0: no HPACK decoder can read it
      after: h2Frame(H2Type.HEADERS, 0x4 | 0x1, 5, Buffer.from([0x88])),
      goaway: h2Frame(H2Type.GOAWAY, 0, 0, Buffer.concat([u32(3), u32(H2Error.PROTOCOL_ERROR), Buffer.from('bad')])),
    };
    const { settings, headers, continuation, second: request3, rst, ...connection } = clientFrames;
    // The server's SETTINGS overtakes the client's preface, as it may (RFC 9113 §3.4). The server's
    // response indexes a field between the client's two requests: a decoder shared by both
    // directions would read the second request's index 62 as content-type.
    const { lines, lanes } = h2(
      ['server', serverSettings],
      ['client', Buffer.concat([H2_PREFACE, settings, headers, continuation])],
      ['server', Buffer.concat([serverFrames.ack, serverFrames.headers, serverFrames.text, serverFrames.binary])],
      ['client', Buffer.concat([request3, connection.window, rst, connection.unknown, connection.badSettings, connection.ping])],
      ['server', Buffer.concat([serverFrames.broken, serverFrames.after, serverFrames.goaway])],
    );
    expect(lines).toEqual([
      'HTTP/2 SETTINGS frame · stream 0 · 6 bytes: INITIAL_WINDOW_SIZE 1048576',
      'HTTP/2 client preface "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" (RFC 9113 §3.4)',
      'HTTP/2 SETTINGS frame · stream 0 · 18 bytes: HEADER_TABLE_SIZE 8192, MAX_CONCURRENT_STREAMS 100, unknown 0x99 7',
      `HTTP/2 HEADERS frame · stream 1 · END_STREAM PADDED PRIORITY · ${clientFrames.headers.length - 9} bytes: depends on stream 0, exclusive, weight 16`,
      `HTTP/2 CONTINUATION frame · stream 1 · END_HEADERS · ${first.length - half} bytes`,
      '  :method: GET',
      '  :scheme: http',
      '  :path: /a',
      '  :authority: x.test',
      '  x-bytes: \\x00\\xff "q"',
      'HTTP/2 SETTINGS frame · stream 0 · ACK · 0 bytes',
      'HTTP/2 HEADERS frame · stream 1 · END_HEADERS · ' + (serverFrames.headers.length - 9) + ' bytes',
      '  :status: 200',
      '  content-type: text/plain',
      'HTTP/2 DATA frame · stream 1 · 7 bytes: "héllo\\n"',
      'HTTP/2 DATA frame · stream 1 · END_STREAM PADDED · 5 bytes (2 bytes of padding): "\\x00\\xff"',
      `HTTP/2 HEADERS frame · stream 3 · END_STREAM END_HEADERS · ${second.length} bytes`,
      '  :method: GET',
      '  :scheme: http',
      '  :path: /b',
      '  :authority: x.test',
      'HTTP/2 WINDOW_UPDATE frame · stream 0 · 4 bytes: increment 1000',
      'HTTP/2 RST_STREAM frame · stream 3 · 4 bytes: CANCEL (0x8)',
      'HTTP/2 frame of unknown type 0xfa · stream 0 · flags 0x01 · 2 bytes (ignored by the receiver, §5.5): 61 62',
      'HTTP/2 SETTINGS frame · stream 0 · 5 bytes: a SETTINGS payload is a multiple of 6 bytes (§6.5): 00 01 00 00 10',
      'HTTP/2 PING frame · stream 0 · 8 bytes: 0001020304050607', // read on after the frame it could not
      'HTTP/2 HEADERS frame · stream 3 · END_STREAM END_HEADERS · 1 byte',
      'header block not decoded: HPACK index 0 (RFC 7541 §6.1: indexes start at 1) (RFC 7541; a COMPRESSION_ERROR, RFC 9113 §4.3): 80',
      'HTTP/2 HEADERS frame · stream 5 · END_STREAM END_HEADERS · 1 byte',
      "header block of 1 byte not decoded: an earlier block could not be, so spy's table no longer matches",
      'HTTP/2 GOAWAY frame · stream 0 · 11 bytes: last stream 3 · PROTOCOL_ERROR (0x1) · debug "bad"',
    ]);
    // Every byte is on the lane of its frame's stream, in order, the preface on the connection's.
    expect(lanes.get('client 0')).toEqual(
      Buffer.concat([H2_PREFACE, settings, connection.window, connection.unknown, connection.badSettings, connection.ping]),
    );
    expect(lanes.get('client 1')).toEqual(Buffer.concat([headers, continuation]));
    expect(lanes.get('client 3')).toEqual(Buffer.concat([request3, rst]));
    expect(lanes.get('server 0')).toEqual(Buffer.concat([serverSettings, serverFrames.ack, serverFrames.goaway]));
    expect(lanes.get('server 1')).toEqual(Buffer.concat([serverFrames.headers, serverFrames.text, serverFrames.binary]));
    expect(lanes.get('server 5')).toEqual(serverFrames.after);
  });

  test('the two prefaces cut and interleaved: each side read from its first byte, each byte on its own side once', () => {
    const settings = h2SettingsFrame([[0x3, 10]]);
    const clientBytes = Buffer.concat([H2_PREFACE, h2SettingsFrame(), h2Frame(H2Type.HEADERS, 0x5, 1, Buffer.from([0x82]))]);
    for (const [clientCut, serverCut] of [
      [8, 9],
      [8, 4],
      [0, 4],
      [24, 4],
    ] as const) {
      const { lines, lanes } = h2(
        ['client', clientBytes.subarray(0, clientCut)],
        ['server', settings.subarray(0, serverCut)],
        ['client', clientBytes.subarray(clientCut)],
        ['server', settings.subarray(serverCut)],
      );
      expect(lanes.get('client 0'), `cut at ${clientCut}/${serverCut}`).toEqual(clientBytes.subarray(0, 33));
      expect(lanes.get('client 1')).toEqual(clientBytes.subarray(33));
      expect(lanes.get('server 0')).toEqual(settings);
      expect(lines.filter((line) => line.includes('MAX_CONCURRENT_STREAMS 10'))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith('HTTP/2 client preface'))).toHaveLength(1);
      expect(lines).toContain('  :method: GET');
    }
  });

  test("frame header rules a receiver enforces: stream 0 or not by type, and the receiver's SETTINGS_MAX_FRAME_SIZE", () => {
    const big = Buffer.alloc(16385, 0x61);
    const { lines } = h2(
      [
        'client',
        Buffer.concat([H2_PREFACE, h2Frame(H2Type.PING, 0, 1, Buffer.alloc(8)), h2Frame(H2Type.DATA, 0, 0, Buffer.from('x')), h2Frame(H2Type.DATA, 0, 1, big)]),
      ],
      ['server', h2SettingsFrame([[0x5, 20000]])],
      ['client', h2Frame(H2Type.DATA, 0x1, 1, big)], // allowed now: the server takes frames up to 20000 octets
      ['client', h2Frame(H2Type.WINDOW_UPDATE, 0, 7, u32(1))], // both: on a stream or on the connection
    );
    expect(lines.filter((line) => !line.startsWith('HTTP/2 '))).toEqual([
      'a PING frame belongs to stream 0, not 1: a PROTOCOL_ERROR (RFC 9113 §6)',
      'a DATA frame belongs to a stream, never to stream 0: a PROTOCOL_ERROR (RFC 9113 §6)',
      '16385 bytes, over the 16384 octets the receiver allows (SETTINGS_MAX_FRAME_SIZE): a FRAME_SIZE_ERROR (RFC 9113 §4.2)',
    ]);
    expect(lines).toContain('HTTP/2 DATA frame · stream 1 · END_STREAM · 16385 bytes: "' + 'a'.repeat(PREVIEW_CHARS) + '…"');
  });

  test('the preface is not taken for a request line, and HTTP/1.1 that starts like it still is HTTP/1.1', () => {
    const preface = h2(['client', H2_PREFACE], ['client', h2SettingsFrame()]);
    expect(preface.lines).toEqual([
      'HTTP/2 client preface "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" (RFC 9113 §3.4)',
      'HTTP/2 SETTINGS frame · stream 0 · 0 bytes: none (every default stands)',
    ]);
    expect(h2(['client', Buffer.from('PRI / HTTP/1.1\r\n\r\n')]).lines).toEqual(['PRI / HTTP/1.1 · 0 fields · no body']);
    // A server that speaks first with something else is not HTTP at all.
    expect(h2(['server', Buffer.from('\x00\x00\x00\x01\x00\x00\x00\x00\x01')], ['client', H2_PREFACE]).lines).toEqual([]);
  });

  test('a frame cut off by the close, or a length no peer would send, is said and never breaks the reading', () => {
    const { conversation, lines } = h2(['client', Buffer.concat([H2_PREFACE, h2Frame(H2Type.DATA, 0, 1, Buffer.alloc(10)).subarray(0, 14)])]);
    expect(lines).toEqual(['HTTP/2 client preface "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" (RFC 9113 §3.4)']);
    expect(conversation.end('client')).toEqual(['the connection ended inside a frame: 5 of its 10 payload bytes had come']);
    // Not HTTP/2 after all: text read as frame headers gives a 16 MiB frame; spy counts it, holds a preview.
    const garbage = h2(['client', Buffer.concat([H2_PREFACE, Buffer.from('\xff\xff\xffGET / HTTP/1.1\r\n', 'latin1')])]);
    expect(garbage.lines).toHaveLength(1);
    expect(garbage.conversation.end('client')).toEqual(['the connection ended inside a frame: 10 of its 16777215 payload bytes had come']);
    expect(h2(['client', H2_PREFACE.subarray(0, 20)]).conversation.end('client')).toEqual([]);
  });

  test('through the relay: the bytes pass unchanged, each stream on its own lane (c1/s1), the connection on c1', async (context) => {
    const { client, peer, lines } = await spyBetween(context);
    const block = new H2HeaderEncoder().encode([
      [':method', 'GET'],
      [':path', '/'],
    ]);
    const sent = Buffer.concat([H2_PREFACE, h2SettingsFrame(), h2Frame(H2Type.HEADERS, 0x5, 1, block), h2Frame(H2Type.HEADERS, 0x5, 3, block)]);
    const arrived: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => arrived.push(chunk));
    client.write(sent);
    await until(() => Buffer.concat(arrived).length === sent.length);
    expect(Buffer.concat(arrived)).toEqual(sent);
    const answer = h2Frame(H2Type.DATA, 0x1, 3, Buffer.from('three'));
    peer.write(answer);
    const back: Buffer[] = [];
    client.on('data', (chunk: Buffer) => back.push(chunk));
    await until(() => lines.some((l) => l.includes('DATA frame · stream 3')));
    expect(Buffer.concat(back)).toEqual(answer);
    const text = lines.join('\n');
    expect(text).toMatch(/^\+\d+ms +c1 +→ 33 bytes\n.*HTTP\/2 client preface/m);
    expect(text).toMatch(/^\+\d+ms +c1\/s1 +→ 11 bytes\n +HTTP\/2 HEADERS frame · stream 1 · END_STREAM END_HEADERS · 2 bytes\n +:method: GET\n +:path: \/$/m);
    expect(text).toMatch(/^\+\d+ms +c1\/s3 +→ 11 bytes\n +HTTP\/2 HEADERS frame · stream 3/m);
    expect(text).toMatch(/^\+\d+ms +c1\/s3 +← 14 bytes\n +HTTP\/2 DATA frame · stream 3 · END_STREAM · 5 bytes: "three"$/m);
  });
});

describe('the live printer', () => {
  test('past its limit, counts events by connection, however many stream lanes (c1/s3) they were on; the lane column widens for them', () => {
    const lines: string[] = [];
    const live = new LivePrinter((line) => lines.push(line), 1);
    const event = (who: string): SpyEvent => ({ at: 0, kind: 'send', who, size: 1, pieces: 1, head: 'eA==' });
    for (const who of ['c1/s11', 'c1', 'c1/s1', 'c1/s3', 'c2/s1']) live.event(event(who));
    live.stop();
    expect(lines[0]).toMatch(/^\+0ms +c1\/s11 → 1 byte$/);
    expect(lines.at(-1)).toBe('… 4 more events on 2 connections (c1–c2) not drawn: 4 bytes →, 0 bytes ← (more than 1 events a second)');
  });
});

describe('the order of events', () => {
  test('events are handed on in the order they started, though bytes close later than a mark on another lane', async () => {
    const handed: SpyEvent[] = [];
    const record = new SpyRecord((event) => handed.push(event));
    record.mark('c1', 'connect', 'connected');
    record.data('c1', 'send', Buffer.from('GET / HTTP/1.1\r\n'), []); // stays open: more bytes may follow
    record.mark('c2', 'connect', 'connected'); // complete at once, but c1's bytes began before it
    expect(handed.map((event) => `${event.who} ${event.kind}`)).toEqual(['c1 connect']);
    await until(() => handed.length === 3); // c1's bytes close after a pause, then both go
    record.data('c2', 'send', Buffer.from('x'), []);
    record.mark('c1', 'fin', 'server closed its side (FIN)');
    record.flush();
    expect(handed.map((event) => `${event.who} ${event.kind}`)).toEqual(['c1 connect', 'c1 send', 'c2 connect', 'c2 send', 'c1 fin']);
    expect(record.events).toEqual(handed);
    for (let i = 1; i < handed.length; i++) expect(handed[i]!.at).toBeGreaterThanOrEqual(handed[i - 1]!.at);
  });
});

/** Waits for a condition that events will make true, bounded. */
async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('the condition did not become true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
