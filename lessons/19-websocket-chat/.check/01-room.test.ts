// Hidden tests for websocket-chat, part 1: the page, and the room: joins and leaves, messages to
// everyone in the room in order, rooms kept apart, history for newcomers, the users list, private
// messages, and errors that keep the connection open. Each test uses rooms of its own.

import { serverTest, check, request, exchange, checkStatus, encodeFrame, openWebSocket, Opcode } from '#harness/testing/index.ts';
import { join, joinAll, leave, leaveAll, show, Member, PROTOCOL, type ChatEvent } from './members.ts';

const test = serverTest('websocket-chat');

test('serves the chat page at / and its script at /chat.js', async ({ server }) => {
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

test('welcomes a member who joins: the room, the name, the users, an empty history', async ({ server }) => {
  const { member, welcome } = await join(server, 'ann', 'welcome-room');
  check(JSON.stringify(welcome.users) === '["ann"]' && JSON.stringify(welcome.history) === '[]', {
    message: `Expected the welcome of the first member of a new room to list the users ["ann"] and no history, received ${show(welcome)}.`,
    why: 'The welcome tells a newcomer who is there (itself included) and what was said before it came.',
    spec: PROTOCOL,
    hint: '{"type":"welcome","room":…,"name":…,"users":[every name in the room],"history":[its recent messages]}',
  });
  await leaveAll([member]);
});

test('tells the room when someone joins and when someone leaves', async ({ server }) => {
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

test('sends a message to everyone in the room, the sender included', async ({ server }) => {
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

test('keeps rooms apart', async ({ server }) => {
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
  await leaveAll([ann!, ann2!, bob!]);
});

test('gives a newcomer the last 50 messages of the room, oldest first', async ({ server }) => {
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

test('lists the users of the room', async ({ server }) => {
  const members = await joinAll(server, ['ann', 'bob', 'cid'], 'who');
  await members[2]!.request({ type: 'list_users' });
  await members[2]!.expect(
    { type: 'users', room: 'who', users: ['ann', 'bob', 'cid'] },
    { hint: 'Answer {"type":"list_users"} with {"type":"users","room":…,"users":[…]}, to the asker only.' },
  );
  await leaveAll(members);
});

test('delivers a private message to the named member only, with a copy for the sender', async ({ server }) => {
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

test('answers requests it cannot serve with an error event, and keeps the connection', async ({ server }) => {
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
  for (const name of ['', ' padded ', 'x'.repeat(33), 'bell\u0007']) {
    await early.request({ type: 'join', name, room: 'names' });
    await early.expect(
      { type: 'error' },
      {
        what: `an error event for the name ${JSON.stringify(name)}`,
        why: 'A name is 1 to 32 characters, without control characters or spaces around it.',
        hint: 'Check the name before joining.',
      },
    );
  }
  await leaveAll([ann, bob, early]);
});
