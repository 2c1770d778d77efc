// The made-up lesson of concurrent-order.ts: two tests run at once, and the one declared second
// fails first.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, test } from '#harness/testing/index.ts';

describe.concurrent('run at once', () => {
  test('fails late', async () => {
    await delay(300);
    expect.fail('the first test declared');
  });

  test('fails at once', () => {
    expect.fail('the second test declared');
  });
});
