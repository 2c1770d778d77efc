// Hidden tests for websocket-handshake, part 3: the Origin allow-list, with the server started as
// `server.ts --port N --origin http://good.example --origin https://app.good.example`.

import { serverTest, earlierLessonsCases, httpCases, handshakeRequest, acceptFor, SAMPLE_KEY, type HttpCase } from '#harness/testing/index.ts';

const test = serverTest('websocket-handshake', { args: ['--origin', 'http://good.example', '--origin', 'https://app.good.example'] });

const SPEC = 'RFC 6455 §10.2 (origin considerations), §4.2.2 step 4';
const ALLOWED = 'The server was started with --origin http://good.example --origin https://app.good.example.';

const origin = (name: string, value: string | undefined, status: 101 | 403, why: string, hint: string): HttpCase => ({
  name,
  send: handshakeRequest({ headers: value === undefined ? [] : [['Origin', value]] }),
  // A 403 is an ordinary response: the connection stays open for the next request.
  expect:
    status === 101 ? { status, fields: { 'Sec-WebSocket-Accept': acceptFor(SAMPLE_KEY) } } : { status, fields: { 'Sec-WebSocket-Accept': null }, close: false },
  why: `${ALLOWED} ${why}`,
  spec: SPEC,
  hint,
});

// Each case on a connection of its own: they run side by side.
const ORIGINS: HttpCase[] = [
  origin(
    'accepts a handshake from an allowed origin',
    'http://good.example',
    101,
    'A browser sends the origin of the page that opened the socket; this one is on the list.',
    'Compare the Origin value with each allowed origin.',
  ),
  origin(
    'accepts a handshake from the second allowed origin',
    'https://app.good.example',
    101,
    'Every --origin flag adds one origin to the list.',
    'Keep every --origin value, not only the first.',
  ),
  origin(
    'refuses a handshake from another origin with 403',
    'http://evil.example',
    403,
    "A page from any other site must not open a socket here with the user's cookies (cross-site WebSocket hijacking).",
    'Answer 403 when Origin is present and not on the list.',
  ),
  origin(
    'refuses an origin that only starts like an allowed one with 403',
    'http://good.example.evil.example',
    403,
    'An origin is scheme, host and port, compared whole: "http://good.example.evil.example" is another site.',
    'Compare whole values (===), not prefixes (startsWith).',
  ),
  origin(
    'refuses an allowed host with another scheme with 403',
    'https://good.example',
    403,
    'http:// and https:// are different origins.',
    'Compare the whole origin, scheme included.',
  ),
  origin(
    'accepts a handshake without Origin (not from a browser)',
    undefined,
    101,
    "Only browsers are bound to send Origin; other clients may leave it out (or send anything), so the list protects browsers' users, and a handshake without Origin is taken.",
    'Refuse only a present Origin that is not on the list.',
  ),
];

httpCases(test, ORIGINS, { concurrent: true });

// What the earlier lessons built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts). On this file's program rather than on one more (--origin
// bounds WebSocket handshakes only), and not on part 4's, whose 300 ms idle timeout could close a
// connection between two exchanges on a loaded machine.
httpCases(test, earlierLessonsCases(), { concurrent: true });
