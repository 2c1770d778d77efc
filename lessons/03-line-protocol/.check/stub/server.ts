// Lesson 3: a line protocol. Each message is a line ending in "\n" (a "\r" before it is dropped).
// `quit` is answered "Bye." and the connection is closed; anything else is answered "Echo: <msg>".
// Run: npx tsx server.ts --port 3000   (or: npx learn run line-protocol)
// Check: npx learn check line-protocol

import net from 'node:net';
import { parseArgs } from 'node:util';
import { Conn } from '../02-socket-promises/socket.ts';
import { GrowableBuffer } from './buffer.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const port = Number(values.port);
const host = values.host;

/** The longest message we accept, in bytes, not counting the line ending. */
export const MAX_MESSAGE = 4096;

const LF = 0x0a;
const CR = 0x0d;

class MessageTooLong extends Error {}

/**
 * Takes the next complete line out of the buffer and returns its content without "\r\n" or
 * "\n"; undefined if no complete line is there yet. Throws MessageTooLong as soon as the waiting
 * bytes can no longer become a message within the limit, without waiting for the newline.
 */
function takeLine(buffer: GrowableBuffer): Buffer | undefined {
  // TODO: find the first "\n" (LF) in buffer.view().
  //       None yet: if more than MAX_MESSAGE + 1 bytes wait, throw MessageTooLong; else undefined.
  //       Found: the message ends before it (and before a "\r" right before it). Too long? Throw.
  //       Otherwise copy the message out, consume it and its line ending, and return it.
  return undefined;
}

const QUIT = Buffer.from('quit');

async function serveClient(conn: Conn): Promise<void> {
  const buffer = new GrowableBuffer(); // one per connection: each client is its own stream
  // TODO: loop: take the next line from the buffer; if there is none, read more (stop at EOF) and
  //       append it. Answer "quit" with "Bye.\n" and stop; any other line with "Echo: <line>\n".
  //       A MessageTooLong from takeLine: answer "Error: …\n" and stop.
  // TODO: after the loop: end our side, then read and drop until EOF (closing with unread bytes
  //       would reset the connection).
}

const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  const conn = new Conn(socket);
  serveClient(conn)
    .catch((error: Error) => console.log(`${peer} error: ${error.message}`))
    .finally(() => conn.destroy());
});

server.listen(port, host, () => {
  console.log(`line server listening on ${host}:${port}`);
});
