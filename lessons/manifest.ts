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
  {
    slug: 'tcp-chat',
    title: 'A TCP chat room',
    part: 'TCP',
    summary: 'Many clients in one room: names, joins and leaves, every line fanned out to the others, and a slow client that must not hold the room back.',
    files: ['server.ts'],
    program: { transport: 'tcp' },
    tryIt: [
      'npx learn run tcp-chat --port {port}',
      'nc 127.0.0.1 {port}        (in two or three terminals: type a name, then lines)',
      "printf 'ann\\nhello from a script\\n' | nc 127.0.0.1 {port}",
    ],
    learned: [
      'State shared by every connection (the room) lives in the one process; each handler reads and changes it in turn.',
      'Fan-out: a line is written to every other socket, and write() never waits, so each socket queues what its client has not read.',
      "A client that stops reading must not hold the room back: bound what waits for it (writableLength) and drop it past the bound.",
      "'close' is the one event every ending shares (FIN, reset, your own destroy): clean up there.",
    ],
  },
  {
    slug: 'json-protocol',
    title: 'A JSON request/response protocol',
    part: 'TCP',
    summary: 'Newline-delimited JSON with ids: a chat server with commands and pushes, and a client that matches responses to requests.',
    files: ['server.ts', 'client.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run json-protocol --port {port}',
      'npx tsx lessons/05-json-protocol/client.ts --port {port}    (the interactive client; run two)',
      'nc 127.0.0.1 {port}        (type {"id":1,"type":"TIME"})',
    ],
    learned: [
      'A message format on top of framing: one JSON value a line, with a type saying what it is.',
      'Ids let requests and responses travel independently: the client matches by id, never by order.',
      'A push is a message nobody asked for; a client must expect one between any two responses.',
      'A request that may never be answered needs a timeout, and a closed connection must settle every pending request.',
    ],
  },
  {
    slug: 'udp',
    title: 'UDP: datagrams, and reliability by hand',
    part: 'TCP',
    summary: 'A UDP echo server, then a client that gets a request through a lossy path with sequence numbers, timeouts and retries.',
    files: ['server.ts', 'client.ts'],
    program: { entry: 'server.ts', transport: 'udp' },
    tryIt: [
      'npx learn run udp --port {port}',
      'nc -u 127.0.0.1 {port}     (each line you type is one datagram)',
      "printf 'one datagram' | nc -u -w1 127.0.0.1 {port}",
    ],
    learned: [
      'UDP delivers datagrams: each send is one message, whole or not at all, with its boundaries kept.',
      'Nothing is resent, ordered or deduplicated for you, and there is no connection: every reply goes to the address it came from.',
      'Reliability is a protocol you can build: a sequence number, a timeout, retries, and ignoring what does not match.',
    ],
  },
];
