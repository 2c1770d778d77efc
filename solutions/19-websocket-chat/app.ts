// websocket-chat: the whole application, the sum of the lessons, built from options. The chat's
// routes come first (its page at / and /chat.js, its WebSocket at /chat), then every route of the
// lessons before: the WebSocket echo and the upload echo at /echo, /precompressed, Part 3's routes,
// and the site with ranges, validators and compression. server.ts listens with it on TCP; https
// (Part 7) serves it over TLS and http2-server (Part 8) over HTTP/2 too. Written for you; it stays
// as it is.

import { fileURLToPath } from 'node:url';
import { logged } from '../13-static-files/access-log.ts';
import { serveFiles } from '../13-static-files/serve-file.ts';
import { CompressingRouter } from '../16-compression/app.ts';
import { answerEncoded } from '../16-compression/encoded-files.ts';
import { websocketApp } from '../17-websocket-handshake/app.ts';
import { websocketRoute } from '../17-websocket-handshake/upgrade.ts';
import { WebSocket } from '../18-websocket-frames/websocket.ts';
import { Chat, type ChatOptions } from './chat.ts';
import { PAGE_PATHS, page } from './page.ts';

/** The site of Parts 4 and 5: compression's sample folder. */
export const DEFAULT_ROOT = fileURLToPath(new URL('../16-compression/site', import.meta.url));

/** The chat's defaults, as server.ts's flags give them. */
export const DEFAULT_CHAT: ChatOptions = {
  maxMessageBytes: 1024 * 1024,
  // Bytes that may wait for one member before it is dropped as too slow.
  maxQueueBytes: 16 * 1024 * 1024,
  closeTimeoutMs: 1000,
  pingIntervalMs: 30_000,
  historySize: 50,
};

export interface ChatAppOptions {
  /** The folder served at every path no route takes. */
  root: string;
  /** Cache-Control max-age of the files, in seconds. */
  maxAgeSeconds: number;
  /** Print every request and its status. */
  log: boolean;
  /** Origins allowed to open a WebSocket (lowercase); undefined allows any. */
  origins?: string[];
  chat: ChatOptions;
}

export interface ChatApp {
  /** What every connection loop is given: the routes, in order. */
  app: CompressingRouter;
  /** The chat's rooms and members; `chat.shutdown()` says goodbye (1001) to every member. */
  chat: Chat;
}

/** Builds the whole application: the chat, then every route of the lessons before. */
export function chatApp(options: ChatAppOptions): ChatApp {
  const chat = new Chat(options.chat);
  const { origins } = options;
  // The chat's own routes come first: its page at / and /chat.js (they win over the site's files
  // at the same paths; the site's front page is still /index.html), and its WebSocket at /chat.
  const router = new CompressingRouter();
  for (const path of PAGE_PATHS) router.add('GET', path, () => page(path));
  router.add(
    '*',
    '/chat',
    websocketRoute({ protocols: [], origins }, (conn, start) => chat.serve(conn, start)),
  );
  // Then every route of the lessons before: /echo (HTTP and WebSocket), /precompressed, Part 3's
  // routes, and the site, compressed.
  const files = serveFiles(options.root, answerEncoded({ maxAge: options.maxAgeSeconds }));
  const app = websocketApp(
    options.log ? logged(files) : files,
    { protocols: ['chat'], origins },
    async (conn, start) => {
      const socket = new WebSocket(conn, { maxMessageBytes: options.chat.maxMessageBytes, closeTimeoutMs: options.chat.closeTimeoutMs });
      socket.onMessage = (message) => socket.send(message.data);
      await socket.serve(start);
    },
    router,
  );
  return { app, chat };
}
