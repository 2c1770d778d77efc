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
      'nc -N 127.0.0.1 {port}        (type a line, see it come back; Ctrl-D half-closes)',
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
    tryIt: ['npx learn run socket-promises --port {port}', 'nc -N 127.0.0.1 {port}        (type lines, see them come back; Ctrl-D ends)'],
    learned: [
      'The event loop runs one callback at a time; await is how sequential code waits without blocking it.',
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
    tryIt: [
      'npx learn run line-protocol --port {port}',
      'nc -N 127.0.0.1 {port}        (type hello, then quit; Ctrl-D leaves nc)',
      "printf 'hello\\nworld\\nquit\\nignored\\n' | nc -N 127.0.0.1 {port}",
    ],
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
      'nc -N 127.0.0.1 {port}        (in two or three terminals: type a name, then lines)',
      "printf 'ann\\nhello from a script\\n' | nc -N 127.0.0.1 {port}",
    ],
    learned: [
      'State shared by every connection (the room) lives in the one process; each handler reads and changes it in turn.',
      'Fan-out: a line is written to every other socket, and write() never waits, so each socket queues what its client has not read.',
      'A client that stops reading must not hold the room back: bound what waits for it (writableLength) and drop it past the bound.',
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
      'npx tsx lessons/05-json-protocol/client.ts --port {port}        (the interactive client; run two)',
      'nc -N 127.0.0.1 {port}        (type {"id":1,"type":"TIME"}; Ctrl-D ends)',
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
      'nc -u 127.0.0.1 {port}        (each line you type is one datagram; Ctrl-C ends)',
      "printf 'one datagram' | nc -u -w1 127.0.0.1 {port}",
    ],
    learned: [
      'UDP delivers datagrams: each send is one message, whole or not at all, with its boundaries kept.',
      'Nothing is resent, ordered or deduplicated for you, and there is no connection: every reply goes to the address it came from.',
      'Reliability is a protocol you can build: a sequence number, a timeout, retries, and ignoring what does not match.',
    ],
  },
  {
    slug: 'http-request-head',
    title: 'Reading an HTTP request head',
    part: 'HTTP/1.1',
    summary:
      'Accumulate bytes until the empty line (at most 8 KiB), parse the request line and header fields by the grammar of RFC 9112, and reject what breaks it with 400, 431 or 505.',
    files: ['reader.ts', 'request-head.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-request-head --port {port}',
      "curl -v 'http://127.0.0.1:{port}/hello?name=web'        (the body is what your parser saw)",
      "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nX-Dup: a\\r\\nx-dup: b\\r\\n\\r\\n' | nc -N 127.0.0.1 {port}",
      "printf 'GET / HTTP/1.1\\r\\n\\r\\n' | nc -N 127.0.0.1 {port}        (no Host: 400)",
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
    summary:
      'A response writer (status line, header fields, Content-Length in bytes, Date, the head in one write, HEAD without a body) and a tiny router that answers 200, 404 and 405.',
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
    summary:
      'Content-Length validated by the rules of RFC 9112 §6, and a body reader the handler pulls from: streamed, never buffered whole, starting with the bytes that came with the head.',
    files: ['body.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-body --port {port}',
      "curl -v --data-binary 'hello, body' http://127.0.0.1:{port}/echo",
      'head -c 5000000 /dev/urandom > /tmp/http-body-blob && curl -s --data-binary @/tmp/http-body-blob http://127.0.0.1:{port}/echo | cmp - /tmp/http-body-blob && echo same',
      "curl -v -H 'Content-Length: abc' --data-binary x http://127.0.0.1:{port}/echo        (400)",
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
    summary:
      'The per-connection loop: many requests on one connection, pipelined ones answered in order, unread bodies drained, Connection: close and HTTP/1.0 honoured, idle connections closed.',
    files: ['connection.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run keep-alive --port {port}',
      'curl -v http://127.0.0.1:{port}/ http://127.0.0.1:{port}/greeting        ("Re-using existing connection")',
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
  {
    slug: 'chunked-response',
    title: 'Chunked responses: bodies of unknown length',
    part: 'Streaming',
    summary:
      'A response writer for bodies whose length is unknown when the head goes out: each piece of an async source as a chunk, sent as soon as it is produced, held back when the client reads slowly; HTTP/1.0 gets a body the close ends, and a failing source a truncated one.',
    files: ['chunked.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run chunked-response --port {port}',
      "curl -N 'http://127.0.0.1:{port}/sheep?n=5&interval=1000'        (a line a second, as they come)",
      'curl -s --raw http://127.0.0.1:{port}/pieces | od -c | head      (the chunks themselves)',
      "printf 'GET /pieces HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 {port}        (HTTP/1.0: no chunks, the close ends the body)",
    ],
    learned: [
      'A body whose length is unknown is sent in chunks, each with its size in hex; a chunk of size 0 ends it.',
      'Pulling from an async iterable after each write has drained is backpressure: a slow client slows the producer, and memory stays flat.',
      'Only HTTP/1.1 reads chunks: HTTP/1.0 gets a body that the close of the connection ends.',
      'Once the head is out, an error can only be told by closing: without its last chunk, the client knows the body is incomplete.',
    ],
  },
  {
    slug: 'chunked-request',
    title: 'Chunked requests: reading bodies of unknown length',
    part: 'Streaming',
    summary:
      'A body reader for chunked requests beside the Content-Length one: chunk sizes in hex, extensions and trailers, data handed on as it arrives, the route limits on the decoded size; and every request whose framing is in doubt (Content-Length with Transfer-Encoding, a coding list that does not end in chunked) refused, because that doubt is how requests are smuggled.',
    files: ['chunked-body.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run chunked-request --port {port}',
      'echo hello | curl -T - http://127.0.0.1:{port}/echo        (curl uploads stdin in chunks)',
      "printf 'POST /inspect HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5;note=hi\\r\\nhello\\r\\n0\\r\\nX-Sum: 42\\r\\n\\r\\n' | nc -N 127.0.0.1 {port}",
      "printf 'POST /echo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n' | nc -N 127.0.0.1 {port}        (400: both framings)",
    ],
    learned: [
      'A chunked body is read chunk by chunk: a size line in hex, that many bytes, CRLF; size 0 and the trailer section end it.',
      'Chunks are framing: hand the data on as it arrives, never a whole chunk at a time.',
      'A request framed two ways (Content-Length and Transfer-Encoding, a coding list not ending in chunked) is refused: that ambiguity is request smuggling.',
      'Limits apply to what is decoded, and to the framing itself: the size line, the extensions, the trailers.',
    ],
  },
  {
    slug: 'static-files',
    title: 'Serving static files',
    part: 'Files',
    summary:
      'A file server: map a URL path to a file under the root without ever leaving it (encodings, dot segments, symlinks), folders and index.html, Content-Type, and the file streamed with backpressure from a handle closed on every path.',
    files: ['file-path.ts', 'serve-file.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run static-files --port {port}        (serves site/ beside server.ts; add -- --root DIR for another folder)',
      'curl -v http://127.0.0.1:{port}/hello.txt',
      'curl -v http://127.0.0.1:{port}/docs        (301 to /docs/)',
      'curl -v --path-as-is http://127.0.0.1:{port}/../../etc/passwd        (404: never outside the root)',
      'In a browser: open http://127.0.0.1:{port}/        (the page, its stylesheet and its picture)',
    ],
    learned: [
      'A URL path is not a file path: decode it once, resolve its dot segments, and prove the result is inside the root, also after following symlinks.',
      'Refusing and not finding look the same from outside (404): the answer does not tell what exists.',
      'A file goes out as a stream: a piece at a time, as fast as the client takes it, so memory stays flat for any size.',
      'Whoever opens a file handle closes it, on every path: the end, an error, a client that reset.',
    ],
  },
  {
    slug: 'range-requests',
    title: 'Range requests',
    part: 'Files',
    summary:
      'Range: bytes=… answered with 206 and the exact slice read from its offset, 416 with Content-Range when nothing fits, several ranges as multipart/byteranges with an exact Content-Length, and a rule against abusive range sets.',
    files: ['range.ts', 'partial.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run range-requests --port {port}',
      'curl -v -r 0-99 http://127.0.0.1:{port}/alphabet.txt',
      'curl -v -r -10 http://127.0.0.1:{port}/alphabet.txt        (the last 10 bytes)',
      'curl -v -r 0-1,5-9 http://127.0.0.1:{port}/alphabet.txt        (multipart/byteranges)',
      "curl -v -H 'Range: bytes=99999-' http://127.0.0.1:{port}/alphabet.txt        (416)",
    ],
    learned: [
      'A byte range names bytes by position, inclusive at both ends; clamp the end, and read from the start (pread), never from 0.',
      'Content-Range says which bytes these are and of how many; 416 carries it too, with */size.',
      'A Range field that cannot be parsed is ignored: the whole file, 200.',
      'Several ranges are one multipart body whose length is known before the first byte is sent; a server limits how much a client can make it send.',
    ],
  },
  {
    slug: 'http-caching',
    title: 'HTTP caching: validators and conditional requests',
    part: 'Files',
    summary:
      'Last-Modified and a strong ETag for every file, If-None-Match and If-Modified-Since answered with 304 in the order of RFC 9110 §13.2.2, If-Range for resumed downloads, and a Cache-Control policy.',
    files: ['validators.ts', 'conditional.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run http-caching --port {port} -- --log        (prints every request and its status)',
      'curl -v http://127.0.0.1:{port}/hello.txt        (note ETag and Last-Modified)',
      "etag=$(curl -sI http://127.0.0.1:{port}/hello.txt | tr -d '\\r' | sed -n 's/^ETag: //p'); curl -v -H \"If-None-Match: $etag\" http://127.0.0.1:{port}/hello.txt        (304)",
      'curl -v -z lessons/15-http-caching/site/hello.txt http://127.0.0.1:{port}/hello.txt        (If-Modified-Since from a file: 304)',
      'In a browser: open http://127.0.0.1:{port}/, reload, and watch the 304s; /video.html seeks with Range requests',
    ],
    learned: [
      'A validator (Last-Modified, ETag) names a version of a file; a conditional request asks "only if it changed".',
      'If-None-Match wins over If-Modified-Since; dates count whole seconds; a date that is not an HTTP-date, or lies in the future, is ignored.',
      'A 304 carries the validators and Cache-Control, and never a body.',
      'If-Range makes a resumed download safe: the rest of the same file, or the whole new one.',
    ],
  },
  {
    slug: 'compression',
    title: 'Compression through streams',
    part: 'Compression',
    summary:
      'Accept-Encoding negotiated by its q-values, gzip and br from node:zlib piped between the file (or a live source) and the chunked writer with backpressure, and the rules around it: which bodies, never a 206 or 304, Vary, an ETag per encoding, a flush per live piece, nothing left open on a reset.',
    files: ['accept-encoding.ts', 'compress.ts', 'encoded-files.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run compression --port {port} -- --log',
      'curl -v --compressed http://127.0.0.1:{port}/page.js -o /dev/null        (Content-Encoding: br, no Content-Length)',
      "curl -s -H 'Accept-Encoding: gzip' http://127.0.0.1:{port}/alphabet.txt | gunzip | head -3",
      "curl -N --compressed 'http://127.0.0.1:{port}/sheep?n=5&interval=1000'        (a line a second, compressed)",
      "curl -v -H 'Accept-Encoding: identity;q=0, gzip;q=0, br;q=0' http://127.0.0.1:{port}/page.js        (406)",
      'In a browser: open http://127.0.0.1:{port}/, with the Content-Encoding column in the network panel',
    ],
    learned: [
      'Accept-Encoding is a list of codings with weights; q=0 refuses, * stands for the rest, and identity is acceptable unless refused.',
      'A compressed body has no length known in advance: chunked (or the close, for HTTP/1.0), never the Content-Length of the file.',
      'pipeline(source, zlib, writer) carries backpressure from the socket back to the file, and destroys every stage when one fails or the client leaves.',
      'Compressors buffer to compress well: a live stream flushes after each piece. The encoded bytes are another representation, with Vary and an ETag of their own.',
    ],
  },
  {
    slug: 'websocket-handshake',
    title: 'The WebSocket handshake',
    part: 'WebSocket',
    summary:
      'An HTTP GET that asks to switch protocols: check it by RFC 6455 §4, answer 101 with Sec-WebSocket-Accept (or 400, 403, 426), and hand the connection, with the bytes already read, from the keep-alive loop to WebSocket.',
    files: ['handshake.ts', 'connection.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run websocket-handshake --port {port}',
      "curl -v -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://127.0.0.1:{port}/echo        (< 101 in -v's lines, then Ctrl-C)",
      'curl -i http://127.0.0.1:{port}/echo        (no Upgrade: 426)',
      "In a browser's devtools console: ws = new WebSocket('ws://127.0.0.1:{port}/echo'); ws.onmessage = (e) => console.log(e.data); ws.onopen = () => ws.send('hi')",
    ],
    learned: [
      'A WebSocket starts as an HTTP/1.1 GET with Upgrade: websocket; 101 Switching Protocols ends HTTP on that connection.',
      'Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) proves the server read this handshake; it is not security.',
      'Tokens in Connection and Upgrade are case-insensitive lists; a version the server does not speak gets 426 and the one it does.',
      'Bytes read past the request head belong to the new protocol: hand them over with the socket.',
    ],
  },
  {
    slug: 'websocket-frames',
    title: 'WebSocket frames',
    part: 'WebSocket',
    summary:
      'A frame reader as a small state machine and a frame writer: lengths in 7, 16 and 64 bits, masking, fragments, ping and pong, UTF-8 checked as it arrives, close codes and the closing handshake, on an echo endpoint.',
    files: ['frame-reader.ts', 'frame-writer.ts', 'websocket.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run websocket-frames --port {port}',
      "node -e \"const ws = new (require('ws'))('ws://127.0.0.1:{port}/echo'); ws.on('open', () => ws.send('hi')); ws.on('message', (m) => { console.log(String(m)); ws.close(1000) })\"",
      'python3 -m websockets ws://127.0.0.1:{port}/echo        (Debian: apt install python3-websockets; type lines)',
      "In a browser's devtools console: ws = new WebSocket('ws://127.0.0.1:{port}/echo'); ws.onmessage = (e) => console.log(e.data); ws.onopen = () => ws.send('x'.repeat(70000))",
    ],
    learned: [
      'A frame is a 2-byte header, an optional 16- or 64-bit big-endian length, a mask from clients, and the payload.',
      'A parser as a state machine: one step per field, one consume(n), and a step that lacks bytes simply waits.',
      'Messages can be fragmented, control frames can come between the fragments, and text is checked as UTF-8 as it arrives.',
      'Every protocol error has its close code; a close is answered with a close, and then the server closes TCP.',
    ],
    // The 16 MiB echo can take a while on a loaded machine.
    timeouts: { testMs: 60000 },
  },
  {
    slug: 'websocket-chat',
    title: 'A WebSocket chat',
    part: 'WebSocket',
    summary:
      'The capstone: rooms, names, history and private messages as JSON over WebSocket, one bounded send queue per connection, a heartbeat, a graceful shutdown, and a page a browser chats from.',
    files: ['send-queue.ts', 'chat.ts'],
    program: { entry: 'server.ts', transport: 'tcp' },
    tryIt: [
      'npx learn run websocket-chat --port {port}',
      'In a browser: open http://127.0.0.1:{port}/ in two windows, join with two names, and talk.',
      "node -e \"const ws = new (require('ws'))('ws://127.0.0.1:{port}/chat'); ws.on('open', () => ws.send(JSON.stringify({ type: 'join', name: 'node' }))); ws.on('message', (m) => console.log(String(m))); ws.on('close', (code, why) => console.log('closed', code, String(why)))\"",
    ],
    learned: [
      'Full duplex: frames for one connection come from many places at once; one queue and one writer keep each frame whole.',
      'A bounded queue per peer: a client that does not read is dropped, and nobody else waits for it.',
      'Pings find peers that vanished without a word; a close frame 1001 tells the live ones that the server is going away.',
      "A page served over HTTP and a WebSocket on the same server: the browser's WebSocket API is the other end of everything in this part.",
    ],
    // Floods and large messages from several members can take a while on a loaded machine.
    timeouts: { testMs: 60000 },
  },
];
