// Hidden tests for websocket-frames: the server is the sum of the lessons. What the lessons before built still
// answers as it did, and one policy holds everywhere (harness/testing/earlier-lessons.ts).

import { earlierLessonsCases, httpCases, serverTest } from '#harness/testing/index.ts';

const test = serverTest('websocket-frames');

httpCases(test, earlierLessonsCases());
