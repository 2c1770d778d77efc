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
    files: ['server.ts'],
    program: { transport: 'tcp' },
    tryIt: ['npx learn run line-protocol --port {port}', 'nc 127.0.0.1 {port}        (type hello, then quit)', "printf 'hello\\nworld\\nquit\\n' | nc 127.0.0.1 {port}"],
    learned: [
      'Framing: a message is whatever the protocol says it is, found by scanning a buffer, never by read boundaries.',
      'A growable buffer with amortised appends keeps parsing linear however the bytes arrive.',
      'Every buffer a peer can fill needs a limit, and going over it needs an answer.',
    ],
  },
  {
    slug: 'http-request-head',
    title: 'Reading an HTTP request head',
    part: 'HTTP/1.1',
    summary: 'Accumulate bytes until the empty line (at most 8 KiB), parse the request line and header fields by the grammar of RFC 9112, and reject what breaks it with 400, 431 or 505.',
    files: ['reader.ts', 'request-head.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-request-head --port {port}',
      'curl -v http://127.0.0.1:{port}/hello?x=1        (the body is what your parser saw)',
      "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Dup: a\\r\\nx-dup: b\\r\\n\\r\\n' | nc 127.0.0.1 {port}",
      "printf 'GET / HTTP/1.1\\r\\n\\r\\n' | nc 127.0.0.1 {port}        (no Host: 400)",
    ],
    learned: [
      'A request head ends at the first empty line; it arrives in any number of reads, and what follows it may arrive in the same read.',
      'Every buffer a client fills needs a limit, and going over it has its own answer (431).',
      'Header names are case-insensitive and may repeat; values lose only their surrounding spaces and tabs.',
      'Parse by the grammar and refuse what breaks it (400, 505): guessing is how two servers come to disagree about one request.',
    ],
  },
  {
    slug: 'http-response',
    title: 'Writing HTTP responses',
    part: 'HTTP/1.1',
    summary: 'A response writer (status line, header fields, Content-Length in bytes, Date, the head in one write, HEAD without a body) and a tiny router that answers 200, 404 and 405.',
    files: ['response.ts', 'router.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-response --port {port}',
      'curl -v http://127.0.0.1:{port}/greeting',
      'curl -I http://127.0.0.1:{port}/            (HEAD: the same head, no body)',
      'curl -v -X POST http://127.0.0.1:{port}/     (405 and Allow)',
    ],
    learned: [
      'A response is a status line, header fields and a body, each line ending in CRLF; the client frames the body by Content-Length.',
      'Content-Length counts bytes, not characters.',
      'Write the head in one go: every small write can become a packet of its own, and Nagle makes the next one wait.',
      'HEAD gets the head GET would get, and no body; 405 says which methods would work (Allow).',
    ],
  },
  {
    slug: 'http-body',
    title: 'Reading a request body',
    part: 'HTTP/1.1',
    summary: 'Content-Length validated by the rules of RFC 9112 §6, and a body reader the handler pulls from: streamed, never buffered whole, starting with the bytes that came with the head.',
    files: ['body.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-body --port {port}',
      "curl -v --data-binary 'hello, body' http://127.0.0.1:{port}/echo",
      'head -c 5000000 /dev/urandom > /tmp/blob && curl -s --data-binary @/tmp/blob http://127.0.0.1:{port}/echo | cmp - /tmp/blob && echo same',
      "curl -v -H 'Content-Length: abc' http://127.0.0.1:{port}/echo        (400)",
    ],
    learned: [
      'The headers alone say how long the body is, whatever the method: Content-Length, or Transfer-Encoding.',
      'A body is a stream: hand it on piece by piece and memory stays flat, however large it is.',
      'An invalid Content-Length cannot be answered and forgotten: nobody knows where the next request starts, so the connection closes.',
    ],
  },
  {
    slug: 'keep-alive',
    title: 'Keep-alive and pipelining',
    part: 'HTTP/1.1',
    summary: 'The per-connection loop: many requests on one connection, pipelined ones answered in order, unread bodies drained, Connection: close and HTTP/1.0 honoured, idle connections closed.',
    files: ['connection.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run keep-alive --port {port}',
      "curl -v http://127.0.0.1:{port}/ http://127.0.0.1:{port}/greeting        (\"Re-using existing connection\")",
      "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /greeting HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | nc 127.0.0.1 {port}",
      'wrk -c 50 -d 5s http://127.0.0.1:{port}/        (if wrk is installed)',
    ],
    learned: [
      'A connection carries a sequence of requests; each one starts at the byte where the previous one ended.',
      'Pipelined requests are answered in the order they came, one at a time.',
      'A body nobody read is still on the wire: drain it, or close.',
      'HTTP/1.1 keeps connections open unless told otherwise; HTTP/1.0 closes unless it asked; idle connections are closed by a timer.',
    ],
  },
];
