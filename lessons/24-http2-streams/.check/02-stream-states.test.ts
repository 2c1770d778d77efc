// Hidden tests for http2-streams, part 2: stream states (RFC 9113 §5.1). Which frames each state
// allows, and the answer to the others: a stream error (RST_STREAM, the connection goes on) or a
// connection error (GOAWAY, then the close), with the code the RFC names.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test; the one
// that proves silence runs alone.

import { serverTest, h2Frame, H2Error, H2Type } from '#harness/testing/index.ts';
import {
  END_HEADERS,
  END_STREAM,
  PADDED,
  PRIORITY,
  SETTINGS_INITIAL_WINDOW_SIZE,
  data,
  get,
  headers,
  openPeer,
  post,
  priority,
  rstStream,
  windowUpdate,
} from './peer.ts';
import { STATES } from './site.ts';

const test = serverTest('http2-streams');

// A client window of 0: responses cannot send DATA, so a stream stays half-closed (remote) as
// long as a test needs it.
const STALLED = { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 0]] as Array<[number, number]> };

interface IdleCase {
  name: string;
  frame: Buffer;
}

const idle: IdleCase[] = [
  { name: 'DATA', frame: data(1, 'test', END_STREAM) },
  { name: 'RST_STREAM', frame: rstStream(1, H2Error.CANCEL) },
  { name: 'WINDOW_UPDATE', frame: windowUpdate(1, 100) },
  { name: 'CONTINUATION', frame: h2Frame(H2Type.CONTINUATION, END_HEADERS, 1, headers(1, get('/')).subarray(9)) },
];

for (const { name, frame } of idle) {
  test.concurrent(`answers ${name} on an idle stream with GOAWAY PROTOCOL_ERROR`, async ({ server }) => {
    const peer = await openPeer(server);
    await peer.send(frame);
    await peer.expectGoaway(H2Error.PROTOCOL_ERROR, `${name} on stream 1, which no HEADERS opened`, {
      why: 'A stream is idle until HEADERS opens it; any frame but HEADERS or PRIORITY on an idle stream is a connection error of type PROTOCOL_ERROR.',
      spec: STATES,
      hint: 'A stream id above the highest the client opened (or an even one) is idle: throw a ConnectionError there.',
      lastStreamId: 0,
    });
  });
}

test.concurrent('answers DATA on stream 0 with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(data(0, 'x'));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'DATA on stream 0', {
    why: 'DATA belongs to a stream; on stream 0 it is a PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.1',
  });
});

test.concurrent('answers HEADERS on an even stream with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(2, get('/')));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 2', {
    why: 'Streams a client opens have odd ids; an even one is a connection error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §5.1.1',
  });
});

test.concurrent('answers HEADERS on a stream below one opened earlier with GOAWAY PROTOCOL_ERROR naming the last stream', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(5, get('/hello.txt')));
  await peer.response(5);
  await peer.send(headers(3, get('/hello.txt')));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 3 after stream 5', {
    why: 'A new stream id is above every one the client used before; stream 3 was closed for good when stream 5 opened.',
    spec: 'RFC 9113 §5.1.1',
    lastStreamId: 5,
  });
});

test.concurrent('answers DATA on a half-closed (remote) stream with RST_STREAM STREAM_CLOSED, and the connection goes on', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), data(1, 'late', END_STREAM)]);
  await peer.expectReset(1, H2Error.STREAM_CLOSED, 'DATA after the END_STREAM of the HEADERS', {
    why: 'The client ended its half with END_STREAM: the stream is half-closed (remote), and anything but WINDOW_UPDATE, PRIORITY or RST_STREAM from it is a stream error of type STREAM_CLOSED.',
    spec: STATES,
    hint: 'Keep the state on the stream: after END_STREAM from the client, DATA is a StreamError(STREAM_CLOSED).',
  });
  await peer.expectAlive('a stream error');
});

test.concurrent('answers HEADERS on a half-closed (remote) stream with RST_STREAM STREAM_CLOSED', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), headers(1, [['x-late', 'yes']])]);
  await peer.expectReset(1, H2Error.STREAM_CLOSED, 'a second HEADERS after END_STREAM', {
    why: 'After END_STREAM from the client, its half of the stream is closed: a HEADERS frame there is a stream error of type STREAM_CLOSED.',
    spec: STATES,
  });
  await peer.expectAlive('a stream error');
});

test.concurrent('accepts WINDOW_UPDATE, PRIORITY and RST_STREAM on a half-closed (remote) stream', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), headers(3, get('/hello.txt')), priority(1, 0), windowUpdate(3, 1000), rstStream(1, H2Error.CANCEL)]);
  const response = await peer.response(3, {
    why: 'WINDOW_UPDATE, PRIORITY and RST_STREAM are allowed on a half-closed (remote) stream: the server still sends there, and the client may still steer or cancel it.',
    spec: STATES,
  });
  await peer.expectAlive('WINDOW_UPDATE, PRIORITY and RST_STREAM on half-closed streams');
  void response;
});

test.concurrent('answers DATA after the client reset the stream with RST_STREAM STREAM_CLOSED', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, post('/echo'), END_HEADERS), rstStream(1, H2Error.CANCEL), data(1, 'test', END_STREAM)]);
  await peer.expectReset(1, H2Error.STREAM_CLOSED, 'DATA on a stream the client reset', {
    why: 'RST_STREAM closes a stream at once; a frame other than PRIORITY after it is a stream error of type STREAM_CLOSED.',
    spec: STATES,
    hint: 'Remember how each stream closed: the client reset it, both sides ended it, or you reset it.',
  });
  await peer.expectAlive('a stream error');
});

test.concurrent('answers DATA on a stream closed by END_STREAM both ways with GOAWAY STREAM_CLOSED', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(headers(1, get('/hello.txt')));
  await peer.response(1);
  await peer.send(data(1, 'test', END_STREAM));
  await peer.expectGoaway(H2Error.STREAM_CLOSED, 'DATA on stream 1 after both sides ended it', {
    why: 'An endpoint that receives frames after both END_STREAMs treats that as a connection error of type STREAM_CLOSED.',
    spec: STATES,
    lastStreamId: 1,
  });
});

test.concurrent('answers a second HEADERS without END_STREAM (trailers that do not end the request) with RST_STREAM PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, post('/echo'), END_HEADERS), data(1, 'test'), headers(1, [['x-test', 'ok']], END_HEADERS)]);
  await peer.expectReset(1, H2Error.PROTOCOL_ERROR, 'trailers without END_STREAM', {
    why: 'A HEADERS frame after a request has started carries its trailers, and must end the stream; one without END_STREAM makes the request malformed.',
    spec: 'RFC 9113 §8.1, §8.1.1',
  });
  await peer.expectAlive('a malformed request');
});

test.concurrent('answers a frame between HEADERS and its CONTINUATION with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/hello.txt')).subarray(9);
  await peer.send([h2Frame(H2Type.HEADERS, END_STREAM, 1, block.subarray(0, 4)), priority(1, 0)]);
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'a PRIORITY frame in the middle of a header block', {
    why: 'A header block is HEADERS and CONTINUATION frames on one stream with nothing in between, not even PRIORITY.',
    spec: 'RFC 9113 §6.10, §4.3',
  });
});

test.concurrent('answers HEADERS on another stream in the middle of a header block with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/hello.txt')).subarray(9);
  await peer.send([h2Frame(H2Type.HEADERS, END_STREAM, 1, block.subarray(0, 4)), headers(3, get('/'))]);
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 3 while the block of stream 1 is open', { spec: 'RFC 9113 §6.10, §4.3' });
});

test.concurrent('answers a CONTINUATION after a HEADERS with END_HEADERS with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), h2Frame(H2Type.CONTINUATION, END_HEADERS, 1, Buffer.from([0x82]))]);
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'CONTINUATION after a block that had ended', {
    why: 'CONTINUATION only follows a HEADERS (or CONTINUATION) without END_HEADERS.',
    spec: 'RFC 9113 §6.10',
  });
});

test.concurrent('answers DATA whose Pad Length is as long as the payload with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  // Pad Length 5 in a payload of 5 octets: the padding would take the Pad Length octet too.
  await peer.send([headers(1, post('/echo'), END_HEADERS), h2Frame(H2Type.DATA, END_STREAM | PADDED, 1, Buffer.from([5, 0x61, 0, 0, 0]))]);
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'DATA with Pad Length 5 in a 5-octet payload', {
    why: 'If the padding is as long as the payload or longer, the frame is a connection error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.1',
    hint: 'padLength must be at most payload.length - 1 (the Pad Length octet itself).',
    lastStreamId: 1,
  });
});

test.concurrent('answers HEADERS whose Pad Length is longer than what follows with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/')).subarray(9);
  await peer.send(h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS | PADDED, 1, Buffer.concat([Buffer.from([block.length + 1]), block])));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, `HEADERS with Pad Length ${block.length + 1} and ${block.length} octets after it`, {
    why: 'Padding longer than what remains of the payload is a PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.2',
  });
});

test.concurrent('answers a HEADERS frame whose stream depends on itself with RST_STREAM PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  const block = headers(1, get('/')).subarray(9);
  await peer.send(h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS | PRIORITY, 1, Buffer.concat([Buffer.from([0, 0, 0, 1, 16]), block])));
  await peer.expectReset(1, H2Error.PROTOCOL_ERROR, 'HEADERS whose PRIORITY names stream 1 as its own parent', {
    why: 'A stream cannot depend on itself: that is a stream error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §5.3.1',
    hint: "With PRIORITY (0x20), read the 31-bit Stream Dependency (mask the E bit) and compare it with the frame's stream id.",
  });
  await peer.expectAlive('a stream error');
});

test.concurrent('answers a PRIORITY frame whose stream depends on itself with RST_STREAM PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), priority(1, 1)]);
  await peer.expectReset(1, H2Error.PROTOCOL_ERROR, 'PRIORITY naming stream 1 as its own parent', { spec: 'RFC 9113 §5.3.1' });
  await peer.expectAlive('a stream error');
});

test.concurrent('answers a PRIORITY frame of 4 octets with RST_STREAM FRAME_SIZE_ERROR', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), h2Frame(H2Type.PRIORITY, 0, 1, Buffer.from([0x80, 0, 0, 1]))]);
  await peer.expectReset(1, H2Error.FRAME_SIZE_ERROR, 'a 4-octet PRIORITY on stream 1', {
    why: 'A PRIORITY frame is 5 octets; any other length is a stream error of type FRAME_SIZE_ERROR.',
    spec: 'RFC 9113 §6.3',
  });
  await peer.expectAlive('a stream error');
});

test.concurrent('answers PRIORITY on stream 0 with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send(priority(0, 0));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'PRIORITY on stream 0', { spec: 'RFC 9113 §6.3' });
});

test.concurrent('takes PRIORITY on an idle stream without opening it: a lower stream may still open after it', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([priority(3, 0), headers(1, get('/hello.txt'))]);
  await peer.response(1, {
    why: 'PRIORITY may name an idle stream; it does not open it, so stream 1 is still a new stream after it.',
    spec: 'RFC 9113 §6.3, §5.1.1',
    hint: 'Only HEADERS moves the highest stream id on.',
  });
});

test.concurrent('answers RST_STREAM on stream 0 with GOAWAY PROTOCOL_ERROR, and one of 3 octets with FRAME_SIZE_ERROR', async ({ server }) => {
  let peer = await openPeer(server);
  await peer.send(rstStream(0, H2Error.CANCEL));
  await peer.expectGoaway(H2Error.PROTOCOL_ERROR, 'RST_STREAM on stream 0', { spec: 'RFC 9113 §6.4' });
  peer = await openPeer(server, STALLED);
  await peer.send([headers(1, get('/hello.txt')), h2Frame(H2Type.RST_STREAM, 0, 1, Buffer.from([0, 0, 8]))]);
  await peer.expectGoaway(H2Error.FRAME_SIZE_ERROR, 'a 3-octet RST_STREAM', {
    why: 'A RST_STREAM is 4 octets; any other length is a connection error of type FRAME_SIZE_ERROR.',
    spec: 'RFC 9113 §6.4',
  });
});

test.concurrent('answers RST_STREAM with an unknown error code by closing that stream only', async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, post('/echo'), END_HEADERS), rstStream(1, 0xff)]);
  await peer.expectAlive('RST_STREAM with the unknown code 0xff', {
    why: 'Unknown error codes trigger no special behaviour: the stream is reset, and that is all.',
    spec: 'RFC 9113 §7',
  });
});

test.concurrent("finishes the streams in flight after the client's GOAWAY, then closes", async ({ server }) => {
  const peer = await openPeer(server);
  await peer.send([headers(1, get('/slow')), h2Frame(H2Type.GOAWAY, 0, 0, Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]))]);
  const response = await peer.response(1, {
    why: 'GOAWAY says the client opens no more streams; the ones it already opened still get their responses.',
    spec: 'RFC 9113 §6.8',
    hint: 'On GOAWAY, stop taking new streams and close once the open ones are done.',
  });
  void response;
  await peer.client.expectClose({ why: 'With the last stream done after the GOAWAY, the connection has nothing left to carry.', spec: 'RFC 9113 §6.8' });
});

test.concurrent('serves 120 streams one batch of 40 after another: a closed stream no longer counts against the 100 allowed', async ({ server }) => {
  const peer = await openPeer(server);
  for (let batch = 0; batch < 3; batch++) {
    const ids = Array.from({ length: 40 }, (_, i) => 1 + 2 * (batch * 40 + i));
    await peer.send(ids.map((id) => headers(id, get('/hello.txt'))));
    for (const id of ids) {
      await peer.response(id, {
        why: 'SETTINGS_MAX_CONCURRENT_STREAMS counts streams that are open or half-closed; a stream whose both halves ended is closed and no longer counts.',
        spec: 'RFC 9113 §5.1.2',
        hint: 'Take a stream out of the open ones once it is closed (END_STREAM both ways, or RST_STREAM).',
      });
    }
  }
});

// Alone, and last so that the others make one group: its silence after the reset is proved
// fastest with no other client of the program open.
test('stops a response when the client resets its stream, and serves the next stream', async ({ server }) => {
  const peer = await openPeer(server, STALLED);
  await peer.send(headers(1, get('/stream?mib=64')));
  await peer.until((f) => f.type === H2Type.HEADERS && f.streamId === 1, 'the response HEADERS on stream 1');
  // The client cancels, then opens the windows: nothing more may come on stream 1.
  await peer.send([rstStream(1, H2Error.CANCEL), windowUpdate(1, 1 << 20), headers(3, get('/hello.txt')), windowUpdate(3, 1000)]);
  const response = await peer.response(3);
  void response;
  await peer.expectAlive('the reset of stream 1');
  await peer.client.expectNothingMore(100, {
    why: 'After RST_STREAM from the client the stream is closed: the server must send nothing more on it (its WINDOW_UPDATE is ignored).',
    spec: 'RFC 9113 §6.4, §5.1',
    hint: "On RST_STREAM, stop the stream's response: drop what it still had to send.",
  });
});
