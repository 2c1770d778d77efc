// Hidden tests for static-files, part 1: files, folders and methods, as a table of cases on a
// folder made for the test (tree.ts). Escapes are in 02, streaming and file handles in 03.

import { serverTest, httpCases, check, type HttpCase, type HttpResponse } from '#harness/testing/index.ts';
import { BINARY, DOCS_INDEX, HELLO, INDEX, TEXT_FILES, makeSite } from './tree.ts';

const site = makeSite();
const test = serverTest('static-files', { args: ['--root', site.root] });

const FILES = 'RFC 9110 §9.3.1 (GET), §8.3 (Content-Type)';
const TEXT = 'text/plain; charset=utf-8';
const HTML = 'text/html; charset=utf-8';

/** A GET of `target` that must answer 200 with `body` and `type`. */
function serves(name: string, target: string, body: string | Buffer, type: string, teaching: Pick<HttpCase, 'why' | 'spec' | 'hint'> = {}): HttpCase {
  return {
    name,
    send: { target },
    expect: { status: 200, fields: { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) }, body },
    spec: FILES,
    hint: 'Map the path to a file under the root, stat it, and send its bytes as the body with its Content-Type.',
    ...teaching,
  };
}

/** A GET of `target` that must answer 404 and keep the connection. */
function notFound(name: string, target: string, why: string, hint: string): HttpCase {
  return { name, send: { target }, expect: { status: 404, close: false }, why, spec: 'RFC 9110 §15.5.5', hint };
}

/** Checks that a 301's Location, resolved against the request's URL, is `path` (and `search`, the query) on the same host. */
function redirectsTo(path: string, target: string, search = '') {
  return (response: HttpResponse, label: string) => {
    const location = response.header('location');
    let resolved: URL | undefined;
    try {
      resolved = location === undefined ? undefined : new URL(location, `http://localhost${target}`);
    } catch {
      resolved = undefined;
    }
    check(location === undefined || /^[\x21-\x7e]+$/.test(location), {
      message: `Expected ${label}'s Location to be a URI (visible ASCII, percent-encoded), received ${JSON.stringify(location)}.`,
      why: 'A URI has no spaces and no bytes above 0x7f: they travel percent-encoded. The decoded path is for finding the file, not for the wire.',
      spec: 'RFC 9110 §10.2.2 (Location = URI-reference); RFC 3986 §2.1',
      hint: 'Build Location from the path as it came in the request (still encoded), not from the decoded one.',
    });
    check(resolved !== undefined && resolved.host === 'localhost' && resolved.pathname === path, {
      message: `Expected ${label} to redirect to "${path}" on this server, received ${location === undefined ? 'no Location field' : `"Location: ${location}"`}${resolved && resolved.host !== 'localhost' ? `, which leads to another host (${resolved.host})` : ''}.`,
      why: 'A folder\'s URL ends with "/": the links in its page are relative to it. The client follows Location, resolved against the URL it asked for; a Location starting with "//" names another host.',
      spec: 'RFC 9110 §15.4.2 (301), §10.2.2 (Location); RFC 3986 §4.2',
      hint: 'Location: the request\'s path as it came (still percent-encoded) plus "/", with leading slashes merged into one.',
    });
    check(resolved!.search === search, {
      message: `Expected ${label}'s Location to keep the query "${search}", received ${`"Location: ${location}"`}${resolved!.search === '' ? ', without it' : ''}.`,
      why: 'The query is part of the URL the client asked for (RFC 3986 §3.4): the page behind /docs/ may depend on it (?page=2, ?lang=fr). A redirect that only adds the "/" must send the client to the same URL otherwise, query included, as Go\'s http.FileServer does.',
      spec: 'RFC 9110 §15.4.2 (301), §10.2.2 (Location); RFC 3986 §3.4 (query)',
      hint: 'Append everything from the "?" of the request-target (still encoded) after the "/": /docs?x=1 → /docs/?x=1.',
    });
  };
}

// Cases on connections of their own, at once: several wait to see a connection stay open.
httpCases(
  test,
  [
    serves('serves a text file: its bytes, Content-Type and Content-Length', '/hello.txt', HELLO, TEXT),
    serves('serves a binary file byte for byte (all 256 byte values)', '/binary.bin', BINARY, 'application/octet-stream', {
      why: 'A file is bytes. Reading it as text (utf8) replaces every byte over 0x7f that is not valid UTF-8, and changes the length.',
      hint: "Keep the file's bytes as Buffers from the read to the socket: no encoding anywhere.",
    }),
    serves('serves index.html for the root, /', '/', INDEX, HTML, { hint: 'A folder whose URL ends with "/" is answered with its index.html.' }),
    serves('serves index.html for a nested folder, /docs/', '/docs/', DOCS_INDEX, HTML, {
      hint: 'A folder whose URL ends with "/" is answered with its index.html.',
    }),
    serves('serves a file three folders down', '/docs/deeper/leaf.txt', TEXT_FILES['docs/deeper/leaf.txt']!, TEXT),
    serves('serves the path only: the query is not part of the file name', '/hello.txt?download=1&v=2', HELLO, TEXT, {
      spec: 'RFC 9112 §3.2; RFC 3986 §3.4',
      hint: 'Take the path before "?" (pathOf from http-response), then decode it.',
    }),
    serves('serves an absolute-form target (http://host/path) like its path', 'http://localhost/hello.txt', HELLO, TEXT, {
      spec: 'RFC 9112 §3.2.2',
      hint: 'pathOf() already takes the path out of an absolute URI.',
    }),
    serves('percent-decodes the path: %20 is a space', '/dossier%20x/plan.txt', TEXT_FILES['dossier x/plan.txt']!, TEXT, {
      spec: 'RFC 3986 §2.1',
      hint: 'decodeURIComponent() the path once before looking for the file.',
    }),
    serves('percent-decodes UTF-8: /caf%C3%A9.txt is café.txt', '/caf%C3%A9.txt', TEXT_FILES['café.txt']!, TEXT, {
      why: 'A URL carries a non-ASCII name as the percent-encoded bytes of its UTF-8: é is %C3%A9.',
      spec: 'RFC 3986 §2.1, §2.5',
      hint: 'decodeURIComponent() decodes UTF-8 (and throws on bytes that are not UTF-8).',
    }),
    serves('decodes exactly once: /%252e.txt is the file named "%2e.txt"', '/%252e.txt', TEXT_FILES['%2e.txt']!, TEXT, {
      why: '"%25" is an encoded "%": decoded once, "%252e" is the three characters "%2e". Decoding again would make it "." — and "%252e%252e" would become "..".',
      spec: 'RFC 3986 §2.4 (never decode the same string twice)',
      hint: 'Call decodeURIComponent() once, on the path, and nowhere else.',
    }),
    serves('keeps "+" as "+": only a query string uses it for a space', '/a+b.txt', TEXT_FILES['a+b.txt']!, TEXT, {
      why: 'The "+ means space" rule belongs to HTML form data in a query, not to paths.',
      spec: 'RFC 3986 §2.2; WHATWG URL (application/x-www-form-urlencoded)',
      hint: 'Use decodeURIComponent() for the path; not URLSearchParams, not a replace of "+".',
    }),
    serves('serves an empty file: 200 with Content-Length: 0', '/empty.txt', '', TEXT),
    ...(site.symlinks
      ? [
          serves('follows a symlink that stays inside the root', '/alias.txt', HELLO, TEXT, {
            hint: "Resolve the real path (fs.realpath) and serve it when it is still inside the root's real path.",
          }),
          serves('follows a symlinked folder that stays inside the root', '/docs-link/notes.txt', TEXT_FILES['docs/notes.txt']!, TEXT),
        ]
      : []),
    {
      name: 'redirects a folder without its trailing slash: /docs → 301 to /docs/',
      send: { target: '/docs' },
      expect: { status: 301, check: redirectsTo('/docs/', '/docs'), close: false },
      hint: 'When the path names a folder and does not end with "/", answer 301 with Location: the path plus "/".',
    },
    {
      name: 'redirects a folder with a query and keeps the query: /docs?sort=name&q=a%20b → /docs/?sort=name&q=a%20b',
      send: { target: '/docs?sort=name&q=a%20b' },
      expect: { status: 301, check: redirectsTo('/docs/', '/docs?sort=name&q=a%20b', '?sort=name&q=a%20b') },
    },
    {
      name: 'redirects a nested folder: /docs/deeper → /docs/deeper/',
      send: { target: '/docs/deeper' },
      expect: { status: 301, check: redirectsTo('/docs/deeper/', '/docs/deeper') },
    },
    {
      name: 'redirects with the path still percent-encoded: /dossier%20x → /dossier%20x/',
      send: { target: '/dossier%20x' },
      expect: { status: 301, check: redirectsTo('/dossier%20x/', '/dossier%20x') },
      why: 'A Location is a URI: a space in it must stay %20 (and a field value cannot carry bytes above 0x7f as text).',
    },
    {
      name: 'redirects //docs to this server\'s /docs/, never to a host named "docs"',
      send: { target: '//docs' },
      expect: { status: 301, check: redirectsTo('/docs/', '//docs') },
      why: '"//docs/" in a Location is a network-path reference: the browser would go to http://docs/. Built from the request path, that is an open redirect anyone can aim.',
      spec: 'RFC 3986 §4.2; RFC 9110 §17.11',
    },
    notFound('answers 404 for a file that is not there', '/missing.txt', 'There is no such file under the root.', 'When there is no file, answer 404.'),
    notFound(
      'answers 404 for a folder without index.html (this server lists no folders)',
      '/no-index/',
      "The README's decision: a folder without an index.html is not listed.",
      'No index.html in the folder: 404.',
    ),
    notFound(
      'answers 404 for a folder whose index.html is a folder, not a page',
      '/index-dir/',
      "Only regular files are served, and a folder's index.html is no exception: here it is a folder (it could as well be a FIFO or a device).",
      'Check stats.isFile() on the index.html you found, as for any file named in the URL.',
    ),
    {
      name: 'answers a file asked for as a folder (/hello.txt/) with 404, not the file',
      send: { target: '/hello.txt/' },
      expect: {
        status: 404,
        close: false,
        why: 'A trailing slash says "a folder". Served as the file, the page\'s relative links would resolve against a folder that does not exist.',
        hint: 'path.resolve() and path.normalize() drop a trailing "/". Keep it (path.join does), or look at the request path: fs.stat("hello.txt/") fails with ENOTDIR.',
      },
    },
    {
      name: 'answers HEAD with the head a GET gets, Content-Length included, and no body',
      send: { method: 'HEAD', target: '/hello.txt' },
      expect: { status: 200, fields: { 'Content-Type': TEXT, 'Content-Length': String(Buffer.byteLength(HELLO)) }, close: false },
      spec: 'RFC 9110 §9.3.2',
      hint: 'Answer HEAD like GET; the writer leaves the body out.',
    },
    ...['POST', 'PUT', 'DELETE', 'OPTIONS'].map((method): HttpCase => ({
      name: `answers ${method} with 405 and Allow: GET, HEAD, and keeps the connection`,
      exchanges: [
        {
          send: { method, target: '/hello.txt', body: method === 'POST' || method === 'PUT' ? 'a body to skip' : undefined },
          expect: { status: 405, fields: { Allow: /^GET,\s*HEAD$/ } },
        },
        { send: { target: '/hello.txt' }, expect: { status: 200, body: HELLO } },
      ],
      why: 'A file server reads; 405 says the method is known but not allowed here, and Allow (a MUST with 405) lists what is.',
      spec: 'RFC 9110 §15.5.6, §10.2.1',
      hint: 'Before looking for the file: a method other than GET or HEAD gets 405 with ["Allow", "GET, HEAD"].',
    })),
    {
      name: 'answers pipelined requests for files on one connection, each framed by its Content-Length',
      pipelined: true,
      exchanges: [
        { send: { target: '/hello.txt' }, expect: { status: 200, body: HELLO } },
        { send: { target: '/binary.bin' }, expect: { status: 200, body: BINARY } },
        { send: { method: 'HEAD', target: '/' }, expect: { status: 200, fields: { 'Content-Length': String(Buffer.byteLength(INDEX)) } } },
        { send: { target: '/missing' }, expect: { status: 404 } },
        { send: { target: '/empty.txt' }, expect: { status: 200, body: '' } },
        { send: { target: '/docs/' }, expect: { status: 200, body: DOCS_INDEX } },
      ],
      spec: 'RFC 9112 §9.3.2',
      hint: 'A file body is exactly stat().size bytes: the next response starts right after it.',
    },
  ],
  { concurrent: true },
);

/** Content-Type by extension, whatever its case; text types say charset=utf-8. */
const TYPES: Array<[file: string, type: string]> = [
  ['/index.html', HTML],
  ['/style.css', 'text/css; charset=utf-8'],
  ['/app.js', 'text/javascript; charset=utf-8'],
  ['/data.json', 'application/json'],
  ['/logo.svg', 'image/svg+xml'],
  ['/image.png', 'image/png'],
  ['/SHOUT.TXT', TEXT],
  ['/README', 'application/octet-stream'],
];

httpCases(
  test,
  TYPES.map(([target, type]) => ({
    name: `sends Content-Type: ${type} for ${target}`,
    send: { target },
    expect: { status: 200, fields: { 'Content-Type': type } },
    why:
      target === '/SHOUT.TXT'
        ? 'Extensions are matched whatever their case: .TXT is .txt.'
        : target === '/README'
          ? 'An extension the table does not know (or none) is sent as plain bytes: application/octet-stream.'
          : 'The browser decides what to do with a body by its Content-Type, not by the name in the URL.',
    spec: 'RFC 9110 §8.3',
    hint: 'Look up path.extname(file).toLowerCase() in CONTENT_TYPES; default to application/octet-stream.',
  })),
  { concurrent: true },
);
