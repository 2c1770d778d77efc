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
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolError(null, 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError(null, 'a request is a JSON object');
  const { id, type } = value as Record<string, unknown>;
  if (typeof id !== 'number' && typeof id !== 'string') throw new ProtocolError(null, '"id" must be a number or a string');
  if (typeof type !== 'string') throw new ProtocolError(id, '"type" must be a string');
  return value as Request;
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
    case 'REGISTER': {
      const name = text(request, 'a name').trim();
      if (session.name !== undefined) throw new ProtocolError(request.id, `already registered as ${session.name}`);
      if (users.has(name)) throw new ProtocolError(request.id, `the name ${name} is taken`);
      session.name = name;
      users.set(name, session);
      return { name };
    }
    case 'MESSAGE': {
      if (session.name === undefined) throw new ProtocolError(request.id, 'REGISTER first');
      // The text goes on exactly as written: spaces at its ends are the sender's to choose.
      const message: ChatMessage = { from: session.name, text: text(request, 'the text'), time: new Date().toISOString() };
      history.push(message);
      if (history.length > HISTORY) history.shift();
      for (const other of users.values()) {
        if (other !== session) sendJson(other.socket, { type: 'MESSAGE', data: message });
      }
      return message;
    }
    case 'LIST_USERS':
      return [...users.keys()];
    case 'LIST_MESSAGES':
      return history;
    case 'ECHO':
      if (!('data' in request)) throw new ProtocolError(request.id, 'ECHO needs "data"');
      return request.data;
    case 'TIME':
      return new Date().toISOString();
    default:
      throw new ProtocolError(request.id, `unknown type ${JSON.stringify(request.type)}`);
  }
}

/** Answers one line: a response with the request's id, ok or not. */
function onLine(session: Session, line: string): void {
  try {
    const request = parseRequest(line);
    const data = handle(session, request);
    sendJson(session.socket, { id: request.id, ok: true, data });
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    sendJson(session.socket, { id: error.id, ok: false, error: error.message });
  }
}

const server = net.createServer((socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const session: Session = { socket };
  /** Bytes after the last newline. */
  let pending: Buffer = Buffer.alloc(0);
  console.log(`${peer} connected`);

  socket.on('data', (chunk: Buffer) => {
    if (!socket.writable) return; // closed for a line too long: the rest is ignored
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let newline: number;
    while ((newline = pending.indexOf(0x0a)) >= 0) {
      if (newline > MAX_LINE) return refuseLongLine(); // a long line can arrive whole, newline and all
      // Decode whole lines only: a chunk can end in the middle of a multi-byte character.
      const line = pending.subarray(0, newline).toString('utf8').trim();
      pending = pending.subarray(newline + 1);
      if (line !== '') onLine(session, line);
    }
    if (pending.length > MAX_LINE) refuseLongLine();
  });

  /** Answers a line too long to hold, and ends the connection: the framing can't be trusted now. */
  function refuseLongLine(): void {
    sendJson(socket, { id: null, ok: false, error: `line longer than ${MAX_LINE} bytes` });
    // end(), not destroy(): the error goes out first, and what the client still sends is read and
    // dropped (above) until it closes, so that the close is a FIN, not a reset (lesson 3).
    socket.end();
  }

  socket.on('close', () => {
    console.log(`${peer} closed`);
    if (session.name !== undefined && users.get(session.name) === session) users.delete(session.name);
  });

  socket.on('error', (error) => {
    console.log(`${peer} error: ${error.message}`);
  });
});

server.listen(port, host, () => {
  console.log(`JSON chat server listening on ${host}:${port}`);
});
