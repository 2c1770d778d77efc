// Hidden tests for static-files: the server is the sum of the lessons. What the lessons before built still
// answers as it did, and one policy holds everywhere (harness/testing/earlier-lessons.ts).

import { earlierLessonsCases, httpCases, makeTree, serverTest } from '#harness/testing/index.ts';

const test = serverTest('static-files', { args: ['--root', makeTree({ 'index.html': '<!doctype html><title>site</title>\n' })] });

httpCases(test, earlierLessonsCases());
