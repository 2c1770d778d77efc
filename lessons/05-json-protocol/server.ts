// Lesson 5: a chat server that speaks newline-delimited JSON. Each request carries an id and a
// type; each response carries the same id; messages from other users arrive as pushes, unasked.
// Run: npx tsx server.ts --port 3000   (or: npx learn run json-protocol)
// Check: npx learn check json-protocol

import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

/** The longest line (one request) we hold, without its newline. */
const MAX_LINE = 64 * 1024;
/** How many messages LIST_MESSAGES returns at most: the history keeps only the latest. */
const HISTORY = 20;
/** As in lesson 4: a client that lets this much pile up unread is dropped. */
const MAX_QUEUED = 1024 * 1024;

type Id = number | string;

interface Request {
  id: Id;
  type: string;
  data?: unknown;
}

interface ChatMessage {
  from: string;
  text: string;
  /** ISO 8601, UTC: `2025-01-31T10:30:15.123Z`. */
  time: string;
}

/** One connection: its socket and, once it registered, its name. */
interface Session {
  socket: net.Socket;
  name?: string;
}

/** Registered users, by name, in the order they registered. */
const users = new Map<string, Session>();
/** The latest messages, oldest first, never more than HISTORY. */
const history: ChatMessage[] = [];

/** A request we answer with `ok: false`; `id` is null when the request had no usable id. */
class ProtocolError extends Error {
  constructor(
    readonly id: Id | null,
    message: string,
  ) {
    super(message);
  }
}

/** Writes one JSON value as one line. JSON.stringify never emits a raw newline, so framing holds. */
function sendJson(socket: net.Socket, value: object): void {
  if (!socket.writable) return;
  socket.write(`${JSON.stringify(value)}\n`);
  if (socket.writableLength > MAX_QUEUED) socket.destroy();
}

/** Parses one line into a request, or throws a ProtocolError saying what is wrong with it. */
function parseRequest(line: string): Request {
  // TODO: JSON.parse the line inside try/catch: a parse error is ProtocolError(null, 'not valid JSON').
  // TODO: the value must be an object (not an array, not null), "id" a number or a string (else
  //       ProtocolError(null, …)), and "type" a string (else ProtocolError(id, …)).
  throw new ProtocolError(null, `parseRequest() is not written yet (TODO in server.ts): ${line.length} bytes ignored`);
}

/**
 * `data` as a string with more than whitespace in it, or a ProtocolError naming what was expected.
 * Returned as written: names are trimmed by their caller, message texts are not.
 */
function text(request: Request, what: string): string {
  const data = request.data;
  if (typeof data !== 'string' || data.trim() === '') throw new ProtocolError(request.id, `${request.type} needs "data": ${what}`);
  return data;
}

/** Carries out one request for `session`; returns the response's data. */
function handle(session: Session, request: Request): unknown {
  switch (request.type) {
    // TODO: one case per command, as the README's table says. Return the response's data; throw a
    //       ProtocolError(request.id, …) to refuse. In short:
    //   REGISTER       text(request, 'a name').trim(); once per session; not taken → users.set; { name }
    //   MESSAGE        needs a name; { from, text (as written), time: new Date().toISOString() }; keep the last
    //                  HISTORY in `history`; push { type: 'MESSAGE', data } to every other user
    //   LIST_USERS     the registered names
    //   LIST_MESSAGES  `history`, oldest first
    //   ECHO           request.data, which must be present (any JSON value)
    //   TIME           new Date().toISOString()
    default:
      throw new ProtocolError(request.id, `unknown type ${JSON.stringify(request.type)}`);
  }
}

/** Answers one line: a response with the request's id, ok or not. */
function onLine(session: Session, line: string): void {
  // TODO: parseRequest(), handle(), then sendJson() { id, ok: true, data }. A ProtocolError thrown by
  //       either becomes { id: error.id, ok: false, error: error.message }; rethrow anything else.
}

const server = net.createServer((socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const session: Session = { socket };
  /** Bytes after the last newline. */
  let pending: Buffer = Buffer.alloc(0);
  console.log(`${peer} connected`);

  // TODO: on 'data', add the chunk to `pending` and pass every complete line (decoded as UTF-8,
  //       trimmed, empty ones skipped) to onLine(session, line). A line longer than MAX_LINE, or
  //       more than MAX_LINE bytes waiting without a newline: answer { id: null, ok: false,
  //       error: … } and end() the socket (not destroy()), ignoring what else arrives.

  socket.on('close', () => {
    console.log(`${peer} closed`);
    // TODO: if this session registered a name (and still owns it), remove it from `users`.
  });

  // TODO: on 'error', log it: without a listener, one reset connection crashes the server.
});

server.listen(port, host, () => {
  console.log(`JSON chat server listening on ${host}:${port}`);
});
