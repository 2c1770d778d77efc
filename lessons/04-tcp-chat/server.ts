// Lesson 4: a chat room over TCP. The first line a client sends is its name; every line after
// that goes to everyone else in the room as `name: text`. Joins and leaves are announced.
// Run: npx tsx server.ts --port 3000   (or: npx learn run tcp-chat)
// Check: npx learn check tcp-chat

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

/** A line longer than this (line ending not counted) ends the connection (lesson 3: every buffer needs a limit). */
const MAX_LINE = 4096;
/** Bytes waiting to be sent to one client before we decide it is too slow and drop it. */
const MAX_QUEUED = 1024 * 1024;

/** Everyone who has a name, by name. A Map keeps the order they joined in. */
const room = new Map<string, net.Socket>();

/** A line from the server itself: `* alice joined`. */
function notice(text: string): Buffer {
  return Buffer.from(`* ${text}\n`);
}

/**
 * Queues a line for one client, without waiting for it. write() never refuses: what the kernel
 * cannot take yet waits in the socket's own memory (writableLength).
 */
function deliver(socket: net.Socket, line: Buffer): void {
  // TODO: skip a socket that is no longer writable (ended or destroyed); otherwise write the line.
  // TODO: a client that does not read makes socket.writableLength grow without end. Past
  //       MAX_QUEUED, log it and destroy() the socket: its 'close' handler takes it out of the room.
}

/** Sends a line to everyone in the room but `except` (the sender). */
function broadcast(line: Buffer, except?: net.Socket): void {
  // TODO: deliver the line to every socket in the room except `except`. Never wait on one of them.
}

const server = net.createServer((socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  let name: string | undefined;
  /** Bytes received after the last newline: the start of a line still on its way. */
  let pending: Buffer = Buffer.alloc(0);
  console.log(`${peer} connected`);

  /** One complete line, without its newline (and without a CR before it). */
  function onLine(line: Buffer): void {
    // TODO: no name yet, so this line is the name. Trim it. Refuse an empty or taken one with
    //       notice('error: …'), and stay nameless so the next line is another try. Otherwise keep
    //       it in `name`, add the socket to the room, send `* welcome <name>` to this client and
    //       `* <name> joined` to the others.
    // TODO: with a name: skip an empty line; otherwise broadcast `<name>: <line>\n` to the others.
  }

  // TODO: on 'data', add the chunk to `pending` and hand every complete line in it to onLine()
  //       (without its '\n', and without a '\r' just before it). A line longer than MAX_LINE, or
  //       more than MAX_LINE + 1 bytes waiting with no newline (room for a '\r'): end the socket
  //       with an error line (end(), not destroy()) and leave().

  /** Takes this client out of the room and tells the others; safe to call twice. */
  function leave(): void {
    // TODO: if this client has a name and is in the room, remove it and announce `* <name> left`.
  }

  socket.on('close', () => {
    console.log(`${peer} closed`);
    // TODO: leave(): 'close' comes however the connection ended (FIN, reset, or our destroy()).
  });

  // TODO: on 'error' (a reset, a write to a client that vanished), log it. An 'error' event with
  //       no listener is thrown, and one rude client would take the whole room down.
});

server.listen(port, host, () => {
  console.log(`chat server listening on ${host}:${port}`);
});
