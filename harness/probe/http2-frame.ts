// `.frame TYPE FLAGS STREAM [PAYLOAD]`: one HTTP/2 frame (RFC 9113 §4.1) built by hand from a
// line, for `learn probe`. The header is written exactly as typed, whatever it says (a wrong
// length or a reserved bit is for `.hex`); the payload is given the easy way for each type:
//
//   .frame SETTINGS 0 0 MAX_CONCURRENT_STREAMS=100 0x99=7    id=value pairs, by name or number
//   .frame SETTINGS ACK 0
//   .frame HEADERS END_STREAM|END_HEADERS 1 :method=GET :path=/ :scheme=http :authority=x
//                                        fields, HPACK-encoded by the probe (literals, no Huffman)
//   .frame DATA END_STREAM 1 "hello\n"   text in quotes, with the probe's escapes
//   .frame PING 0 0 0102030405060708     anything else: hex
//   .frame 0xfa 0 0 ab                   a type or flags by number
//
// A mistake is said as such (EscapeError), never guessed at.

import { H2HeaderEncoder, type H2Field } from '../wire/hpack.ts';
import { h2Frame, H2Type } from '../wire/http2.ts';
import { H2_SETTING_NAMES } from '../wire/http2.ts';
import { EscapeError, parseEscapes, parseHex } from './escapes.ts';

const FLAGS: Record<string, number> = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 };
const SETTING_IDS: Record<string, number> = Object.fromEntries(Object.entries(H2_SETTING_NAMES).map(([id, name]) => [name, Number(id)]));

export const FRAME_USAGE = '`.frame TYPE FLAGS STREAM [PAYLOAD]`, like `.frame SETTINGS 0 0 MAX_FRAME_SIZE=16384` or `.frame PING 0 0 0102030405060708`';

/** The bytes of a `.frame` line (what follows `.frame `). */
export function parseFrame(text: string): Buffer {
  const words = splitWords(text);
  const [typeWord, flagsWord, streamWord, ...payloadWords] = words;
  if (streamWord === undefined) throw new EscapeError(`Expected ${FRAME_USAGE}; received ".frame ${text}".`);
  const type = parseType(typeWord!);
  const flags = parseFlags(flagsWord!);
  const stream = parseNumber(streamWord, 2 ** 31 - 1, 'a stream id');
  return h2Frame(type, flags, stream, payloadOf(type, payloadWords));
}

function payloadOf(type: number, words: string[]): Buffer {
  if (words.length === 0) return Buffer.alloc(0);
  if (words.length === 1 && words[0]!.startsWith('"')) return quoted(words[0]!);
  if (type === H2Type.SETTINGS) return settingsPayload(words);
  if (type === H2Type.HEADERS || type === H2Type.CONTINUATION) return new H2HeaderEncoder().encode(words.map(field));
  return parseHex(words.join(''));
}

function settingsPayload(words: string[]): Buffer {
  const out = Buffer.alloc(words.length * 6);
  words.forEach((word, i) => {
    const [name = '', value = ''] = word.split('=');
    const id = SETTING_IDS[name.toUpperCase()] ?? (/^(0x[0-9a-f]+|\d+)$/i.test(name) ? Number(name) : undefined);
    if (id === undefined || id > 0xffff)
      throw new EscapeError(`"${name}" is not a setting: use a name (${Object.keys(SETTING_IDS).join(', ')}) or a number up to 0xffff, as NAME=value.`);
    out.writeUInt16BE(id, i * 6);
    out.writeUInt32BE(parseNumber(value, 2 ** 32 - 1, `the value of ${name}`), i * 6 + 2);
  });
  return out;
}

/** `:path=/x`, `user-agent="probe 1"`: the name up to the first "=" after its first character. */
function field(word: string): H2Field {
  const at = word.indexOf('=', 1);
  if (at < 0) throw new EscapeError(`Expected a field as name=value (like :path=/ or accept="*/*"), received "${word}".`);
  const value = word.slice(at + 1);
  const bytes = value.startsWith('"') ? quoted(value) : parseEscapes(value);
  return [word.slice(0, at), bytes.toString('latin1')];
}

function quoted(word: string): Buffer {
  if (word.length < 2 || !word.endsWith('"')) throw new EscapeError(`A quote is left open: ${word}`);
  return parseEscapes(word.slice(1, -1));
}

function parseType(word: string): number {
  const named = (H2Type as Record<string, number>)[word.toUpperCase()];
  if (named !== undefined) return named;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(word) && Number(word) <= 0xff) return Number(word);
  throw new EscapeError(`"${word}" is not a frame type: use a name (${Object.keys(H2Type).join(', ')}) or a number up to 0xff.`);
}

/** `0`, `0x25`, `END_STREAM|END_HEADERS`. */
function parseFlags(word: string): number {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(word) && Number(word) <= 0xff) return Number(word);
  let flags = 0;
  for (const name of word.split(/[|,+]/)) {
    const bit = FLAGS[name.toUpperCase()];
    if (bit === undefined) throw new EscapeError(`"${name}" is not a flag: use ${Object.keys(FLAGS).join(', ')} joined by |, or a number like 0x05.`);
    flags |= bit;
  }
  return flags;
}

function parseNumber(word: string, max: number, what: string): number {
  const value = /^(0x[0-9a-f]+|\d+)$/i.test(word) ? Number(word) : NaN;
  if (!(value <= max)) throw new EscapeError(`Expected ${what}: a number from 0 to ${max} (decimal or 0x hex), received "${word}".`);
  return value;
}

/** Words separated by spaces; a double-quoted part (escapes kept for parseEscapes) stays in its word. */
function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quote) {
      word += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quote = !quote;
    if (c === ' ' && !quote) {
      if (word) words.push(word);
      word = '';
    } else word += c;
  }
  if (quote) throw new EscapeError(`A quote is left open: ${text}`);
  if (word) words.push(word);
  return words;
}
