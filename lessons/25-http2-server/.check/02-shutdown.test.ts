// Hidden tests for http2-server, part 2: a graceful shutdown. On SIGTERM or SIGINT every HTTP/2
// connection gets GOAWAY NO_ERROR with the last stream it processed; that stream finishes, a
// stream the client opens after the GOAWAY is not processed, and then the connection closes.
// HTTP/1.1 connections close at once between requests, or after the response in progress; chat
// members get 1001. Then the process exits, without waiting out --shutdown-timeout. Each test
// ends its program, so each has one of its own (a port and a signal of its own).

import WebSocket from 'ws';
import {
  H2Type,
  check,
  describeH2Frame,
  freePort,
  readResponseHead,
  readBody,
  readResponse,
  request,
  serverTest,
  checkHeader,
  checkStatus,
  toBuffer,
  type H2Frame,
  type Server,
} from '#harness/testing/index.ts';
import { getFrame, readUntil, sendPreface, windowUpdate } from './h2.ts';
import { argsWith, certs, trusting } from './setup.ts';

const SHUTDOWN_TIMEOUT = '20000';
/**
 * The HTTP/1.1 response in flight at SIGINT: its first line comes at once, the rest one every
 * INTERVAL_MS. The signal goes as soon as the test has read the head, so the signal has 700 ms to
 * arrive while the response still has lines to go: a few milliseconds on an idle machine, with
 * room for a loaded one. (A signal that came later would find the connection idle, and closing it
 * at once is then right: the reference passes either way.)
 */
const SHEEP = 3;
const INTERVAL_MS = 350;
const SHEEP_PATH = `/sheep?n=${SHEEP}&interval=${INTERVAL_MS}`;
/** The HTTP/2 response in flight at SIGTERM: held by flow control, not by time (see the test). */
const H2_SHEEP_PATH = `/sheep?n=${SHEEP}&interval=0`;
const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

/** Waits for the program to exit (5 s at most) and checks that it exited 0. */
async function checkExits(server: Server, signal: string, what: string): Promise<void> {
  const exit = await Promise.race([server.program.exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 5000))]);
  check(exit !== undefined && server.program.exit?.code === 0, {
    message: `Expected the server to exit with code 0 within 5 s of ${signal} once ${what}, but it ${exit === undefined ? 'is still running' : server.program.describeExit()}.`,
    why: `Once every connection has closed there is nothing left to wait for: --shutdown-timeout (${SHUTDOWN_TIMEOUT} ms here) is only for connections that never finish.`,
    hint: 'connections.shutdown() resolves when every HTTP/2 connection has closed and every HTTP/1.1 loop has ended.',
  });
}

const h2cPortA = await freePort();
const http2Test = serverTest('http2-server', { args: argsWith(h2cPortA, '--shutdown-timeout', SHUTDOWN_TIMEOUT) });

http2Test
  .skipIf(process.platform === 'win32')
  .concurrent(
    'on SIGTERM, sends GOAWAY NO_ERROR with the last stream id, finishes the stream in flight, processes no stream above it, then closes',
    async ({ server }) => {
      const client = await server.connectTo(h2cPortA);
      // The client's stream windows start at 0: the response's HEADERS goes out, its DATA waits
      // until the client opens the window after the GOAWAY. Stream 1 is in flight for as long as
      // the test needs, however slow the machine.
      await sendPreface(client, [getFrame(1, H2_SHEEP_PATH)], [[SETTINGS_INITIAL_WINDOW_SIZE, 0]]);
      const data: Buffer[] = [];
      const onStream1 = (frame: H2Frame) => frame.streamId === 1 && frame.type === H2Type.DATA && data.push(frame.payload);
      await readUntil(client, (frame) => (onStream1(frame), frame.streamId === 1 && frame.type === H2Type.HEADERS), {
        what: `the response's HEADERS on stream 1 (GET ${H2_SHEEP_PATH}, its DATA held by a stream window of 0)`,
      });
      process.kill(server.program.pid!, 'SIGTERM');
      const seen = await readUntil(client, (frame) => (onStream1(frame), frame.type === H2Type.GOAWAY || (frame.streamId === 1 && (frame.flags & 0x1) !== 0)), {
        what: 'a GOAWAY after SIGTERM',
        why: 'A graceful shutdown starts with GOAWAY: the client learns which streams will be processed, and opens no more on this connection.',
        spec: 'RFC 9113 §6.8',
        hint: 'connections.shutdown() calls goAway() on every Http2Connection.',
        timeoutMs: 3000,
      });
      const goaway = seen.at(-1)!;
      check(goaway.type === H2Type.GOAWAY, {
        message: `Expected a GOAWAY while stream 1 is still in flight, received ${describeH2Frame(goaway)} first: the stream ended before the server said anything.`,
        why: 'The server was sent SIGTERM while the response on stream 1 waited for the client to open its window; its GOAWAY comes at once, not after the streams.',
        spec: 'RFC 9113 §6.8',
        hint: 'connections.shutdown() calls goAway() on every Http2Connection right away.',
      });
      const code = goaway.payload.readUInt32BE(4);
      const last = goaway.payload.readUInt32BE(0) & 0x7fffffff;
      check(code === 0 && last === 1, {
        message: `Expected GOAWAY with NO_ERROR (0x0) and last-stream-id 1, received ${describeH2Frame(goaway)}.`,
        why: 'A shutdown is no error, and stream 1 was being processed: it is at or below the last-stream-id, so the client waits for it instead of retrying it elsewhere.',
        spec: 'RFC 9113 §6.8',
      });
      // A stream opened after the GOAWAY is above the last-stream-id: it must not be processed (its
      // HEADERS would come whatever the window). Then the window opens, and stream 1 may finish.
      await client.send([getFrame(3, '/hello.txt'), windowUpdate(1, 1 << 16)]);
      const rest = await readUntil(
        client,
        (frame) => (onStream1(frame), frame.streamId === 1 && (frame.flags & 0x1) !== 0 && frame.type !== H2Type.RST_STREAM),
        {
          what: 'the rest of stream 1, to its END_STREAM',
          why: 'Streams at or below the last-stream-id finish: the shutdown is graceful.',
          spec: 'RFC 9113 §6.8',
          hint: 'connections.shutdown() waits for each connection to close; goAway() lets streams in flight finish.',
          timeoutMs: 3000,
        },
      );
      const lines = Buffer.concat(data).toString('latin1');
      check(lines.split('\n').filter(Boolean).length === SHEEP, {
        message: `Expected all ${SHEEP} lines on stream 1, received ${JSON.stringify(lines)}.`,
        spec: 'RFC 9113 §6.8',
      });
      const answered3 = rest.find((frame) => frame.streamId === 3 && (frame.type === H2Type.HEADERS || frame.type === H2Type.DATA));
      check(answered3 === undefined, {
        message: `Expected no response on stream 3, opened after the GOAWAY, received ${answered3 ? describeH2Frame(answered3) : 'none'}.`,
        why: 'A stream above the last-stream-id is not processed: the client was told so and retries it on a new connection.',
        spec: 'RFC 9113 §6.8',
      });
      await client.expectClose({ timeoutMs: 3000, why: 'After the last stream, the server closes the connection.', spec: 'RFC 9113 §6.8' });
      // The client closes its side too, as a browser does on a FIN: without it the server's
      // connection ends only at its fallback destroy (a second later), and the exit waits for it.
      await client.end();
      await checkExits(server, 'SIGTERM', 'its only connection closed');
    },
  );

const http1Test = serverTest('http2-server', { args: argsWith(await freePort(), '--shutdown-timeout', SHUTDOWN_TIMEOUT, '--idle-timeout', '15000') });

http1Test
  .skipIf(process.platform === 'win32')
  .concurrent(
    'on SIGINT, closes an idle HTTP/1.1 connection at once, answers a request in progress with Connection: close, finishes a response in progress, and says 1001 to the chat',
    async ({ server }) => {
      const idle = await server.connectTls(trusting(['http/1.1']));
      await idle.send(request({ target: '/hello.txt' }));
      await readBody(idle, await readResponseHead(idle, { what: 'the response to GET /hello.txt' }));
      // A request whose handler is still reading its body: its response has not started.
      const waiting = await server.connectTls(trusting(['http/1.1']));
      await waiting.send(toBuffer('POST /inspect HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello'));
      const ws = new WebSocket(`wss://localhost:${server.port}/chat`, { ca: certs.caPem });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => (ws.send(JSON.stringify({ type: 'join', name: 'ann' })), resolve()));
        ws.once('error', reject);
      });
      await new Promise((resolve) => ws.once('message', resolve));
      // A response in progress, opened last: its lines are still to come when the signal arrives.
      const busy = await server.connectTls(trusting(['http/1.1']));
      await busy.send(request({ target: SHEEP_PATH }));
      const head = await readResponseHead(busy, { what: `the head of the response to GET ${SHEEP_PATH}` });

      process.kill(server.program.pid!, 'SIGINT');
      await idle.expectClose({
        timeoutMs: 1000,
        why: 'An HTTP/1.1 connection between requests owes nobody anything: a shutdown closes it at once. A server that waits for its idle timeout delays its own exit by it (15 s here).',
        spec: 'RFC 9112 §9.6',
        hint: 'connections.shutdown(): conn.end() for every HTTP/1.1 connection that is not busy.',
      });
      // The client closes its side too, as a browser does on a FIN: the server's lingering close ends.
      await idle.end();
      await waiting.send(toBuffer('world'));
      const answer = await readResponse(waiting, { what: 'the response to the POST /inspect whose body ended after SIGINT', timeoutMs: 3000 });
      checkStatus(answer, 200);
      checkHeader(answer, 'Connection', 'close', {
        why: 'The response was written after the shutdown began: it says that the connection closes after it, so that the client sends its next request elsewhere instead of on a connection about to close.',
        spec: 'RFC 9112 §9.6',
        hint: "In writeResponse, once this.closing: pass { ...writeOptions, connection: 'close' }.",
      });
      await waiting.expectClose({ timeoutMs: 1000, why: 'A response with Connection: close is the last one on its connection.', spec: 'RFC 9112 §9.6' });
      await waiting.end();
      const { body } = await readBody(busy, head, {
        timeoutMs: 3000,
        what: `the rest of the response to GET ${SHEEP_PATH} after SIGINT`,
        why: 'A response in progress is finished before its connection closes: the client asked before the shutdown.',
        spec: 'RFC 9112 §9.6',
        hint: 'Do not end or destroy a busy HTTP/1.1 connection: its writer ends it after the response.',
      });
      check(body.toString('latin1').split('\n').filter(Boolean).length === SHEEP, {
        message: `Expected all ${SHEEP} lines of the response in progress, received ${JSON.stringify(body.toString('latin1'))}.`,
        spec: 'RFC 9112 §9.6',
      });
      await busy.expectClose({
        timeoutMs: 1000,
        why: 'During a shutdown, a connection closes after its current response instead of waiting for another request.',
        spec: 'RFC 9112 §9.6',
        hint: 'After writing a response while shutting down, end the connection (conn.end()).',
      });
      await busy.end();
      const code = await Promise.race([closed, new Promise<string>((resolve) => setTimeout(() => resolve('no close within 3 s'), 3000))]);
      check(code === 1001, {
        message: `Expected the chat member's connection to close with 1001 (going away), received ${code}.`,
        spec: 'RFC 6455 §7.4.1',
        hint: 'server.ts calls chat.shutdown() beside connections.shutdown().',
      });
      await checkExits(server, 'SIGINT', 'every connection closed');
    },
  );
