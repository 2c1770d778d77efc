// static-files: the application so far: every route of Part 3 (chunked-request's app.ts), and the
// files of a folder at every other path, `/` included (the site's index.html replaces "Hello,
// world!"). Routes added with add() come first, then the mount (mount.ts). The lessons of Part 4
// pass their own file handler; the compression and WebSocket lessons build on this. Written for
// you; it stays as it is.

import type { Handler } from '../08-http-response/router.ts';
import type { Request } from '../09-http-body/body.ts';
import { addPartThreeRoutes } from '../12-chunked-request/app.ts';
import { MountRouter } from './mount.ts';

/** Part 3's routes, then `files` for every other path. */
export function fileServerApp(files: Handler<Request>, router = new MountRouter<Request>()): MountRouter<Request> {
  return addPartThreeRoutes(router).mount('/', files);
}
