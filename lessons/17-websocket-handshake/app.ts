// websocket-handshake: the application so far (compression's app: Part 3's routes, the files,
// compressed), with a WebSocket endpoint. /echo echoes whatever comes to it: a POST or PUT body as
// chunked-request's HTTP echo did, and a WebSocket handshake by upgrading (upgrade.ts), after which
// `open` runs the connection. The lessons after this one pass their own `open`. Written for you; it
// stays as it is.

import type { Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { streaming } from '../11-chunked-response/routes.ts';
import { echo } from '../12-chunked-request/app.ts';
import { CompressingRouter, compressionApp } from '../16-compression/app.ts';
import { wantsWebSocket, type HandshakePolicy } from './handshake.ts';
import { websocketRoute, type OpenHandler } from './upgrade.ts';

const MiB = 1024 * 1024;

/**
 * /echo: an upload (POST or PUT without "Upgrade: websocket") is echoed over HTTP; any other request
 * goes to the handshake, which upgrades a WebSocket GET, refuses a broken handshake (400, 403, 426),
 * and tells a plain GET what to ask for (426).
 */
function echoEndpoint(policy: HandshakePolicy, open: OpenHandler): Handler<Request> {
  const websocket = websocketRoute(policy, open);
  const http = streaming(echo);
  return (request) => {
    const upload = request.head.method === 'POST' || request.head.method === 'PUT';
    return upload && !wantsWebSocket(request.head) ? http(request) : websocket(request);
  };
}

/** /echo (HTTP and WebSocket), then compression's app: /precompressed, Part 3's routes, the files. */
export function websocketApp(files: Handler<Request>, policy: HandshakePolicy, open: OpenHandler, router = new CompressingRouter()): CompressingRouter {
  // Added first: the router takes the first route that fits, and Part 3's POST /echo comes later.
  router.add('*', '/echo', echoEndpoint(policy, open), { maxBodyBytes: 16 * MiB });
  return compressionApp(files, router);
}
