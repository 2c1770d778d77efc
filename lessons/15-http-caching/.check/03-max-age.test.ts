// Hidden tests for http-caching, part 3: the Cache-Control policy of --max-age. Last, what the
// lessons before built still answers as it did, and one policy holds everywhere
// (harness/testing/earlier-lessons.ts): those cases need no files, so they share this program
// rather than pay for a program of their own.

import { serverTest, httpCases, earlierLessonsCases } from '#harness/testing/index.ts';
import { makeSite } from './site.ts';

const site = makeSite();
const test = serverTest('http-caching', { args: ['--root', site.root, '--max-age', '60'] });

httpCases(test, [
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
]);

httpCases(test, earlierLessonsCases(), { concurrent: true });
