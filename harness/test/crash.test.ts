// Reading the exception that ended a program out of its stderr (process/crash.ts), on what Node
// really prints for the ways a program dies.

import { describe, expect, test } from 'vitest';
import { crashFrom } from '../process/crash.ts';

const root = '/work/nfs';
const lines = (text: string) => text.split('\n');

describe('crashFrom', () => {
  test("an 'error' event with no listener: the error's first line, its code, and the program's own frame", () => {
    const stderr = lines(`127.0.0.1:50312 connected
node:events:497
      throw er; // Unhandled 'error' event
      ^

Error: write ECONNRESET
    at afterWriteDispatched (node:internal/stream_base_commons:161:15)
    at Writable.write (node:internal/streams/writable:510:10)
    at Socket.<anonymous> (/work/nfs/lessons/01-tcp-echo/server.ts:26:12)
    at Socket.emit (node:events:524:28)
Emitted 'error' event on Socket instance at:
    at emitErrorNT (node:internal/streams/destroy:169:8)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {
  errno: -104,
  code: 'ECONNRESET',
  syscall: 'write'
}

Node.js v20.20.2`);
    expect(crashFrom(stderr, root)).toEqual({
      exception: 'Error: write ECONNRESET',
      unhandledErrorEvent: true,
      errorCode: 'ECONNRESET',
      where: 'lessons/01-tcp-echo/server.ts:26',
    });
  });

  test('a thrown error whose message spans lines: its first line, and where it was thrown', () => {
    const stderr = lines(`/work/nfs/lessons/05-json-protocol/server.ts:14
async function f() { throw new SyntaxError('Unexpected token } in JSON\\nsecond line'); }
                           ^


SyntaxError: Unexpected token } in JSON
second line
    at f (/work/nfs/lessons/05-json-protocol/server.ts:14:28)
    at <anonymous> (/work/nfs/lessons/05-json-protocol/server.ts:2:1)

Node.js v20.20.2`);
    expect(crashFrom(stderr, root)).toEqual({
      exception: 'SyntaxError: Unexpected token } in JSON',
      unhandledErrorEvent: false,
      errorCode: undefined,
      where: 'lessons/05-json-protocol/server.ts:14',
    });
  });

  test('a thrown string, after an error the program only logged: the last crash counts, placed by the line above the caret', () => {
    const stderr = lines(`Error: logged, not fatal
    at <anonymous> (/work/nfs/lessons/01-tcp-echo/server.ts:1:15)

/work/nfs/lessons/01-tcp-echo/server.ts:2
setTimeout(() => { throw 'just a string'; }, 1);
                   ^

just a string
(Use \`node --trace-uncaught ...\` to show where the exception was thrown)

Node.js v20.20.2`);
    expect(crashFrom(stderr, root)).toMatchObject({ exception: 'just a string', unhandledErrorEvent: false, where: 'lessons/01-tcp-echo/server.ts:2' });
  });

  test('an unhandled rejection: the rejection line, its code, no frame of the program', () => {
    const stderr = lines(`node:internal/process/promises:389
      new UnhandledPromiseRejection(reason);
      ^

UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "plain reason".
    at throwUnhandledRejectionsMode (node:internal/process/promises:389:7)
    at process.processTicksAndRejections (node:internal/process/task_queues:96:32) {
  code: 'ERR_UNHANDLED_REJECTION'
}

Node.js v20.20.2`);
    const crash = crashFrom(stderr, root);
    expect(crash?.exception).toMatch(/^UnhandledPromiseRejection: .*"plain reason"\.$/);
    expect(crash).toMatchObject({ errorCode: 'ERR_UNHANDLED_REJECTION', where: undefined });
  });

  test('file URLs in frames are read as paths', () => {
    const stderr = lines(`TypeError: boom
    at Socket.<anonymous> (file:///work/nfs/lessons/03-line-protocol/server.ts:40:9)

Node.js v20.20.2`);
    expect(crashFrom(stderr, root)).toMatchObject({ exception: 'TypeError: boom', where: 'lessons/03-line-protocol/server.ts:40' });
  });

  test('no crash in what it printed: nothing', () => {
    expect(crashFrom([], root)).toBeUndefined();
    expect(crashFrom(lines('listening on 127.0.0.1:3000\nbye'), root)).toBeUndefined();
  });
});
