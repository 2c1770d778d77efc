// clientCrashes (testing/crashes.ts) with tests that run at once: what a client throws from one
// of its event handlers fails the test whose client threw it, never the test running beside it.

import net from 'node:net';
import { expect, test } from 'vitest';
import { clientCrashes } from '../testing/crashes.ts';
import { LessonFailure } from '../testing/failure.ts';

const crashes = clientCrashes({
  handles: 'handle what the server sent',
  errorEvent: { why: 'unhandled', spec: 'spec', hint: 'listen' },
  handler: { why: 'thrown', hint: 'check' },
});

/** A server that sends one line to whoever connects. */
async function talker(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((socket) => socket.end('hello\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

test('each scope gets only what its own client threw; a crash nothing waited for still fails its scope', async () => {
  const server = await talker();
  try {
    const throwing = crashes.within(async () => {
      const socket = net.connect(server.port, '127.0.0.1');
      socket.on('data', () => {
        throw new TypeError("Cannot read properties of null (reading 'id')");
      });
      socket.on('error', () => {});
      await sleep(200); // the crash comes meanwhile; nothing here waits for it
    });
    const quiet = crashes.within(async () => {
      const socket = net.connect(server.port, '127.0.0.1');
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.resume();
      await Promise.race([crashes.crash(), closed]);
      await sleep(200);
      crashes.checkNoCrash();
      return 'fine';
    });
    const [thrown, calm] = await Promise.allSettled([throwing, quiet]);
    expect(thrown.status).toBe('rejected');
    const failure = (thrown as PromiseRejectedResult).reason as LessonFailure;
    expect(failure).toBeInstanceOf(LessonFailure);
    expect(failure.message).toContain("Cannot read properties of null (reading 'id')");
    expect(calm).toEqual({ status: 'fulfilled', value: 'fine' });
    // Nothing captures once every scope has ended.
    expect(process.hasUncaughtExceptionCaptureCallback()).toBe(false);
  } finally {
    server.close();
  }
});

test('an unhandled error event (a refused connection) fails its scope with the error-event teaching', async () => {
  const server = await talker();
  const { port } = server;
  server.close();
  await sleep(20);
  const refused = crashes.within(async () => {
    net.connect(port, '127.0.0.1'); // no 'error' listener
    await crashes.crash();
  });
  await expect(refused).rejects.toThrow(/'error' event, but an 'ECONNREFUSED' error was thrown/);
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
