// Every command a lesson tells a learner to type, run against that lesson's reference on this
// machine: the "Try it by hand" section of each README and the Try lines `learn next` prints
// (manifest tryIt), read mechanically (support/try-it-commands.ts; conventions in AUTHORING.md),
// so a new command is run the moment it is written, and fails here until try-it-expectations.ts says
// what it must show. Each runs in a copy of the workbook with every reference in place of the
// stubs, as `bash -c`, bounded in time, on loopback, with the README's ports (3000, 3001, …) and
// /tmp/ files swapped for free ports and a folder of the test's own. `npx learn run` lines start
// the servers the commands after them talk to (stopped with Ctrl-C at the end). Commands in a
// `<!-- try-it: terminal -->` block get what a person would type (`stdin`), or a Ctrl-C once they
// have shown what they should (`until`); browser lines are checked without a browser: a page is
// fetched with what it loads, console code runs in Node with `ws` as its WebSocket.
// `TRY_IT_DUMP=1 npx vitest run harness/test/try-it-commands.test.ts` prints what each command
// showed instead of failing on one without an entry: a start for writing its entry.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessons, type Lesson } from '../lesson.ts';
import { freePort } from '../process/free-port.ts';
import { ShellRun } from './support/shell-run.ts';
import { readmeCommands, tryItCommands, type TryCommand } from './support/try-it-commands.ts';
import { Workbook } from './workbook.ts';
import { EXPECTATIONS, type Expectation, type Scenario } from './try-it-expectations.ts';

let book: Workbook;
const startedAt = Date.now();

beforeAll(() => {
  book = new Workbook();
  // The references in place of the stubs, site folders included: `npx learn run X` then runs the
  // reference, and paths the texts name (lessons/NN-slug/…) hold what the reference serves.
  for (const lesson of lessons) {
    const folder = `${String(lesson.number).padStart(2, '0')}-${lesson.slug}`;
    fs.cpSync(path.join(book.root, 'solutions', folder), path.join(book.root, 'lessons', folder), { recursive: true });
  }
});

afterAll(() => {
  book?.remove();
  console.log(`try-it commands: ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`);
});

/** A server a `npx learn run` line started, with the expectation its own output must meet. */
interface Server {
  key: string;
  port: number;
  run: ShellRun;
  expectation: Expectation | undefined;
  command: TryCommand;
}

/** Everything one lesson's commands share: ports, the private /tmp, running servers. */
class Session implements Scenario {
  readonly ports = new Map<number, number>();
  readonly tmp: string;
  readonly servers: Server[] = [];
  readonly started: ShellRun[] = [];

  constructor(readonly lesson: Lesson) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `try-it-${lesson.slug}-`));
    // curl's progress meter goes to stderr between -v's lines, at times in the middle of one: a
    // .curlrc of the test's own turns it off (what curl shows otherwise is the same).
    fs.writeFileSync(path.join(this.tmp, '.curlrc'), 'no-progress-meter\n');
  }

  /** The command as this machine runs it: README ports → free ones, /tmp/ → the test's folder. */
  async localize(text: string): Promise<string> {
    // localhost:3000 too: a TLS lesson's commands name the host its certificate is for; and a
    // second port given as a flag (http2-server's --h2c-port 3001).
    const pattern = /(127\.0\.0\.1[:\s",']+|localhost:|--(?:[a-z0-9]+-)?port\s+|connect\()(\d{4,5})\b/g;
    for (const match of text.matchAll(pattern)) {
      const written = Number(match[2]);
      if (!this.ports.has(written)) this.ports.set(written, await freePort());
    }
    const swapped = text.replace(pattern, (_, before: string, port: string) => `${before}${this.ports.get(Number(port))}`);
    // A port already met, written after a name (`https://a.test:8443/`, curl's `--resolve a.test:8443:…`).
    const named = swapped.replace(/\b([a-z][\w.-]*:)(\d{4,5})\b/g, (all, before: string, port: string) => {
      const local = this.ports.get(Number(port));
      return local === undefined ? all : `${before}${local}`;
    });
    return named.replaceAll('/tmp/', `${this.tmp}/`);
  }

  port(written: number): number {
    const port = this.ports.get(written);
    if (port === undefined) throw new Error(`No command used port ${written} yet.`);
    return port;
  }

  shell(text: string): ShellRun {
    const run = new ShellRun(text, { cwd: book.root, env: book.env({ PATH: SYSTEM_PATH, CURL_HOME: this.tmp }) });
    this.started.push(run);
    return run;
  }

  server(written: number): ShellRun {
    const server = this.serverOn(this.port(written));
    if (!server) throw new Error(`No server runs on port ${written} (${this.port(written)}).`);
    return server.run;
  }

  serverOn(port: number): Server | undefined {
    return this.servers.find((server) => server.port === port);
  }

  async stopServer(server: Server): Promise<void> {
    this.servers.splice(this.servers.indexOf(server), 1);
    server.run.interrupt();
    const stopped = await server.run.exit(15_000);
    await server.run.kill();
    expect(stopped, `${where(this.lesson, server.command)} \`${server.command.text}\` did not stop within 15 s of Ctrl-C`).toBe(true);
    if (server.expectation) checkOutput(this.lesson, server.command, server.expectation, server.run);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.started.map((run) => run.kill()));
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * The system's tools only, as on a learner's Debian machine (its python3 has python3-websockets):
 * this Node first, then the system folders; no version managers (a pyenv python3 has no websockets,
 * and ShellRun keeps bash from reading a ~/.bashrc that would put one first).
 */
const SYSTEM_PATH = [...new Set([path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(path.delimiter);

const where = (lesson: Lesson, command: TryCommand) => `lesson ${lesson.number} (${lesson.slug}), ${command.source}:`;

function expectationFor(lesson: Lesson, command: TryCommand): Expectation {
  const table = EXPECTATIONS[lesson.slug] ?? [];
  const found = table.filter((entry) => entry.command === command.text);
  if (found.length === 0 && process.env.TRY_IT_DUMP)
    return {
      command: command.text,
      exit: 'any',
      timeoutMs: 20_000,
      check: (run) =>
        console.log(
          `=== ${lesson.number} ${command.source} ${command.kind}\n$ ${command.text}\n[exit ${run.child.exitCode} after ${run.elapsed} ms]\n${tail(run.out)}`,
        ),
    };
  if (found.length !== 1) {
    throw new Error(
      `${where(lesson, command)} ${found.length === 0 ? 'no entry' : `${found.length} entries`} in try-it-expectations.ts for the command\n  ${command.text}\n` +
        'Add one that says what it must show (see the entries around it).',
    );
  }
  return found[0]!;
}

function checkOutput(lesson: Lesson, command: TryCommand, expectation: Expectation, run: ShellRun): void {
  const label = `${where(lesson, command)} \`${command.text}\` printed:\n${tail(run.out)}\n`;
  for (const pattern of expectation.out ?? []) expect(run.out, `${label}which should match ${pattern}`).toMatch(pattern);
  for (const pattern of expectation.not ?? []) expect(run.out, `${label}which should not match ${pattern}`).not.toMatch(pattern);
}

const tail = (text: string) => (text.length > 3000 ? `…${text.slice(-3000)}` : text);

async function runCommand(session: Session, command: TryCommand): Promise<void> {
  const expectation = expectationFor(session.lesson, command);
  const text = await session.localize(command.text);
  const label = `${where(session.lesson, command)} \`${command.text}\``;

  if (
    !process.env.TRY_IT_DUMP &&
    command.kind === 'terminal' &&
    expectation.stdin === undefined &&
    !expectation.until &&
    !expectation.stopAfterMs &&
    !expectation.scenario
  ) {
    throw new Error(`${label} is in a terminal block: its entry needs stdin (what a person types), until or stopAfterMs (when Ctrl-C comes), or a scenario.`);
  }

  if (command.source.startsWith('README') && command.kind === 'shell' && (expectation.stdin || expectation.until || expectation.stopAfterMs)) {
    throw new Error(`${label} waits for typing or a Ctrl-C: put it in a block marked <!-- try-it: terminal --> (see AUTHORING.md).`);
  }

  if (/^npx learn run /.test(text)) {
    const port = Number(/--port (\d+)/.exec(text)?.[1]);
    const running = session.servers.find((server) => server.key === text);
    if (running) return; // the same server, already up (a tryIt line that repeats the README's)
    const other = session.serverOn(port);
    if (other) await session.stopServer(other);
    const run = session.shell(text);
    run.type('', { end: false });
    const listening = await run.until(new RegExp(`listens on 127\\.0\\.0\\.1:${port}`), 60_000);
    expect(listening, `${label} never said it listens; it printed:\n${tail(run.out)}`).toBe(true);
    session.servers.push({ key: text, port, run, expectation, command });
    return;
  }

  if (expectation.scenario) {
    await expectation.scenario(session, text);
    return;
  }

  let run: ShellRun;
  if (command.kind === 'browser-page') {
    run = await checkPage(session, text);
  } else if (command.kind === 'browser-console') {
    // The devtools console, in Node: `ws` is the WebSocket, console.log prints.
    const code = `globalThis.WebSocket = require('ws'); ${text}`;
    run = session.shell(`node -e ${shellQuote(code)}`);
    run.type('');
  } else {
    run = session.shell(text);
    // Typed input, then Ctrl-D; a command stopped by Ctrl-C keeps its input open, as a terminal does.
    run.type(expectation.stdin ?? '', { end: !expectation.until && !expectation.stopAfterMs });
  }

  const timeoutMs = expectation.timeoutMs ?? 30_000;
  if (expectation.until || expectation.stopAfterMs) {
    const seen = expectation.until ? await run.until(expectation.until, timeoutMs) : (await new Promise((r) => setTimeout(r, expectation.stopAfterMs)), true);
    expect(seen, `${label} should show ${expectation.until} before Ctrl-C; it printed:\n${tail(run.out)}`).toBe(true);
    expect(run.done, `${label} should still run until Ctrl-C, as the text says; it ended by itself:\n${tail(run.out)}`).toBe(false);
    if (expectation.stopServer) {
      const server = session.serverOn(session.port(3000));
      if (!server) throw new Error(`${label}: no server to stop`);
      await session.stopServer(server);
      expect(await run.exit(timeoutMs), `${label} should end by itself once the server stopped; it printed:\n${tail(run.out)}`).toBe(true);
    } else {
      run.interrupt();
      await run.exit(10_000);
    }
  } else {
    const ended = await run.exit(timeoutMs);
    if (!ended) await run.kill();
    expect(ended, `${label} did not end within ${timeoutMs} ms; it printed:\n${tail(run.out)}`).toBe(true);
    const code = await run.closed;
    if (expectation.exit !== 'any') expect(code, `${label} exited with ${code}; it printed:\n${tail(run.out)}`).toBe(expectation.exit ?? 0);
  }
  checkOutput(session.lesson, command, expectation, run);
  if (expectation.tookMs) {
    const [min, max] = expectation.tookMs;
    expect(run.elapsed, `${label} took ${run.elapsed} ms, the text says ${min}–${max} ms`).toBeGreaterThanOrEqual(min);
    expect(run.elapsed, `${label} took ${run.elapsed} ms, the text says ${min}–${max} ms`).toBeLessThanOrEqual(max);
  }
  if (expectation.spreadMs) {
    // Streaming: the lines must arrive as they are produced, not all at once at the end.
    const lines = run.chunks.filter((chunk) => chunk.stream === 'stdout' && chunk.bytes.includes(10));
    const spread = lines.length > 1 ? lines.at(-1)!.at - lines[0]!.at : 0;
    expect(
      spread,
      `${label}: its lines came within ${spread} ms of each other (${lines.length} reads); the text says they come one at a time`,
    ).toBeGreaterThanOrEqual(expectation.spreadMs);
  }
  if (expectation.check) await expectation.check(run, session);
}

/** "open http://… in a browser": the page answers 200 with HTML, and so does all it loads (src=, <link href=>). */
async function checkPage(session: Session, line: string): Promise<ShellRun> {
  const url = /http:\/\/127\.0\.0\.1:\d+\/\S*?(?=[,\s]|$)/.exec(line)?.[0];
  if (!url) throw new Error(`No URL in the browser line: ${line}`);
  const page = await get(url, true);
  expect(page.status, `${url} should answer 200 for a browser`).toBe(200);
  expect(page.type, `${url} should be a page`).toMatch(/^text\/html/);
  const loads = [...page.body.matchAll(/\ssrc="([^"#:]+)"/g), ...page.body.matchAll(/<link\s[^>]*href="([^"#:]+)"/g)];
  const linked = loads.map((m) => new URL(m[1]!, url).toString());
  for (const link of linked)
    expect((await get(link, true)).status, `${link}, linked from ${url}, should answer 200 (after a redirect, as a browser follows it)`).toBe(200);
  const run = session.shell(`printf '%s\\n' ${shellQuote(`${page.status} ${page.type} and ${linked.length} linked: ${linked.join(' ')}`)}`);
  run.type('');
  return run;
}

function get(url: string, follow = false): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 10_000 }, (response) => {
      const location = response.headers.location;
      if (follow && location && [301, 302, 303, 307, 308].includes(response.statusCode ?? 0)) {
        response.resume();
        return resolve(get(new URL(location, url).toString()));
      }
      let body = '';
      response.setEncoding('latin1');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    request.on('error', reject);
  });
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

describe('every command a lesson tells you to type does what its text says', () => {
  test.concurrent.each(lessons.map((lesson) => [`${lesson.number} ${lesson.slug}`, lesson] as const))(
    '%s',
    async (_, lesson) => {
      const session = new Session(lesson);
      try {
        for (const command of [...readmeCommands(lesson), ...tryItCommands(lesson)]) {
          if (!process.env.TRY_IT_DUMP) await runCommand(session, command);
          else
            await runCommand(session, command).catch((error: Error) =>
              console.log(`=== ${lesson.number} ${command.source} FAILED ${error.message.slice(0, 1500)}`),
            );
        }
        for (const server of [...session.servers]) await session.stopServer(server);
      } finally {
        await session.cleanup();
      }
    },
    300_000,
  );

  test('every entry of the table is used by a command', () => {
    for (const lesson of lessons) {
      const texts = new Set([...readmeCommands(lesson), ...tryItCommands(lesson)].map((command) => command.text));
      for (const entry of EXPECTATIONS[lesson.slug] ?? []) {
        expect(texts.has(entry.command), `try-it-expectations.ts, ${lesson.slug}: no command in the texts is\n  ${entry.command}`).toBe(true);
      }
    }
    expect(Object.keys(EXPECTATIONS).filter((slug) => !lessons.some((lesson) => lesson.slug === slug))).toEqual([]);
  });
});
