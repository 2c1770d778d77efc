// Hidden tests for chunked-response: one policy for the same situation in every server of the course
// (harness/testing/earlier-lessons.ts): a method the server does not implement is 501, OPTIONS *
// is answered for the server as a whole, "*" with another method is 400.

import { httpCases, policyCases, serverTest } from '#harness/testing/index.ts';

const test = serverTest('chunked-response');

httpCases(test, policyCases());
