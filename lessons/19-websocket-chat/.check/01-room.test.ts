// Hidden tests for websocket-chat, part 1: the page, and the room: joins and leaves, messages to
// everyone in the room in order, rooms kept apart, history for newcomers, the users list, private
// messages, and errors that keep the connection open. Each test uses rooms of its own (names are
// unique within a room only), so the tests run side by side on the one program.

import { serverTest, check, request, exchange, checkStatus, encodeFrame, openWebSocket, Opcode } from '#harness/testing/index.ts';
import { join, joinAll, leave, leaveAll, show, Member, PROTOCOL, type ChatEvent } from './members.ts';

const test = serverTest('websocket-chat');

test.concurrent('serves the chat page at / and its script at /chat.js', async ({ server }) => {
  const client = await server.connect('browser');
  const page = await exchange(client, request({ target: '/' }), { what: 'the response to GET /' });
  checkStatus(page, 200, {
    why: 'The server that carries the chat also serves the page a browser chats from.',
    hint: 'Keep the page routes of server.ts (page.ts).',
  });
  check(/text\/html/.test(page.header('content-type') ?? '') && page.body.includes('/chat.js'), {
    message: `Expected GET / to be the chat's HTML page, which loads /chat.js, received ${page.summary()}.`,
    hint: 'Keep public/index.html and the page routes as they are.',
  });
  const script = await exchange(client, request({ target: '/chat.js' }), { what: 'the response to GET /chat.js' });
  checkStatus(script, 200);
  check(/javascript/.test(script.header('content-type') ?? '') && script.body.includes('new WebSocket('), {
    message: `Expected GET /chat.js to be the page's script, which opens a WebSocket, received ${script.summary()}.`,
    hint: 'Keep public/chat.js as it is.',
  });
});

test.concurrent('welcomes a member who joins: the room, the name, the users, an empty history', async ({ server }) => {
  const { member, welcome } = await join(server, 'ann', 'welcome-room');
  check(JSON.stringify(welcome.users) === '["ann"]' && JSON.stringify(welcome.history) === '[]', {
    message: `Expected the welcome of the first member of a new room to list the users ["ann"] and no history, received ${show(welcome)}.`,
    why: 'The welcome tells a newcomer who is there (itself included) and what was said before it came.',
    spec: PROTOCOL,
    hint: '{"type":"welcome","room":…,"name":…,"users":[every name in the room],"history":[its recent messages]}',
  });
  await leaveAll([member]);
});

test.concurrent('puts a member who names no room in "lobby"', async ({ server }) => {
  const { member, welcome } = await join(server, 'lobby-default', undefined, {
    why: 'A join without "room" is a join to the room "lobby": the field is optional, and "lobby" is its default.',
    hint: 'request.room ?? "lobby" (not "undefined", not an error).',
  });
  check(Array.isArray(welcome.users) && (welcome.users as unknown[]).includes('lobby-default'), {
    message: `Expected the welcome in "lobby" to list lobby-default among its users, received ${show(welcome)}.`,
    spec: PROTOCOL,
  });
  await leaveAll([member]);
});

test.concurrent('tells the room when someone joins and when someone leaves', async ({ server }) => {
  const [ann, bob] = await joinAll(server, ['ann', 'bob'], 'notices');
  const { member: cid, welcome } = await join(server, 'cid', 'notices');
  check(JSON.stringify(welcome.users) === '["ann","bob","cid"]', {
    message: `Expected cid's welcome to list the users ["ann","bob","cid"], in the order they joined, received ${show(welcome)}.`,
    spec: PROTOCOL,
    hint: 'A Map keeps its keys in insertion order.',
  });
  for (const other of [ann!, bob!]) await other.expect({ type: 'joined', room: 'notices', name: 'cid' });
  await leave(bob!);
  for (const other of [ann!, cid]) {
    await other.expect(
      { type: 'left', room: 'notices', name: 'bob' },
      {
        why: 'When a member leaves (here with a close frame), the others in the room are told: {"type":"left","room":…,"name":…}.',
        hint: 'Remove the member and broadcast "left" when its connection ends, however it ends.',
      },
    );
  }
  cid.client.reset();
  await ann!.expect(
    { type: 'left', room: 'notices', name: 'cid' },
    {
      why: 'A member that vanishes (here the connection was reset, without a close frame) has left too.',
      hint: 'Announce the leave where the connection ends for any reason: after serve() settles.',
    },
  );
  await leaveAll([ann!]);
});

test.concurrent('sends a message to everyone in the room, the sender included', async ({ server }) => {
  const members = await joinAll(server, ['ann', 'bob', 'cid'], 'talk');
  await members[1]!.say('héllo, wörld 👋');
  for (const member of members) {
    const event = await member.expect(
      { type: 'message', room: 'talk', from: 'bob', text: 'héllo, wörld 👋' },
      {
        why: 'A message goes to every member of the room, the sender included (that is how it knows the room has it), as {"type":"message","room":…,"from":…,"text":…,"at":…}.',
        hint: "Broadcast to every member of the sender's room.",
      },
    );
    check(typeof event.at === 'string' && !Number.isNaN(Date.parse(event.at)), {
      message: `Expected "at" to be the time of the message as an ISO date, received ${show(event)}.`,
      spec: PROTOCOL,
      hint: 'new Date().toISOString()',
    });
  }
  await leaveAll(members);
});

test.concurrent('keeps rooms apart: their messages and their histories', async ({ server }) => {
  const [ann] = await joinAll(server, ['ann'], 'kitchen');
  const [ann2, bob] = await joinAll(server, ['ann', 'bob'], 'garden');
  await ann!.say('only for the kitchen');
  await ann!.expect({ type: 'message', room: 'kitchen', from: 'ann', text: 'only for the kitchen' });
  await bob!.say('only for the garden');
  for (const member of [ann2!, bob!]) {
    await member.expect(
      { type: 'message', room: 'garden', from: 'bob', text: 'only for the garden' },
      {
        why: 'A message goes to its room only: the garden hears nothing of the kitchen. The same name may be used in two rooms.',
        hint: "Keep the members per room (a Map from room name to its members), and broadcast to the sender's room.",
      },
    );
  }
  const { member: cid, welcome } = await join(server, 'cid', 'garden');
  check(
    JSON.stringify((welcome.history as ChatEvent[] | undefined)?.map((said) => [said.room, said.text])) === JSON.stringify([['garden', 'only for the garden']]),
    {
      message: `Expected the history of "garden" to hold its one message, and nothing said in "kitchen", received ${show(welcome)}.`,
      why: 'Each room keeps a history of its own: a newcomer to the garden must not read what was said in the kitchen.',
      spec: PROTOCOL,
      hint: 'Keep the history on the room (room.history), not one list for the whole server.',
    },
  );
  await leaveAll([ann!, ann2!, bob!, cid]);
});

test.concurrent('gives a newcomer the last 50 messages of the room, oldest first', async ({ server }) => {
  const [ann] = await joinAll(server, ['ann'], 'history');
  for (let i = 1; i <= 55; i++) await ann!.say(`message ${i}`);
  for (let i = 1; i <= 55; i++) await ann!.expect({ type: 'message', text: `message ${i}` });
  const { member: bob, welcome } = await join(server, 'bob', 'history');
  const texts = Array.isArray(welcome.history) ? (welcome.history as ChatEvent[]).map((said) => said.text) : [];
  const want = Array.from({ length: 50 }, (_, i) => `message ${i + 6}`);
  check(JSON.stringify(texts) === JSON.stringify(want), {
    message: `Expected the welcome's history to be messages 6 to 55 (the last 50, oldest first), received ${texts.length} messages: ${JSON.stringify(texts).slice(0, 200)}.`,
    why: 'A room keeps its last 50 messages, in the order they were said, and a newcomer gets them with its welcome: it sees what was said just before it came.',
    spec: PROTOCOL,
    hint: "Push each message onto the room's history, and shift() the oldest when there are more than 50.",
  });
  const said = (welcome.history as ChatEvent[])[0]!;
  check(said.type === 'message' && said.from === 'ann' && said.room === 'history', {
    message: `Expected each history entry to be the message event as it was sent, received ${show(said)}.`,
    spec: PROTOCOL,
  });
  await bob.request({ type: 'list_messages' });
  const listed = await bob.expect({ type: 'messages', room: 'history' });
  check(JSON.stringify((listed.messages as ChatEvent[] | undefined)?.map((m) => m.text)) === JSON.stringify(want), {
    message: `Expected {"type":"list_messages"} to be answered with the same last 50 messages, received ${show(listed)}.`,
    spec: PROTOCOL,
    hint: '{"type":"messages","room":…,"messages":[…]}',
  });
  await leaveAll([ann!, bob]);
});

test.concurrent('lists the users of the room to the asker only, without those who left', async ({ server }) => {
  const [ann, bob, cid] = await joinAll(server, ['ann', 'bob', 'cid'], 'who');
  await cid!.request({ type: 'list_users' });
  await cid!.expect(
    { type: 'users', room: 'who', users: ['ann', 'bob', 'cid'] },
    { hint: 'Answer {"type":"list_users"} with {"type":"users","room":…,"users":[…]}, to the asker only.' },
  );
  await ann!.say('after the list');
  for (const member of [ann!, bob!])
    await member.expect(
      { type: 'message', from: 'ann', text: 'after the list' },
      {
        why: 'Only cid asked who is here: the answer goes to cid alone, so the next thing ann and bob hear is the message.',
        spec: PROTOCOL,
        hint: 'Send the "users" answer to the asking member (send), not to the room (broadcast).',
      },
    );
  await cid!.expect({ type: 'message', from: 'ann', text: 'after the list' });
  await leave(bob!);
  for (const member of [ann!, cid!]) await member.expect({ type: 'left', room: 'who', name: 'bob' });
  await cid!.request({ type: 'list_users' });
  await cid!.expect(
    { type: 'users', room: 'who', users: ['ann', 'cid'] },
    {
      why: 'bob has left: he is no longer a member of the room, and the list says so.',
      spec: PROTOCOL,
      hint: "When a member leaves, delete it from the room's members as well as telling the others.",
    },
  );
  await leaveAll([ann!, cid!]);
});

test.concurrent('delivers a private message to the named member only, with a copy for the sender', async ({ server }) => {
  const [ann, bob, cid] = await joinAll(server, ['ann', 'bob', 'cid'], 'whisper');
  await ann!.request({ type: 'private', to: 'cid', text: 'just between us' });
  const whisper = { type: 'private', room: 'whisper', from: 'ann', to: 'cid', text: 'just between us' };
  await cid!.expect(whisper, {
    why: 'A private message goes to the member named in "to".',
    hint: "Look the name up in the sender's room, and send to that member.",
  });
  await ann!.expect(whisper, { why: 'The sender gets a copy, so that its own client can show it.' });
  await bob!.say('public again');
  await bob!.expect(
    { type: 'message', text: 'public again' },
    {
      why: 'bob must not have received the private message: the next thing he hears is his own public one.',
      hint: 'Send the private message to two members only: the recipient and the sender.',
    },
  );
  await leaveAll([ann!, bob!, cid!]);
});

test.concurrent('keeps a private message out of other rooms and out of the history', async ({ server }) => {
  const [ann, bob, cid] = await joinAll(server, ['ann', 'bob', 'cid'], 'secrets');
  // Namesakes in another room: a "cid" and an "eve" that the whisperers' room does not have.
  const [otherCid, eve] = await joinAll(server, ['cid', 'eve'], 'elsewhere');
  await ann!.request({ type: 'private', to: 'cid', text: 'only for cid of secrets 🤫' });
  const whisper = { type: 'private', room: 'secrets', from: 'ann', to: 'cid', text: 'only for cid of secrets 🤫' };
  await cid!.expect(whisper, { why: 'A private message goes to the member of the room named in "to".' });
  await ann!.expect(whisper, { why: 'The sender gets a copy.' });
  await otherCid!.say('marker in elsewhere');
  await otherCid!.expect(
    { type: 'message', room: 'elsewhere', from: 'cid', text: 'marker in elsewhere' },
    {
      what: 'its own message next (not the whisper)',
      why: 'The "cid" of another room is someone else: "to" names a member of the sender\'s room, and nobody outside it may receive the message.',
      spec: PROTOCOL,
      hint: 'Look "to" up in the sender\'s room only (room.members.get(to)), not among every connection.',
    },
  );
  await eve!.expect({ type: 'message', room: 'elsewhere', from: 'cid', text: 'marker in elsewhere' });
  await ann!.request({ type: 'private', to: 'eve', text: 'eve is not in this room' });
  await ann!.expect(
    { type: 'error' },
    {
      what: 'an error event for a private message to a member of another room',
      why: 'eve is in "elsewhere", not in "secrets": there is nobody of that name to deliver to here.',
      hint: 'Look "to" up in the sender\'s room only.',
    },
  );
  await eve!.say('eve was not whispered to');
  await eve!.expect(
    { type: 'message', room: 'elsewhere', from: 'eve', text: 'eve was not whispered to' },
    { why: 'A private message to a name of another room reaches nobody.', spec: PROTOCOL },
  );
  await otherCid!.expect({ type: 'message', from: 'eve', text: 'eve was not whispered to' });
  await leave(bob!);
  for (const member of [ann!, cid!]) await member.expect({ type: 'left', room: 'secrets', name: 'bob' });
  await cid!.request({ type: 'dance' });
  await cid!.expect({ type: 'error' }, { what: 'an error event for an unknown request type' });
  // Nothing said in public in "secrets": a newcomer's history is empty, whatever else happened.
  const { member: dan, welcome } = await join(server, 'dan', 'secrets');
  check(JSON.stringify(welcome.history) === '[]', {
    message: `Expected an empty history in the welcome to "secrets" (a private message, joins, a leave and an error, but no public message), received ${show(welcome)}.`,
    why: "The history is the room's public messages, and only those: a private message is for two members and must never reach a newcomer; joins, leaves and errors are not messages.",
    spec: PROTOCOL,
    hint: 'Push onto room.history only in the "message" case, never for "private", notices or errors.',
  });
  await dan.request({ type: 'list_messages' });
  await dan.expect({ type: 'messages', room: 'secrets', messages: [] }, { why: 'list_messages answers with the same history: no private message in it.' });
  await leaveAll([ann!, cid!, otherCid!, eve!, dan]);
});

test.concurrent('answers requests it cannot serve with an error event, and keeps the connection', async ({ server }) => {
  const { member: ann } = await join(server, 'ann', 'errors');
  const { client } = ann;
  const bad: Array<[string, Buffer]> = [
    ['text that is not JSON', encodeFrame(Opcode.text, 'hello?')],
    ['an unknown request type', encodeFrame(Opcode.text, JSON.stringify({ type: 'dance' }))],
    ['a JSON value that is not an object', encodeFrame(Opcode.text, '42')],
    ['a binary message', encodeFrame(Opcode.binary, Buffer.from([1, 2, 3]))],
    ['a second join', encodeFrame(Opcode.text, JSON.stringify({ type: 'join', name: 'ann2' }))],
    ['a private message to nobody', encodeFrame(Opcode.text, JSON.stringify({ type: 'private', to: 'nobody', text: 'hi' }))],
  ];
  for (const [what, frame] of bad) {
    await client.send(frame);
    await ann.expect(
      { type: 'error' },
      {
        what: `an error event after ${what}`,
        why: 'A request the chat cannot serve is answered with {"type":"error","message":…}; the connection stays open, and the member in its room.',
        hint: 'Catch JSON.parse errors, and check the type and fields of each request before using them.',
      },
    );
  }
  await ann.say('still here');
  await ann.expect({ type: 'message', from: 'ann', text: 'still here' }, { why: 'After the errors, the member is still in the room.' });
  const { member: bob } = await join(server, 'bob', 'errors-2');
  await bob.client.send(encodeFrame(Opcode.text, JSON.stringify({ type: 'join', name: 'ann', room: 'errors' })));
  await bob.expect({ type: 'error' }, { what: 'an error event for a second join', why: 'A member joins one room, once.' });
  const { client: late } = await openWebSocket(server, { target: '/chat', name: 'early' });
  const early = new Member(late, 'early');
  await early.say('before joining');
  await early.expect(
    { type: 'error' },
    {
      what: 'an error event for a message before joining',
      why: 'Only members of a room can talk: a message before a join is an error.',
      hint: 'Check that the member has joined before handling anything but "join".',
    },
  );
  await early.request({ type: 'join', name: 'ann', room: 'errors' });
  await early.expect(
    { type: 'error' },
    {
      what: 'an error event for a join with a name taken in that room',
      why: 'Names are unique within a room: ann is in "errors" already.',
      hint: 'Refuse a join whose name the room has already.',
    },
  );
  for (const name of ['', ' padded ', ' leading', 'trailing ', 'x'.repeat(33), '😀'.repeat(33), 'bell\u0007', 'tab\there', 'del\u007f', 'nel\u0085']) {
    await early.request({ type: 'join', name, room: 'names' });
    await early.expect(
      { type: 'error' },
      {
        what: `an error event for the name ${JSON.stringify(name)}`,
        why: 'A name is 1 to 32 characters, without control characters (U+0000–U+001F, U+007F, U+0080–U+009F) or spaces around it (either end).',
        spec: `${PROTOCOL}; Unicode general category Cc`,
        hint: 'Check the name before joining: /^\\P{Cc}{1,32}$/u counts characters (code points) and refuses control characters; name.trim() === name refuses spaces around it.',
      },
    );
  }
  await leaveAll([ann, bob, early]);
});

test.concurrent('takes names of 1 to 32 characters, counted as characters: 32 × "x", "é" or "😀"', async ({ server }) => {
  const members = [];
  for (const [i, name] of ['x'.repeat(32), 'é'.repeat(32), '😀'.repeat(32), 'z', 'Zoë 🦊 de la Forêt'].entries()) {
    const { member } = await join(server, name, `names-ok-${i}`, {
      why: `A name is 1 to 32 characters: ${JSON.stringify(name)} has ${[...name].length} (${Buffer.byteLength(name)} bytes in UTF-8, ${name.length} UTF-16 units in a JS string). It counts as characters, outside the BMP too.`,
      hint: 'Count code points: [...name].length, or a regular expression with the u flag ({1,32} then counts characters); name.length counts UTF-16 units, and "😀" is two of them.',
    });
    members.push(member);
  }
  await leaveAll(members);
});
