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
 * cannot take yet waits in the socket's own memory (writableLength). A client that does not read
 * makes that grow without end, so past MAX_QUEUED we stop waiting for it and drop it.
 */
function deliver(socket: net.Socket, line: Buffer): void {
  if (!socket.writable) return; // ended or destroyed: it is on its way out
  socket.write(line);
  if (socket.writableLength > MAX_QUEUED) {
    console.log(`${socket.remoteAddress}:${socket.remotePort} is not reading (${socket.writableLength} bytes waiting): dropped`);
    socket.destroy();
  }
}

/** Sends a line to everyone in the room but `except` (the sender). */
function broadcast(line: Buffer, except?: net.Socket): void {
  for (const socket of room.values()) {
    if (socket !== except) deliver(socket, line);
  }
}

const server = net.createServer((socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  let name: string | undefined;
  /** Bytes received after the last newline: the start of a line still on its way. */
  let pending: Buffer = Buffer.alloc(0);
  console.log(`${peer} connected`);

  /** One complete line, without its newline (and without a CR before it). */
  function onLine(line: Buffer): void {
    if (name === undefined) {
      const wanted = line.toString('utf8').trim();
      if (wanted === '') return deliver(socket, notice('error: a name cannot be empty; type another'));
      if (room.has(wanted)) return deliver(socket, notice(`error: ${wanted} is taken; type another name`));
      name = wanted;
      room.set(name, socket);
      console.log(`${peer} is ${name}`);
      deliver(socket, notice(`welcome ${name}`));
      broadcast(notice(`${name} joined`), socket);
      return;
    }
    if (line.length === 0) return; // an empty line says nothing
    // The text stays bytes: only whole lines are forwarded, so no character is ever cut in two.
    broadcast(Buffer.concat([Buffer.from(`${name}: `), line, Buffer.from('\n')]), socket);
  }

  /** Ends the connection of a client whose line broke the limit: the error line, then FIN. */
  function refuseLongLine(): void {
    // end(), not destroy(): the error line goes out first, and the 'data' handler goes on reading
    // (and dropping) what the client still sends, so that the close is a FIN, not a reset.
    socket.end(notice(`error: line longer than ${MAX_LINE} bytes`));
    leave(); // refused: out of the room now, not when the client gets round to closing
  }

  socket.on('data', (chunk: Buffer) => {
    if (socket.writableEnded) return; // refused: nothing more from this client counts
    // A chunk is whatever arrived: part of a line, one line, or many. Lines end at '\n'.
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let newline: number;
    while ((newline = pending.indexOf(0x0a)) >= 0) {
      let line = pending.subarray(0, newline);
      pending = pending.subarray(newline + 1);
      if (line.at(-1) === 0x0d) line = line.subarray(0, -1); // nc -C and telnet send CRLF
      if (line.length > MAX_LINE) return refuseLongLine(); // a long line can arrive whole, newline and all
      onLine(line);
      if (socket.destroyed) return;
    }
    // No newline yet: MAX_LINE bytes and a '\r' may still become a line within the limit.
    if (pending.length > MAX_LINE + 1) refuseLongLine();
  });

  /** Takes this client out of the room and tells the others; safe to call twice. */
  function leave(): void {
    if (name === undefined || room.get(name) !== socket) return;
    room.delete(name);
    broadcast(notice(`${name} left`));
  }

  // 'close' comes after every kind of ending: FIN, reset, or our own destroy(). Leaving here
  // means nobody is forgotten, however they went.
  socket.on('close', () => {
    console.log(`${peer} closed`);
    leave();
  });

  // ECONNRESET, EPIPE: without a listener one vanished client would crash the room.
  socket.on('error', (error) => {
    console.log(`${peer} error: ${error.message}`);
  });
});

server.listen(port, host, () => {
  console.log(`chat server listening on ${host}:${port}`);
});
