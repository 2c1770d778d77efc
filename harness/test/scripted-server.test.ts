// The scripted TCP server, on real sockets: it accepts the code under test's connection as a
// recording RawClient, and says so plainly when no connection comes.

import net from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { LessonFailure } from '../testing/failure.ts';
import { ScriptedServer } from '../testing/scripted-server.ts';
import { Transcript } from '../wire/transcript.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

async function setup() {
  const transcript = new Transcript();
  const server = await ScriptedServer.listen(transcript);
  cleanup.push(() => server.close());
  return { transcript, server };
}

function dial(port: number): net.Socket {
  const socket = net.connect({ host: '127.0.0.1', port });
  cleanup.push(() => socket.destroy());
  return socket;
}

test('hands over each connection as a RawClient that records both directions', async () => {
  const { server, transcript } = await setup();
  const socket = dial(server.port);
  const peer = await server.accept();
  socket.write('request\n');
  expect((await peer.readUntil('\n')).toString()).toBe('request\n');
  const received = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
  await peer.send('response\n');
  expect(await received).toBe('response\n');
  const kinds = transcript.events.map((e) => `${e.kind}:${e.who}`);
  expect(kinds).toEqual(['connect:server', 'recv:server', 'send:server']);
  expect(transcript.events[0]!.text).toMatch(/^accepted a connection from 127\.0\.0\.1:\d+$/);
});

test('names later connections server2, server3', async () => {
  const { server } = await setup();
  dial(server.port);
  dial(server.port);
  expect((await server.accept()).name).toBe('server');
  expect((await server.accept()).name).toBe('server2');
});

test('fails with a teaching message when no connection comes', async () => {
  const { server } = await setup();
  const error = await server.accept({ timeoutMs: 200 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LessonFailure);
  expect((error as Error).message).toBe(`Expected your client to connect to 127.0.0.1:${server.port} within 0.2 s, but it did not.`);
});

test("reports the client's close in the client's name", async () => {
  const { server } = await setup();
  const socket = dial(server.port);
  const peer = await server.accept();
  socket.end();
  const error = await peer.readUntil('\n').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as Error).message).toMatch(/^Expected bytes up to "\\n", but your client closed the connection \(FIN\)/);
});
