// Hidden tests for http2-streams, part 5: the Http2Connection as the HTTP/2 server of lesson 25
// uses it, driven directly: goAway() is the graceful shutdown of RFC 9113 §6.8 (GOAWAY NO_ERROR
// naming the last stream processed, that stream finishes, nothing new starts, then the close),
// and `closed` settles once the socket is closed.

import { pairTest, importLessonModule, check, within, describeH2Frame, H2Type } from '#harness/testing/index.ts';
import { END_STREAM, get, handshake, headers, ping, ACK } from './peer.ts';

interface ConnectionModule {
  Http2Connection: new (
    socket: import('node:net').Socket,
    app: { match(method: string, target: string): { method: string; path: string; handler: () => Promise<unknown> } },
    options: { settingsTimeoutMs: number; maxConcurrentStreams: number },
  ) => { goAway(): Promise<void>; readonly closed: Promise<void> };
}

const SHUTDOWN = 'RFC 9113 §6.8';

/**
 * An application whose answers wait for the test to open `gate`: stream 1 stays in flight until
 * the test has seen the GOAWAY and sent stream 3, however slow the machine.
 */
function gatedApp() {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const app = {
    match: (method: string, target: string) => ({
      method,
      path: target,
      handler: async () => {
        await gate;
        return { status: 200, headers: [['Content-Type', 'text/plain']], body: `done ${target}\n` };
      },
    }),
  };
  return { app, open };
}

pairTest('goAway() sends GOAWAY NO_ERROR with the last stream, finishes that stream, starts no new one, then closes', async ({ pair }) => {
  const { Http2Connection } = await importLessonModule<ConnectionModule>('http2-streams', 'connection.ts', ['Http2Connection']);
  const { peer: client, socket } = await pair();
  const { app, open } = gatedApp();
  const connection = new Http2Connection(socket, app, { settingsTimeoutMs: 5000, maxConcurrentStreams: 10 });
  const peer = await handshake(client);
  // The PING ACK comes after the server has taken the HEADERS: stream 1 is in flight.
  await peer.send([headers(1, get('/first')), ping()]);
  await peer.until((f) => f.type === H2Type.PING && (f.flags & ACK) !== 0, 'the PING ACK');
  const done = connection.goAway();
  const goaway = await peer.until((f) => f.type === H2Type.GOAWAY, 'a GOAWAY after goAway()', {
    why: 'goAway() starts a graceful shutdown: a GOAWAY tells the client which streams will still be processed.',
    spec: SHUTDOWN,
  });
  const last = goaway.payload.readUInt32BE(0) & 0x7fffffff;
  const code = goaway.payload.readUInt32BE(4);
  check(code === 0 && last === 1, {
    message: `Expected GOAWAY NO_ERROR (0x0) with last-stream-id 1, received ${describeH2Frame(goaway)}.`,
    why: 'A graceful shutdown is not an error (NO_ERROR), and names the highest stream the server took: stream 1 will still be answered, anything above it will not.',
    spec: SHUTDOWN,
    hint: 'goAway(): write GOAWAY with this.lastProcessed and NO_ERROR, and stop taking new streams.',
  });
  // A stream the client opens after the GOAWAY is not processed. The PING ACK comes after the
  // server has taken its HEADERS; only then does stream 1's answer go.
  await peer.send([headers(3, get('/second')), ping()]);
  await peer.until((f) => f.type === H2Type.PING && (f.flags & ACK) !== 0, 'the PING ACK after HEADERS on stream 3');
  open();
  const response = await peer.response(1, {
    why: 'Streams at or below the last-stream-id of the GOAWAY are finished: the request in flight gets its whole response.',
    spec: SHUTDOWN,
    hint: 'After the GOAWAY, close only once the last open stream has closed (closeIfDone).',
  });
  check(response.body.toString() === 'done /first\n', {
    message: `Expected "done /first\\n", received ${JSON.stringify(response.body.toString())}.`,
    spec: SHUTDOWN,
  });
  for (;;) {
    const frame = await peer.next({ why: 'After the last stream, the connection closes.', spec: SHUTDOWN }).catch(() => undefined);
    if (!frame) break;
    check(frame.streamId !== 3 || frame.type === H2Type.RST_STREAM, {
      message: `Expected nothing on stream 3, opened after the GOAWAY, received ${describeH2Frame(frame)}.`,
      why: "A stream above the GOAWAY's last-stream-id is not processed: the client knows it may retry it on a new connection.",
      spec: SHUTDOWN,
      hint: 'While going away, decode the header block of a new stream (HPACK) and do nothing more with it.',
    });
  }
  // The server's FIN came (the loop ends on it, or on the read's deadline when no close comes): a
  // client answers with its own, so the socket closes now instead of at the server's fallback
  // destroy a second later. Only a FIN is answered: without one, `done` must settle on its own.
  if (client.state === 'fin') await client.end();
  await within(done, 2000, 'goAway() to settle once the connection has closed', "goAway() returns this.closed, which settles on the socket's close.");
  await within(connection.closed, 2000, 'closed to settle', 'closed settles when the socket emits close.');
  void END_STREAM;
});
