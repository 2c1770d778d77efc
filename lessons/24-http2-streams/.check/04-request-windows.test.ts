// Hidden tests for http2-streams, part 4: flow control of what the client sends (our windows,
// RFC 9113 §6.9), and SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2). The server runs with
// --initial-window 1000 and --max-streams 3, so both limits are reached with little data.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test.

import { serverTest, check, byteCount, H2_PREFACE, H2_SETTINGS_ACK, H2Error, H2Type, h2SettingsFrame } from '#harness/testing/index.ts';
import {
  END_HEADERS,
  END_STREAM,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX_CONCURRENT_STREAMS,
  data,
  get,
  H2Peer,
  headers,
  openPeer,
  post,
  rstStream,
  windowUpdate,
} from './peer.ts';
import { FLOW } from './windows.ts';

const test = serverTest('http2-streams', { args: ['--initial-window', '1000', '--max-streams', '3'] });
const CONCURRENCY = 'RFC 9113 §5.1.2';

test.concurrent('announces SETTINGS_INITIAL_WINDOW_SIZE 1000 (--initial-window) and MAX_CONCURRENT_STREAMS 3', async ({ server }) => {
  const peer = await openPeer(server);
  const window = peer.serverSettings.find(([id]) => id === SETTINGS_INITIAL_WINDOW_SIZE)?.[1];
  const streams = peer.serverSettings.find(([id]) => id === SETTINGS_MAX_CONCURRENT_STREAMS)?.[1];
  check(window === 1000 && streams === 3, {
    message: `Expected SETTINGS_INITIAL_WINDOW_SIZE 1000 and SETTINGS_MAX_CONCURRENT_STREAMS 3, received ${JSON.stringify(peer.serverSettings)}.`,
    why: 'The client learns the window of each stream it opens, and how many it may open, from the SETTINGS the server sends first.',
    spec: 'RFC 9113 §6.5.2',
    hint: 'Send [INITIAL_WINDOW_SIZE, options.initialWindowSize] when it is not the default 65535.',
  });
});

test.concurrent('answers a DATA frame of 1001 octets on a stream whose window is 1000 with RST_STREAM FLOW_CONTROL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, post('/inspect'), END_HEADERS), data(1, Buffer.alloc(1001, 0xe9), END_STREAM)]);
  await peer.expectReset(1, H2Error.FLOW_CONTROL_ERROR, 'a DATA frame larger than the stream window the server announced', {
    why: 'The server announced a window of 1000 octets per stream (acknowledged by the client before it opened the stream); DATA beyond it breaks flow control.',
    spec: FLOW,
    hint: "Keep a receive window per stream, starting at your own INITIAL_WINDOW_SIZE once the client has acknowledged your SETTINGS, and take each DATA frame's whole payload from it.",
  });
  await peer.expectAlive('a stream error');
});

/**
 * Past the connection window (65535) once: the server must give the connection's window back as
 * well as the stream's. Each 1000 octets cost a round trip, so no more than that: 200 000 took
 * longer than the test's time on a loaded machine.
 */
const UPLOAD = 70_000;

test.concurrent('gives window back with WINDOW_UPDATE as the application reads: a 70 000-octet upload through a window of 1000', async ({ server }) => {
  const peer = await openPeer(server);
  const upload = Buffer.from(Array.from({ length: UPLOAD }, (_, i) => (i * 31) & 0xff));
  await peer.send(headers(1, post('/inspect', [['content-length', String(upload.length)]]), END_HEADERS));
  let stream = 1000;
  let connection = 65535;
  let sent = 0;
  while (sent < upload.length) {
    const size = Math.min(stream, connection, upload.length - sent);
    if (size > 0) {
      const end = sent + size === upload.length;
      await peer.send(data(1, upload.subarray(sent, sent + size), end ? END_STREAM : 0));
      sent += size;
      stream -= size;
      connection -= size;
      continue;
    }
    // Both windows are known to the client; it must wait for the server to open them.
    const update = await peer.until(
      (f) => f.type === H2Type.WINDOW_UPDATE,
      `a WINDOW_UPDATE (${byteCount(sent)} of ${byteCount(upload.length)} sent, stream window ${stream}, connection window ${connection})`,
      {
        why: 'The client has used up its window and waits: the server gives window back with WINDOW_UPDATE (on the stream, and on stream 0 for the connection) as the application reads the body.',
        spec: FLOW,
        hint: "When the application takes a piece of the body, count it; once enough is owed (say half the window), send WINDOW_UPDATE for the stream. Give the connection's window back too.",
      },
    );
    const increment = update.payload.readUInt32BE(0) & 0x7fffffff;
    if (update.streamId === 0) connection += increment;
    else if (update.streamId === 1) stream += increment;
  }
  const response = await peer.response(1);
  const seen = JSON.parse(response.body.toString('utf8')) as { bodyLength: number };
  check(seen.bodyLength === upload.length, {
    message: `Expected the application to read ${upload.length} octets, received ${seen.bodyLength}.`,
    spec: FLOW,
  });
});

test.concurrent('gives no window back for body data the application has not read', async ({ server }) => {
  const peer = await openPeer(server);
  // GET /sheep answers for 300 ms without reading the body the client sends with it.
  await peer.send([headers(1, get('/sheep?n=2&interval=300'), END_HEADERS), data(1, Buffer.alloc(1000, 0x61))]);
  const frames = [];
  for (;;) {
    const frame = await peer.until((f) => f.streamId === 1 || f.type === H2Type.WINDOW_UPDATE, 'the response on stream 1', { timeoutMs: 3000 });
    frames.push(frame);
    check(frame.type !== H2Type.WINDOW_UPDATE || frame.streamId !== 1, {
      message: 'Expected no WINDOW_UPDATE on stream 1 while its body lies unread, received one.',
      why: "The window bounds what the server holds for a stream: it is given back as the application reads. Given back on arrival, a client could send without limit while the application reads nothing, and the server's memory fills.",
      spec: 'RFC 9113 §5.2.1, §6.9',
      hint: 'Send the stream WINDOW_UPDATE from the body reader, as the application takes each piece, not when DATA arrives.',
    });
    if (frame.streamId === 1 && frame.flags & END_STREAM) break;
  }
});

test.concurrent('refuses a 4th concurrent stream with RST_STREAM REFUSED_STREAM, and takes a new one once a stream closes', async ({ server }) => {
  const peer = await openPeer(server, { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 0]] });
  // A window of 0 keeps the three responses from ending: the streams stay half-closed (remote).
  await peer.send([headers(1, get('/hello.txt')), headers(3, get('/hello.txt')), headers(5, get('/hello.txt'))]);
  for (const id of [1, 3, 5]) await peer.until((f) => f.type === H2Type.HEADERS && f.streamId === id, `the response HEADERS on stream ${id}`);
  await peer.send(headers(7, get('/hello.txt')));
  await peer.expectReset(7, H2Error.REFUSED_STREAM, 'a 4th stream while 3 are open and SETTINGS_MAX_CONCURRENT_STREAMS is 3', {
    why: 'Streams that are open or half-closed count against the limit the server announced; one more is refused with REFUSED_STREAM (the client may retry it), and the others go on.',
    spec: CONCURRENCY,
    hint: 'Before opening a stream, compare the number of streams not yet closed with options.maxConcurrentStreams.',
  });
  await peer.send([rstStream(1, H2Error.CANCEL), headers(9, get('/hello.txt')), windowUpdate(9, 1000)]);
  await peer.response(9, {
    why: 'The client reset stream 1: it is closed and no longer counts, so stream 9 fits under the limit.',
    spec: CONCURRENCY,
    hint: 'Take a stream out of the count once it is closed, by RST_STREAM as well as by END_STREAM both ways.',
  });
});

test.concurrent('takes DATA beyond 1000 octets, up to the default 65 535, from a client that has not yet acknowledged the SETTINGS', async ({ server }) => {
  const client = await server.connect();
  const upload = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7 + 0x80) & 0xff));
  // One write: the client's preface, and at once a request with 5000 octets of body. It has not
  // read the server's SETTINGS yet, so it can only go by the default window (65 535).
  await client.send([
    H2_PREFACE,
    h2SettingsFrame([]),
    headers(1, post('/inspect', [['content-length', String(upload.length)]]), END_HEADERS),
    data(1, upload, END_STREAM),
  ]);
  const peer = new H2Peer(client);
  const teaching = {
    why: "Until the client acknowledges the server's SETTINGS, it may not even have read them: it can only go by the default window of 65 535 octets. The server's SETTINGS_INITIAL_WINDOW_SIZE of 1000 binds the client from its ACK on.",
    spec: 'RFC 9113 §6.5.3, §6.9.2',
    hint: 'Start each stream with a receive window of 65 535 until the SETTINGS ACK comes; then apply your INITIAL_WINDOW_SIZE, to the open streams as well.',
  };
  const response = await peer.response(1, teaching);
  const status = response.header(':status');
  const seen = status === '200' ? (JSON.parse(response.body.toString('utf8')) as { bodyLength: number }) : undefined;
  check(seen?.bodyLength === upload.length, {
    message: `Expected 200 with a bodyLength of ${upload.length} for POST /inspect, received ${status} ${seen ? `with a bodyLength of ${seen.bodyLength}` : ''}.`,
    ...teaching,
  });
  await client.send(H2_SETTINGS_ACK);
  await peer.expectAlive('the request sent before the SETTINGS ACK', teaching);
});
