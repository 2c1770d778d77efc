// Hidden tests for http2-streams, part 3: flow control of what the server sends (RFC 9113 §5.2,
// §6.9): the client's stream and connection windows, changes of SETTINGS_INITIAL_WINDOW_SIZE on
// open streams (down to a negative window), WINDOW_UPDATE's errors, bounded memory for a client
// that reads nothing, and DATA shared fairly between streams.

import { serverTest, check, byteCount, H2Error, H2Type, h2Frame, h2SettingsFrame } from '#harness/testing/index.ts';
import { SETTINGS_INITIAL_WINDOW_SIZE, SETTINGS_MAX_FRAME_SIZE, END_STREAM, get, headers, openPeer, ping, post, windowUpdate, END_HEADERS } from './peer.ts';
import { NOISE, NOISE_PATH } from './site.ts';
import { ClientWindows, FLOW, readData } from './windows.ts';

// Tests that prove silence (expectNothingMore) or weigh the program's memory (stats) run alone:
// silence is proved fastest with no other client open, and memory is the program's, not one
// connection's. The others have a connection each and run at once (test.concurrent).
const test = serverTest('http2-streams');
const INITIAL = 'RFC 9113 §6.9.2';
const window0 = { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 0]] as Array<[number, number]> };

async function responseHeaders(peer: Awaited<ReturnType<typeof openPeer>>, id: number): Promise<void> {
  await peer.until((f) => f.type === H2Type.HEADERS && f.streamId === id, `the response HEADERS on stream ${id}`, {
    why: 'HEADERS is not flow-controlled: it goes out even when the windows are 0.',
    spec: FLOW,
  });
}

test('sends no DATA into a window of 0, exactly 1000 octets after a WINDOW_UPDATE of 1000, and the rest as the window grows', async ({ server }) => {
  const peer = await openPeer(server, window0);
  const windows = new ClientWindows(65535, 0);
  await peer.send(headers(1, get(NOISE_PATH)));
  await responseHeaders(peer, 1);
  await peer.client.expectNothingMore(150, {
    why: 'The client announced SETTINGS_INITIAL_WINDOW_SIZE 0: no DATA may go out on its streams until a WINDOW_UPDATE makes room.',
    spec: FLOW,
    hint: "Start each stream's send window at the client's INITIAL_WINDOW_SIZE, and wait while it is 0.",
  });
  await peer.send(windowUpdate(1, 1000));
  windows.grow(1, 1000);
  const first = await readData(peer, windows, 1, 1000, 'the 1000 octets the WINDOW_UPDATE allows');
  await peer.client.expectNothingMore(150, { why: 'The window is used up again: nothing more may come until the next WINDOW_UPDATE.', spec: FLOW });
  await peer.send(windowUpdate(1, 1 << 20));
  windows.grow(1, 1 << 20);
  const rest = await readData(peer, windows, 1, NOISE.length, 'the rest of the body', true);
  const body = Buffer.concat([first.data, rest.data]);
  check(rest.ended && body.equals(NOISE), {
    message: `Expected the whole file (${byteCount(NOISE.length)}) and END_STREAM, received ${byteCount(body.length)}${rest.ended ? '' : ' without END_STREAM'}.`,
    expected: NOISE,
    received: body,
    why: 'Flow control delays data; it never loses or reorders any.',
    spec: FLOW,
  });
});

test.concurrent('sends a first DATA frame of 1 octet to a client whose INITIAL_WINDOW_SIZE is 1', async ({ server }) => {
  const peer = await openPeer(server, { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 1]] });
  await peer.send(headers(1, get('/hello.txt')));
  const frame = await peer.until((f) => f.type === H2Type.DATA && f.streamId === 1, 'the first DATA on stream 1');
  check(frame.length === 1, {
    message: `Expected a first DATA frame of 1 octet (the window), received one of ${frame.length}.`,
    why: 'The sender must not send a flow-controlled frame larger than the window left.',
    spec: FLOW,
  });
});

test.concurrent('applies a new SETTINGS_INITIAL_WINDOW_SIZE to a stream already open (0, then 1)', async ({ server }) => {
  const peer = await openPeer(server, window0);
  await peer.send(headers(1, get('/hello.txt')));
  await responseHeaders(peer, 1);
  await peer.send(h2SettingsFrame([[SETTINGS_INITIAL_WINDOW_SIZE, 1]]));
  const frame = await peer.until((f) => f.type === H2Type.DATA && f.streamId === 1, 'a DATA frame of 1 octet after INITIAL_WINDOW_SIZE went from 0 to 1', {
    why: 'A new SETTINGS_INITIAL_WINDOW_SIZE changes the window of every open stream by the difference: stream 1 now has 1 octet.',
    spec: INITIAL,
    hint: "On SETTINGS, add (new - old) INITIAL_WINDOW_SIZE to each open stream's send window, then send what waits.",
  });
  check(frame.length === 1, { message: `Expected a DATA frame of 1 octet, received one of ${frame.length}.`, spec: INITIAL });
});

test.concurrent('tracks a window made negative by a smaller INITIAL_WINDOW_SIZE (3, then 2, then a WINDOW_UPDATE of 2)', async ({ server }) => {
  const peer = await openPeer(server, { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 3]] });
  const windows = new ClientWindows(65535, 3);
  await peer.send(headers(1, get('/hello.txt')));
  await readData(peer, windows, 1, 3, 'the first 3 octets');
  // The window is 0; 2 - 3 makes it -1, and a WINDOW_UPDATE of 2 brings it to 1.
  await peer.send(h2SettingsFrame([[SETTINGS_INITIAL_WINDOW_SIZE, 2]]));
  windows.retarget(-1, [1]);
  await peer.until((f) => f.type === H2Type.SETTINGS && (f.flags & 1) !== 0, 'the SETTINGS ACK');
  await peer.send(windowUpdate(1, 2));
  windows.grow(1, 2);
  const next = await peer.until((f) => f.type === H2Type.DATA && f.streamId === 1, 'a DATA frame of 1 octet', {
    why: 'SETTINGS can make a window negative (-1 here); the sender then waits until WINDOW_UPDATEs bring it above 0, and sends no more than that (1 octet).',
    spec: INITIAL,
    hint: 'Let the window go below 0; send only while it is above 0, and never more than it.',
  });
  windows.take(next);
});

test.concurrent("sends DATA frames of at most the client's SETTINGS_MAX_FRAME_SIZE (20000)", async ({ server }) => {
  const peer = await openPeer(server, {
    settings: [
      [SETTINGS_MAX_FRAME_SIZE, 20000],
      [SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24],
    ],
  });
  await peer.send([headers(1, get('/stream?mib=1')), windowUpdate(0, 1 << 24)]);
  const response = await peer.response(1);
  const largest = Math.max(...response.dataFrames.map((f) => f.length));
  check(largest <= 20000 && response.body.length === 1 << 20, {
    message: `Expected 1 MiB in DATA frames of at most 20000 octets, received ${byteCount(response.body.length)} in frames of up to ${largest}.`,
    why: "SETTINGS_MAX_FRAME_SIZE is the largest frame the client accepts; the server's frames must fit it.",
    spec: 'RFC 9113 §4.2',
  });
});

test('stops at the connection window (65535 octets) however large the stream window, until a WINDOW_UPDATE on stream 0', async ({ server }) => {
  const peer = await openPeer(server, { settings: [[SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24]] });
  const windows = new ClientWindows(65535, 1 << 24);
  await peer.send(headers(1, get('/stream?mib=1')));
  const first = await readData(peer, windows, 1, 65535, 'the first 65535 octets (the connection window)');
  check(first.data.length === 65535, { message: `Expected 65535 octets, received ${first.data.length}.`, spec: FLOW });
  await peer.client.expectNothingMore(150, {
    why: 'The connection window starts at 65535 and SETTINGS never change it: with it used up, nothing may go out on any stream.',
    spec: FLOW,
    hint: 'Spend the connection window with every DATA frame; wait when it is 0.',
  });
  await peer.send(windowUpdate(0, 1 << 24));
  windows.grow(0, 1 << 24);
  const rest = await readData(peer, windows, 1, (1 << 20) - 65535, 'the rest, after the WINDOW_UPDATE on stream 0', true);
  check(rest.ended, { message: 'Expected the body to end (END_STREAM) with the rest of the 1 MiB.', spec: FLOW });
});

test('holds no more than a little of a 64 MiB response for a client whose window is 0', async ({ server }) => {
  const peer = await openPeer(server, window0);
  const before = await server.stats();
  await peer.send(headers(1, get('/stream?mib=64')));
  await responseHeaders(peer, 1);
  await peer.client.expectNothingMore(300, { why: 'A window of 0: no DATA.', spec: FLOW });
  const after = await server.stats();
  const grown = (after?.arrayBuffers ?? 0) - (before?.arrayBuffers ?? 0);
  check(grown < 16 * 1024 * 1024, {
    message: `Expected the server to hold at most a few pieces of the body while the client's window is 0, but its buffers grew by ${byteCount(grown)}.`,
    why: "A response waits for the window one piece at a time: the next piece is asked of the application only once this one is sent. Queuing the whole body for a client that reads nothing lets any client fill the server's memory.",
    spec: 'RFC 9113 §5.2',
    hint: 'sendData() should settle only once its data has been written; await it before taking the next piece from the source.',
  });
});

test.concurrent('shares the connection window fairly: a second response is not starved by a large one on another stream', async ({ server }) => {
  const peer = await openPeer(server, window0);
  // Stream 1 first, then stream 3, each followed by a PING: its ACK comes once the server has
  // taken the request and queued the first piece of the body (pieces of /stream are made at once).
  const settled = async () => {
    await peer.send(ping());
    await peer.until((f) => f.type === H2Type.PING && (f.flags & 1) !== 0, 'the PING ACK');
  };
  await peer.send(headers(1, get('/stream?mib=4')));
  await responseHeaders(peer, 1);
  await settled();
  await peer.send(headers(3, get('/stream?mib=1')));
  await responseHeaders(peer, 3);
  await settled();
  // Both bodies wait on stream windows of 0; a setting opens both at once. The connection window
  // (65535) is then shared by two streams with data: taking turns frame by frame, stream 3 gets
  // at least one frame of 16384 octets of it, though stream 1 was first in line.
  await peer.send(h2SettingsFrame([[SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24]]));
  const sent = new Map<number, number>([
    [1, 0],
    [3, 0],
  ]);
  let total = 0;
  while (total < 65535) {
    const frame = await peer.until((f) => f.type === H2Type.DATA, `DATA until the connection window is used up (${total} of 65535 octets so far)`, {
      spec: FLOW,
    });
    sent.set(frame.streamId, (sent.get(frame.streamId) ?? 0) + frame.length);
    total += frame.length;
  }
  check(sent.get(3)! >= 16384, {
    message: `Expected streams 1 and 3 to share the 65535 octets of the connection window, received ${sent.get(1)} octets on stream 1 and ${sent.get(3)} on stream 3.`,
    why: 'Many streams share one connection: when several have data and room to send it, they take turns, so that a large response does not hold back every other one.',
    spec: 'RFC 9113 §5.2.2, §9.1',
    hint: 'Send one frame of a stream, then move it to the back of the queue (round robin).',
  });
});

interface WindowError {
  name: string;
  frames: (peer: Awaited<ReturnType<typeof openPeer>>) => Buffer[];
  stream?: number;
  code: number;
  why: string;
  hint: string;
}

const windowErrors: WindowError[] = [
  {
    name: 'a WINDOW_UPDATE of 0 on the connection',
    frames: () => [windowUpdate(0, 0)],
    code: H2Error.PROTOCOL_ERROR,
    why: 'An increment of 0 is a PROTOCOL_ERROR; on stream 0 it is a connection error.',
    hint: 'increment === 0 on stream 0 → ConnectionError(PROTOCOL_ERROR).',
  },
  {
    name: 'a WINDOW_UPDATE of 0 on an open stream',
    frames: () => [headers(1, post('/echo'), END_HEADERS), windowUpdate(1, 0)],
    stream: 1,
    code: H2Error.PROTOCOL_ERROR,
    why: 'An increment of 0 is a PROTOCOL_ERROR; on a stream it is a stream error.',
    hint: 'increment === 0 on a stream → StreamError(PROTOCOL_ERROR).',
  },
  {
    name: 'WINDOW_UPDATEs that take the connection window past 2^31-1',
    frames: () => [windowUpdate(0, 2 ** 31 - 1), windowUpdate(0, 2 ** 31 - 1)],
    code: H2Error.FLOW_CONTROL_ERROR,
    why: 'A window may not exceed 2^31-1; a WINDOW_UPDATE that takes the connection window past it is a connection error of type FLOW_CONTROL_ERROR.',
    hint: 'if (window + increment > 2 ** 31 - 1) → FLOW_CONTROL_ERROR.',
  },
  {
    name: 'WINDOW_UPDATEs that take a stream window past 2^31-1',
    frames: () => [headers(1, post('/echo'), END_HEADERS), windowUpdate(1, 2 ** 31 - 1), windowUpdate(1, 2 ** 31 - 1)],
    stream: 1,
    code: H2Error.FLOW_CONTROL_ERROR,
    why: "A WINDOW_UPDATE that takes a stream's window past 2^31-1 is a stream error of type FLOW_CONTROL_ERROR.",
    hint: 'Check the sum before adding it.',
  },
  {
    name: 'a WINDOW_UPDATE of 3 octets',
    frames: () => [h2Frame(H2Type.WINDOW_UPDATE, 0, 0, Buffer.from([0, 0, 1]))],
    code: H2Error.FRAME_SIZE_ERROR,
    why: 'A WINDOW_UPDATE is 4 octets; any other length is a connection error of type FRAME_SIZE_ERROR.',
    hint: 'Check payload.length === 4 before reading the increment.',
  },
  {
    name: 'a SETTINGS_INITIAL_WINDOW_SIZE that takes an open stream past 2^31-1',
    frames: () => [headers(1, post('/echo'), END_HEADERS), windowUpdate(1, 2 ** 31 - 1 - 65535), h2SettingsFrame([[SETTINGS_INITIAL_WINDOW_SIZE, 65536]])],
    code: H2Error.FLOW_CONTROL_ERROR,
    why: 'A change of INITIAL_WINDOW_SIZE that makes any stream window exceed 2^31-1 is a connection error of type FLOW_CONTROL_ERROR.',
    hint: 'When adding the difference to each stream, check the limit.',
  },
];

for (const { name, frames, stream, code, why, hint } of windowErrors) {
  test.concurrent(
    `answers ${name} with ${stream ? 'RST_STREAM' : 'GOAWAY'} ${code === H2Error.PROTOCOL_ERROR ? 'PROTOCOL_ERROR' : code === H2Error.FLOW_CONTROL_ERROR ? 'FLOW_CONTROL_ERROR' : 'FRAME_SIZE_ERROR'}`,
    async ({ server }) => {
      const peer = await openPeer(server);
      await peer.send(frames(peer));
      if (stream) {
        await peer.expectReset(stream, code, name, { why, spec: FLOW, hint });
        await peer.expectAlive('a stream error');
      } else {
        await peer.expectGoaway(code, name, { why, spec: 'RFC 9113 §6.9, §6.9.1', hint });
      }
    },
  );
}

void END_STREAM;
