// The lesson's example requests, ready to send from `learn probe`: the bytes of its try-it lines
// (lessons/manifest.ts, with the port filled in by the command) that send something fixed. `printf '…' | nc` sends the printf string;
// a `curl` line sends the request curl would make (method, target, Host, the -H fields, a
// --data-binary body), stripped of the fields curl adds for itself; with --http2-prior-knowledge,
// the same request as HTTP/2 frames: the preface, an empty SETTINGS, HEADERS on stream 1 (and DATA
// for a body). Lines that need a file, stdin or a person typing are left out.

import { encodeRequestBlock } from '../wire/hpack.ts';
import { request } from '../wire/http.ts';
import { H2_PREFACE, h2Frame, h2SettingsFrame, H2Type } from '../wire/http2.ts';
import { parseEscapes } from './escapes.ts';

export interface Example {
  /** The try-it line it comes from, without its note in brackets. */
  from: string;
  bytes: Buffer;
}

/** The examples among a lesson's try-it command lines (`printf '…' | nc …`, `curl …`). */
export function examplesOf(tryItLines: string[]): Example[] {
  const examples: Example[] = [];
  for (const line of tryItLines) {
    const command = line.replace(/\s{2,}\(.*\)\s*$/, '').trim();
    const bytes = fromPrintf(command) ?? fromCurl(command);
    if (bytes) examples.push({ from: command, bytes });
  }
  return examples;
}

/** `printf 'hello\n' | nc …`: printf's escapes are ours (\r \n \t \\). */
function fromPrintf(command: string): Buffer | undefined {
  const match = /^printf '([^'%]*)' \| nc /.exec(command);
  if (!match) return undefined;
  try {
    return parseEscapes(match[1]!);
  } catch {
    return undefined;
  }
}

/** `curl [options] URL`: the request it sends, or undefined when it needs more than the line. */
function fromCurl(command: string): Buffer | undefined {
  const words = shellWords(command);
  if (words?.[0] !== 'curl') return undefined;
  let method: string | undefined;
  let body: string | undefined;
  const headers: Array<[string, string]> = [];
  const urls: string[] = [];
  let asIs = false;
  let http2 = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (['-v', '-i', '-s', '-N', '--raw'].includes(word)) continue;
    if (word === '--http2-prior-knowledge') {
      http2 = true;
      continue;
    }
    if (word === '--path-as-is') {
      asIs = true;
      continue;
    }
    if (word === '-I') method = 'HEAD';
    else if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const [name, ...value] = (words[++i] ?? '').split(':');
      headers.push([name!, value.join(':').trim()]);
    } else if (word === '-r') headers.push(['Range', `bytes=${words[++i]}`]);
    else if (word === '--data-binary' && !words[i + 1]?.startsWith('@')) body = words[++i];
    else if (/^https?:\/\//.test(word)) urls.push(word);
    else return undefined; // -T, -z, @file: more than a line can say
  }
  if (urls.length !== 1 || headers.some(([, value]) => value.includes('…'))) return undefined;
  const url = new URL(urls[0]!);
  // curl resolves dot segments in the path unless told --path-as-is; then it sends what was typed.
  const target = asIs ? (/^https?:\/\/[^/]+(\/.*)?$/.exec(urls[0]!)?.[1] ?? '/') : url.pathname + url.search;
  method ??= body === undefined ? 'GET' : 'POST';
  if (http2) return h2Request(method, target, url.host, headers, body);
  return request({ method, target, host: url.host, headers, body });
}

/** RFC 9113 §3.4, §8.3.1: the preface, our SETTINGS, then the request on stream 1 (field names lowercase, §8.2.1). */
function h2Request(method: string, path: string, authority: string, headers: Array<[string, string]>, body: string | undefined): Buffer {
  const block = encodeRequestBlock([
    [':method', method],
    [':scheme', 'http'],
    [':path', path],
    [':authority', authority],
    ...headers.map(([n, v]): [string, string] => [n.toLowerCase(), v]),
  ]);
  const END_STREAM = 0x1;
  const END_HEADERS = 0x4;
  const frames = [H2_PREFACE, h2SettingsFrame(), h2Frame(H2Type.HEADERS, END_HEADERS | (body === undefined ? END_STREAM : 0), 1, block)];
  if (body !== undefined) frames.push(h2Frame(H2Type.DATA, END_STREAM, 1, Buffer.from(body)));
  return Buffer.concat(frames);
}

/** Splits a command line into words, honouring single and double quotes; undefined when a quote is left open. */
function shellWords(command: string): string[] | undefined {
  const words: string[] = [];
  const pattern = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3]!);
  return words.join('').includes("'") ? undefined : words;
}
