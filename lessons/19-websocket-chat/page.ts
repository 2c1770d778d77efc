// websocket-chat: the chat's page, served by the chat server itself: GET / is public/index.html
// and GET /chat.js its script. Kept small and apart from the rest on purpose: a file server (Part 4)
// can take these routes over. Written for you; it stays as it is.

import { readFileSync } from 'node:fs';
import type { Response } from '../08-http-response/response.ts';

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
};

/** The paths this module serves. */
export const PAGE_PATHS = Object.keys(FILES);

/** The file for `path`, read when asked (edit the page and reload, no restart). */
export function page(path: string): Response {
  const { file, type } = FILES[path]!;
  const body = readFileSync(new URL(`./public/${file}`, import.meta.url));
  return {
    status: 200,
    headers: [
      ['Content-Type', type],
      ['Cache-Control', 'no-cache'],
    ],
    body,
  };
}
