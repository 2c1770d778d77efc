// Hidden tests for lesson 3, line-protocol. Most basic first: the first failure is the one to fix.

import { serverTest, check, byteCount } from '#harness/testing/index.ts';
import { expectGracefulClose } from './closing.ts';

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

// From here to the resets, each test talks to the server on connections of its own and counts
// nothing of the server's: they run at once (test.concurrent), and the file takes as long as the
// longest of them instead of their sum. (Beside the others, the quit test's wait for nothing more
// can't end early by the quiet proof, so it lasts its full 100 ms: still correct, and overlapped.)
test.concurrent('answers quit with Bye. and closes cleanly, ignoring what came after', async ({ server }) => {
  const client = await server.connect();
  await client.send('quit\nthis line comes in the same write\n');
  await client.expect('Bye.\n', { hint: 'Compare the line with "quit" and answer "Bye.\\n".' });
  await client.expectNothingMore(100, { why: 'After quit the server answers nothing more: the rest is ignored.', hint: 'Leave the message loop after Bye.' });
  await expectGracefulClose(client, 'Bye.');
});

test.concurrent('answers many messages sent in one write, in order', async ({ server }) => {
  const client = await server.connect();
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
  await client.send(words.map((w) => `${w}\n`));
  await client.expect(words.map((w) => `Echo: ${w}\n`).join(''), {
    why: `One 'data' event can hold several messages. ${FRAMING}`,
    hint: 'After answering a line, look for the next one in the same buffer before reading again.',
  });
});

test.concurrent('answers a message trickled one byte at a time', async ({ server }) => {
  const client = await server.connect();
  await client.send('slowly, slowly\n', { split: 'trickle' });
  await client.expect('Echo: slowly, slowly\n', {
    why: `A message can arrive one byte per 'data' event. ${FRAMING}`,
    hint: 'Keep the partial line in the buffer until its "\\n" arrives.',
  });
});

test.concurrent('answers messages cut at random points, multi-byte UTF-8 included', async ({ server }) => {
  const client = await server.connect();
  const lines = ['héllo wörld', 'naïve café ✓', '日本語のテキスト', 'plain ascii', 'emoji 🧵 thread'];
  const text = lines
    .map((l) => `${l}\n`)
    .join('')
    .repeat(3);
  await client.send(text, { split: 'random' });
  await client.expect(
    lines
      .map((l) => `Echo: ${l}\n`)
      .join('')
      .repeat(3),
    {
      why: 'A cut can fall inside a multi-byte character. Decoding each chunk to text on its own turns the halves into U+FFFD (ef bf bd).',
      spec: "Node docs: buf.toString(), and string_decoder for why chunks can't be decoded alone",
      hint: 'Keep bytes (Buffers) until a line is complete, and echo the bytes; no decoding is needed at all.',
    },
  );
});

test.concurrent('answers a message whose multi-byte character arrives in two pieces', async ({ server }) => {
  const client = await server.connect();
  const line = Buffer.from('check ✓ mark\n');
  const cutInsideCheck = line.indexOf(Buffer.from('✓')) + 1; // after the first of its three bytes
  await client.send(line, { split: [cutInsideCheck], gapMs: 50 });
  await client.expect(Buffer.concat([Buffer.from('Echo: '), line]), {
    why: 'TCP can cut a character in half. Decoding a chunk that ends mid-character turns its bytes into U+FFFD (ef bf bd).',
    spec: 'Node docs: buf.toString(); string_decoder',
    hint: 'Keep Buffers until a line is complete, and echo the bytes; no decoding is needed.',
  });
});

test.concurrent('accepts "\\r\\n" line endings and answers with "\\n"', async ({ server }) => {
  const client = await server.connect();
  await client.send('windows style\r\nunix style\n\r\n');
  await client.expect('Echo: windows style\nEcho: unix style\nEcho: \n', {
    why: 'The stated rule: a message ends at "\\n", and a "\\r" right before it is part of the line ending, not of the message. An empty line is an empty message.',
    hint: 'If the byte before "\\n" is "\\r", leave it out of the message.',
  });
});

test.concurrent('echoes bytes that are not UTF-8 unchanged', async ({ server }) => {
  const client = await server.connect();
  // Every byte from 0x80 to 0xff (none of them a line ending), then a lone UTF-8 lead byte: no
  // valid UTF-8 at all, yet a message like any other.
  const message = Buffer.concat([Buffer.from('bytes: '), Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i)), Buffer.from([0x20, 0xc3])]);
  await client.send(Buffer.concat([message, Buffer.from('\n')]), { split: 'random' });
  await client.expect(Buffer.concat([Buffer.from('Echo: '), message, Buffer.from('\n')]), {
    why: 'A message is bytes ("it need not be text"). Turning it into a string and back with toString() replaces every byte that is not valid UTF-8 with U+FFFD (ef bf bd), even when the whole line arrived at once.',
    spec: 'lessons/03-line-protocol/README.md, "The rules"; Node docs: buf.toString()',
    hint: 'Build the answer from Buffers: Buffer.concat([Buffer.from("Echo: "), line, Buffer.from("\\n")]). No toString() or template string on the message.',
  });
});

test.concurrent('keeps spaces, tabs and a lone "\\r" in a message, and answers only "quit" exactly with Bye.', async ({ server }) => {
  const client = await server.connect();
  // [sent, answered]: only a single "\r" right before the "\n" belongs to the line ending.
  const lines: Array<[string, string]> = [
    ['  two spaces before, a tab and a space after\t \n', 'Echo:   two spaces before, a tab and a space after\t \n'],
    ['carriage\rreturn inside\n', 'Echo: carriage\rreturn inside\n'],
    ['two CRs at the end\r\r\n', 'Echo: two CRs at the end\r\n'],
    ['quit \n', 'Echo: quit \n'],
    [' quit\n', 'Echo:  quit\n'],
    ['QUIT\n', 'Echo: QUIT\n'],
    ['quit\r\n', 'Bye.\n'],
  ];
  await client.send(lines.map(([sent]) => sent));
  await client.expect(lines.map(([, answered]) => answered).join(''), {
    why: 'A message is every byte before the line ending, and the line ending is "\\n" or one "\\r\\n". Trimming (String.trim() strips spaces, tabs, "\\r" and more) changes messages; comparing case-insensitively or trimmed turns " quit" and "QUIT" into quit, which they are not.',
    spec: 'lessons/03-line-protocol/README.md, "The rules"',
    hint: 'Drop exactly one "\\r" before the "\\n" (check bytes[i - 1] === 0x0d), and compare the message with Buffer.from("quit") using equals().',
  });
  await client.expectClose({ hint: 'After "Bye.\\n", end the connection.' });
});

test.concurrent('keeps each connection its own stream', async ({ server }) => {
  const a = await server.connect('a');
  const b = await server.connect('b');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20)); // let each part arrive first
  await a.send('from a, part one ');
  await settle();
  await b.send('from b, whole\n');
  await settle();
  await a.send('and part two\n');
  await b.expect('Echo: from b, whole\n', {
    why: 'Each connection has its own partial line.',
    hint: 'Create the buffer inside the connection handler, one per client.',
  });
  await a.expect('Echo: from a, part one and part two\n', { hint: 'Create the buffer inside the connection handler, one per client.' });
});

test.concurrent(`accepts a message of exactly ${LIMIT} bytes`, async ({ server }) => {
  const client = await server.connect();
  const message = 'x'.repeat(LIMIT);
  await client.send(`${message}\n`);
  await client.expect(`Echo: ${message}\n`, { why: `The limit is ${LIMIT} bytes of message, not counting "\\n".` });
});

test.concurrent(`accepts a message of exactly ${LIMIT} bytes ending "\\r\\n", even when the "\\r" and the "\\n" arrive apart`, async ({ server }) => {
  const client = await server.connect();
  const message = 'c'.repeat(LIMIT);
  // The "\r" arrives alone first: 4097 bytes wait without a "\n", and may still be a good line.
  await client.send(`${message}\r\n`, { split: [LIMIT + 1], gapMs: 100 });
  await client.expect(`Echo: ${message}\n`, {
    why: `The limit counts the message, not its line ending: ${LIMIT} bytes and "\\r\\n" is a message at the limit. Until the "\\n" arrives, ${LIMIT} bytes and a "\\r" may still be exactly that.`,
    spec: 'lessons/03-line-protocol/README.md, "The rules" and "Decisions you make" (the limit)',
    hint: `Without a newline, refuse only when more than ${LIMIT} + 1 bytes wait; with one, measure the message after dropping the "\\r".`,
  });
});

test.concurrent(`rejects a message of ${LIMIT + 1} bytes, even when its "\\n" comes with it`, async ({ server }) => {
  const client = await server.connect();
  await client.send(`${'z'.repeat(LIMIT + 1)}\n`);
  const reply = await client.readUntil('\n', {
    max: 1024,
    hint: `Measure every complete line too: more than ${LIMIT} bytes before the line ending is too long.`,
  });
  check(reply.toString().startsWith('Error'), {
    message: `Expected an error line starting "Error" for a ${LIMIT + 1}-byte message, received ${JSON.stringify(reply.subarray(0, 40).toString())}….`,
    why: `The limit is ${LIMIT} bytes of message, whether the newline arrived with it or not. A check that only looks at the bytes waiting without a newline misses a long line that arrives whole.`,
    spec: 'lessons/03-line-protocol/README.md, "The rules"',
    hint: 'When takeLine finds the newline, compare the message length with the limit before taking it.',
  });
  await expectGracefulClose(client, 'the error line');
});

test.concurrent(`rejects ${LIMIT + 2} bytes without a newline, however small the pieces they arrive in`, async ({ server }) => {
  const client = await server.connect();
  await client.send('p'.repeat(LIMIT + 2), { split: Array.from({ length: 8 }, () => 512), gapMs: 5 });
  const reply = await client.readUntil('\n', {
    max: 1024,
    why: `${LIMIT + 2} bytes without a newline can no longer be a message of at most ${LIMIT} bytes plus "\\r". Small reads add up: the limit is on the bytes waiting in the buffer, not on one read.`,
    spec: 'lessons/03-line-protocol/README.md, "Decisions you make" (the limit)',
    hint: `Check buffer.length (everything waiting) after each append, not the size of the chunk that just came.`,
  });
  check(reply.toString().startsWith('Error'), { message: `Expected an error line starting "Error", received ${JSON.stringify(reply.toString())}.` });
  await client.expectClose({ hint: 'Close the connection after the error line.' });
});

test.concurrent(`rejects a message over ${LIMIT} bytes with an error line, then closes`, async ({ server }) => {
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
  await expectGracefulClose(client, 'the error line');
});

test('survives clients that reset the connection in the middle of a line', async ({ server }) => {
  const teaching = {
    why: "A reset makes conn.read() reject, and so the client's loop rejects. A rejected promise nobody handles ends a Node process, and every client with it.",
    spec: "Node docs: process, Event 'unhandledRejection'",
    hint: 'Keep the .catch() on serveClient(conn): log the error, then destroy the connection.',
  };
  // Its open sockets; undefined once it exited.
  const sockets = async () => {
    const stats = await Promise.race([server.stats(), server.program.exited.then(() => undefined)]);
    return stats && (stats.resources.TCPSocketWrap ?? 0);
  };
  const before = (await sockets()) ?? 0;
  for (let i = 0; i < 5; i++) {
    const rude = await server.connect(`rude${i + 1}`);
    // A line and half of the next in one write: once the answer to the first is back, the server
    // holds the half line and waits in read() for the rest, with nothing unread. (A reset that
    // arrives with bytes still unread can be reported to the program as a plain EOF, by libuv,
    // and a program that does not handle the rejection would then go uncaught.)
    await rude.send('hello\nhalf a li');
    await rude.expect('Echo: hello\n');
    rude.reset();
  }
  // The server has seen every reset once it holds no more sockets than before them, or when it
  // stops answering (it exited): an event, not a guess at how long that takes on a busy machine.
  const deadline = performance.now() + 2000;
  for (let open = await sockets(); open !== undefined && open > before && performance.now() < deadline; open = await sockets()) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A process dying of the rejection is gone, or about to be: let its exit be seen.
  await server.program.settle();
  check(!server.program.exit, {
    message: `Expected your server to keep running after clients reset their connections, but it ${server.program.describeExit()}.`,
    ...teaching,
  });
  const client = await server.connect('after');
  await client.send('still there?\n');
  await client.expect('Echo: still there?\n', { hint: 'One client resetting must not stop the others.' });
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
