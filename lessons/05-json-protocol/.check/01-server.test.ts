// Hidden tests for lesson 5, json-protocol, part 1: the server, driven over raw TCP. Most basic
// first. Names are unique per test, so a user a broken server forgot cannot spoil the next one.

import { isDeepStrictEqual } from 'node:util';
import { describe } from 'vitest';
import { serverTest, check, byteCount, peerHasRead, quote, type RawClient } from '#harness/testing/index.ts';
import {
  ask,
  expectError,
  expectGracefulClose,
  expectOk,
  isRecentTimestamp,
  PROTOCOL,
  readMessage,
  register,
  responseTo,
  send,
  type Message,
} from './json-lines.ts';

const test = serverTest('json-protocol');

const STREAM = "Node docs: net.Socket Event 'data' (a chunk is whatever arrived)";

test('answers ECHO with the same id and the same data', async ({ server }) => {
  const client = await server.connect();
  await send(client, { id: 1, type: 'ECHO', data: 'hello' });
  const response = await readMessage(client, 'Every request gets exactly one response line: {"id": <the same id>, "ok": true, "data": …}.');
  check(response.id === 1 && response.ok === true && response.data === 'hello', {
    message: `Expected {"id":1,"ok":true,"data":"hello"}, received ${JSON.stringify(response)}.`,
    why: "The response carries the request's id unchanged, so that a client with several requests in flight knows which one it answers. ECHO sends the data back as it came.",
    spec: PROTOCOL,
    hint: 'Parse the line with JSON.parse, then write JSON.stringify({ id: request.id, ok: true, data: request.data }) + "\\n".',
  });
});

// The first test runs alone, so that a server that never answers fails it at once (the quiet proof
// needs the check's only connection). From here on each test talks to the server on connections
// and names of its own: they run at once (test.concurrent), and the file takes about as long as
// the chat below instead of the sum of all.

test.concurrent('answers ECHO with any JSON value, the falsy ones too: 0, false, null, "", [], {}', async ({ server }) => {
  const client = await server.connect();
  const values: unknown[] = [0, false, null, '', [], {}];
  await send(
    client,
    values.map((data, i) => ({ id: `falsy-${i}`, type: 'ECHO', data })),
    { split: 'whole' },
  );
  for (const [i, data] of values.entries()) {
    const { response } = await responseTo(client, `falsy-${i}`);
    check(response.ok === true && 'data' in response && isDeepStrictEqual(response.data, data), {
      message: `Expected ECHO of ${JSON.stringify(data)} to answer {"id":"falsy-${i}","ok":true,"data":${JSON.stringify(data)}}, received ${JSON.stringify(response)}.`,
      why: `ECHO takes any JSON value, and ${JSON.stringify(data)} is one. Only a request without the "data" key lacks it: "data" in request, not !request.data, which is true for 0, false, null and "" too.`,
      spec: PROTOCOL,
      hint: "Refuse ECHO only when !('data' in request); send request.data back whatever its value.",
    });
  }
});

test.concurrent('answers TIME with the current time in ISO 8601, and keeps string ids as strings', async ({ server }) => {
  const since = Date.now();
  const client = await server.connect();
  await send(client, { id: 'clock-1', type: 'TIME' });
  const { response } = await responseTo(client, 'clock-1', 'Ids may be strings too; the response repeats the id exactly, type and all.');
  expectOk(response, { type: 'TIME' });
  check(isRecentTimestamp(response.data, since), {
    message: `Expected "data" to be the server's current time like "2025-01-31T10:30:15.123Z", received ${JSON.stringify(response.data)}.`,
    why: 'Times on the wire are ISO 8601 strings in UTC: unambiguous, sortable, and Date.parse reads them back.',
    spec: `${PROTOCOL}; RFC 3339`,
    hint: 'new Date().toISOString().',
  });
});

test.concurrent('reads requests however the bytes arrive', async ({ server }) => {
  const client = await server.connect();
  await send(client, { id: 2, type: 'ECHO', data: 'one byte at a time' }, { split: 'trickle' });
  const trickled = await responseTo(client, 2);
  check(isDeepStrictEqual(trickled.response.data, 'one byte at a time') && trickled.others.length === 0, {
    message: `Expected one response, {"id":2,"ok":true,"data":"one byte at a time"}, received ${JSON.stringify([...trickled.others, trickled.response])}.`,
    why: "A request can arrive in many 'data' events. Parsing each chunk as JSON fails on every piece; a request is a whole line.",
    spec: STREAM,
    hint: "Keep the bytes after the last '\\n' and prepend them to the next chunk; parse only complete lines.",
  });
  const batch = [
    { id: 3, type: 'ECHO', data: { nested: [1, 2, { deep: null }], flag: true } },
    { id: 4, type: 'ECHO', data: 'second in the same write' },
    { id: 5, type: 'ECHO', data: 42 },
  ];
  await send(client, batch, { split: 'random' });
  for (const request of batch) {
    const { response } = await responseTo(client, request.id, "Several requests can arrive in one 'data' event, and cut anywhere: each line is one request.");
    check(isDeepStrictEqual(response.data, request.data), {
      message: `Expected ECHO ${request.id} to return ${JSON.stringify(request.data)}, received ${JSON.stringify(response)}.`,
      spec: STREAM,
      hint: "Loop over every '\\n' in the buffer; each line is its own request.",
    });
  }
  const text = 'héllo wörld ✓ 🎉 日本語';
  await sendCutInsideCharacters(client, { id: 6, type: 'ECHO', data: text });
  const { response } = await responseTo(client, 6);
  check(response.data === text, {
    message: `Expected ECHO to return ${JSON.stringify(text)}, received ${JSON.stringify(response.data)}.`,
    why: "'é' is 2 bytes in UTF-8 and '🎉' 4. Decoding each chunk separately cuts them in two, and every half becomes U+FFFD.",
    spec: 'Node docs: buf.toString(); string_decoder',
    hint: 'Collect bytes in a Buffer and decode a line only once it is complete.',
  });
});

/**
 * Sends a request as a line cut after the first byte of every multi-byte character, each piece
 * once the program has read the one before. Sent one byte at a time and 1 ms apart, a loaded
 * program read several pieces in one 'data' event, and a server that decodes each chunk passed
 * (seen in CI). What the program has read is read from the kernel's table (peerHasRead); where it
 * cannot be told, the pieces go 20 ms apart.
 */
async function sendCutInsideCharacters(client: RawClient, request: object): Promise<void> {
  const bytes = Buffer.from(`${JSON.stringify(request)}\n`, 'utf8');
  const cuts: number[] = [];
  // A lead byte of a multi-byte character is 11xxxxxx (RFC 3629 §3): cut right after it.
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) === 0xc0) cuts.push(i + 1);
  const { localPort, remotePort } = client.socket;
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    await client.send(bytes.subarray(from, to));
    from = to;
    const deadline = performance.now() + 2000;
    for (;;) {
      const read = peerHasRead(localPort!, remotePort!);
      if (read === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        break;
      }
      if (read || performance.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

test.concurrent('answers bad JSON, unknown types and missing fields with an error, and keeps the connection', async ({ server }) => {
  const client = await server.connect();
  const cases: Array<[string, unknown, string, string]> = [
    [
      '{"id": 7, "type": "ECHO", ',
      null,
      'a line that is not JSON',
      "Wrap JSON.parse in try/catch: a parse error is the client's mistake, not a reason to crash.",
    ],
    ['[1, 2, 3]', null, 'JSON that is not an object', 'Check that the parsed value is an object (not an array, number or null).'],
    ['{"type": "ECHO", "data": 1}', null, 'a request without an id', 'Check that "id" is a number or a string; answer with "id": null when it is not.'],
    ['{"id": 8}', 8, 'a request without a type', 'Check that "type" is a string.'],
    ['{"id": 9, "type": "DANCE"}', 9, 'an unknown type', 'End your switch on the type with a default that answers an error.'],
    ['{"id": 10, "type": "ECHO"}', 10, 'ECHO without "data"', 'ECHO needs "data" (any JSON value); check that the key is there.'],
    ['{"id": 11, "type": "REGISTER", "data": 12}', 11, 'REGISTER whose "data" is not a name', 'REGISTER needs a non-empty string.'],
    [
      '{"id": true, "type": "ECHO", "data": 1}',
      null,
      'an id that is true, neither a number nor a string',
      'Check typeof id: "number" or "string", nothing else (not just that the key is there).',
    ],
    ['{"id": null, "type": "ECHO", "data": 1}', null, 'an id that is null', 'null is not a usable id: it is what errors without an id carry. Check typeof id.'],
    ['{"id": {"n": 13}, "type": "ECHO", "data": 1}', null, 'an id that is an object', 'Check typeof id: "number" or "string", nothing else.'],
    ['{"id": 14, "type": 5}', 14, 'a type that is a number', 'Check that "type" is a string.'],
    [
      '{"id": 15, "type": "echo", "data": 1}',
      15,
      'the type "echo" in lower case',
      'Types are case-sensitive: compare the type as it is, without toUpperCase().',
    ],
    ['{"id": 16, "type": "REGISTER", "data": ""}', 16, 'REGISTER with an empty name', 'A name is a non-empty string once trimmed.'],
    ['{"id": 17, "type": "REGISTER", "data": "   "}', 17, 'REGISTER with a name of spaces only', 'Trim the name, then refuse it if nothing is left.'],
  ];
  for (const [line, id, what, hint] of cases) {
    await client.send(`${line}\n`);
    const response = await readMessage(client, `The server answers ${what} with an error response, and the connection stays open.`);
    expectError(response, what, hint);
    check(isDeepStrictEqual(response.id, id), {
      message: `Expected the error for ${what} to carry "id": ${JSON.stringify(id)}, received "id": ${JSON.stringify(response.id)}.`,
      why: 'When the request had a usable id the error repeats it; when it had none (not JSON, no id) the id is null.',
      spec: PROTOCOL,
    });
  }
  const data = await ask(
    client,
    { id: 12, type: 'ECHO', data: 'still here' },
    'After an error response the connection goes on: the next request is answered as usual.',
  );
  check(data === 'still here', { message: `Expected "still here", received ${JSON.stringify(data)}.` });
});

test.concurrent('skips empty lines', async ({ server }) => {
  const client = await server.connect();
  await client.send('\n\n{"id": "after-empty", "type": "ECHO", "data": "first answer"}\n');
  const first = await readMessage(client, 'Empty lines are skipped: the first line the server sends answers the ECHO.');
  check(first.id === 'after-empty' && first.data === 'first answer', {
    message: `Expected the first line from the server to answer the ECHO, received ${JSON.stringify(first)}.`,
    why: 'An empty line is not a request, and gets no answer at all (not even an error): a client that ends each request with "\\n\\n", or a person pressing Enter in nc, must not get stray errors.',
    spec: PROTOCOL,
    hint: "Skip a line that is empty (after trimming) before JSON.parse: if (line === '') continue.",
  });
});

test.concurrent('REGISTER gives a connection a unique name, once; MESSAGE needs it', async ({ server }) => {
  const ann = await server.connect('ann');
  await send(ann, { id: 'm0', type: 'MESSAGE', data: 'too early' });
  expectError((await responseTo(ann, 'm0')).response, 'MESSAGE before REGISTER', 'Remember the name per connection; refuse MESSAGE while there is none.');
  const named = await ask(ann, { id: 'r1', type: 'REGISTER', data: 'reg-ann' });
  check((named as Message | undefined)?.name === 'reg-ann', {
    message: `Expected REGISTER to answer "data": {"name":"reg-ann"}, received ${JSON.stringify(named)}.`,
    spec: PROTOCOL,
  });
  const bob = await server.connect('bob');
  await send(bob, { id: 'r2', type: 'REGISTER', data: 'reg-ann' });
  expectError(
    (await responseTo(bob, 'r2')).response,
    'a name another connection has',
    'Keep registered names in a Map shared by all connections, and refuse one that is there.',
  );
  await ask(bob, { id: 'r3', type: 'REGISTER', data: 'reg-bob' }, 'After a refused name, another REGISTER on the same connection can succeed.');
  await send(ann, { id: 'r4', type: 'REGISTER', data: 'reg-ann-again' });
  expectError(
    (await responseTo(ann, 'r4')).response,
    'a second REGISTER on the same connection',
    'A connection registers once: refuse REGISTER when it already has a name.',
  );
});

test.concurrent('LIST_USERS lists who is registered, and forgets who left', async ({ server }) => {
  const ann = await register(server, 'list-ann');
  const bob = await register(server, 'list-bob');
  const listed = await ask(ann, { id: 'u1', type: 'LIST_USERS' });
  check(Array.isArray(listed) && listed.includes('list-ann') && listed.includes('list-bob'), {
    message: `Expected LIST_USERS to answer an array with "list-ann" and "list-bob", received ${JSON.stringify(listed)}.`,
    spec: PROTOCOL,
    hint: 'Answer with the names of your registered users: [...users.keys()].',
  });
  bob.reset();
  let after: unknown = listed;
  for (let i = 0; i < 20 && Array.isArray(after) && after.includes('list-bob'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    after = await ask(ann, { id: `u2-${i}`, type: 'LIST_USERS' });
  }
  check(Array.isArray(after) && !after.includes('list-bob'), {
    message: `Expected LIST_USERS to forget list-bob after its connection was reset, received ${JSON.stringify(after)}.`,
    why: "A user is registered while connected. A reset never emits 'end', only 'error' and 'close'.",
    spec: "Node docs: net.Socket Event 'close'",
    hint: "Remove the session's name in the socket's 'close' handler.",
  });
  const again = await server.connect('bob-again');
  await ask(again, { id: 'u3', type: 'REGISTER', data: 'list-bob' }, 'A name is free again once its user is gone.');
});

// The chat: a MESSAGE is pushed to every registered client, and the history is the server's
// alone, so the tests that send MESSAGEs, or check that none arrives, or read the history, run one
// after another. Together they run beside the other tests (which register no one who could be
// pushed to, or only read responses), as one concurrent suite of sequential tests.
describe('the chat, one test at a time', { concurrent: true }, () => {
  test.sequential('MESSAGE goes to every other registered client as a push, not back to the sender', async ({ server }) => {
    const since = Date.now();
    const ann = await register(server, 'push-ann');
    const others = [await register(server, 'push-bob'), await register(server, 'push-cat')];
    const lurker = await server.connect('lurker'); // connected, never registered
    await send(ann, { id: 'say-1', type: 'MESSAGE', data: 'hello all' });
    const { response, others: before } = await responseTo(ann, 'say-1');
    expectOk(response, { type: 'MESSAGE', data: 'hello all' });
    check(before.length === 0, {
      message: `Expected push-ann to receive only the response to its MESSAGE, received ${JSON.stringify(before[0])} first.`,
      why: 'The sender gets its response, not a push of its own message.',
      spec: PROTOCOL,
      hint: 'Skip the sending session when pushing.',
    });
    for (const other of others) {
      const push = await readMessage(other, 'A MESSAGE is pushed to every other registered client, unasked: {"type":"MESSAGE","data":{"from","text","time"}}.');
      const data = push.data as Message | undefined;
      check(!('id' in push) && push.type === 'MESSAGE' && data?.from === 'push-ann' && data?.text === 'hello all' && isRecentTimestamp(data?.time, since), {
        message: `Expected the push {"type":"MESSAGE","data":{"from":"push-ann","text":"hello all","time":"<now, ISO 8601>"}}, received ${JSON.stringify(push)}.`,
        why: 'A push has no id (nobody asked for it) and says what it is in "type". The message says who sent it, what, and when.',
        spec: PROTOCOL,
        hint: 'For each registered session other than the sender, write {type: "MESSAGE", data: message}.',
      });
    }
    await ann.expectNothingMore(100, {
      why: 'The sender gets its response, not a push of its own message.',
      spec: PROTOCOL,
      hint: 'Skip the sending session when pushing.',
    });
    await lurker.expectNothingMore(0, {
      why: 'Only registered clients are in the chat; a connection without a name gets no pushes.',
      spec: PROTOCOL,
      hint: 'Push to the registered users (your name → session map), not to every connection.',
    });
  });

  test.sequential("sends a MESSAGE's text on exactly as written, and refuses an empty one", async ({ server }) => {
    const ann = await register(server, 'text-ann');
    const bob = await register(server, 'text-bob');
    const text = '  two spaces, a tab after\t, naïve ✓ 🎉  ';
    await send(ann, { id: 'exact', type: 'MESSAGE', data: text });
    const { response } = await responseTo(ann, 'exact');
    expectOk(response, { type: 'MESSAGE', data: text });
    const push = await readMessage(bob, 'A MESSAGE is pushed to every other registered client.');
    const pushed = (push.data as Message | undefined)?.text;
    const answered = (response.data as Message | undefined)?.text;
    check(pushed === text && answered === text, {
      message: `Expected the text ${JSON.stringify(text)} in the push and the response, received ${JSON.stringify(pushed)} and ${JSON.stringify(answered)}.`,
      why: 'A message goes on exactly as its sender wrote it: spaces at its ends are part of it (only a name is trimmed), and so is every character outside ASCII.',
      spec: `${PROTOCOL} (MESSAGE: the text)`,
      hint: 'Keep request.data as it is for the text; trim only the name of REGISTER.',
    });
    await send(ann, { id: 'empty', type: 'MESSAGE', data: '' });
    expectError((await responseTo(ann, 'empty')).response, 'a MESSAGE with an empty text', 'MESSAGE needs a non-empty string.');
    await send(ann, { id: 'number', type: 'MESSAGE', data: 42 });
    expectError((await responseTo(ann, 'number')).response, 'a MESSAGE whose text is a number', 'MESSAGE needs a string.');
    await bob.expectNothingMore(50, { why: 'A refused MESSAGE is pushed to nobody.', spec: PROTOCOL });
  });

  test.sequential('pushes and responses interleave, each a whole line', async ({ server }) => {
    const talker = await register(server, 'mix-talker');
    const asker = await register(server, 'mix-asker');
    const said = Array.from({ length: 30 }, (_, i) => `message ${i + 1}`);
    const asks = Array.from({ length: 40 }, (_, i) => ({ id: 1000 + i, type: 'ECHO', data: `echo ${i + 1}` }));
    await Promise.all([
      send(
        talker,
        said.map((text, i) => ({ id: `say-${i}`, type: 'MESSAGE', data: text })),
        { split: 'random' },
      ),
      send(asker, asks, { split: 'random' }),
    ]);
    const pushes: string[] = [];
    const answered = new Set<unknown>();
    while (pushes.length < said.length || answered.size < asks.length) {
      const message = await readMessage(asker, 'asker should receive 40 responses and 30 pushes, interleaved in any way.');
      if ('id' in message) {
        const request = asks.find((r) => r.id === message.id);
        check(request !== undefined && message.ok === true && message.data === request.data, {
          message: `Expected a response to one of asker's ECHO requests, received ${JSON.stringify(message)}.`,
          spec: PROTOCOL,
        });
        answered.add(message.id);
      } else {
        pushes.push(String((message.data as Message | undefined)?.text));
      }
    }
    check(isDeepStrictEqual(pushes, said), {
      message: `Expected talker's 30 messages pushed in the order sent, received ${quote(pushes.join(' | ').slice(0, 200))}.`,
      why: 'Messages from one sender are pushed in the order it sent them.',
      spec: PROTOCOL,
    });
  });

  test.sequential('LIST_MESSAGES returns the latest 20 messages, oldest first, with their times', async ({ server }) => {
    const since = Date.now();
    const ann = await register(server, 'hist-ann');
    const texts = Array.from({ length: 25 }, (_, i) => `history ${i + 1}`);
    await send(
      ann,
      texts.map((text, i) => ({ id: `h-${i}`, type: 'MESSAGE', data: text })),
    );
    for (let i = 0; i < texts.length; i++) expectOk((await responseTo(ann, `h-${i}`)).response, { type: 'MESSAGE', data: texts[i] });
    const history = await ask(ann, { id: 'list', type: 'LIST_MESSAGES' });
    const got = Array.isArray(history) ? history.map((m: Message) => m?.text) : history;
    check(isDeepStrictEqual(got, texts.slice(5)), {
      message: `Expected LIST_MESSAGES to return messages 6 to 25 (the latest 20, oldest first), received ${Array.isArray(got) ? `${got.length}: ${quote(got.slice(0, 3).join(', '))}…` : JSON.stringify(got)}.`,
      why: 'History is bounded: a server that keeps every message grows without limit. The newest 20 are kept, oldest first.',
      spec: PROTOCOL,
      hint: 'After push()ing a message, shift() the oldest while the array holds more than 20.',
    });
    const entries = history as Message[];
    check(
      entries.every((m) => m.from === 'hist-ann' && isRecentTimestamp(m.time, since)),
      {
        message: `Expected every entry to be {"from":"hist-ann","text":…,"time":"<ISO 8601>"}, received ${JSON.stringify(entries[0])}.`,
        spec: PROTOCOL,
        hint: 'Store the same object you push: { from, text, time: new Date().toISOString() }.',
      },
    );
  });

  test.sequential('serves 30 registered clients at once', async ({ server }) => {
    const clients = await Promise.all(Array.from({ length: 30 }, (_, i) => register(server, `many-${i + 1}`)));
    await send(clients[0]!, { id: 'all', type: 'MESSAGE', data: 'to the many' });
    expectOk((await responseTo(clients[0]!, 'all')).response, { type: 'MESSAGE' });
    await Promise.all(
      clients.slice(1).map(async (client) => {
        const push = await readMessage(client, 'Every other registered client gets the push.');
        check((push.data as Message | undefined)?.text === 'to the many', {
          message: `Expected the push of "to the many", received ${JSON.stringify(push)}.`,
          spec: PROTOCOL,
        });
      }),
    );
    const listed = await ask(clients[29]!, { id: 'who', type: 'LIST_USERS' });
    const missing = clients.map((_, i) => `many-${i + 1}`).filter((name) => !(listed as unknown[]).includes(name));
    check(missing.length === 0, { message: `Expected LIST_USERS to include all 30, but it lacks ${missing.join(', ')}.`, spec: PROTOCOL });
  });
});

test.concurrent('takes a 60 KiB request, and answers a line over 64 KiB with an error and a close', async ({ server }) => {
  const client = await server.connect();
  const big = 'b'.repeat(60 * 1024);
  const data = await ask(client, { id: 'big', type: 'ECHO', data: big }, 'Lines up to 64 KiB are requests like any other.');
  check(data === big, { message: `Expected the 60 KiB ECHO back whole, received ${byteCount(String(data).length)}.` });
  await client.send('x'.repeat(80 * 1024));
  const rest = await client.readToEnd({
    timeoutMs: 3000,
    why: 'A line with no newline in sight is held in memory until it ends. A limit keeps one client from filling the server.',
    spec: `${PROTOCOL}; lesson 3 (line-protocol)`,
    hint: 'When more than 65536 bytes wait without a newline, answer an error with "id": null and end() the socket.',
  });
  const line = rest.subarray(0, rest.indexOf(0x0a) >= 0 ? rest.indexOf(0x0a) : rest.length).toString();
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  check(typeof parsed === 'object' && parsed !== null && (parsed as Message).ok === false && (parsed as Message).id === null, {
    message: `Expected an error response with "id": null before the close, received ${quote(rest.subarray(0, 120))}.`,
    why: 'Say why before closing: {"id": null, "ok": false, "error": "line too long"}.',
    spec: PROTOCOL,
  });
});

const MAX_LINE = 65536;

/** An ECHO request whose JSON line is exactly `size` bytes long (without its newline). */
function echoOfSize(id: string, size: number): string {
  const bare = JSON.stringify({ id, type: 'ECHO', data: '' });
  return JSON.stringify({ id, type: 'ECHO', data: 'e'.repeat(size - bare.length) });
}

test.concurrent(`takes a request line of exactly ${MAX_LINE} bytes, even when its newline comes later`, async ({ server }) => {
  const client = await server.connect();
  const line = echoOfSize('exact', MAX_LINE);
  await client.send(`${line}\n`, { split: [MAX_LINE], gapMs: 100 });
  const { response } = await responseTo(
    client,
    'exact',
    `A line of ${MAX_LINE} bytes is within the limit: ${MAX_LINE} bytes waiting without a newline may still be exactly that.`,
  );
  expectOk(response, { type: 'ECHO' }, `Refuse only more than ${MAX_LINE} bytes waiting without a newline, or a complete line longer than ${MAX_LINE}.`);
});

test.concurrent(`refuses a line of ${MAX_LINE + 1} bytes with an error and a close, even when its newline comes with it`, async ({ server }) => {
  const client = await server.connect();
  await client.send(`${echoOfSize('one-too-many', MAX_LINE + 1)}\n`);
  const first = await readMessage(
    client,
    `A line of ${MAX_LINE + 1} bytes is over the limit, whether its newline came with it or not: the answer is an error with "id": null, then the close.`,
  );
  check(first.ok === false && first.id === null, {
    message: `Expected an error with "id": null for a line of ${MAX_LINE + 1} bytes, received ${JSON.stringify(first).slice(0, 120)}.`,
    why: 'A check that only looks at the bytes waiting without a newline lets a long line through whenever its newline arrives with it.',
    spec: `${PROTOCOL} (the one exception)`,
    hint: `When you find a newline, compare its position with ${MAX_LINE} before taking the line.`,
  });
  await expectGracefulClose(client, 'the error for a line too long');
});

test.concurrent(`refuses ${byteCount(70 * 1024)} without a newline, however small the pieces`, async ({ server }) => {
  const client = await server.connect();
  await client.send('q'.repeat(70 * 1024), { split: Array.from({ length: 8 }, () => 8 * 1024), gapMs: 5 });
  const first = await readMessage(client, 'Small pieces add up: the limit is on the bytes waiting without a newline, not on one chunk.');
  check(first.ok === false && first.id === null, {
    message: `Expected an error with "id": null, received ${JSON.stringify(first).slice(0, 120)}.`,
    spec: PROTOCOL,
    hint: `Check pending.length (all that waits) after each chunk, not chunk.length.`,
  });
  await client.expectClose({ hint: 'End the connection after the error.' });
});
