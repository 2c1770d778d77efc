// Hidden tests for static-files, part 5: a root reached through a symlink (as /tmp is on macOS).
// Real paths of the files are then under the root's real path, not under the path as given. Then
// what the lessons before built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts): those cases need no files, so they share this program
// rather than pay for a program of their own.

import fs from 'node:fs';
import path from 'node:path';
import { serverTest, httpCases, earlierLessonsCases } from '#harness/testing/index.ts';
import { HELLO, makeSite } from './tree.ts';

const site = makeSite();
const link = path.join(site.top, 'root-link');
let linked = true;
try {
  fs.symlinkSync(site.root, link, 'dir');
} catch {
  linked = false;
}
const test = serverTest('static-files', { args: ['--root', linked ? link : site.root] });

httpCases(test, [
  {
    name: 'serves files when --root is itself a symlink to the folder',
    send: { target: '/hello.txt' },
    expect: { status: 200, body: HELLO },
    why: "The real path of every file is under the root's real path, not under the link. Compared with the root as given, every file looks outside (macOS's /tmp is such a link).",
    spec: 'Node.js docs: fs.promises.realpath()',
    hint: 'fs.realpath() the root too (once), and compare real paths with real paths.',
  },
]);

httpCases(test, earlierLessonsCases(), { concurrent: true });
