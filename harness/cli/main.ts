// The `learn` command line. Commands are data; each action loads its module only when it runs.
// One catch at the top turns any error into a clear message and an exit code:
// 0 success, 1 failure (a check failed, a refusal), 2 usage error.

import { parseArgs } from 'node:util';
import { findLesson, UnknownLessonError } from '../lesson.ts';
import { paint } from '../terminal.ts';
import { stopQuietlyWhenOutputCloses } from './closed-output.ts';
import { UsageError, type Context } from './context.ts';
import { nearest } from './suggest.ts';

export { exitAfterStopSignal } from './signal-exit.ts';
export { programsStartedByLastCheck } from './commands/check.ts';

/** A command-line option: what parseArgs needs, plus the line `--help` prints. */
interface Option {
  type: 'string' | 'boolean';
  short?: string;
  /** For a string option, what its value is called in messages: `--seed S`. */
  value?: string;
  description: string;
}
type Options = Record<string, Option>;

interface Command {
  summary: string;
  usage: string;
  options?: Options;
  run: (context: Context) => Promise<number>;
}

const lessonArg = '[lesson]';
const force: Options = { force: { type: 'boolean', description: 'do it without asking' } };

const commands: Record<string, Command> = {
  status: {
    summary: 'where you are and what to do next (also plain `npx learn`)',
    usage: 'learn status',
    run: async (c) => (await import('./commands/status.ts')).status(c),
  },
  next: {
    summary: 'open the lesson you are on (the first not passed after your latest pass), or the one named',
    usage: `learn next ${lessonArg}`,
    run: async (c) => (await import('./commands/next.ts')).next(c),
  },
  check: {
    summary: "run a lesson's checks against your code",
    usage: `learn check ${lessonArg} [--solution] [--seed S] [--verbose] [--all]`,
    options: {
      solution: { type: 'boolean', description: 'check the reference instead of your code' },
      seed: { type: 'string', value: 'S', description: 'replay the random splits of an earlier run' },
      verbose: { type: 'boolean', description: 'show the wire for passing checks too' },
      all: { type: 'boolean', description: 'keep going after the first failure' },
    },
    run: async (c) => (await import('./commands/check.ts')).check(c),
  },
  watch: {
    summary: 'check the current lesson every time you save',
    usage: `learn watch ${lessonArg}`,
    run: async (c) => (await import('./commands/watch.ts')).watch(c),
  },
  hint: {
    summary: 'the next hint for a lesson',
    usage: `learn hint ${lessonArg}`,
    run: async (c) => (await import('./commands/hint.ts')).hint(c),
  },
  solution: {
    summary: 'show the reference solution; --apply puts it in place of your files (backed up)',
    usage: `learn solution ${lessonArg} [--apply] [--force]`,
    options: { ...force, apply: { type: 'boolean', description: 'continue from the reference: back up your files, copy it over them' } },
    run: async (c) => (await import('./commands/solution.ts')).solution(c),
  },
  diff: {
    summary: 'compare your code with the reference',
    usage: `learn diff ${lessonArg} [--exact] [--force]`,
    options: { ...force, exact: { type: 'boolean', description: 'show differences of layout too (spaces, indentation, blank lines)' } },
    run: async (c) => (await import('./commands/solution.ts')).diff(c),
  },
  list: {
    summary: 'every lesson and its state',
    usage: 'learn list',
    run: async (c) => (await import('./commands/list.ts')).list(c),
  },
  reset: {
    summary: "put a lesson's stub back (your file is backed up first)",
    usage: 'learn reset <lesson> [--force]',
    options: force,
    run: async (c) => (await import('./commands/reset.ts')).reset(c),
  },
  run: {
    summary: 'start your server (or the reference) to try by hand',
    usage: `learn run ${lessonArg} [--solution] [--port N] [-- program args…]`,
    options: {
      solution: { type: 'boolean', description: 'run the reference instead of your code' },
      port: { type: 'string', value: 'N', description: 'the port to listen on (default 3000)' },
    },
    run: async (c) => (await import('./commands/run.ts')).run(c),
  },
  spy: {
    summary:
      'start your server (or the reference) behind a relay on --port that prints the wire as you try it with curl, a browser, wrk; Ctrl-C writes it as a page',
    usage: `learn spy ${lessonArg} [--solution] [--port N] [-- program args…]`,
    options: {
      solution: { type: 'boolean', description: 'spy on the reference instead of your code' },
      port: { type: 'string', value: 'N', description: 'the port clients connect to (default 3000)' },
    },
    run: async (c) => (await import('./commands/spy.ts')).spy(c),
  },
  probe: {
    summary: 'a raw-socket prompt to a running server: type bytes (escapes: \\r \\n \\xHH), see what comes back; .help lists its commands',
    usage: `learn probe ${lessonArg} [--port N] [--wait MS]`,
    options: {
      port: { type: 'string', value: 'N', description: "the server's port (default: where `learn run` listens, else 3000)" },
      wait: { type: 'string', value: 'MS', description: 'without a terminal: how long to wait for replies once the input ends (default 1000)' },
    },
    run: async (c) => (await import('./commands/probe.ts')).probe(c),
  },
  dev: {
    summary: 'author tools: `check` proves stubs and known mistakes fail and solutions pass; `mistake` records one; `format` formats lessons and their patches',
    usage:
      'learn dev check [lesson…] [--json] [--seeds N] [--lanes N] [--without-mistakes] | stub <lesson> | mistake <lesson> <name> <files…> | format [lesson…] [--check]',
    options: {
      json: { type: 'boolean', description: 'machine-readable result' },
      seeds: { type: 'string', description: 'runs per known mistake, each with its own seed (default 3); one that is caught only sometimes is FLAKY' },
      lanes: { type: 'string', description: 'runs at once (default 2)' },
      'without-mistakes': { type: 'boolean', description: 'check: only the references and the stubs' },
      check: { type: 'boolean', description: 'format: change nothing, fail when something is not formatted' },
    },
    run: async (c) => (await import('./commands/dev.ts')).dev(c),
  },
  help: {
    summary: 'this list',
    usage: 'learn help',
    run: async (c) => help(c),
  },
};

/** Options every command takes. */
const common: Options = {
  'no-color': { type: 'boolean', description: 'no colours (also: NO_COLOR, or no terminal)' },
  help: { type: 'boolean', short: 'h', description: 'how to use a command' },
};

/** `check`: set by the resident check process (resident/server.ts) for the check it runs. */
export async function main(argv: string[], check?: Context['check']): Promise<number> {
  stopQuietlyWhenOutputCloses();
  const [first, ...rest] = argv;
  const name = first === undefined || first.startsWith('-') ? 'status' : first;
  const command = commands[name];
  try {
    if (!command) throw unknownCommand(name, rest);
    const given = first === undefined || first.startsWith('-') ? argv : rest;
    // Everything after a lone `--` is not ours to parse: `learn run` hands it to the program.
    const dashes = given.indexOf('--');
    const { values, positionals } = parseOptions(name, command, dashes < 0 ? given : given.slice(0, dashes));
    const context: Context = {
      args: positionals,
      flags: values,
      rest: dashes < 0 ? [] : given.slice(dashes + 1),
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI,
      out: (line = '') => process.stdout.write(`${line}\n`),
      ...(check ? { check } : {}),
    };
    if (values.help) {
      context.out(usageOf(name, command));
      return 0;
    }
    return await command.run(context);
  } catch (error) {
    return report(error);
  }
}

function parseOptions(name: string, command: Command, args: string[]) {
  try {
    const options = Object.fromEntries(
      Object.entries({ ...common, ...command.options }).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]),
    );
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Context['flags'], positionals };
  } catch (error) {
    throw optionError(name, command, error as Error & { code?: string });
  }
}

/** One sentence: the command there is no such command as, the nearest one, and the list. */
function unknownCommand(name: string, rest: string[]): UsageError {
  const guess = nearest(name, Object.keys(commands));
  const lesson = lessonNamed(name);
  let message = `There is no command "${name}".`;
  if (guess) message += ` Did you mean \`npx learn ${[guess, ...rest].join(' ')}\`?`;
  else if (lesson) message += ` To work on lesson ${lesson.number}, put a command first: \`npx learn check ${lesson.slug}\`.`;
  return new UsageError(`${message} The commands are ${listed(Object.keys(commands))}.`);
}

/** What parseArgs refused, as one sentence that names the options the command takes. */
function optionError(name: string, command: Command, error: Error & { code?: string }): UsageError {
  const all: Options = { ...command.options, ...common };
  const spelled = (option: string) => `--${option}${all[option]?.type === 'string' ? ` ${all[option]?.value ?? 'VALUE'}` : ''}`;
  const option = /'(-{1,2}[^'\s=]+)/.exec(error.message)?.[1] ?? '';
  const bare = option.replace(/^-+/, '');
  const help = `npx learn ${name} --help`;
  if (error.message.includes('argument missing')) return new UsageError(`${option} needs a value: ${spelled(bare)}.`, help);
  if (error.message.includes('does not take an argument')) return new UsageError(`${option} takes no value: write just ${option}.`, help);
  const guess = nearest(bare, Object.keys(all));
  const owner = Object.keys(commands).find((other) => commands[other]!.options?.[bare]);
  const aside = guess ? ` (did you mean --${guess}?)` : owner ? ` (${option} is an option of \`learn ${owner}\`)` : '';
  return new UsageError(`\`learn ${name}\` has no option ${option || 'like that'}${aside}; it takes ${listed(Object.keys(all).map(spelled))}.`, help);
}

function lessonNamed(name: string) {
  try {
    return findLesson(name);
  } catch {
    return undefined;
  }
}

/** `a, b and c`. */
function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function usageOf(name: string, command: Command): string {
  const lines = [`${paint.code(command.usage)}`, `  ${command.summary}`];
  for (const [option, spec] of Object.entries({ ...command.options, ...common })) {
    lines.push(`  ${`--${option}${spec.value ? ` ${spec.value}` : ''}`.padEnd(14)} ${spec.description}`);
  }
  if (name === 'status') lines.push('', 'Run `npx learn help` for every command.');
  return lines.join('\n');
}

async function help(context: Context): Promise<number> {
  context.out(paint.heading('Networking From Scratch: the `learn` command'));
  context.out('');
  for (const command of Object.values(commands)) {
    context.out(`  ${paint.code(`npx ${command.usage}`)}`);
    context.out(`      ${command.summary}`);
  }
  context.out('');
  context.out(HELP_FOOTER);
  return 0;
}

/** Says what went wrong (a usage error, or a bug of the workbook) on stderr; returns the exit code. */
export function report(error: unknown): number {
  if (error instanceof UsageError || error instanceof UnknownLessonError) {
    process.stderr.write(`${paint.failure('error:')} ${error.message}\n`);
    const help = error instanceof UsageError ? error.help : 'npx learn help';
    process.stderr.write(`${paint.dim(`Run \`${help}\` for more.`)}\n`);
    return 2;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${paint.failure('learn hit a problem it did not expect.')} This is a bug in the workbook, not in your code.\n`);
  process.stderr.write(`${paint.dim(message)}\n`);
  process.stderr.write('Please report it with the text above. Your files and progress are untouched.\n');
  return 1;
}

const HELP_FOOTER = `Lessons are named by number or slug: \`npx learn check 1\` is \`npx learn check tcp-echo\`.
Without a lesson, a command works on the one you are on. Colours: --no-color or NO_COLOR=1.`;
