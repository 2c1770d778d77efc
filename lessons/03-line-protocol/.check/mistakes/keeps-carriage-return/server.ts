// MISTAKE: keeps the \r of a \r\n line ending as part of the message.
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
  const bytes = buffer.view();
  // The limit bounds this scan too: at most MAX_MESSAGE + 2 bytes are ever searched again.
  const newline = bytes.indexOf(LF);
  if (newline < 0) {
    // Without a newline yet, MAX_MESSAGE bytes plus a "\r" may still be one good line.
    if (bytes.length > MAX_MESSAGE + 1) throw new MessageTooLong();
    return undefined;
  }
  const end = newline;
  if (end > MAX_MESSAGE) throw new MessageTooLong();
  const line = Buffer.from(bytes.subarray(0, end)); // a copy: view() is only valid until append()
  buffer.consume(newline + 1);
  return line;
}

const QUIT = Buffer.from('quit');

async function serveClient(conn: Conn): Promise<void> {
  const buffer = new GrowableBuffer(); // one per connection: each client is its own stream
  for (;;) {
    let line: Buffer | undefined;
    try {
      line = takeLine(buffer);
    } catch (error) {
      if (!(error instanceof MessageTooLong)) throw error;
      await conn.write(`Error: message too long (the limit is ${MAX_MESSAGE} bytes)\n`);
      break;
    }
    if (line === undefined) {
      const data = await conn.read();
      if (data.length === 0) break; // EOF; an unfinished last line is dropped
      buffer.append(data);
      continue;
    }
    if (line.equals(QUIT)) {
      await conn.write('Bye.\n');
      break; // whatever the client sent after quit stays unread
    }
    await conn.write(Buffer.concat([Buffer.from('Echo: '), line, Buffer.from('\n')]));
  }
  await conn.end(); // FIN, after our last reply
  // Read and drop whatever else the client sends until it closes too. Closing a socket with
  // unread bytes makes the OS reset the connection (RFC 1122 §4.2.2.13), and a reset can destroy
  // our last reply before the client reads it.
  while ((await conn.read()).length > 0);
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
