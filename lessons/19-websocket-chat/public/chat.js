// The chat's browser client: the page's forms, and a WebSocket to /chat on the server that served
// the page. Messages both ways are JSON text (the protocol is in the lesson's README).

const log = document.getElementById('log');
const status = document.getElementById('status');
const joinForm = document.getElementById('join');
const sayForm = document.getElementById('say');
let socket;

function show(text, kind = '') {
  const item = document.createElement('li');
  item.textContent = text;
  if (kind) item.className = kind;
  log.append(item);
  log.scrollTop = log.scrollHeight;
}

function time(at) {
  return new Date(at).toLocaleTimeString();
}

/** Asks to join, with what the form says now. */
function sendJoin() {
  const name = joinForm.elements.name.value.trim();
  const room = joinForm.elements.room.value.trim();
  socket.send(JSON.stringify({ type: 'join', name, room }));
}

joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  // One socket at a time. Open: the server refused the last join (a name taken, say) and kept the
  // connection, so ask again on it. Still connecting: the join goes out when it opens.
  if (socket?.readyState === WebSocket.OPEN) return sendJoin();
  if (socket?.readyState === WebSocket.CONNECTING) return;
  // ws:// on an http:// page, wss:// on an https:// one; same host and port as the page.
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const opened = new WebSocket(`${scheme}//${location.host}/chat`);
  socket = opened;
  status.textContent = 'Connecting…';
  opened.addEventListener('open', sendJoin);
  opened.addEventListener('message', (event) => receive(JSON.parse(event.data)));
  opened.addEventListener('close', (event) => {
    status.textContent = `Disconnected (${event.code}${event.reason ? `: ${event.reason}` : ''}).`;
    sayForm.hidden = true;
    joinForm.hidden = false;
  });
});

function receive(event) {
  switch (event.type) {
    case 'welcome':
      status.textContent = `You are ${event.name} in ${event.room}, with ${event.users.join(', ')}.`;
      joinForm.hidden = true;
      sayForm.hidden = false;
      sayForm.elements.text.focus();
      for (const said of event.history) show(`[${time(said.at)}] ${said.from}: ${said.text}`);
      break;
    case 'joined':
      show(`${event.name} joined`, 'notice');
      break;
    case 'left':
      show(`${event.name} left`, 'notice');
      break;
    case 'message':
      show(`[${time(event.at)}] ${event.from}: ${event.text}`);
      break;
    case 'private':
      show(`[${time(event.at)}] ${event.from} → ${event.to}: ${event.text}`, 'private');
      break;
    case 'users':
      show(`In ${event.room}: ${event.users.join(', ')}`, 'notice');
      break;
    case 'error':
      show(`Error: ${event.message}`, 'notice');
      break;
  }
}

sayForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = sayForm.elements.text.value;
  if (!text) return;
  if (socket?.readyState !== WebSocket.OPEN) return show('Not connected: join a room first.', 'notice');
  const whisper = /^\/msg (\S+) (.+)$/.exec(text);
  if (whisper) socket.send(JSON.stringify({ type: 'private', to: whisper[1], text: whisper[2] }));
  else if (text === '/who') socket.send(JSON.stringify({ type: 'list_users' }));
  else socket.send(JSON.stringify({ type: 'message', text }));
  sayForm.elements.text.value = '';
});
