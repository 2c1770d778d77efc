// `learn` end to end, as a learner would run it, in a temporary copy of the workbook with no
// terminal: the loop of next → check (fail) → fix → check (pass) → next, and every way a learner
// can trip: bad names, bad options, corrupt progress, resets, peeking at solutions.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pristineStub } from '../dev/patches.ts';
import { findLesson } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import { learnRuns, Workbook } from './workbook.ts';

let book: Workbook;
let work: string;

beforeAll(() => {
  book = new Workbook();
  work = book.root;
});

afterAll(() => book.remove());

const learn = (...args: string[]) => book.learn(args);
const lessonFile = (folder: string, file: string) => book.lessonFile(folder, file);
const solutionFile = (folder: string, file: string) => book.solutionFile(folder, file);
const stateFile = () => book.stateFile;
const readState = () => book.readState();

describe('the learning loop', () => {
  test('learn next opens lesson 1', () => {
    const run = learn('next');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Lesson 1 of');
    expect(run.out).toContain('A TCP echo server');
    expect(run.out).toContain(path.join('lessons', '01-tcp-echo', 'server.ts'));
    expect(run.out).toContain('npx learn check tcp-echo');
  });

  test('learn check on the stub fails with the wire transcript', () => {
    const run = learn('check');
    expect(run.code).toBe(1);
    expect(run.out).toContain('✗ echoes a line of text');
    expect(run.out).toContain('Expected "hello, echo\\n"');
    expect(run.out).toContain('On the wire');
    expect(run.out).toMatch(/c1 → 12 bytes\n\s+"hello, echo\\n"/);
    expect(run.out).toContain('Your server printed');
    expect(run.out).toMatch(/8 more checks wait/);
    expect(run.out).not.toMatch(/\x1b\[/); // NO_COLOR
  });

  test('with the reference copied in, learn check passes and records it; learn next unlocks lesson 2', () => {
    fs.copyFileSync(solutionFile('01-tcp-echo', 'server.ts'), lessonFile('01-tcp-echo', 'server.ts'));
    const run = learn('check', 'tcp-echo');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/All \d+ checks passed/);
    expect(run.out).toContain('What you learned');
    expect(readState().passed).toHaveProperty('tcp-echo');

    const next = learn('next');
    expect(next.out).toContain('Unlocked lesson 2');
    expect(next.out).toContain('Sockets as promises');
    expect(next.out).toContain('Lesson 2 of');

    const list = learn('list');
    expect(list.out).toMatch(/1\s+passed\s+tcp-echo/);
    expect(list.out).toMatch(/▶\s+2\s+current\s+socket-promises/);
    expect(list.out).toMatch(/3\s+locked\s+line-protocol/);
  });

  test("learn check runs a lesson's test files side by side, one per core (the order of the report is name order all the same)", () => {
    const run = book.learn(['check', 'tcp-chat', '--solution'], { LEARN_TRACE: '1' });
    expect(run.code).toBe(0);
    const events = [...run.err.matchAll(/^\[trace\]\s+\d+ ms {2}(.*)$/gm)].map((m) => m[1]!);
    const passes = events.flatMap((event, i) => (event.startsWith('passed ') ? [i] : []));
    // The first file has ten tests; one worker would queue the second file only after all of them.
    expect(passes.length).toBeGreaterThan(10);
    expect(events.findIndex((event) => event.startsWith('queued 02-'))).toBeLessThan(passes[9]!);
  });

  test('learn status says where you are', () => {
    const run = learn();
    expect(run.code).toBe(0);
    expect(run.out).toContain('You are on lesson 2');
  });

  test('learn next <lesson> opens that lesson, warns when it is locked, and moves nothing', () => {
    const before = fs.readFileSync(stateFile(), 'utf8');
    const named = learn('next', 'json-protocol');
    expect(named.code).toBe(0);
    expect(named.out).toContain('Lesson 5 of');
    expect(named.out).toContain('A JSON request/response protocol');
    expect(named.out).toContain(path.join('lessons', '05-json-protocol', 'client.ts'));
    expect(named.out).toContain('Lesson 5 (json-protocol) is still locked');
    expect(named.out).not.toContain('Sockets as promises');
    const open = learn('next', '1');
    expect(open.code).toBe(0);
    expect(open.out).toContain('Lesson 1 of');
    expect(open.out).not.toContain('locked');
    expect(fs.readFileSync(stateFile(), 'utf8')).toBe(before);
    expect(learn('next').out).toContain('Lesson 2 of');
  });

  test('learn next with a name that is no lesson, or two names, is a usage error', () => {
    const unknown = learn('next', 'nosuch');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/nosuch/);
    const two = learn('next', '3', '4');
    expect(two.code).toBe(2);
    expect(two.err).toContain('`learn next` opens one lesson; it got 2: 3 4.');
  });

  test('learn hint climbs the ladder one rung at a time, and remembers', () => {
    const first = learn('hint', '1');
    expect(first.out).toMatch(/Hint 1 of (\d+)/);
    const second = learn('hint', 'tcp-echo');
    expect(second.out).toMatch(/Hint 2 of/);
    expect(readState().hints['tcp-echo']).toBe(2);
  });

  test('learn diff after a pass shows the files are identical', () => {
    const run = learn('diff', 'tcp-echo');
    expect(run.code).toBe(0);
    expect(run.out).toContain('identical');
  });

  test('learn diff ignores layout (format-on-save) but shows a real change, and --exact shows layout too', () => {
    const mine = lessonFile('01-tcp-echo', 'server.ts');
    const reference = fs.readFileSync(solutionFile('01-tcp-echo', 'server.ts'), 'utf8');
    try {
      // Another formatter's taste: four-space indentation, no spaces after commas, blank lines doubled.
      const relaidOut = reference
        .split('\n')
        .map((line) => line.replace(/^( +)/, (indent) => indent + indent))
        .map((line) => (line.includes('//') ? line : line.replace(/, (?=[a-z])/g, ','))) // formatters leave comments alone
        .join('\n')
        .replace(/\n\n/g, '\n\n\n');
      fs.writeFileSync(mine, relaidOut);
      const layoutOnly = learn('diff', 'tcp-echo');
      expect(layoutOnly.code).toBe(0);
      expect(layoutOnly.out).toContain('the same apart from layout');
      expect(layoutOnly.out).not.toContain('@@');
      expect(learn('diff', 'tcp-echo', '--exact').out).toContain('@@');

      // One real change among the relaid lines: only it is shown.
      fs.writeFileSync(mine, relaidOut.replace('socket.write(chunk)', 'socket.write(chunk.toString())'));
      const changed = learn('diff', 'tcp-echo');
      expect(changed.out.match(/^@@/gm)).toHaveLength(1);
      expect(changed.out).toMatch(/^-.*socket\.write\(chunk\.toString\(\)\)/m);
      expect(changed.out).toMatch(/^\+.*socket\.write\(chunk\)/m);
    } finally {
      fs.writeFileSync(mine, reference);
    }
  });
});

describe('peeking and resetting', () => {
  test('learn solution refuses before a pass without a terminal, unless --force', () => {
    const refused = learn('solution', 'line-protocol');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('has not passed yet');
    expect(refused.out).toContain('--force');
    const shown = learn('solution', 'line-protocol', '--force');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('class GrowableBuffer');
    expect(shown.out).toContain('still locked'); // a locked lesson works, with a warning
  });

  test('learn reset keeps a new backup every time and restores the stub', () => {
    const mine = lessonFile('01-tcp-echo', 'server.ts');
    const pristine = pristineStub(findLesson('tcp-echo')).get('server.ts');
    fs.writeFileSync(mine, '// my first attempt\n');
    expect(learn('reset', 'tcp-echo').code).toBe(1); // no terminal to confirm in
    expect(fs.readFileSync(mine, 'utf8')).toBe('// my first attempt\n');

    const first = learn('reset', 'tcp-echo', '--force');
    expect(first.code).toBe(0);
    expect(fs.readFileSync(mine, 'utf8')).toBe(pristine);

    fs.writeFileSync(mine, '// my second attempt\n');
    expect(learn('reset', '1', '--force').code).toBe(0);
    const backups = path.join(work, '.learn', 'backups', '01-tcp-echo');
    const saved = fs.readdirSync(backups).map((dir) => fs.readFileSync(path.join(backups, dir, 'server.ts'), 'utf8'));
    expect(saved).toEqual(expect.arrayContaining(['// my first attempt\n', '// my second attempt\n']));
  });

  test('learn reset also puts back a file the lesson provides (server.ts) when it was changed or deleted, and backs it up', () => {
    const provided = lessonFile('08-http-response', 'server.ts');
    const shipped = fs.readFileSync(solutionFile('08-http-response', 'server.ts'), 'utf8');
    fs.writeFileSync(provided, '// I edited the provided server by accident\n');
    const run = learn('reset', 'http-response', '--force');
    expect(run.code).toBe(0);
    expect(run.out).toContain('server.ts, which the lesson provides, is back as shipped');
    expect(fs.readFileSync(provided, 'utf8')).toBe(shipped);
    const backups = path.join(work, '.learn', 'backups', '08-http-response');
    const saved = fs.readdirSync(backups).map((dir) => fs.readFileSync(path.join(backups, dir, 'server.ts'), 'utf8'));
    expect(saved).toContain('// I edited the provided server by accident\n');

    fs.rmSync(provided);
    expect(learn('reset', 'http-response', '--force').code).toBe(0);
    expect(fs.readFileSync(provided, 'utf8')).toBe(shipped);

    // Untouched, it is neither backed up nor mentioned.
    const quiet = learn('reset', 'http-response', '--force');
    expect(quiet.out).not.toContain('which the lesson provides');
  });

  test('learn solution --apply puts the reference in place and backs up the learner file', () => {
    const mine = lessonFile('02-socket-promises', 'socket.ts');
    fs.writeFileSync(mine, '// stuck here\n');
    const run = learn('solution', 'socket-promises', '--apply', '--force');
    expect(run.code).toBe(0);
    expect(fs.readFileSync(mine, 'utf8')).toBe(fs.readFileSync(solutionFile('02-socket-promises', 'socket.ts'), 'utf8'));
    const backups = path.join(work, '.learn', 'backups', '02-socket-promises');
    const [dir] = fs.readdirSync(backups);
    expect(fs.readFileSync(path.join(backups, dir!, 'socket.ts'), 'utf8')).toBe('// stuck here\n');
  });
});

describe('bad input and broken state', () => {
  test('an unknown lesson is a usage error that lists the valid ones', () => {
    const run = learn('check', 'tcp-ecko');
    expect(run.code).toBe(2);
    expect(run.err).toContain('There is no lesson "tcp-ecko"');
    expect(run.err).toContain('1 tcp-echo');
    expect(run.err).toContain('3 line-protocol');
  });

  test('an unknown command and an unknown option name the valid choices', () => {
    const command = learn('chekc');
    expect(command.code).toBe(2);
    expect(command.err).toContain('check');
    const option = learn('check', '--bogus');
    expect(option.code).toBe(2);
    expect(option.err).toContain('--solution');
    const seed = learn('check', '1', '--seed', 'abc');
    expect(seed.code).toBe(2);
    expect(seed.err).toContain('--seed takes a whole number');
  });

  test('a corrupt progress file is set aside and progress is rebuilt by re-checking', () => {
    fs.copyFileSync(solutionFile('01-tcp-echo', 'server.ts'), lessonFile('01-tcp-echo', 'server.ts'));
    fs.writeFileSync(stateFile(), '{"version": 1, "current": "tcp-e');
    const run = learn('list');
    expect(run.code).toBe(0);
    expect(run.out).toContain('could not be read (it is not valid JSON)');
    expect(run.out).toContain('Rebuilding your progress');
    expect(run.out).toMatch(/✓\s+1 tcp-echo/);
    expect(readState().passed).toHaveProperty('tcp-echo');
    expect(fs.readdirSync(path.join(work, '.learn')).some((f) => f.startsWith('state.json.unreadable-'))).toBe(true);
    expect(run.err).toBe('');
  });

  test('a progress file from another version is treated the same way', () => {
    fs.writeFileSync(stateFile(), JSON.stringify({ version: 99, current: 'x' }));
    const run = learn('next');
    expect(run.code).toBe(0);
    expect(run.out).toContain('format version 99');
  });
});

// A test that fails before its Ctrl-C must not leave `learn` and its server running: stopped
// after each test, with everything they started. Each waits for what learn prints (a minute at
// most each), and is bounded as one learn run: a start or a check takes seconds on a loaded machine.
describe('learn run', () => {
  afterEach(() => book.stopAll());

  test('starts the reference server, which echoes, and Ctrl-C stops it with nothing left behind', { timeout: learnRuns(1) }, async () => {
    const port = await freePort();
    const running = book.spawn(['run', 'tcp-echo', '--solution', '--port', String(port)]);
    await running.until(new RegExp(`listens on 127\\.0\\.0\\.1:${port}`));
    const echoed = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('ping\n'));
      let got = '';
      socket.on('data', (chunk) => (got += chunk));
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
    expect(echoed).toBe('ping\n');
    running.child.kill('SIGINT');
    expect(await running.closed).toBe(0);
    const stillListening = await new Promise((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => (probe.destroy(), resolve(true)));
      probe.on('error', () => resolve(false));
    });
    expect(stillListening).toBe(false);
    expect(book.remembered()).toEqual([]);
  });

  test('passes what follows -- to the program: --root, relative to where learn was run', { timeout: learnRuns(1) }, async () => {
    fs.mkdirSync(path.join(work, 'my-site'), { recursive: true });
    fs.writeFileSync(path.join(work, 'my-site', 'note.txt'), 'served from my-site\n');
    const port = await freePort();
    const running = book.spawn(['run', 'static-files', '--solution', '--port', String(port), '--', '--root', './my-site']);
    await running.until(new RegExp(`listens on 127\\.0\\.0\\.1:${port}`));
    const response = await fetch(`http://127.0.0.1:${port}/note.txt`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('served from my-site\n');
    running.child.kill('SIGINT');
    expect(await running.closed).toBe(0);
    expect(book.remembered()).toEqual([]);
  });
});

describe('learn watch', () => {
  afterEach(() => book.stopAll());

  test('checks at start and again on every save, and Ctrl-C leaves nothing running', { timeout: learnRuns(1) }, async () => {
    const mine = lessonFile('01-tcp-echo', 'server.ts');
    fs.writeFileSync(mine, pristineStub(findLesson('tcp-echo')).get('server.ts')!);
    const watch = book.spawn(['watch', 'tcp-echo']);
    await watch.until(/Watching tcp-echo for changes/);
    expect(watch.out).toContain('✗ echoes a line of text');
    fs.copyFileSync(solutionFile('01-tcp-echo', 'server.ts'), mine); // "save"
    await watch.until(/Watching tcp-echo for changes[^]*Watching tcp-echo for changes/);
    expect(watch.out).toMatch(/All \d+ checks passed/);
    watch.child.kill('SIGINT');
    expect(await watch.closed).toBe(0);
    expect(book.remembered()).toEqual([]);
  });
});
