// What a typed line means as bytes: the text as UTF-8, with escapes for the bytes a keyboard
// cannot type: \r \n \t, \xHH for any byte (\x00, \xff: one byte each, never UTF-8 encoded), and
// \\ for a backslash. Anything else after a backslash is a mistake said as such, not guessed at.

export class EscapeError extends Error {
  override name = 'EscapeError';
}

const SIMPLE: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '\\': 0x5c, '0': 0x00 };

/** The bytes a line stands for: `GET / HTTP/1.1\r\n` → 16 bytes ending in CR LF. */
export function parseEscapes(line: string): Buffer {
  const parts: Buffer[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push(Buffer.from(text, 'utf8'));
    text = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== '\\') {
      text += c;
      continue;
    }
    const next = line[i + 1];
    if (next === undefined) throw new EscapeError('The line ends with a lone "\\": write "\\\\" for a backslash.');
    if (next in SIMPLE) {
      flush();
      parts.push(Buffer.from([SIMPLE[next]!]));
      i++;
    } else if (next === 'x') {
      const hex = line.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new EscapeError(`Expected two hex digits after "\\x" (like \\x00 or \\xff), received "\\x${hex}".`);
      flush();
      parts.push(Buffer.from([Number.parseInt(hex, 16)]));
      i += 3;
    } else {
      throw new EscapeError(`"\\${next}" is not an escape here: use \\r \\n \\t \\0 \\xHH, or "\\\\" for a backslash.`);
    }
  }
  flush();
  return Buffer.concat(parts);
}

/** The bytes of `.hex 48 65 6c`: pairs of hex digits, spaces allowed between them. */
export function parseHex(text: string): Buffer {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new EscapeError(`Expected pairs of hex digits (like 48656c6c6f), received "${text}".`);
  return Buffer.from(digits, 'hex');
}
