// learn diff's comparison: layout is not a difference, a byte inside a string literal always is.

import { describe, expect, test } from 'vitest';
import { layoutInsensitiveHunks } from '../cli/layout-diff.ts';

const reference = `// Serialize one field line: RFC 9112 §5, "name: value" CRLF.
/** The learner's line, with a quote ' in a comment. */
export function fieldLine(name: string, value: string): string {
  return \`\${name}: \${value}\\r\\n\`;
}

const LIMIT = 8 * 1024;
`;

describe('learn diff ignores layout', () => {
  test.for([
    ['other indentation and no spaces around operators', reference.replace(/^  /gm, '    ').replace('8 * 1024', '8*1024')],
    ['blank lines added and removed', reference.replace('\n\nconst', '\nconst').replace('{\n', '{\n\n\n')],
    ['spacing inside comments', reference.replace('one field line', 'one  field   line').replace('/** The', '/**   The')],
    ['tabs and trailing spaces', reference.replace(/^  /gm, '\t').replace(/;$/gm, ';   ')],
    ['Windows line endings', reference.replace(/\n/g, '\r\n')],
  ])('%s', ([, ours]) => {
    expect(layoutInsensitiveHunks(ours!, reference)).toEqual([]);
  });
});

describe('learn diff shows what is not layout', () => {
  test.for([
    ['a space taken out of a string literal', reference.replace('${name}: ', '${name}:'), '${name}:${value}'],
    ['a space added inside quotes', reference.replace('"name: value"', '"name : value"'), '"name : value"'],
    ['a word split in two', reference.replace('LIMIT', 'LIM IT'), 'LIM IT'],
    ['two words joined', reference.replace('const LIMIT', 'constLIMIT'), 'constLIMIT'],
    ['a changed number', reference.replace('8 * 1024', '8 * 1000'), '8 * 1000'],
  ])('%s', ([, ours, shown]) => {
    const hunks = layoutInsensitiveHunks(ours!, reference);
    expect(hunks).toHaveLength(1);
    const removed = hunks[0]!.lines.filter((l) => l.sign === '-');
    expect(removed).toHaveLength(1);
    expect(removed[0]!.text).toContain(shown);
  });

  test('the hunk says where, in the learner file and in the reference', () => {
    const ours = '\n\n' + reference.replace('8 * 1024', '16 * 1024');
    const [hunk] = layoutInsensitiveHunks(ours, reference, 0);
    expect(hunk).toMatchObject({ oursStart: 9, theirsStart: 7 });
    expect(hunk!.lines).toEqual([
      { sign: '-', text: 'const LIMIT = 16 * 1024;' },
      { sign: '+', text: 'const LIMIT = 8 * 1024;' },
    ]);
  });
});
