// Every lesson, in course order. The fields are documented on LessonEntry (harness/lesson.ts);
// the number and folder (`01-tcp-echo`) follow from the position here.

import type { LessonEntry } from '../harness/lesson.ts';

export const manifest: LessonEntry[] = [
  {
    slug: 'tcp-echo',
    title: 'A TCP echo server',
    part: 'TCP',
    summary: 'A server that sends every byte it receives straight back, to many clients at once.',
    files: ['server.ts'],
    program: { transport: 'tcp' },
    tryIt: [
      'npx learn run tcp-echo --port {port}',
      'nc 127.0.0.1 {port}        (type a line, see it come back; Ctrl-D half-closes)',
      "printf 'hello\\n' | nc -N 127.0.0.1 {port}",
    ],
    learned: [
      'A TCP server is listen → accept → handle; Node calls your handler once per connection.',
      "TCP carries a stream of bytes: a 'data' event is whatever arrived, not a message.",
      'Bytes are not text: echo Buffers untouched.',
      'Each direction closes on its own (half-close), and a reset must not crash the server.',
    ],
  },
  {
    slug: 'socket-promises',
    title: 'Sockets as promises',
    part: 'TCP',
    summary: 'A small promise API over a socket (read, write) that pauses the socket between reads, and an async echo loop on it.',
    files: ['socket.ts', 'server.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: ['npx learn run socket-promises --port {port}', 'nc 127.0.0.1 {port}'],
    learned: [
      "The event loop runs one callback at a time; await is how sequential code waits without blocking it.",
      'pause() and resume() turn a push stream into a pull: the kernel buffer fills and the sender slows down.',
      "write() resolving on flush, and waiting for 'drain', is backpressure: memory stays bounded whatever the peer does.",
    ],
  },
  {
    slug: 'line-protocol',
    title: 'A line protocol',
    part: 'TCP',
    summary: 'Messages framed by newlines on a byte stream: a growable buffer, a parser, `quit` and `Echo:` replies, and a size limit.',
    files: ['buffer.ts', 'server.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: ['npx learn run line-protocol --port {port}', 'nc 127.0.0.1 {port}        (type hello, then quit)', "printf 'hello\\nworld\\nquit\\n' | nc 127.0.0.1 {port}"],
    learned: [
      'Framing: a message is whatever the protocol says it is, found by scanning a buffer, never by read boundaries.',
      'A growable buffer with amortised appends keeps parsing linear however the bytes arrive.',
      'Every buffer a peer can fill needs a limit, and going over it needs an answer.',
    ],
  },
];
