// Hidden tests for websocket-handshake, part 2: handshakes the server must refuse, each with its
// status, and ordinary HTTP beside the WebSocket endpoint: a plain GET on it, and other routes.

import { serverTest, httpCases, handshakeRequest, request, type HttpCase, type HandshakeSpec } from '#harness/testing/index.ts';

const test = serverTest('websocket-handshake');

const REQUIREMENTS = "RFC 6455 §4.2.1 (reading the client's opening handshake)";

/**
 * A handshake with one thing wrong, and the status it must get. The connection stays open after
 * the refusal (the request had no body: the next request starts right after it), unless the
 * request was HTTP/1.0, whose connections close after each response.
 */
function refused(name: string, spec: HandshakeSpec, status: 400 | 426, details: { why: string; spec?: string; hint: string }): HttpCase {
  const stays = spec.version !== 'HTTP/1.0';
  return {
    name,
    send: handshakeRequest(spec),
    expect: {
      status,
      fields: status === 426 ? { 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Accept': null } : { 'Sec-WebSocket-Accept': null },
      ...(stays ? { close: false } : {}),
    },
    why: `${details.why} The server does not switch protocols: no 101, no Sec-WebSocket-Accept${stays ? '; and the connection is still good HTTP, so it stays open (a refusal is a response, not an error that ends the connection)' : ''}.`,
    spec: details.spec ?? REQUIREMENTS,
    hint: details.hint,
  };
}

const KEY_HINT = 'The key is 16 bytes in base64: exactly 24 characters, the last two "==". Check it with /^[A-Za-z0-9+/]{22}==$/.';

// Each case on a connection of its own, and the program keeps nothing between connections: they
// run side by side. (A case that proves a connection stays open then waits its whole 100 ms.)
const REJECTIONS: HttpCase[] = [
  {
    name: 'answers a plain GET /echo (no Upgrade) with 426 Upgrade Required, and goes on serving HTTP',
    exchanges: [
      { send: { target: '/echo' }, expect: { status: 426, fields: { Upgrade: /^websocket$/i, 'Sec-WebSocket-Accept': null } } },
      { send: { target: '/greeting' }, expect: { status: 200, body: /aus K/ } },
    ],
    why: 'A request that does not ask to switch protocols is ordinary HTTP. This endpoint has nothing else to offer, so it says which protocol to ask for (426 with Upgrade), and the connection goes on as any keep-alive connection.',
    spec: 'RFC 9110 §15.5.22 (426 Upgrade Required), §7.8',
    hint: 'Only a request whose Upgrade field lists "websocket" is a handshake (wantsWebSocket); websocketRoute answers the others.',
  },
  {
    name: 'still serves ordinary routes: GET /greeting is 200',
    send: request({ target: '/greeting' }),
    expect: { status: 200, body: /aus K/, close: false },
    why: 'The WebSocket endpoint is one route among others; the rest of the server (every route of the lessons before) is unchanged.',
    hint: 'Ordinary responses go through the keep-alive loop as before.',
  },
  refused('refuses Sec-WebSocket-Version: 8 with 426 and "Sec-WebSocket-Version: 13"', { headers: [['Sec-WebSocket-Version', '8']] }, 426, {
    why: 'Version 8 was a draft. The server does not speak it, and says which version it does speak.',
    spec: 'RFC 6455 §4.2.2 step 4 (versions), §4.4',
    hint: 'Any version but exactly "13": answer 426 with the field Sec-WebSocket-Version: 13.',
  }),
  refused('refuses Sec-WebSocket-Version: 14 with 426', { headers: [['Sec-WebSocket-Version', '14']] }, 426, {
    why: 'A later version is not one this server speaks either.',
    spec: 'RFC 6455 §4.4',
    hint: 'Compare the version with exactly "13".',
  }),
  refused('refuses a handshake without Sec-WebSocket-Version with 426', { omit: ['Sec-WebSocket-Version'] }, 426, {
    why: 'Without a version the server cannot know what the client speaks.',
    spec: 'RFC 6455 §4.2.1 item 6, §4.4',
    hint: 'A missing version is not version 13.',
  }),
  refused(
    'refuses two Sec-WebSocket-Version fields with 426, even when the first is 13',
    {
      headers: [
        ['Sec-WebSocket-Version', '13'],
        ['Sec-WebSocket-Version', '8'],
      ],
    },
    426,
    {
      why: 'A handshake has exactly one Sec-WebSocket-Version; two say the client speaks several versions, and this server speaks only 13.',
      spec: 'RFC 6455 §4.2.1 item 6, §4.4, §11.3.5',
      hint: 'fieldValues(head.headers, "sec-websocket-version") must be exactly ["13"]: one field, that value.',
    },
  ),
  refused('refuses a handshake without Sec-WebSocket-Key with 400', { omit: ['Sec-WebSocket-Key'] }, 400, {
    why: 'Without a key there is nothing to prove the handshake was read.',
    hint: KEY_HINT,
  }),
  refused('refuses a key that is not base64 with 400', { key: 'not a base64 key, sorry!' }, 400, { why: 'The key must be base64.', hint: KEY_HINT }),
  refused('refuses a key of 15 bytes with 400', { key: Buffer.alloc(15, 0x61).toString('base64') }, 400, {
    why: 'The key must be a nonce of exactly 16 bytes; this one decodes to 15.',
    hint: KEY_HINT,
  }),
  refused('refuses a key of 17 bytes with 400', { key: Buffer.alloc(17, 0x61).toString('base64') }, 400, {
    why: 'The key must be a nonce of exactly 16 bytes; this one decodes to 17.',
    hint: KEY_HINT,
  }),
  refused('refuses a key without its "==" padding with 400', { key: 'dGhlIHNhbXBsZSBub25jZQ' }, 400, {
    why: 'Base64 of 16 bytes always ends in "=="; a key without it is not what the client generated.',
    hint: KEY_HINT,
  }),
  refused(
    'refuses two Sec-WebSocket-Key fields with 400',
    {
      headers: [
        ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
        ['Sec-WebSocket-Key', 'x3JJHMbDL1EzLkh9GBhXDw=='],
      ],
    },
    400,
    {
      why: 'Which key would the accept value be for? The field must appear exactly once.',
      spec: 'RFC 6455 §11.3.1',
      hint: 'fieldValues(head.headers, "sec-websocket-key") must have exactly one entry.',
    },
  ),
  refused('refuses a POST with the handshake fields with 400', { method: 'POST' }, 400, {
    why: 'A handshake is a GET.',
    hint: 'Check head.method === "GET" first.',
  }),
  refused('refuses an HTTP/1.0 handshake with 400', { version: 'HTTP/1.0' }, 400, {
    why: 'A handshake needs HTTP/1.1: HTTP/1.0 has no Upgrade mechanism.',
    hint: 'Refuse head.version "HTTP/1.0".',
  }),
  refused('refuses "Upgrade: websocket" without "upgrade" in Connection with 400', { headers: [['Connection', 'keep-alive']] }, 400, {
    why: 'Upgrade is a hop-by-hop field: a client must name it in Connection, or a proxy that does not know it would pass it on.',
    spec: 'RFC 6455 §4.2.1 item 4; RFC 9110 §7.8',
    hint: 'Look for the token "upgrade" in every Connection line.',
  }),
  refused('refuses "Upgrade: websocket" with no Connection field at all with 400', { omit: ['Connection'] }, 400, {
    why: 'Without "Connection: Upgrade" this is no handshake.',
    spec: 'RFC 6455 §4.2.1 item 4',
    hint: 'No Connection field means no upgrade option.',
  }),
  refused('refuses "Connection: upgrades" (another token) with 400', { headers: [['Connection', 'upgrades, keep-alive']] }, 400, {
    why: 'Tokens compare whole: "upgrades" is not "upgrade".',
    spec: 'RFC 9110 §7.6.1',
    hint: 'Split at commas and compare each trimmed, lower-cased token exactly; includes() on the whole value matches too much.',
  }),
];

httpCases(test, REJECTIONS, { concurrent: true });
