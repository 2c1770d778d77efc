// Hidden tests for lesson 4, tcp-chat, part 1: names, joins, fan-out and framing. Most basic
// first: the first failure is the one to fix. Each test uses names of its own, so that a client
// a broken server forgot to remove cannot spoil the next test.

import { serverTest, check, quote } from '#harness/testing/index.ts';
import { emptyRoom, farewell, join, joinAll, PROTOCOL } from './room.ts';

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
