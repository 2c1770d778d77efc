// compression: which content coding a response gets. The client lists the codings it can decode in
// Accept-Encoding, each with a weight from 0 to 1 (RFC 9110 §12.5.3, §12.4.2); the server picks one
// it can produce, or none (identity), or answers 406 when the client has refused everything.

import { TOKEN, fieldValues, type RequestHead } from '../07-http-request-head/request-head.ts';

/** The codings this server produces, in its own order of preference (used on ties). */
export const SUPPORTED = ['br', 'gzip'] as const;
export type Coding = (typeof SUPPORTED)[number];

// §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). 1.001 and .5 are not weights.
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** Strips the optional whitespace (OWS: spaces and tabs, RFC 9110 §5.6.3) around a value. */
function ows(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

/**
 * The weights of an Accept-Encoding value: coding (lower case) → weight. `*` and `identity` are
 * keys like any other. Undefined when the value breaks the grammar: then the whole field is ignored.
 *
 *   Accept-Encoding = #( codings [ weight ] )   codings = content-coding / "identity" / "*"
 *   weight = OWS ";" OWS "q=" qvalue
 */
export function parseAcceptEncoding(value: string): Map<string, number> | undefined {
  const weights = new Map<string, number>();
  for (const member of value.split(',')) {
    // §5.6.1: a list may have empty members (", , gzip"); they count for nothing.
    if (ows(member) === '') continue;
    const [coding = '', ...parameters] = member.split(';').map(ows);
    if (!TOKEN.test(coding) || parameters.length > 1) return undefined;
    let weight = 1;
    if (parameters.length === 1) {
      // The parameter name is case-insensitive (Q=0.5 is q=0.5); no spaces around "=".
      const q = /^q=(.*)$/i.exec(parameters[0]!);
      if (!q || !QVALUE.test(q[1]!)) return undefined;
      weight = Number(q[1]);
    }
    // Coding names are case-insensitive (§8.4.1). Named twice: the lower weight, so that a refusal
    // is never undone by a second mention.
    const name = coding.toLowerCase();
    weights.set(name, Math.min(weight, weights.get(name) ?? 1));
  }
  return weights;
}

/**
 * The weights the request gives, joined from every Accept-Encoding line (a list field, §5.3). No
 * field, an empty one, or one that breaks the grammar: an empty map, which accepts only identity.
 */
export function acceptedCodings(head: RequestHead): Map<string, number> {
  const lines = fieldValues(head.headers, 'accept-encoding');
  return (lines.length > 0 ? parseAcceptEncoding(lines.join(', ')) : undefined) ?? new Map();
}

/**
 * The coding to send, by this server's rule (the README states it):
 *
 * 1. The best supported coding the client accepts (weight > 0): the highest weight, ours first
 *    on a tie. Used when the body is worth compressing, unless the client gave identity (by name,
 *    or through `*`) a higher weight.
 * 2. Otherwise identity, unless the client refused it (`identity;q=0`, or `*;q=0` without an
 *    identity of its own).
 * 3. Otherwise the best supported coding after all, even for a body not worth it.
 * 4. Otherwise undefined: nothing acceptable is left, and the answer is 406 Not Acceptable.
 */
export function chooseCoding(head: RequestHead, worthCompressing: boolean): Coding | 'identity' | undefined {
  const weights = acceptedCodings(head);
  // §12.5.3: a coding not listed takes the weight of "*"; identity, not listed either, is acceptable.
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? (coding === 'identity' ? 1 : 0);
  let best: Coding | undefined;
  for (const coding of SUPPORTED) {
    if (weightOf(coding) > 0 && (best === undefined || weightOf(coding) > weightOf(best))) best = coding;
  }
  const identityNamed = weights.get('identity') ?? weights.get('*');
  if (worthCompressing && best !== undefined && (identityNamed === undefined || weightOf(best) >= identityNamed)) return best;
  if (weightOf('identity') > 0) return 'identity';
  return best;
}
