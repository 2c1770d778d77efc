// The commands a lesson tells a learner to type, read from its README's "Try it by hand" section
// and from its manifest `tryIt` lines, so that a test can run every one of them (and a new one is
// run the moment it is written). The conventions are documented in harness/AUTHORING.md:
//
// - fenced `sh` blocks hold commands, one a line; a command goes on over the next line after a
//   trailing `\` or while a quote is open; `# …` after it says what it shows; a line that is only
//   a comment is prose. In a `console` block only the lines after `$ ` are commands.
// - `<!-- try-it: terminal -->` on the line before a block: its commands are typed into or
//   stopped by hand (an interactive nc, a prompt, Ctrl-C); the test gives them their input.
// - `<!-- try-it: browser -->` before a `js` block: code for a browser's devtools console.
// - other blocks (`text`, …) are never run.
// - a manifest tryIt line is a shell command, with its note after 8 spaces in parentheses,
//   unless it starts with "In a browser": then it is a page to open or devtools console code.

import fs from 'node:fs';
import path from 'node:path';
import { lessonFolder, type Lesson } from '../../lesson.ts';

export type CommandKind = 'shell' | 'terminal' | 'browser-page' | 'browser-console';

export interface TryCommand {
  /** Where it was written: `README.md:112` or `manifest tryIt 3`. */
  source: string;
  kind: CommandKind;
  /** As written, with README ports (3000); tryIt's {port} is written 3000 too. Comments removed. */
  text: string;
  /** The comment or note after it: what the text says it shows. */
  note: string;
}

const FENCE = /^```(\w*)\s*$/;
const MARKER = /^<!--\s*try-it:\s*(terminal|browser)\s*-->\s*$/;

/** The commands of the README's "Try it by hand" section, in order. */
export function readmeCommands(lesson: Lesson): TryCommand[] {
  const file = path.join(lessonFolder(lesson), 'README.md');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^## Try it by hand\s*$/.test(line));
  if (start < 0) return [];
  const commands: TryCommand[] = [];
  let marker: string | undefined;
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]!); i++) {
    const line = lines[i]!;
    const markerMatch = MARKER.exec(line);
    if (markerMatch) {
      marker = markerMatch[1];
      continue;
    }
    const fence = FENCE.exec(line);
    if (!fence) {
      if (line.trim() !== '') marker = undefined; // a marker belongs to the block right after it
      continue;
    }
    const language = fence[1]!;
    const body: { line: string; number: number }[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push({ line: lines[i]!, number: i + 1 });
    if (marker === 'browser') {
      if (language !== 'js') throw new Error(`${file}:${body[0]?.number}: <!-- try-it: browser --> marks a js block, not ${language || 'a plain one'}.`);
      commands.push({ source: `README.md:${body[0]!.number}`, kind: 'browser-console', text: body.map((b) => b.line).join('\n'), note: '' });
    } else if (language === 'sh' || language === 'console') {
      const kind = marker === 'terminal' ? 'terminal' : 'shell';
      const input = language === 'console' ? body.filter((b) => b.line.startsWith('$ ')).map((b) => ({ ...b, line: b.line.slice(2) })) : body;
      for (const command of splitCommands(input)) commands.push({ source: `README.md:${command.number}`, kind, text: command.text, note: command.note });
    }
    marker = undefined;
  }
  return commands;
}

/** The manifest's tryIt lines as commands, {port} written 3000 like the READMEs. */
export function tryItCommands(lesson: Lesson): TryCommand[] {
  return lesson.tryIt.map((raw, index) => {
    const line = raw.replaceAll('{port}', '3000');
    const source = `manifest tryIt ${index + 1}`;
    const noted = /^(.*?)\s{4,}\((.*)\)\s*$/.exec(line);
    const text = noted ? noted[1]!.trim() : line.trim();
    const note = noted ? noted[2]! : '';
    if (/^In a browser/.test(text)) {
      const console = /console:\s*(.*)$/.exec(text);
      return console ? { source, kind: 'browser-console', text: console[1]!, note } : { source, kind: 'browser-page', text, note };
    }
    return { source, kind: 'shell', text, note };
  });
}

/** Joins continued lines into commands and takes off their comments. */
function splitCommands(lines: { line: string; number: number }[]): { text: string; note: string; number: number }[] {
  const commands: { text: string; note: string; number: number }[] = [];
  let text = '';
  let note = '';
  let number = 0;
  for (const { line, number: n } of lines) {
    if (text === '' && /^\s*(#|$)/.test(line)) continue; // prose in a comment, or a blank line
    if (text === '') number = n;
    const { code, comment, open } = scan(text === '' ? line : `${text}\n${line}`);
    if (open) {
      text = text === '' ? line : `${text}\n${line}`;
      continue;
    }
    if (comment) note = note ? `${note} ${comment}` : comment;
    if (code.endsWith('\\')) {
      text = code;
      continue;
    }
    commands.push({ text: code.replace(/\s*\\\n\s*/g, ' ').trim(), note: note.trim(), number });
    text = '';
    note = '';
  }
  if (text !== '') throw new Error(`A command from line ${number} never ends (an open quote?): ${text}`);
  return commands;
}

/** Splits shell text into its code and a trailing `# comment`, and says whether a quote is still open. */
function scan(text: string): { code: string; comment: string; open: boolean } {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      // A comment runs to the end of its line; a continued command may go on after it.
      const end = text.indexOf('\n', i);
      const comment = text.slice(i + 1, end < 0 ? undefined : end).trim();
      if (end < 0) return { code: text.slice(0, i).trimEnd(), comment, open: false };
      const rest = scan(text.slice(0, i).trimEnd() + text.slice(end));
      return { ...rest, comment: [comment, rest.comment].filter(Boolean).join(' ') };
    }
  }
  return { code: text.trimEnd(), comment: '', open: quote !== undefined };
}
