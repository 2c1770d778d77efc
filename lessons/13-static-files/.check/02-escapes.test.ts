// Hidden tests for static-files, part 2: every way out of the root. Each case asks for a secret
// that lies outside the root (or a file that is no regular file) and must be refused: 404, or
// 403 or 400 if you prefer, and never the secret's bytes. The README says which and why.

import path from 'node:path';
import { serverTest, check, exchange, request, quote, type Server } from '#harness/testing/index.ts';
import { HELLO, SECRET, makeSite } from './tree.ts';

const site = makeSite();
const test = serverTest('static-files', { args: ['--root', site.root] });
const REFUSED = [400, 403, 404];

interface Escape {
  name: string;
  target: string;
  why: string;
  hint: string;
  skip?: boolean;
}

const CONTAIN =
  'Join the decoded path to the root, resolve it (path.join does), and refuse it unless path.relative(root, file) stays inside (no leading "..").';
const SIBLING = path.basename(site.root) + '-private';

const ESCAPES: Escape[] = [
  {
    name: '/../secret.txt',
    target: '/../secret.txt',
    why: '".." climbs out of the root: a server that only joins paths hands out any file on the machine.',
    hint: CONTAIN,
  },
  { name: '/docs/../../secret.txt', target: '/docs/../../secret.txt', why: 'Dot segments deeper in the path climb out just as well.', hint: CONTAIN },
  {
    name: '/%2e%2e/secret.txt (encoded dots)',
    target: '/%2e%2e/secret.txt',
    why: '"%2e" is ".": the check must run on the decoded path, not on what came over the wire.',
    hint: 'Decode first, then resolve and check.',
  },
  {
    name: '/%2E%2E/secret.txt (upper-case hex)',
    target: '/%2E%2E/secret.txt',
    why: 'Hex digits in percent-encoding are case-insensitive: %2E is "." too.',
    hint: 'Decode with decodeURIComponent, then resolve and check.',
  },
  {
    name: '/%2e%2e%2fsecret.txt (an encoded slash too)',
    target: '/%2e%2e%2fsecret.txt',
    why: '"%2f" decodes to "/": the whole "../" can arrive encoded.',
    hint: 'Split and resolve the decoded path, not the raw one.',
  },
  { name: '/..%2fsecret.txt', target: '/..%2fsecret.txt', why: 'Half-encoded: ".." plain, "/" encoded.', hint: 'Decode first, then resolve and check.' },
  { name: '/.%2e/secret.txt', target: '/.%2e/secret.txt', why: 'Half-encoded: "." plain, "." encoded.', hint: 'Decode first, then resolve and check.' },
  {
    name: `/../${SIBLING}/secret.txt (the root's sibling, whose name starts like the root's)`,
    target: `/../${SIBLING}/secret.txt`,
    why: `"${SIBLING}" starts with the root's name, so a prefix test (file.startsWith(root)) lets it through.`,
    hint: 'Compare with path.relative(root, file), or check startsWith(root + path.sep).',
  },
  {
    name: '/%252e%252e/secret.txt (double-encoded)',
    target: '/%252e%252e/secret.txt',
    why: 'Decoded once this is the folder name "%2e%2e", which does not exist. Decoded twice it is "..".',
    hint: 'Decode once.',
  },
  {
    name: '/%c0%ae%c0%ae/secret.txt (overlong UTF-8 for ".")',
    target: '/%c0%ae%c0%ae/secret.txt',
    why: 'C0 AE is an invalid, overlong encoding of ".": old decoders turned it into a dot. It is not UTF-8.',
    hint: 'decodeURIComponent() throws on bytes that are not UTF-8: refuse the request then.',
  },
  {
    name: '/hello.txt%00.png (a NUL byte)',
    target: '/hello.txt%00.png',
    why: "A NUL ends a path for the OS; Node's fs throws on it (ERR_INVALID_ARG_VALUE), which would end the connection without an answer.",
    hint: 'Refuse a decoded path that contains "\\0".',
  },
  {
    name: '/..%5csecret.txt (a backslash)',
    target: '/..%5csecret.txt',
    why: 'On Windows a backslash separates folders: "..\\secret.txt" climbs out. This server refuses it everywhere.',
    hint: 'Refuse a decoded path that contains "\\\\".',
  },
  {
    name: '/back%5cslash.txt (a backslash, even in a file that exists)',
    target: '/back%5cslash.txt',
    why: "The README's rule: a path with a backslash is refused, on every system, so the server behaves the same everywhere.",
    hint: 'Refuse a decoded path that contains "\\\\".',
    skip: process.platform === 'win32',
  },
  {
    name: '/escape.txt (a symlink to a file outside the root)',
    target: '/escape.txt',
    why: 'The name is inside the root; the file it points to is not. Only the real path tells.',
    hint: "fs.realpath() the file and check the real path against the root's real path.",
    skip: !site.symlinks,
  },
  {
    name: '/linked-index/ (a folder whose index.html is a symlink to a file outside the root)',
    target: '/linked-index/',
    why: "A folder's index.html is a file like any other: its name is inside the root, and the link may lead out. Checked only for the folder, it serves whatever the link points to.",
    hint: "Look up the folder's index.html as you look up a file: path.join(folder, 'index.html'), then realPathInside(realRoot, …) again before stat() and open().",
    skip: !site.symlinks,
  },
  {
    name: '/outside-link/secret.txt (through a symlinked folder outside)',
    target: '/outside-link/secret.txt',
    why: 'A link to a folder outside turns everything in it into paths that look inside.',
    hint: "fs.realpath() the file and check the real path against the root's real path.",
    skip: !site.symlinks,
  },
];

async function expectRefused(server: Server, target: string, why: string, hint: string): Promise<void> {
  const client = await server.connect();
  const response = await exchange(client, request({ target }), { what: `the response to GET ${target}`, why, hint, timeoutMs: 3000 });
  check(REFUSED.includes(response.status), {
    message: `Expected GET ${target} to be refused with 404 (or 403, 400), received ${response.summary()}.`,
    why,
    spec: 'RFC 9110 §17.3 (file and path names); RFC 3986 §5.2.4 (dot segments)',
    hint,
  });
  check(!response.body.includes(SECRET.trim()), {
    message: `Expected the refusal of GET ${target} to say nothing of the secret, but its body contains it: ${quote(response.body.subarray(0, 80))}.`,
    why,
    hint,
  });
}

test.for(ESCAPES.map((e) => [e.name, e] as const))('refuses %s', async ([, escape], { server, skip }) => {
  if (escape.skip) skip('not possible on this system');
  await expectRefused(server, escape.target, escape.why, escape.hint);
});

test('refuses a named pipe (FIFO) with 404 instead of waiting on it forever', async ({ server, skip }) => {
  if (!site.fifo) skip('mkfifo is not available here');
  await expectRefused(
    server,
    '/pipe.txt',
    "Opening a FIFO for reading waits until something writes to it, which may be never: the request would hang, holding a thread of Node's file pool.",
    'Serve only what stat() says is a file (stats.isFile()); anything else is a 404.',
  );
});

test('still serves files after refusing escapes on the same connection', async ({ server }) => {
  const client = await server.connect();
  for (const target of ['/../secret.txt', '/hello.txt', '/%2e%2e/secret.txt', '/hello.txt']) {
    const response = await exchange(client, request({ target }), { what: `the response to GET ${target}` });
    if (target === '/hello.txt') {
      check(response.status === 200 && response.body.equals(Buffer.from(HELLO)), {
        message: `Expected GET /hello.txt to be served after a refusal on the same connection, received ${response.summary()}.`,
        why: 'A refusal is an ordinary response: the connection goes on.',
        hint: 'Answer a refused path with a response (404), not by throwing or closing.',
      });
    } else {
      check(REFUSED.includes(response.status), { message: `Expected GET ${target} to be refused, received ${response.summary()}.`, hint: CONTAIN });
    }
  }
});
