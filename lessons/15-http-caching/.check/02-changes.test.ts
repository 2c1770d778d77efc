// Hidden tests for http-caching, part 2: validators follow the file. Rewritten, resized with its
// mtime kept, rewritten within the same second, or touched: the old validators no longer match.
// Then the Cache-Control policy of --max-age, and last, what the lessons before built still
// answers as it did, and one policy holds everywhere (harness/testing/earlier-lessons.ts). This
// program is started with --max-age 60 for all of them: the validators do not depend on the
// policy, and a program of its own for the policy would cost a start in every check.

import fs from 'node:fs';
import { vi } from 'vitest';
import { serverTest, check, checkStatus, httpCases, earlierLessonsCases } from '#harness/testing/index.ts';
import { LAST_MODIFIED, MTIME_S, ask, etagOf, makeSite } from './site.ts';

const site = makeSite();
const test = serverTest('http-caching', { args: ['--root', site.root, '--max-age', '60'] });
// Nine tests, all independent, each mostly waiting (for a connection to stay open, for /sheep's
// stream): all at once rather than Vitest's 5 (this file only; Vitest resets it after the file).
vi.setConfig({ maxConcurrency: 12 });

// Each test changes a file of its own and asks on connections of its own: they run at once.
test.concurrent('a rewritten file no longer matches its old ETag or its old Last-Modified', async ({ server }) => {
  const before = await ask(server, '/change.txt');
  const etag = etagOf(before);
  fs.writeFileSync(site.file('change.txt'), 'version 2, longer\n');
  fs.utimesSync(site.file('change.txt'), MTIME_S + 60, MTIME_S + 60);
  for (const [name, value] of [
    ['If-None-Match', etag],
    ['If-Modified-Since', LAST_MODIFIED],
  ] as const) {
    const response = await ask(server, '/change.txt', [[name, value]]);
    checkStatus(response, 200, {
      why: `The file changed after the client got "${name === 'If-None-Match' ? 'ETag' : 'Last-Modified'}: ${value}": its copy is stale.`,
      spec: 'RFC 9110 §13.1',
      hint: 'Compute the validators from a fresh stat() on every request, never once at start.',
    });
    check(response.body.toString() === 'version 2, longer\n', { message: `Expected the new content, received ${response.summary()}.` });
  }
});

test.concurrent('a file rewritten within the same second gets a new ETag', async ({ server }) => {
  const before = await ask(server, '/quick.txt');
  const etag = etagOf(before);
  // Same size, same second (…20.750 → …20.250): only the fraction of the mtime differs.
  fs.writeFileSync(site.file('quick.txt'), 'BBBB\n');
  fs.utimesSync(site.file('quick.txt'), MTIME_S - 0.5, MTIME_S - 0.5);
  const response = await ask(server, '/quick.txt', [['If-None-Match', etag]]);
  checkStatus(response, 200, {
    why: 'Two versions in one second have one Last-Modified; that is why ETags exist. An ETag built from the mtime in whole seconds cannot tell them apart, and the client keeps "AAAA" forever.',
    spec: 'RFC 9110 §8.8.2.2, §8.8.3',
    hint: 'Use the mtime with its fraction (Math.round(stats.mtimeMs * 1000), microseconds) in the ETag.',
  });
});

test.concurrent('a file resized with its mtime kept (a copy that preserves times) gets a new ETag', async ({ server }) => {
  const before = await ask(server, '/resize.txt');
  const etag = etagOf(before);
  fs.writeFileSync(site.file('resize.txt'), 'a good deal longer than before\n');
  fs.utimesSync(site.file('resize.txt'), MTIME_S, MTIME_S); // cp -p, rsync -t and tar keep mtimes
  const response = await ask(server, '/resize.txt', [['If-None-Match', etag]]);
  checkStatus(response, 200, {
    why: 'The mtime says nothing here: tools that copy files keep it. The size changed, so the version did.',
    spec: 'RFC 9110 §8.8.3',
    hint: 'Put the size in the ETag too.',
  });
});

test.concurrent('a touched file (same bytes, newer mtime) no longer matches its old Last-Modified', async ({ server }) => {
  fs.utimesSync(site.file('touch.txt'), MTIME_S + 3600, MTIME_S + 3600);
  const response = await ask(server, '/touch.txt', [['If-Modified-Since', LAST_MODIFIED]]);
  checkStatus(response, 200, {
    why: "By its dates, the file was modified after the client's copy: Last-Modified only knows the mtime.",
    spec: 'RFC 9110 §13.1.3',
    hint: 'Compare the current mtime (to the second) with If-Modified-Since.',
  });
  check(response.header('last-modified') === new Date((MTIME_S + 3600) * 1000).toUTCString(), {
    message: `Expected "Last-Modified: ${new Date((MTIME_S + 3600) * 1000).toUTCString()}" after the touch, received ${JSON.stringify(response.header('last-modified'))}.`,
    hint: 'Last-Modified comes from a fresh stat() each time.',
  });
});

httpCases(
  test,
  [
    {
      name: 'sends Cache-Control: max-age=60 when started with --max-age 60, on a 200 and on a 304',
      exchanges: [
        { send: { target: '/hello.txt' }, expect: { status: 200, fields: { 'Cache-Control': 'max-age=60' } } },
        { send: { target: '/hello.txt', headers: [['If-None-Match', '*']] }, expect: { status: 304, fields: { 'Cache-Control': 'max-age=60' } } },
      ],
      why: 'max-age=N lets a cache reuse the file for N seconds without asking; the 304 renews that for another N.',
      spec: 'RFC 9111 §5.2.2.1 (max-age); RFC 9110 §15.4.5',
      hint: 'cacheControl(policy): policy.maxAge > 0 ? `max-age=${policy.maxAge}` : "no-cache".',
    },
  ],
  { concurrent: true },
);

httpCases(test, earlierLessonsCases(), { concurrent: true });
