// Hidden tests for http2-frames, part 4: requests (a HEADERS frame on a new odd stream, its header
// block skipped, CONTINUATION followed until END_HEADERS) answered with the fixed response, and
// GOAWAY's last-stream-id.
// Each test has a connection of its own and counts nothing of the program's (no stats, no output):
// they run at once (test.concurrent), and the file takes about as long as its longest test;
// the one that proves silence runs alone.

import { serverTest, openH2, expectH2Frame, expectGoaway, H2Error, H2Type, h2Frame, H2_REQUEST_BLOCK } from '#harness/testing/index.ts';
import { END_HEADERS, END_STREAM, ping, pingAck, PING_TEACHING, request, responseData, responseHeaders, RESPONSE_TEACHING } from './h2.ts';

const test = serverTest('http2-frames');

async function expectResponse(client: Awaited<ReturnType<typeof openH2>>, streamId: number): Promise<void> {
  await expectH2Frame(client, responseHeaders(streamId), `the response HEADERS on stream ${streamId}`, RESPONSE_TEACHING);
  await expectH2Frame(client, responseData(streamId), `the response DATA with END_STREAM on stream ${streamId}`, RESPONSE_TEACHING);
}

test.concurrent('answers a request on stream 1 with HEADERS :status 200 and DATA "Hello, HTTP/2!\\n" with END_STREAM', async ({ server }) => {
  const client = await openH2(server);
  await client.send(request(1));
  await expectResponse(client, 1);
});

test.concurrent('answers requests on streams 1, 3 and 9, sent cut at random, each on its own stream', async ({ server }) => {
  const client = await openH2(server, { with: [request(1), request(3)], split: 'random' });
  await expectResponse(client, 1);
  await expectResponse(client, 3);
  await client.send(request(9), { split: 'random' });
  await expectResponse(client, 9);
});

// Alone: the silence before END_HEADERS is proved fastest with no other client open.
test('follows CONTINUATION frames, and answers only after END_HEADERS', async ({ server }) => {
  const client = await openH2(server);
  await client.send([
    h2Frame(H2Type.HEADERS, END_STREAM, 1, H2_REQUEST_BLOCK.subarray(0, 2)),
    h2Frame(H2Type.CONTINUATION, 0, 1, H2_REQUEST_BLOCK.subarray(2, 4)),
  ]);
  await client.expectNothingMore(200, {
    why: 'The header block is not complete until a frame with END_HEADERS (0x4): the request is not there yet.',
    spec: 'RFC 9113 §6.2, §6.10',
    hint: 'Respond on END_HEADERS, whether it is on the HEADERS or on a CONTINUATION.',
  });
  await client.send(h2Frame(H2Type.CONTINUATION, END_HEADERS, 1, H2_REQUEST_BLOCK.subarray(4)));
  await expectResponse(client, 1);
});

test.concurrent('answers a PING between HEADERS and its CONTINUATION with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send([h2Frame(H2Type.HEADERS, END_STREAM, 1, H2_REQUEST_BLOCK), ping()]);
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'a PING in the middle of a header block', {
    lastStreamId: 1,
    why: 'A header block is HEADERS then CONTINUATION frames on the same stream, with nothing in between; any other frame is a PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.10, §4.3',
    hint: 'While a header block is open (no END_HEADERS yet), accept only CONTINUATION on that stream.',
  });
});

test.concurrent('answers a request on an even stream with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(request(2));
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'HEADERS on stream 2', {
    why: 'Streams a client opens have odd ids; an even one (the server’s kind) from a client is a PROTOCOL_ERROR.',
    spec: 'RFC 9113 §5.1.1',
    hint: 'streamId % 2 === 0 → PROTOCOL_ERROR.',
  });
});

test.concurrent('answers a request on a stream below an earlier one with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(request(5));
  await expectResponse(client, 5);
  await client.send(request(3));
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'HEADERS on stream 3 after stream 5', {
    lastStreamId: 5,
    why: 'Each new stream a client opens has an id greater than every stream it opened before; a lower one is a connection error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §5.1.1',
    hint: 'Compare the new id with the highest one so far (lastStreamId): it must be greater.',
  });
});

test.concurrent('answers a PUSH_PROMISE from the client with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(h2Frame(H2Type.PUSH_PROMISE, END_HEADERS, 1, Buffer.concat([Buffer.from([0, 0, 0, 2]), H2_REQUEST_BLOCK])));
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'a PUSH_PROMISE sent by a client', {
    why: 'Only servers push; a client must not send PUSH_PROMISE, and a server that receives one treats it as a connection error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §8.4, §6.6',
    hint: 'PUSH_PROMISE (0x5) is a known type: it is not ignored like an unknown one.',
  });
});

test.concurrent("closes the connection after the client's GOAWAY", async ({ server }) => {
  const client = await openH2(server);
  await client.send(h2Frame(H2Type.GOAWAY, 0, 0, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])));
  await client.expectClose({
    why: 'A GOAWAY NO_ERROR from the client says it starts no more streams; with nothing in flight, the connection is done and the server closes it.',
    spec: 'RFC 9113 §6.8',
    hint: 'On a GOAWAY (stream 0, at least 8 octets), close the connection.',
  });
});

test.concurrent('answers HEADERS on stream 0 with GOAWAY PROTOCOL_ERROR', async ({ server }) => {
  const client = await openH2(server);
  await client.send(request(0));
  await expectGoaway(client, H2Error.PROTOCOL_ERROR, 'HEADERS on stream 0', {
    why: 'HEADERS belongs to a stream; on stream 0 it is a connection error of type PROTOCOL_ERROR.',
    spec: 'RFC 9113 §6.2',
    hint: 'Check the stream id of HEADERS before anything else.',
  });
});

test.concurrent("names the last stream it processed in the GOAWAY's last-stream-id", async ({ server }) => {
  const client = await openH2(server);
  await client.send([request(1), request(5)]);
  await expectResponse(client, 1);
  await expectResponse(client, 5);
  await client.send(h2Frame(H2Type.PING, 0, 0, Buffer.alloc(4)));
  await expectGoaway(client, H2Error.FRAME_SIZE_ERROR, 'a 4-octet PING after requests on streams 1 and 5', {
    lastStreamId: 5,
    why: 'A GOAWAY says which requests were processed: the highest stream id the server acted on.',
    spec: 'RFC 9113 §6.8',
    hint: 'Keep the highest stream id of each HEADERS, and write it in the GOAWAY.',
  });
});

test.concurrent('answers a PING again after a request, with the R bit masked on a HEADERS stream id', async ({ server }) => {
  const client = await openH2(server);
  await client.send(h2Frame(H2Type.HEADERS, END_STREAM | END_HEADERS, 3, H2_REQUEST_BLOCK, { reserved: true }));
  await expectResponse(client, 3);
  await client.send(ping());
  await expectH2Frame(client, pingAck(), 'a PING ACK', PING_TEACHING);
});
