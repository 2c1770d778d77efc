// `learn spy`'s relay and summaries, in process but on real sockets: a SpySession between a plain
// client and a small server of the test's own, so that each side's view of FIN and RST can be
// checked where it lands. The command end to end (real clients, references, the page) is in
// spy.test.ts.

import net from 'node:net';
import { describe, expect, test, type TestContext } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Conversation } from '../spy/conversation.ts';
import { SpyRecord, type SpyEvent } from '../spy/record.ts';
import { SpySession } from '../spy/session.ts';
import { PREVIEW_CHARS } from '../wire/text-preview.ts';
import { setColour } from '../terminal.ts';
import { encodeFrame, closePayload, Opcode } from '../wire/websocket.ts';
import { alertRecord, clientHello, ContentType, record, records } from '../wire/tls.ts';

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
