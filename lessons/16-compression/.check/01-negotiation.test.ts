// Hidden tests for compression, part 1: Accept-Encoding negotiated by the rule of the README. Each
// row asks for the same 8 KiB text file with one Accept-Encoding and says which coding must come
// back (none: the file as it is); the body is decoded with node:zlib and compared byte for byte.

import { serverTest, httpCases, check, type Fields, type HttpCase, type HttpResponse } from '#harness/testing/index.ts';
import { TEXT, UNDER_LIMIT, checkDecodesTo, makeSite } from './site.ts';

const site = makeSite();
const test = serverTest('compression', { args: ['--root', site.root] });

const SPEC = 'RFC 9110 §12.5.3 (Accept-Encoding), §12.4.2 (quality values)';

/**
 * The teaching for a row that expected `coding` and received the file as it is, when the field gave
 * that coding a weight below 1 and named no identity: then the likely difference is an implicit
 * weight for identity, whatever the row is about, and the failure says so instead of the row's theme.
 */
function unnamedIdentity(accept: string | undefined, coding: 'gzip' | 'br' | undefined, got: string | undefined): { why: string; hint: string } | undefined {
  if (accept === undefined || coding === undefined || got !== undefined || /identity|\*/i.test(accept)) return undefined;
  const weight = new RegExp(`(?:^|,)[ \\t]*${coding}[ \\t]*;[ \\t]*q=(0\\.[0-9]*[1-9][0-9]*)`, 'i').exec(accept)?.[1];
  if (weight === undefined) return undefined;
  return {
    why: `Here ${coding} has weight ${weight}, below 1, and identity is not named. If your parser read this field, the difference is likely step 1 of the rule: it compares the best coding with identity only when the client named identity (by itself or through "*"); an identity that is not listed has no weight of its own to beat ${weight}.`,
    hint: 'Take the weight identity is compared with from the field (identity, else "*"); when neither is listed, compress whatever the weight of the coding.',
  };
}

/** The check of a row: Content-Encoding as expected, and the body decodes to the file. */
function coded(coding: 'gzip' | 'br' | undefined, file: Buffer, teaching: { why: string; hint: string }, accept?: string) {
  return (response: HttpResponse, label: string) => {
    const got = response.header('content-encoding');
    check(got === coding, {
      ...teaching,
      ...unnamedIdentity(accept, coding, got),
      spec: SPEC,
      message: `Expected ${label} to be ${coding ? `encoded with ${coding} ("Content-Encoding: ${coding}")` : 'sent as it is (no Content-Encoding)'}, received ${got === undefined ? 'no Content-Encoding' : `"Content-Encoding: ${got}"`}.`,
    });
    checkDecodesTo(response, file, label);
    check(response.hasToken('vary', 'accept-encoding'), {
      message: `Expected ${label} to carry "Vary: Accept-Encoding", received ${response.header('vary') === undefined ? 'no Vary' : `"Vary: ${response.header('vary')}"`}.`,
      why: 'This URL sends different bytes to clients with different Accept-Encoding (compressed or not). Vary tells caches to key on it, whichever body this one is.',
      spec: 'RFC 9110 §12.5.5',
      hint: 'withVary(): add ["Vary", "Accept-Encoding"] to every response of a compressible type, compressed or not.',
    });
  };
}

interface Row {
  /** Accept-Encoding line(s); a string array sends one field line each; undefined sends none. */
  accept: string | string[] | undefined;
  coding: 'gzip' | 'br' | undefined | 406;
  why: string;
  hint: string;
  target?: string;
}

function row({ accept, coding, why, hint, target = '/text.txt' }: Row): HttpCase {
  const lines = accept === undefined ? [] : Array.isArray(accept) ? accept : [accept];
  const headers: Fields = lines.map((value) => ['Accept-Encoding', value]);
  const shown = accept === undefined ? 'no Accept-Encoding' : lines.map((l) => `"Accept-Encoding: ${l}"`).join(' and ');
  const file = target === '/under.txt' ? UNDER_LIMIT : TEXT;
  const outcome = coding === 406 ? '406' : coding === undefined ? 'the file as it is' : coding;
  return {
    name: `${target}, ${shown} → ${outcome}`,
    send: { target, headers },
    expect:
      coding === 406 ? { status: 406, fields: { 'Content-Encoding': null } } : { status: 200, check: coded(coding, file, { why, hint }, lines.join(', ')) },
    why,
    spec: SPEC,
    hint,
  };
}

const rows: HttpCase[] = [
  row({
    accept: 'gzip',
    coding: 'gzip',
    why: 'The client can decode gzip, and 8 KiB of text is worth compressing.',
    hint: 'Parse Accept-Encoding, pick gzip, and pipe the file through zlib.createGzip().',
  }),
  row({ accept: 'br', coding: 'br', why: 'The client can decode Brotli (br).', hint: 'zlib.createBrotliCompress() makes br.' }),
  row({
    accept: 'gzip, br',
    coding: 'br',
    why: 'Both have weight 1: on a tie the server chooses, and this one prefers br (smaller for text).',
    hint: 'Walk your SUPPORTED list (br, then gzip) and keep a coding only if its weight beats the best so far.',
  }),
  row({
    accept: 'br;q=0.5, gzip',
    coding: 'gzip',
    why: 'gzip has weight 1 (no q), br 0.5: the higher weight wins before any preference of the server.',
    hint: 'Compare weights first; the server preference only breaks ties.',
  }),
  row({
    accept: 'GZIP',
    coding: 'gzip',
    why: 'Content-coding names are case-insensitive: GZIP is gzip.',
    hint: 'Lower-case each coding name before you look it up.',
  }),
  row({
    accept: 'gzip;q=0.5',
    coding: 'gzip',
    why: 'gzip is the only coding named, with weight 0.5: accepted. identity is not named, so it has no weight to set against gzip\'s: step 1 of the rule compares with identity only when the client named it (by itself, or through "*"). An identity given weight 1 when it is not listed turns every q below 1 into "send it plain".',
    hint: 'Compare the best coding\'s weight with identity\'s only when the field lists identity or "*"; an unlisted identity is merely acceptable (step 2), not preferred.',
  }),
  row({
    accept: ' gzip ;  Q=1 ,\tbr;q=0.7 ',
    coding: 'gzip',
    why: 'Optional whitespace (spaces and tabs) may stand around commas and semicolons, and the q of a weight is case-insensitive (Q=1): this is gzip at 1 and br at 0.7, and gzip wins on weight. Read as malformed, the field would be ignored, and the file sent as it is.',
    hint: 'Trim spaces and tabs around each member and each parameter; match /^q=/i.',
  }),
  row({
    accept: 'gzip, , br,',
    coding: 'br',
    why: 'A list may have empty members; they count for nothing.',
    hint: 'Skip members that are empty once trimmed.',
  }),
  row({
    accept: '*',
    coding: 'br',
    why: '"*" gives weight 1 to every coding not listed: br, gzip, and identity too. Identity named through "*" ties with br, and the rule sends the body as it is only when identity weighs more; between br and gzip, br is preferred.',
    hint: 'A coding not listed takes the weight of "*" (identity included); compress when the best coding weighs at least as much as identity (>=).',
  }),
  row({
    accept: '*;q=0.5, gzip',
    coding: 'gzip',
    why: 'gzip is listed with weight 1; br only gets the 0.5 of "*".',
    hint: 'A coding listed by name takes its own weight, not that of "*".',
  }),
  row({
    accept: 'gzip;q=0',
    coding: undefined,
    why: 'q=0 means "not acceptable": the client refuses gzip. Nothing it accepts is left but identity.',
    hint: 'A coding with weight 0 is refused: only weights > 0 count as accepted.',
  }),
  row({
    accept: 'gzip;q=0.000, br;q=0',
    coding: undefined,
    why: 'q=0.000 is zero too, written with three decimals: both codings are refused.',
    hint: 'Turn the qvalue into a number (0.000 → 0) and refuse what is 0.',
  }),
  row({
    accept: 'gzip;q=0, gzip',
    coding: undefined,
    why: "gzip is named twice: refused, then accepted. RFC 9110 §12.5.3 gives a coding one weight and does not say which mention counts; the README's rule keeps the lower one, so that a refusal is never undone by a second mention, whichever comes first. Refused, gzip leaves identity.",
    hint: 'When a coding is already in your map, keep Math.min(old weight, new weight), not the last one seen.',
  }),
  row({
    accept: 'gzip, gzip;q=0',
    coding: undefined,
    why: "gzip is named twice: accepted, then refused. The README's rule keeps the lower weight, whichever mention comes first: gzip is refused, and identity is left.",
    hint: 'When a coding is already in your map, keep Math.min(old weight, new weight), not the first one seen.',
  }),
  row({
    accept: 'gzip;q=0.001',
    coding: 'gzip',
    why: 'q=0.001 is the smallest weight that accepts: not much liked, but acceptable, and the only coding offered.',
    hint: 'Anything above 0 accepts.',
  }),
  row({
    accept: 'deflate, compress, zstd',
    coding: undefined,
    why: 'Codings this server does not have are no use: identity it is.',
    hint: 'Pick only among what you support (br, gzip); ignore the names you do not know.',
  }),
  row({
    accept: 'deflate, gzip;q=0.1',
    coding: 'gzip',
    why: 'deflate is unknown here; gzip, even at 0.1, is accepted.',
    hint: 'Weights decide among the codings you support only.',
  }),
  row({
    accept: 'gzip;q=1.001',
    coding: undefined,
    why: 'A qvalue is 0 to 1 with at most three decimals: "1.001" breaks the grammar, so the field is malformed and ignored, as if there were none (identity).',
    hint: 'Match qvalues with /^(0(\\.\\d{0,3})?|1(\\.0{0,3})?)$/ before Number(); parseFloat reads 1.001 happily.',
  }),
  row({
    accept: 'gzip;q=0.0001',
    coding: undefined,
    why: 'A qvalue has at most three decimals: "0.0001" breaks the grammar (it is not a tiny weight), so the field is malformed and ignored: identity only.',
    hint: 'Match qvalues with /^(0(\\.\\d{0,3})?|1(\\.0{0,3})?)$/: {0,3}, not *.',
  }),
  row({
    accept: 'gzip;q=.5',
    coding: undefined,
    why: 'A qvalue starts with 0 or 1: ".5" breaks the grammar, so the field is ignored.',
    hint: 'Match qvalues with /^(0(\\.\\d{0,3})?|1(\\.0{0,3})?)$/.',
  }),
  row({
    accept: 'gzip;level=9',
    coding: undefined,
    why: 'The only parameter a coding takes in Accept-Encoding is its weight (codings [ weight ]): "level=9" breaks the grammar, so the README counts the field as malformed and ignores it: identity only.',
    hint: 'After the coding, allow at most one parameter, and only q=…; anything else makes the whole field malformed.',
  }),
  row({
    accept: 'gzip;q=0.5;q=0.8',
    coding: undefined,
    why: 'A coding has at most one weight: two parameters break the grammar (codings [ weight ]), and the field is ignored.',
    hint: 'More than one parameter after a coding: the whole field is malformed.',
  }),
  row({
    accept: undefined,
    coding: undefined,
    why: 'Without Accept-Encoding the client has not said it can decode anything: this server sends the file as it is (the README says why).',
    hint: 'No field: identity.',
  }),
  row({ accept: '', coding: undefined, why: 'An empty Accept-Encoding means "no content coding, please".', hint: 'An empty value accepts only identity.' }),
  row({
    accept: ['br;q=0', 'gzip'],
    coding: 'gzip',
    why: 'Accept-Encoding is a list field: two lines are one list, "br;q=0, gzip".',
    hint: "Join every Accept-Encoding line with ', ' before parsing (fieldValues gives them all).",
  }),
  row({
    accept: 'gzip;q=0.5, identity',
    coding: undefined,
    why: 'The client named identity with weight 1 and gzip with 0.5: it prefers the file as it is, and says so.',
    hint: 'When identity is named (by itself or through "*"), compress only if the coding weighs at least as much as identity.',
  }),
  row({
    accept: 'gzip;q=0.5, identity;q=0.5',
    coding: 'gzip',
    why: 'identity is named, with the same weight as gzip. The rule sends the body as it is only when the client gave identity a higher weight; on a tie the server chooses, and compresses.',
    hint: 'Compress when the best coding weighs at least as much as a named identity (>=, not >).',
  }),
  row({
    accept: 'identity;q=0, gzip',
    coding: 'gzip',
    why: 'The client refuses identity and accepts gzip.',
    hint: 'identity;q=0 refuses the body as it is.',
  }),
  row({
    accept: 'identity;q=0',
    coding: 406,
    why: 'The client refuses identity and names no other coding: nothing acceptable is left, which is 406 Not Acceptable.',
    hint: 'When no supported coding has a weight > 0 and identity is refused, answer 406.',
  }),
  row({
    accept: '*;q=0',
    coding: 406,
    why: '"*;q=0" refuses every coding not listed, identity included (it is not listed).',
    hint: 'identity not listed takes the weight of "*" when there is one.',
  }),
  row({
    accept: '*;q=0, identity',
    coding: undefined,
    why: '"*;q=0" refuses the rest, but identity is listed with weight 1.',
    hint: 'A coding listed by name takes its own weight, not that of "*".',
  }),
  row({
    accept: 'gzip',
    target: '/under.txt',
    coding: undefined,
    why: 'A body under 1 KiB is not worth compressing (the gzip header and trailer alone are 18 bytes): the file as it is.',
    hint: 'Compress only bodies of at least 1024 bytes.',
  }),
  row({
    accept: 'identity;q=0, gzip',
    target: '/under.txt',
    coding: 'gzip',
    why: 'Not worth compressing, but the client refuses identity and accepts gzip: the rule says gzip after all, rather than 406.',
    hint: 'Step 3 of the rule: identity refused → the best accepted coding, whatever the size.',
  }),
];

// Each row on a connection of its own, all at once: the server keeps no state between requests.
httpCases(test, rows, { concurrent: true });
