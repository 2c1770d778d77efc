// Hidden tests for lesson 4, tcp-chat, part 1: names, joins, fan-out and framing, then clients that
// leave rudely (a reset, in the middle of a burst) and lines that never end. Most basic first: the
// first failure is the one to fix. Each test uses names of its own, so that a client a broken
// server forgot to remove cannot spoil the next test. Part 2 (02-slow-client) runs beside this
// file, on a program of its own.

import { serverTest, check, quote, type RawClient } from '#harness/testing/index.ts';
import { emptyRoom, expectGracefulClose, farewell, join, joinAll, PROTOCOL, sleep } from './room.ts';

const test = serverTest('tcp-chat');

const STREAM = "Node docs: net.Socket Event 'data' (a chunk is whatever arrived)";

test('welcomes a client by the name on its first line', async ({ server }) => {
  await emptyRoom(server);
  const ann = await join(server, 'ann');
  await farewell([ann]);
});

test('tells the room who joins and who leaves', async ({ server }) => {
  await emptyRoom(server);
  const bea = await join(server, 'bea');
  const cal = await join(server, 'cal');
  await bea.expect('* cal joined\n', {
    why: 'Everyone already in the room hears about a newcomer, as "* <name> joined". The newcomer itself gets its welcome instead.',
    spec: PROTOCOL,
    hint: 'Keep the named clients in one Map shared by all connections; after a welcome, write `* ${name} joined\\n` to every other one.',
  });
  await cal.expectNothingMore(50, { why: 'A newcomer is welcomed, not told that it joined.', hint: 'Skip the newcomer when announcing it.' });
  await cal.end();
  await bea.expect('* cal left\n', {
    why: 'When a named client goes away, the others are told, as "* <name> left".',
    spec: PROTOCOL,
    hint: "Announce it from the socket's 'close' event, and remove the name from the room there.",
  });
  const lurker = await server.connect('lurker');
  await lurker.end();
  await bea.expectNothingMore(100, {
    why: 'A client that never sent a name was never in the room: its leaving is not announced.',
    hint: 'Only announce leaves for clients that had a name.',
  });
  const again = await join(server, 'cal');
  await bea.expect('* cal joined\n', {
    why: 'A name belongs to a connected client; once it leaves, the name is free again.',
    hint: 'Delete the name from the room when its socket closes.',
  });
  await farewell([bea, again]);
});

test('sends each line to everyone else as "name: text", not back to the sender', async ({ server }) => {
  await emptyRoom(server);
  const [dee, eli, fox] = await joinAll(server, ['dee', 'eli', 'fox']);
  const lurker = await server.connect('lurker'); // connected, but has not sent a name
  await dee!.send('hello room\n');
  for (const other of [eli!, fox!]) {
    await other.expect('dee: hello room\n', {
      why: 'Every line after the name goes to every other client in the room, prefixed with the sender\'s name and ": ".',
      spec: PROTOCOL,
      hint: 'For each line, write `${name}: ${text}\\n` to every named client except the sender.',
    });
  }
  await eli!.send('hi dee\n');
  await dee!.expect('eli: hi dee\n', { why: 'Every client hears every other client.', spec: PROTOCOL });
  await fox!.expect('eli: hi dee\n', { why: 'Every client hears every other client.', spec: PROTOCOL });
  await dee!.expectNothingMore(50, {
    why: 'The sender typed the line itself; echoing it back would show it twice.',
    spec: PROTOCOL,
    hint: 'Skip the sending socket when you fan a line out.',
  });
  await lurker.expectNothingMore(0, {
    why: 'A client without a name is not in the room yet: it hears nothing from it.',
    spec: PROTOCOL,
    hint: 'Add a client to the room (and to broadcasts) only once its name is accepted.',
  });
  await farewell([dee!, eli!, fox!, lurker]);
});

test('refuses an empty or taken name with an error line, and lets the client try again', async ({ server }) => {
  await emptyRoom(server);
  const gil = await join(server, 'gil');
  const next = await server.connect('newcomer');
  for (const [attempt, why] of [
    ['\n', 'An empty line is not a name.'],
    ['   \n', 'Spaces alone are not a name either: names are trimmed.'],
    ['gil\n', 'gil is in the room already: two clients with one name would make "gil: …" ambiguous.'],
  ] as const) {
    await next.send(attempt);
    const line = await next.readUntil('\n', {
      max: 1024,
      why: `${why} The server answers with a line starting "* error: ".`,
      spec: PROTOCOL,
      hint: 'Check the trimmed name before accepting it, and write `* error: …\\n` when it is refused.',
    });
    check(line.toString().startsWith('* error: '), {
      message: `Expected an error line starting "* error: " for the name ${quote(attempt)}, received ${quote(line)}.`,
      why,
      spec: PROTOCOL,
      hint: 'Refuse empty (after trimming) and taken names with `* error: <reason>\\n`; keep the connection open.',
    });
  }
  await next.send('gilly\n');
  await next.expect('* welcome gilly\n', {
    why: 'A refused name does not end the connection: the next line is another try.',
    spec: PROTOCOL,
    hint: 'Keep the client nameless after a refusal, so that its next line is treated as a name again.',
  });
  await gil.expect('* gilly joined\n', {
    why: 'Only the accepted name is announced; refused attempts are between the server and that client.',
    spec: PROTOCOL,
  });
  await gil.expectNothingMore(50, { why: 'Refused names are not announced.' });
  await farewell([gil, next]);
});

test('trims the spaces around a name', async ({ server }) => {
  await emptyRoom(server);
  const tia = await join(server, 'tia');
  const zed = await server.connect('zed');
  await zed.send('   zed  \r\n');
  await zed.expect('* welcome zed\n', {
    why: 'Names are trimmed of surrounding spaces (and the "\\r" of a "\\r\\n" is not part of the line at all): "   zed  " is zed.',
    spec: PROTOCOL,
    hint: "Take the name as line.toString('utf8').trim(), and use that trimmed name everywhere: the welcome, the room, the prefix.",
  });
  await tia.expect('* zed joined\n', { spec: PROTOCOL, hint: 'Announce the trimmed name.' });
  const twin = await server.connect('twin');
  await twin.send('zed\n');
  const line = await twin.readUntil('\n', { max: 1024, spec: PROTOCOL });
  check(line.toString().startsWith('* error: '), {
    message: `Expected the name "zed" to be refused as taken, received ${quote(line)}.`,
    why: 'zed joined as "   zed  ", which is the name zed once trimmed: keeping the spaces in the room would let a second zed in.',
    spec: PROTOCOL,
    hint: 'Keep the trimmed name in the room, and compare trimmed names.',
  });
  await farewell([tia, zed, twin]);
});

test('waits for the newline, however the bytes are cut', async ({ server }) => {
  await emptyRoom(server);
  const [hal, ivy] = await joinAll(server, ['hal', 'ivy']);
  await hal!.send('hel');
  await ivy!.expectNothingMore(100, {
    why: 'A line is not complete until its "\\n" arrives. Forwarding "hel" now would show half a message.',
    spec: STREAM,
    hint: "Keep the bytes after the last '\\n' and prepend them to the next chunk.",
  });
  await hal!.send('lo\n');
  await ivy!.expect('hal: hello\n', {
    why: "TCP keeps no message boundaries: one line can arrive in several 'data' events.",
    spec: STREAM,
    hint: "Keep the bytes after the last '\\n' and prepend them to the next chunk.",
  });
  await hal!.send('one byte at a time\n', { split: 'trickle' });
  await ivy!.expect('hal: one byte at a time\n', { spec: STREAM, hint: "Collect until '\\n'; a 'data' event is not a line." });
  await hal!.send(['first\n', 'second\n', '\n', 'third, after an empty line\n', 'with CRLF\r\n']);
  await ivy!.expect('hal: first\nhal: second\nhal: third, after an empty line\nhal: with CRLF\n', {
    why: "Several lines can arrive in one 'data' event: each is its own message. Empty lines are skipped, and a '\\r' before the '\\n' is not part of the text.",
    spec: PROTOCOL,
    hint: "Loop: while the buffer holds a '\\n', cut one line off and handle it. Drop a trailing '\\r'; ignore empty lines.",
  });
  const lines = Array.from({ length: 12 }, (_, i) => `random cuts, line ${i + 1}\n`);
  await hal!.send(lines, { split: 'random' });
  await ivy!.expect(lines.map((line) => `hal: ${line}`).join(''), { spec: STREAM, hint: 'Handle every complete line in the buffer, in order.' });
  await farewell([hal!, ivy!]);
});

test('forwards a burst of short lines, more than 4 KiB in all, that arrives in one write', async ({ server }) => {
  await emptyRoom(server);
  const [cy, di] = await joinAll(server, ['cy', 'di']);
  const lines = Array.from({ length: 300 }, (_, i) => `burst line ${String(i + 1).padStart(3, '0')} ${'.'.repeat(44)}\n`);
  await cy!.send(lines);
  await di!.expect(lines.map((line) => `cy: ${line}`).join(''), {
    timeoutMs: 3000,
    why: `${lines.length} lines of 60 bytes arrived together, ${lines.length * 60} bytes in all, but no line is longer than 4096. The limit is on one line, not on a chunk.`,
    spec: `${PROTOCOL} (a line longer than 4096 bytes)`,
    hint: "Cut the complete lines out of pending first; only what is left after the last '\\n' counts toward the limit (and each complete line on its own).",
  });
  await farewell([cy!, di!]);
});

test('keeps multi-byte characters whole when their bytes arrive apart', async ({ server }) => {
  await emptyRoom(server);
  const [jo, kai] = await joinAll(server, ['jo', 'kai']);
  const text = 'héllo wörld ✓ 🎉 日本語\n';
  await jo!.send(text, { split: 'trickle' });
  await kai!.expect(`jo: ${text}`, {
    why: "'é' is 2 bytes in UTF-8, '✓' 3 and '🎉' 4. Decoding each chunk on its own cuts them in two, and every half becomes U+FFFD (ef bf bd).",
    spec: 'Node docs: buf.toString(); string_decoder (StringDecoder keeps a cut character for the next chunk)',
    hint: 'Keep bytes as a Buffer until a whole line is there, and decode (if at all) only whole lines.',
  });
  await farewell([jo!, kai!]);
});

test('forwards the bytes of a line as they came: not UTF-8, and spaces and tabs at its ends', async ({ server }) => {
  await emptyRoom(server);
  const [rae, sol] = await joinAll(server, ['rae', 'sol']);
  const lines = [
    Buffer.from('caf\xe9 cr\xe8me, \xa0no-break spaces\xa0 and a lone lead byte \xc3', 'latin1'), // Latin-1, not UTF-8
    Buffer.from('   three spaces before, a tab and a space after\t '),
  ];
  await rae!.send(
    lines.map((line) => Buffer.concat([line, Buffer.from('\n')])),
    { split: 'random' },
  );
  await sol!.expect(Buffer.concat(lines.map((line) => Buffer.concat([Buffer.from('rae: '), line, Buffer.from('\n')]))), {
    why: 'The text of a message is bytes, forwarded exactly as they came: a client in a Latin-1 terminal sends "é" as the one byte e9, which is not UTF-8, and toString() would turn it into U+FFFD (ef bf bd). Spaces and tabs at the ends are part of the message; only names are trimmed.',
    spec: `${PROTOCOL}; README "Decisions you make" (bytes or text)`,
    hint: "Forward Buffer.concat([Buffer.from(`${name}: `), line, Buffer.from('\\n')]): no toString(), no trim() on the message.",
  });
  await farewell([rae!, sol!]);
});

test("keeps each sender's lines in order while six clients talk at once", async ({ server }) => {
  await emptyRoom(server);
  const names = ['lu', 'mo', 'ned', 'ola', 'pia', 'quin'];
  const clients = await joinAll(server, names);
  const said = names.map((name) => Array.from({ length: 15 }, (_, i) => `${name} line ${i + 1} ${'.'.repeat(i * 9)}\n`));
  await Promise.all(clients.map((client, i) => client.send(said[i]!, { split: 'random' })));
  const others = names.length - 1;
  await Promise.all(
    clients.map(async (client, i) => {
      const heard = new Map<string, string[]>();
      for (let n = 0; n < others * 15; n++) {
        const line = (
          await client.readUntil('\n', { max: 4096, why: `Each client should hear all ${others * 15} lines of the other ${others}.`, spec: PROTOCOL })
        ).toString();
        const from = line.slice(0, line.indexOf(': '));
        heard.set(from, [...(heard.get(from) ?? []), line.slice(from.length + 2)]);
      }
      for (const [j, name] of names.entries()) {
        if (j === i) continue;
        const got = heard.get(name) ?? [];
        const want = said[j]!;
        const first = Array.from({ length: Math.max(got.length, want.length) }, (_, k) => k).find((k) => got[k] !== want[k]);
        check(first === undefined, {
          message: `Expected ${names[i]} to hear ${want[first!] === undefined ? `nothing more from ${name}` : `${name}'s line ${first! + 1} as ${quote(`${name}: ${want[first!]}`)}`}, received ${got[first!] === undefined ? 'nothing' : quote(`${name}: ${got[first!]}`)}.`,
          why: 'Each connection has its own partial line. A buffer shared by all connections mixes pieces of different senders.',
          spec: STREAM,
          hint: 'Declare the pending-bytes buffer inside the connection handler, one per socket.',
        });
      }
      check(!heard.has(names[i]!), {
        message: `Expected ${names[i]} to hear only the others, received ${heard.get(names[i]!)?.length} of its own lines.`,
        hint: 'Skip the sender when fanning out.',
      });
    }),
  );
  await farewell(clients);
});

// Trouble: clients that leave rudely, and lines that never end. Neither may stop the room.

const ERROR_EVENT = "Node docs: net.Socket Event 'error'; events: Error events (an 'error' with no listener is thrown)";

test('removes a client that resets the connection, and keeps serving the others', async ({ server }) => {
  await emptyRoom(server);
  const [rex, sal, tom] = await joinAll(server, ['rex', 'sal', 'tom']);
  sal!.reset();
  for (const other of [rex!, tom!]) {
    await other.expect('* sal left\n', {
      why: "A reset (RST) is a leave too: the socket emits 'error' and then 'close', but never 'end'.",
      spec: ERROR_EVENT,
      hint: "Remove the client and announce it in the 'close' handler, which runs however the connection ended; give the socket an 'error' listener.",
    });
  }
  // Clients that vanish while lines are on their way to them: the server's writes to them fail.
  const rude = [];
  for (let i = 1; i <= 4; i++) {
    rude.push(await join(server, `rude${i}`));
    await rex!.readUntil('joined\n', { max: 256 });
    await tom!.readUntil('joined\n', { max: 256 });
  }
  const chatter = Array.from({ length: 200 }, (_, i) => `line ${i} ${'~'.repeat(200)}\n`);
  const sending = rex!.send(chatter);
  for (const r of rude) r.reset();
  await sending;
  await sleep(50);
  await rex!.send('still there, tom?\n');
  const seen = await tom!.readUntil('rex: still there, tom?\n', {
    max: 4 * 1024 * 1024,
    why: "A client that vanished must not stop the room. Writes to it fail with EPIPE or ECONNRESET as an 'error' event, which is thrown if nothing listens; and it will never emit 'drain', so nothing may wait for one.",
    spec: ERROR_EVENT,
    hint: "Give every socket an 'error' listener, skip sockets that are no longer writable, and never wait on one recipient.",
  });
  // The resets came first, so their leaves almost always precede rex's line; but the server may
  // see them in either order, so a leave still on its way gets a moment more.
  let heard = seen.toString();
  for (let i = 1; i <= 4; i++) {
    if (!heard.includes(`* rude${i} left\n`)) heard += (await tom!.readFor(300)).toString();
    check(heard.includes(`* rude${i} left\n`), {
      message: `Expected tom to be told "* rude${i} left", but it was not.`,
      why: 'A client that resets has left the room like any other.',
      spec: PROTOCOL,
      hint: "Announce leaves from 'close', not from 'end': a reset never emits 'end'.",
    });
  }
  await farewell([rex!, tom!]);
});

const LIMIT = 4096;
const LIMIT_SPEC = `${PROTOCOL} (a line longer than 4096 bytes); lesson 3 (line-protocol), "a limit for every buffer"`;

/** Reads the refused client's error line; fails unless it starts "* error: ". */
async function expectErrorLine(client: RawClient, why: string, hint: string): Promise<void> {
  const line = await client.readUntil('\n', { max: 1024, why, spec: LIMIT_SPEC, hint });
  check(line.toString().startsWith('* error: '), {
    message: `Expected an error line starting "* error: ", received ${quote(line.subarray(0, 80))}.`,
    why,
    spec: LIMIT_SPEC,
    hint,
  });
}

/** What the other client may hear of a refused one: that it left, and nothing of its line. */
async function expectNothingOfRefusedLine(other: RawClient, refused: string): Promise<void> {
  const heard = (await other.readFor(150)).toString();
  check(heard === '' || heard === `* ${refused} left\n`, {
    message: `Expected ${other.name} to hear nothing of the refused line (at most "* ${refused} left"), received ${quote(heard.slice(0, 80))}.`,
    why: 'A line that broke the limit is refused whole; no part of it reaches the room.',
    spec: LIMIT_SPEC,
    hint: 'Check the limit before a line is forwarded.',
  });
}

test(`forwards a line of exactly ${LIMIT} bytes, even when its "\\r" and "\\n" arrive apart`, async ({ server }) => {
  await emptyRoom(server);
  const [abe, bo] = await joinAll(server, ['abe', 'bo']);
  const text = 'w'.repeat(LIMIT);
  await abe!.send(`${text}\r\n`, { split: [LIMIT + 1], gapMs: 100 });
  await bo!.expect(`abe: ${text}\n`, {
    why: `The limit counts the line, not its ending: ${LIMIT} bytes and "\\r\\n" is a line at the limit. While the "\\n" is on its way, ${LIMIT} bytes and a "\\r" may still be exactly that.`,
    spec: LIMIT_SPEC,
    hint: `Without a newline yet, refuse only when more than ${LIMIT} + 1 bytes wait; a complete line is too long when, without its "\\r", it has more than ${LIMIT}.`,
  });
  await farewell([abe!, bo!]);
});

test(`refuses a line of ${LIMIT + 1} bytes, even when its newline comes with it`, async ({ server }) => {
  await emptyRoom(server);
  const [ed, flo] = await joinAll(server, ['ed', 'flo']);
  await ed!.send(`${'v'.repeat(LIMIT + 1)}\n`);
  await expectErrorLine(
    ed!,
    `A line of ${LIMIT + 1} bytes is too long whether its newline came with it or not. A check that only looks at the bytes waiting without a newline lets it through.`,
    `Measure each complete line too (without its "\\r"): longer than ${LIMIT}, refuse it instead of forwarding it.`,
  );
  await expectGracefulClose(ed!, 'the error line');
  await expectNothingOfRefusedLine(flo!, 'ed');
  await farewell([flo!]);
});

test(`refuses ${LIMIT + 2} bytes without a newline, however small the pieces`, async ({ server }) => {
  await emptyRoom(server);
  const [gus, hana] = await joinAll(server, ['gus', 'hana']);
  await gus!.send('u'.repeat(LIMIT + 2), { split: Array.from({ length: 8 }, () => 512), gapMs: 5 });
  await expectErrorLine(
    gus!,
    `${LIMIT + 2} bytes without a newline can no longer become a line of ${LIMIT} bytes and a "\\r". Small pieces add up: the limit is on what waits in pending, not on one chunk.`,
    'Check pending.length after appending each chunk, not chunk.length.',
  );
  await expectNothingOfRefusedLine(hana!, 'gus');
  await farewell([hana!]);
});

test('ends the connection of a client whose line passes 4 KiB without a newline', async ({ server }) => {
  await emptyRoom(server);
  const [uma, vic] = await joinAll(server, ['uma', 'vic']);
  await uma!.send('x'.repeat(8 * 1024));
  const rest = await uma!.readToEnd({
    timeoutMs: 3000,
    why: 'Every byte of an unfinished line waits in server memory. Without a limit, one client sending bytes and never a newline fills it.',
    spec: `${PROTOCOL}; lesson 3 (line-protocol), "a limit for every buffer"`,
    hint: 'When the bytes after the last newline pass 4096, write `* error: …\\n` and end() the socket.',
  });
  check(rest.toString().startsWith('* error: '), {
    message: `Expected an error line starting "* error: " before the close, received ${quote(rest.subarray(0, 80))}.`,
    why: 'Say why before closing: a client left guessing retries the same thing.',
    spec: PROTOCOL,
    hint: 'socket.end(`* error: line too long\\n`) writes the line, then FIN.',
  });
  check(uma!.state === 'fin', {
    message: `Expected the server to close uma's connection with FIN, but it was ${uma!.state === 'rst' ? 'reset (RST)' : uma!.state}.`,
    why: "A close with the client's bytes unread is a reset, and a reset can wipe out the error line before the client reads it.",
    spec: 'RFC 1122 §4.2.2.13; lesson 3 (line-protocol), "Closing gracefully"',
    hint: 'Refuse with socket.end(errorLine), not destroy(), and drop what the client still sends.',
  });
  // vic may hear that uma left (the server closed it), but no part of the refused line.
  await expectNothingOfRefusedLine(vic!, 'uma');
  await farewell([vic!]);
});
