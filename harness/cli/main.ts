// The `learn` command line. Commands are data; each action loads its module only when it runs.
// One catch at the top turns any error into a clear message and an exit code:
// 0 success, 1 failure (a check failed, a refusal), 2 usage error.

import { parseArgs } from 'node:util';
import { UnknownLessonError } from '../lesson.ts';
import { paint } from '../terminal.ts';
import { UsageError, type Context } from './context.ts';

/** A command-line option: what parseArgs needs, plus the line `--help` prints. */
interface Option {
  type: 'string' | 'boolean';
  short?: string;
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
    summary: 'where you are and what to do next (the default)',
    usage: 'learn',
    run: async (c) => (await import('./commands/status.ts')).status(c),
  },
  next: {
    summary: 'open the next lesson once the current one passes',
    usage: 'learn next',
    run: async (c) => (await import('./commands/next.ts')).next(c),
  },
  check: {
    summary: "run a lesson's checks against your code",
    usage: `learn check ${lessonArg} [--solution] [--seed S] [--verbose] [--all]`,
    options: {
      solution: { type: 'boolean', description: 'check the reference instead of your code' },
      seed: { type: 'string', description: 'replay the random splits of an earlier run' },
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
    usage: `learn diff ${lessonArg} [--force]`,
    options: force,
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
      port: { type: 'string', description: 'the port to listen on (default 3000)' },
    },
    run: async (c) => (await import('./commands/run.ts')).run(c),
  },
  dev: {
    summary: 'author tools: `check` proves stubs and known mistakes fail and solutions pass; `mistake` records one',
    usage: 'learn dev check [lesson] [--json] | stub <lesson> | mistake <lesson> <name> <files…>',
    options: { json: { type: 'boolean', description: 'machine-readable result' } },
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

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const name = first === undefined || first.startsWith('-') ? 'status' : first;
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`There is no command "${name}". Commands: ${Object.keys(commands).join(', ')}.`);
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
    const options = Object.fromEntries(Object.entries({ ...common, ...command.options }).map(([name, { type, short }]) => [name, short ? { type, short } : { type }]));
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Context['flags'], positionals };
  } catch (error) {
    const valid = Object.keys({ ...common, ...command.options }).map((o) => `--${o}`).join(', ');
    throw new UsageError(`${(error as Error).message.split('\n')[0]} \`learn ${name}\` takes: ${valid}.`);
  }
}

function usageOf(name: string, command: Command): string {
  const lines = [`${paint.code(command.usage)}`, `  ${command.summary}`];
  for (const [option, spec] of Object.entries({ ...command.options, ...common })) {
    lines.push(`  --${option.padEnd(12)} ${spec.description}`);
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

function report(error: unknown): number {
  if (error instanceof UsageError || error instanceof UnknownLessonError) {
    process.stderr.write(`${paint.failure('error:')} ${error.message}\n`);
    process.stderr.write(`${paint.dim('Run `npx learn help` to see every command and option.')}\n`);
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
