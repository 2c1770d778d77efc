// The examples of RFC 7541 Appendix C, typed in from the RFC: each block's hex dump, the header
// list it carries, and the dynamic table after it (newest first, with its size). C.3–C.6 are
// sequences: each block is decoded by the same decoder, in order, on one connection.

export type Field = [string, string];

export interface Example {
  section: string;
  hex: string;
  fields: Field[];
  /** The dynamic table after the block, newest first, and its size (§4.1). */
  table: Field[];
  size: number;
}

export interface Sequence {
  section: string;
  what: string;
  maxTableSize: number;
  huffman: boolean;
  blocks: Example[];
}

export const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

/** C.1: integers (value, prefix bits, the octets). */
export const integers: Array<{ section: string; value: number; prefix: number; hex: string }> = [
  { section: 'C.1.1', value: 10, prefix: 5, hex: '0a' },
  { section: 'C.1.2', value: 1337, prefix: 5, hex: '1f9a0a' },
  { section: 'C.1.3', value: 42, prefix: 8, hex: '2a' },
];

/** C.2: one block each, every literal form and an indexed field, on a fresh decoder. */
export const literals: Example[] = [
  {
    section: 'C.2.1 (literal with incremental indexing, literal name)',
    hex: '400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572',
    fields: [['custom-key', 'custom-header']],
    table: [['custom-key', 'custom-header']],
    size: 55,
  },
  {
    section: 'C.2.2 (literal without indexing, indexed name)',
    hex: '040c 2f73 616d 706c 652f 7061 7468',
    fields: [[':path', '/sample/path']],
    table: [],
    size: 0,
  },
  {
    section: 'C.2.3 (literal never indexed, literal name)',
    hex: '1008 7061 7373 776f 7264 0673 6563 7265 74',
    fields: [['password', 'secret']],
    table: [],
    size: 0,
  },
  { section: 'C.2.4 (indexed field)', hex: '82', fields: [[':method', 'GET']], table: [], size: 0 },
];

const request1: Field[] = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'www.example.com'],
];
const request2: Field[] = [...request1, ['cache-control', 'no-cache']];
const request3: Field[] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':path', '/index.html'],
  [':authority', 'www.example.com'],
  ['custom-key', 'custom-value'],
];
const requestTables: Array<{ table: Field[]; size: number }> = [
  { table: [[':authority', 'www.example.com']], size: 57 },
  {
    table: [
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    size: 110,
  },
  {
    table: [
      ['custom-key', 'custom-value'],
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    size: 164,
  },
];

const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const location = 'https://www.example.com';
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const response1: Field[] = [
  [':status', '302'],
  ['cache-control', 'private'],
  ['date', date1],
  ['location', location],
];
const response2: Field[] = [[':status', '307'], ...response1.slice(1)];
const response3: Field[] = [
  [':status', '200'],
  ['cache-control', 'private'],
  ['date', date2],
  ['location', location],
  ['content-encoding', 'gzip'],
  ['set-cookie', cookie],
];
// A 256-octet table: the responses evict entries (§4.4).
const responseTables: Array<{ table: Field[]; size: number }> = [
  {
    table: [
      ['location', location],
      ['date', date1],
      ['cache-control', 'private'],
      [':status', '302'],
    ],
    size: 222,
  },
  {
    table: [
      [':status', '307'],
      ['location', location],
      ['date', date1],
      ['cache-control', 'private'],
    ],
    size: 222,
  },
  {
    table: [
      ['set-cookie', cookie],
      ['content-encoding', 'gzip'],
      ['date', date2],
    ],
    size: 215,
  },
];

const sequence = (
  section: string,
  what: string,
  maxTableSize: number,
  huffman: boolean,
  lists: Field[][],
  tables: typeof requestTables,
  hexes: string[],
): Sequence => ({
  section,
  what,
  maxTableSize,
  huffman,
  blocks: hexes.map((hex, i) => ({ section: `${section}.${i + 1}`, hex, fields: lists[i]!, ...tables[i]! })),
});

export const sequences: Sequence[] = [
  sequence('C.3', 'requests without Huffman', 4096, false, [request1, request2, request3], requestTables, [
    '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '8286 84be 5808 6e6f 2d63 6163 6865',
    '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
  ]),
  sequence('C.4', 'requests with Huffman', 4096, true, [request1, request2, request3], requestTables, [
    '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
    '8286 84be 5886 a8eb 1064 9cbf',
    '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  ]),
  sequence('C.5', 'responses without Huffman, 256-octet table', 256, false, [response1, response2, response3], responseTables, [
    '4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
    '4803 3330 37c1 c0bf',
    '88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31',
  ]),
  sequence('C.6', 'responses with Huffman, 256-octet table', 256, true, [response1, response2, response3], responseTables, [
    '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
    '4883 640e ffc1 c0bf',
    '88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
  ]),
];
