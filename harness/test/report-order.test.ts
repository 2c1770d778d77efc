// With two workers (learn check, learn watch) a lesson's test files run side by side, but the
// learner reads their results in name order, and a run that stops at its first failure stops at the
// first in that order (check/relay-reporter.ts). Within a file whose tests run concurrently, the
// first failure reported is the first in the file's order, not the first to happen.

import { describe, expect, test } from 'vitest';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { RelayReporter } from '../check/relay-reporter.ts';
import { runSupportScript } from './support/run-script.ts';

const FILES = ['/w/.check/01-a.test.ts', '/w/.check/02-b.test.ts', '/w/.check/03-c.test.ts'];

function testCase(file: number, name: string, state: 'passed' | 'failed'): TestCase {
  return {
    id: `${file}:${name}`,
    name,
    module: { moduleId: FILES[file]!, children: { allTests: () => [] } },
    result: () => ({ state }),
  } as unknown as TestCase;
}

type State = 'pending' | 'passed' | 'failed';

/** The tests of file 1, declared in the order given, all running at once: each ends when told. */
function concurrentFile(names: string[]): { tests: TestCase[]; end: (name: string, state: State) => TestCase } {
  const states = new Map<string, State>(names.map((name) => [name, 'pending']));
  const tests: TestCase[] = [];
  const file = { moduleId: FILES[0]!, children: { allTests: () => tests } };
  for (const name of names) tests.push({ id: `0:${name}`, name, module: file, result: () => ({ state: states.get(name) }) } as unknown as TestCase);
  return {
    tests,
    end: (name, state) => {
      states.set(name, state);
      return tests.find((t) => t.name === name)!;
    },
  };
}

function module(file: number, tests: TestCase[] = []): TestModule {
  return { moduleId: FILES[file]!, children: { allTests: () => tests } } as unknown as TestModule;
}

/** What a reporter behind the relay sees, as lines. */
function recorder(): { reporter: Reporter; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    reporter: {
      onTestCaseResult: (t) => void seen.push(`${t.result().state} ${t.name}`),
      onTestModuleEnd: (m) => void seen.push(`end ${m.moduleId.split('/').pop()}`),
      onTestRunEnd: () => void seen.push('run end'),
    },
  };
}

describe('results of files run side by side', () => {
  test('reach the reporters in name order, whatever order they came in', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    // File 2 runs ahead of file 1 on the other worker; file 3 starts when file 2 ends.
    await relay.onTestCaseResult(testCase(1, 'b1', 'passed'));
    await relay.onTestCaseResult(testCase(0, 'a1', 'passed'));
    await relay.onTestCaseResult(testCase(1, 'b2', 'passed'));
    await relay.onTestModuleEnd(module(1));
    await relay.onTestCaseResult(testCase(2, 'c1', 'passed'));
    expect(seen).toEqual(['passed a1']);
    await relay.onTestCaseResult(testCase(0, 'a2', 'passed'));
    await relay.onTestModuleEnd(module(0));
    expect(seen).toEqual(['passed a1', 'passed a2', 'end 01-a.test.ts', 'passed b1', 'passed b2', 'end 02-b.test.ts', 'passed c1']);
    await relay.onTestCaseResult(testCase(2, 'c2', 'passed'));
    await relay.onTestModuleEnd(module(2));
    await relay.onTestRunEnd!([], [], 'passed');
    expect(seen.slice(6)).toEqual(['passed c1', 'passed c2', 'end 03-c.test.ts', 'run end']);
  });

  test('stop at the first failure in name order: a later file failing first waits, and is dropped once an earlier one fails', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    await relay.onTestCaseResult(testCase(1, 'b1', 'failed'));
    expect(seen).toEqual([]);
    await relay.onTestCaseResult(testCase(0, 'a1', 'failed'));
    await relay.onTestModuleEnd(module(0));
    await relay.onTestModuleEnd(module(1));
    await relay.onTestRunEnd!([module(0), module(1)], [], 'failed');
    expect(seen).toEqual(['failed a1', 'end 01-a.test.ts', 'run end']);
  });

  test("a later file's failure is reported once the files before it pass", async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    await relay.onTestCaseResult(testCase(1, 'b1', 'failed'));
    await relay.onTestCaseResult(testCase(0, 'a1', 'passed'));
    await relay.onTestModuleEnd(module(0));
    await relay.onTestCaseResult(testCase(2, 'c1', 'failed'));
    await relay.onTestRunEnd!([module(0), module(1), module(2)], [], 'failed');
    expect(seen).toEqual(['passed a1', 'end 01-a.test.ts', 'failed b1', 'run end']);
  });

  test('without bail (--all) every result is reported, in order, even of files whose end never came', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, false);
    await relay.onTestCaseResult(testCase(2, 'c1', 'failed'));
    await relay.onTestCaseResult(testCase(1, 'b1', 'failed'));
    await relay.onTestCaseResult(testCase(0, 'a1', 'failed'));
    await relay.onTestRunEnd!([module(0)], [], 'failed');
    expect(seen).toEqual(['failed a1', 'failed b1', 'failed c1', 'run end']);
  });

  test('a finished test whose result event never came (a cancelled run) is reported at the end, in its turn', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    const lost = testCase(0, 'a2', 'failed');
    await relay.onTestCaseResult(testCase(0, 'a1', 'passed'));
    await relay.onTestRunEnd!([module(0, [testCase(0, 'a1', 'passed'), lost])], [], 'failed');
    expect(seen).toEqual(['passed a1', 'failed a2', 'run end']);
  });
});

describe('failures of tests run concurrently within a file', () => {
  test('a later test failing first waits for the tests declared before it; the first failure in the file’s order is reported first', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    const file = concurrentFile(['a1', 'a2', 'a3']);
    await relay.onTestCaseResult(file.end('a3', 'failed'));
    expect(seen).toEqual([]);
    // A pass is not held: only which failure comes first matters.
    await relay.onTestCaseResult(file.end('a2', 'passed'));
    expect(seen).toEqual(['passed a2']);
    await relay.onTestCaseResult(file.end('a1', 'failed'));
    expect(seen).toEqual(['passed a2', 'failed a1', 'failed a3']);
  });

  test('a waiting failure is reported as soon as the tests before it pass', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    const file = concurrentFile(['a1', 'a2', 'a3']);
    await relay.onTestCaseResult(file.end('a2', 'failed'));
    await relay.onTestCaseResult(file.end('a1', 'passed'));
    expect(seen).toEqual(['passed a1', 'failed a2']);
  });

  test('the end of the file (a run stopped while tests still ran) lets every waiting failure through, in order', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    const file = concurrentFile(['a1', 'a2', 'a3']);
    await relay.onTestCaseResult(file.end('a3', 'failed'));
    await relay.onTestCaseResult(file.end('a2', 'failed'));
    await relay.onTestModuleEnd({ moduleId: FILES[0]!, children: { allTests: () => file.tests } } as unknown as TestModule);
    expect(seen).toEqual(['failed a2', 'failed a3', 'end 01-a.test.ts']);
  });

  test('a failure still waiting when the run ends is reported then, in its turn', async () => {
    const relay = new RelayReporter();
    const { reporter, seen } = recorder();
    relay.begin([reporter], FILES, true);
    const file = concurrentFile(['a1', 'a2']);
    await relay.onTestCaseResult(file.end('a2', 'failed'));
    await relay.onTestRunEnd!([{ moduleId: FILES[0]!, children: { allTests: () => file.tests } } as unknown as TestModule], [], 'failed');
    expect(seen).toEqual(['failed a2', 'run end']);
  });

  test('in a real run, the failure reported is the one declared first, though the other fails 300 ms sooner', () => {
    expect(runSupportScript('concurrent-order.ts')).toEqual([{ reported: ['fails late', 'fails at once'], ok: false }]);
  });
});
