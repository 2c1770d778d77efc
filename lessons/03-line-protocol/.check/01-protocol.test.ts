// Hidden tests for lesson 3, line-protocol. Most basic first: the first failure is the one to fix.

import { serverTest, check, byteCount } from '#harness/testing/index.ts';

const test = serverTest('line-protocol');

const FRAMING = 'TCP delivers a stream of bytes with no message boundaries; the newline is the only boundary there is.';
const LIMIT = 4096;

test('answers one message with Echo', async ({ server }) => {
  const client = await server.connect();
  await client.send('hello\n');
  await client.expect('Echo: hello\n', {
    why: 'A message is the bytes before "\\n"; the answer is "Echo: " + message + "\\n".',
    hint: 'Append what arrives to the buffer, look for "\\n", and answer each complete line.',
  });
});

test('answers quit with Bye. and closes cleanly, ignoring what came after', async ({ server }) => {
  const client = await server.connect();
  await client.send('quit\nthis line comes in the same write\n');
  await client.expect('Bye.\n', { hint: 'Compare the line with "quit" and answer "Bye.\\n".' });
  await client.expectNothingMore(100, { why: 'After quit the server answers nothing more: the rest is ignored.', hint: 'Leave the message loop after Bye.' });
  await client.expectClose({ timeoutMs: 2000, hint: 'After "Bye.\\n", end the connection.' });
  // A client may still be sending when the Bye. arrives; those bytes must be ignored too. A socket
  // that is already destroyed answers them with RST, which the next write here runs into.
  const later = () => new Promise((resolve) => setTimeout(resolve, 50));
  await client.send('and this one comes late\n');
  await later();
  await client.send('and this one even later\n');
  await later();
  check(client.state !== 'rst', {
    message: 'Expected the server to close with FIN, but it reset the connection (RST).',
    why: 'Bytes that arrive at a socket already closed, or are still unread when it closes, make the OS answer with RST instead of FIN, and a reset can wipe out the reply the client has not read yet. Servers "linger": they end their side, then read and drop until the client closes (nginx calls it lingering_close).',
    spec: 'RFC 1122 §4.2.2.13 (closing with data pending); RFC 9293 §3.6',
    hint: 'After Bye., end() and keep reading (and dropping) until EOF before you destroy the socket.',
  });
});

test('answers many messages sent in one write, in order', async ({ server }) => {
  const client = await server.connect();
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
  await client.send(words.map((w) => `${w}\n`));
  await client.expect(words.map((w) => `Echo: ${w}\n`).join(''), {
    why: `One 'data' event can hold several messages. ${FRAMING}`,
    hint: 'After answering a line, look for the next one in the same buffer before reading again.',
  });
});

test('answers a message trickled one byte at a time', async ({ server }) => {
  const client = await server.connect();
  await client.send('slowly, slowly\n', { split: 'trickle' });
  await client.expect('Echo: slowly, slowly\n', {
    why: `A message can arrive one byte per 'data' event. ${FRAMING}`,
    hint: 'Keep the partial line in the buffer until its "\\n" arrives.',
  });
});

test('answers messages cut at random points, multi-byte UTF-8 included', async ({ server }) => {
  const client = await server.connect();
  const lines = ['héllo wörld', 'naïve café ✓', '日本語のテキスト', 'plain ascii', 'emoji 🧵 thread'];
  const text = lines.map((l) => `${l}\n`).join('').repeat(3);
  await client.send(text, { split: 'random' });
  await client.expect(lines.map((l) => `Echo: ${l}\n`).join('').repeat(3), {
    why: 'A cut can fall inside a multi-byte character. Decoding each chunk to text on its own turns the halves into U+FFFD (ef bf bd).',
    spec: "Node docs: buf.toString(), and string_decoder for why chunks can't be decoded alone",
    hint: 'Keep bytes (Buffers) until a line is complete, and echo the bytes; no decoding is needed at all.',
  });
});

test('answers a message whose multi-byte character arrives in two pieces', async ({ server }) => {
  const client = await server.connect();
  const line = Buffer.from('check ✓ mark\n');
  const cutInsideCheck = line.indexOf(Buffer.from('✓')) + 1; // after the first of its three bytes
  await client.send(line, { split: [cutInsideCheck], gapMs: 50 });
  await client.expect(Buffer.concat([Buffer.from('Echo: '), line]), {
    why: 'TCP can cut a character in half. Decoding a chunk that ends mid-character turns its bytes into U+FFFD (ef bf bd).',
    spec: "Node docs: buf.toString(); string_decoder",
    hint: 'Keep Buffers until a line is complete, and echo the bytes; no decoding is needed.',
  });
});

test('accepts "\\r\\n" line endings and answers with "\\n"', async ({ server }) => {
  const client = await server.connect();
  await client.send('windows style\r\nunix style\n\r\n');
  await client.expect('Echo: windows style\nEcho: unix style\nEcho: \n', {
    why: 'The stated rule: a message ends at "\\n", and a "\\r" right before it is part of the line ending, not of the message. An empty line is an empty message.',
    hint: 'If the byte before "\\n" is "\\r", leave it out of the message.',
  });
});

test('keeps each connection its own stream', async ({ server }) => {
  const a = await server.connect('a');
  const b = await server.connect('b');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20)); // let each part arrive first
  await a.send('from a, part one ');
  await settle();
  await b.send('from b, whole\n');
  await settle();
  await a.send('and part two\n');
  await b.expect('Echo: from b, whole\n', { why: 'Each connection has its own partial line.', hint: 'Create the buffer inside the connection handler, one per client.' });
  await a.expect('Echo: from a, part one and part two\n', { hint: 'Create the buffer inside the connection handler, one per client.' });
});

test(`accepts a message of exactly ${LIMIT} bytes`, async ({ server }) => {
  const client = await server.connect();
  const message = 'x'.repeat(LIMIT);
  await client.send(`${message}\n`);
  await client.expect(`Echo: ${message}\n`, { why: `The limit is ${LIMIT} bytes of message, not counting "\\n".` });
});

test(`rejects a message over ${LIMIT} bytes with an error line, then closes`, async ({ server }) => {
  const client = await server.connect();
  // No newline at all: the server must not wait for one that may never come.
  await client.send('y'.repeat(LIMIT * 3));
  const reply = await client.readUntil('\n', {
    max: 1024,
    why: `A client could send an endless line; every buffer a peer can fill needs a limit (here ${LIMIT} bytes).`,
    hint: `When the buffer holds more than ${LIMIT} bytes (plus a possible "\\r") and no "\\n", answer an error line and close.`,
  });
  check(reply.toString().startsWith('Error'), {
    message: `Expected an error line starting "Error", received ${JSON.stringify(reply.toString())}.`,
    hint: 'Answer something like "Error: message too long\\n".',
  });
  await client.expectClose({ hint: 'Close the connection after the error line.' });
});

test('answers 100 000 small messages sent in one burst', async ({ server }) => {
  const client = await server.connect();
  const count = 100_000;
  const burst = Buffer.from(Array.from({ length: count }, (_, i) => `m${i}\n`).join(''));
  const expected = Buffer.from(Array.from({ length: count }, (_, i) => `Echo: m${i}\n`).join(''));
  await client.send(burst);
  const back = await client.readExactly(expected.length, {
    timeoutMs: 8000,
    why: `${byteCount(burst.length)} of messages must be answered in time. Copying the whole buffer for every message, or rescanning it from the start, makes the work grow with the square of its size.`,
    hint: 'Consume lines by moving a start offset (or subarray), and grow the buffer by doubling.',
  });
  check(back.equals(expected), { message: 'Expected the 100 000 answers in order, received something else.', expected, received: back });
});

test('answers the complete lines before EOF, then closes', async ({ server }) => {
  const client = await server.connect();
  await client.send('first\nsecond\nunfinished');
  await client.end();
  const back = await client.readToEnd({
    hint: 'At EOF (read() returns an empty Buffer), stop; the unfinished last line is dropped; then end your side.',
  });
  check(back.toString() === 'Echo: first\nEcho: second\n', {
    message: `Expected ${JSON.stringify('Echo: first\nEcho: second\n')} and then the close, received ${JSON.stringify(back.toString())}.`,
    expected: 'Echo: first\nEcho: second\n',
    received: back,
    why: 'A half-closed client still reads. The unfinished line has no "\\n", so by the stated rule it is not a message.',
  });
});
