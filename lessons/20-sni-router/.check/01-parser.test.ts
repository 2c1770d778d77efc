// Hidden tests for sni-router, part 1: ClientHelloReader alone, called directly with ClientHellos
// the check builds byte by byte (harness/wire/tls.ts, written from the RFCs, sharing no code with
// your parser). It must return the same hello however the bytes are cut into reads and records,
// skip what it does not need, and throw HelloError on a length that lies, never read past one.

import {
  importLessonModule,
  check,
  clientHello,
  records,
  record,
  grease,
  serverNameData,
  alpnData,
  ExtensionType,
  type HelloSpec,
  type HelloField,
  test,
} from '#harness/testing/index.ts';
import { helloOfLength, hex } from './hellos.ts';

interface Hello {
  version: number;
  sessionId: Buffer;
  cipherSuites: number[];
  extensions: number[];
  serverName: string | undefined;
  alpn: string[];
}
interface ParserModule {
  ClientHelloReader: new () => { push(chunk: Buffer): Hello | undefined };
  HelloError: new (message: string) => Error;
}

const parser = () => importLessonModule<ParserModule>('sni-router', 'client-hello.ts', ['ClientHelloReader', 'HelloError']);

const RECORDS = 'RFC 8446 §5.1 (TLSPlaintext: type, legacy_record_version, a 16-bit length ≤ 2^14, the fragment)';
const HELLO = 'RFC 8446 §4.1.2 (ClientHello) and §3.4 (vectors: a length prefix, then that many bytes)';

type Outcome = { hello: Hello; at: number; of: number } | { error: unknown; at: number; of: number } | { waiting: true };

/** Pushes the pieces one after another; where the hello came out (and after which piece), or what was thrown. */
function feed(Reader: ParserModule['ClientHelloReader'], pieces: Buffer[]): Outcome {
  const reader = new Reader();
  for (const [i, piece] of pieces.entries()) {
    try {
      const hello = reader.push(Buffer.from(piece)); // a copy: a reader that keeps the caller's buffer must not see it change
      if (hello) return { hello, at: i + 1, of: pieces.length };
    } catch (error) {
      return { error, at: i + 1, of: pieces.length };
    }
  }
  return { waiting: true };
}

function describeOutcome(outcome: Outcome): string {
  if ('waiting' in outcome) return 'undefined after every push (still waiting for bytes)';
  if ('hello' in outcome) return `a hello (server name ${JSON.stringify(outcome.hello.serverName)}) after push ${outcome.at} of ${outcome.of}`;
  const error = outcome.error as Error;
  return `${error?.name ?? 'an exception'} after push ${outcome.at} of ${outcome.of}: ${(error?.message ?? String(error)).replace(/\.$/, '')}`;
}

/** Checks that the pieces give exactly the expected hello, after the last piece and not before. */
function expectHello(outcome: Outcome, want: Partial<Hello>, shape: string, teaching: { why: string; hint: string; spec?: string }): void {
  const whole = 'hello' in outcome && outcome.at === outcome.of;
  check(whole, {
    message: `Expected a ClientHello after the last push (${shape}), received ${describeOutcome(outcome)}.`,
    spec: teaching.spec ?? RECORDS,
    ...teaching,
  });
  const hello = (outcome as { hello: Hello }).hello;
  for (const [key, value] of Object.entries(want)) {
    const got = (hello as unknown as Record<string, unknown>)[key];
    const same = Buffer.isBuffer(value) ? Buffer.isBuffer(got) && value.equals(got) : JSON.stringify(got) === JSON.stringify(value);
    check(same, {
      message: `Expected ${key} ${JSON.stringify(Buffer.isBuffer(value) ? value.toString('hex') : value)} (${shape}), received ${JSON.stringify(Buffer.isBuffer(got) ? got.toString('hex') : got)}.`,
      why: teaching.why,
      spec:
        key === 'serverName' ? 'RFC 6066 §3 (server_name: a ServerNameList of host_name entries)' : key === 'alpn' ? 'RFC 7301 §3.1 (ProtocolNameList)' : HELLO,
      hint: teaching.hint,
    });
  }
}

/** Checks that pushing the pieces throws HelloError (not a RangeError, not a hello, not a wait). */
function expectRejected(HelloError: ParserModule['HelloError'], outcome: Outcome, what: string, teaching: { why: string; hint: string; spec: string }): void {
  const error = 'error' in outcome ? outcome.error : undefined;
  check(error instanceof HelloError, {
    message: `Expected a HelloError for ${what}, received ${describeOutcome(outcome)}.`,
    ...teaching,
  });
}

const A_TEST = { serverName: 'a.test', alpn: ['h2', 'http/1.1'] };

test('reads server_name, ALPN, the version, session id, cipher suites and extension types of a ClientHello in one record', async () => {
  const { ClientHelloReader } = await parser();
  const sessionId = Buffer.from(Array.from({ length: 32 }, (_, i) => 0xe0 + (i % 32)));
  const bytes = records(clientHello({ serverName: 'a.test', alpn: ['h2', 'http/1.1'], sessionId, cipherSuites: [0x1301, 0x1303, 0xc02f] }));
  expectHello(
    feed(ClientHelloReader, [bytes]),
    {
      ...A_TEST,
      version: 0x0303,
      sessionId,
      cipherSuites: [0x1301, 0x1303, 0xc02f],
      extensions: [ExtensionType.server_name, 10, 13, 16, 43, 45, 51],
    },
    'one record, one push',
    {
      why: 'A record is 5 bytes of header (type 22, a version, a 16-bit length) and the fragment; the fragment holds the handshake message: type 1, a 24-bit length, then the ClientHello: version, 32 random bytes, then vectors whose lengths come first. This hello is sent with record version 0x0301, as OpenSSL and browsers send theirs: that field must be ignored.',
      hint: 'Read the record header, then the handshake header, then each ClientHello field in order; readUInt16BE for 2-byte lengths and readUIntBE(offset, 3) for the 24-bit one.',
    },
  );
  const other = records(clientHello({ serverName: 'www.b.test', alpn: ['http/1.1'], sessionId: Buffer.alloc(0) }), { version: 0x0303 });
  expectHello(
    feed(ClientHelloReader, [other]),
    { serverName: 'www.b.test', alpn: ['http/1.1'], sessionId: Buffer.alloc(0) },
    'an empty session id, record version 0x0303',
    {
      why: 'legacy_session_id may be empty (0 to 32 bytes), and the record version is 0x0303 or 0x0301: both are TLS.',
      hint: 'Read the session id length, then exactly that many bytes; ignore legacy_record_version (RFC 8446 §5.1: it "MUST be ignored for all purposes").',
    },
  );
});

test('returns the hello only once it is whole, wherever the bytes are cut', async () => {
  const { ClientHelloReader } = await parser();
  const bytes = records(clientHello({}));
  const teaching = {
    why: "TCP keeps no message boundaries: a ClientHello can arrive in any number of 'data' events, cut anywhere, even inside a length field.",
    hint: 'Keep the bytes that are not used yet, and let each step return (and wait for the next push) when it lacks bytes: a consume(n) that only runs once `n` bytes are buffered.',
  };
  for (let at = 1; at < bytes.length; at++) {
    expectHello(feed(ClientHelloReader, [bytes.subarray(0, at), bytes.subarray(at)]), A_TEST, `cut after byte ${at} of ${bytes.length}`, teaching);
  }
  expectHello(
    feed(
      ClientHelloReader,
      Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)),
    ),
    A_TEST,
    'one byte per push',
    teaching,
  );
});

test('reads a ClientHello split across several records, and a 1.8 KB one with a post-quantum key share', async () => {
  const { ClientHelloReader } = await parser();
  const teaching = {
    why: 'A handshake message may span several records (RFC 8446 §5.1: "may be fragmented across several records"); the record boundaries say nothing about the message\'s. Chromium\'s ClientHello with an X25519MLKEM768 key share is about 1.8 KB.',
    hint: "Collect the fragments of consecutive handshake records until you have the 4-byte handshake header, then until you have its length's worth of bytes; parse the ClientHello only then.",
  };
  const small = clientHello({});
  for (const sizes of [[1], [3], [4], [5], [60], [small.length - 1], [1, 1, 1, 1, 1], [50, 50, 50]]) {
    expectHello(feed(ClientHelloReader, [records(small, { sizes })]), A_TEST, `records of ${sizes.join(', ')} bytes, then the rest`, teaching);
  }
  const big = clientHello({ keyShareBytes: 1216, grease: true });
  check(big.length > 1400, { message: `Expected the check's post-quantum hello to be over 1400 bytes, received ${big.length}.` });
  const wire = records(big, { sizes: [512, 512] });
  const segments = [wire.subarray(0, 700), wire.subarray(700, 1300), wire.subarray(1300)];
  expectHello(feed(ClientHelloReader, segments), A_TEST, `a ${big.length}-byte hello in 3 records, pushed in 3 segments cut across them`, teaching);
});

test('skips every other extension, GREASE and unknown ones included, and finds server_name wherever it is', async () => {
  const { ClientHelloReader } = await parser();
  const unknown = [0xfe0d, 0x4469, 0xff01, 0x0017, 0x0023, 0x001b, 0x0005, 0x0012].map((type, i) => ({ type, data: Buffer.alloc(i * 3, 0x00 + i) }));
  const bytes = records(clientHello({ grease: true, before: unknown, keyShareBytes: 1216 }));
  const outcome = feed(ClientHelloReader, [bytes]);
  expectHello(outcome, A_TEST, 'server_name after 9 other extensions, GREASE ones among them', {
    why: 'Extensions come in any order, and clients add ones you have never heard of: GREASE values (0x0a0a, 0x1a1a, … RFC 8701) exist precisely to break servers that reject unknown types. Each has a type and a length: skip its bytes.',
    spec: 'RFC 8446 §4.2 (extensions, in any order); RFC 8701 §3 (GREASE: a server must ignore unknown values)',
    hint: 'Loop over the extensions block: read the type and length, take that many bytes, and look inside only for types 0 (server_name) and 16 (ALPN).',
  });
  const types = (outcome as { hello: Hello }).hello.extensions;
  check(types.includes(grease(1)) && types.includes(grease(9)) && types.length === 17, {
    message: `Expected the 17 extension types in order (GREASE ones too), received ${JSON.stringify(types)}.`,
    why: 'extensions lists every type the client sent, in order: what a passive observer sees.',
    hint: 'Push each extension_type into extensions as you read it, before deciding whether to look inside.',
  });
});

test('reads a ClientHello with no extensions block, and one with no server_name, as having no name', async () => {
  const { ClientHelloReader } = await parser();
  expectHello(
    feed(ClientHelloReader, [records(clientHello({ noExtensions: true }))]),
    { serverName: undefined, alpn: [], extensions: [] },
    'no extensions block at all',
    {
      why: 'A TLS 1.2 ClientHello may end right after the compression methods: the extensions block is optional there (RFC 5246 §7.4.1.2). Such a client asks for no name, and the router sends it to the default backend.',
      spec: 'RFC 5246 §7.4.1.2',
      hint: 'After the compression methods, read the extensions only if bytes remain in the ClientHello.',
    },
  );
  expectHello(feed(ClientHelloReader, [records(clientHello({ serverName: null, alpn: [] }))]), { serverName: undefined, alpn: [] }, 'no server_name, no ALPN', {
    why: 'A client connecting to an IP address sends no server_name (RFC 6066 §3 forbids addresses in it).',
    spec: 'RFC 6066 §3',
    hint: 'Leave serverName undefined and alpn [] when their extensions are absent.',
  });
});

test('throws HelloError on bytes that are not TLS, as soon as the first byte shows it', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  for (const text of ['GET / HTTP/1.1\r\nHost: a.test\r\n\r\n', 'SSH-2.0-OpenSSH_9.6\r\n', '\x80\x2e\x01\x03\x01']) {
    expectRejected(HelloError, feed(ClientHelloReader, [Buffer.from(text, 'latin1')]), `${JSON.stringify(text.slice(0, 16))}`, {
      why: 'Every TLS connection starts with a handshake record: content type 22 (0x16). A first byte of anything else is not TLS, whatever follows; waiting for the "record" a plain HTTP request seems to announce (its length would be bytes 3–4: " /" = 8239) only keeps the connection hanging.',
      spec: RECORDS,
      hint: 'Check the content type of each record header as soon as you have it: 22, or throw new HelloError(…).',
    });
  }
});

/** An unknown extension at the end of the block: the `extension` lie makes it claim more than the block has left. */
const LAST = { type: 0x4469, data: Buffer.from('last'), field: 'extension' as const };

/** The lies table: which length, by how much; each must be thrown on. */
const LIES: Array<[HelloField, number]> = [
  ['session_id', 1],
  ['session_id', -1],
  ['cipher_suites', 1],
  ['cipher_suites', 200],
  ['compression_methods', -1],
  ['compression_methods', 200],
  ['extensions', 1],
  ['extensions', -1],
  ['extension', 1],
  ['extension', 40],
  ['server_name_extension', 1],
  ['server_name_extension', -1],
  ['server_name_extension', 300],
  ['server_name_list', 1],
  ['server_name_list', -1],
  ['host_name', 1],
  ['host_name', -1],
  ['host_name', 0x7000],
  ['alpn_extension', 1],
  ['alpn_extension', -1],
  ['protocol_name_list', 1],
  ['protocol_name_list', -1],
  ['protocol_name', 1],
  ['protocol_name', -3],
];

test('throws HelloError when a length in the ClientHello lies, at every level', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  for (const [field, by] of LIES) {
    const spec: HelloSpec = { lies: { [field]: by }, after: field === 'extension' ? [LAST] : [] };
    const bytes = records(clientHello(spec));
    expectRejected(HelloError, feed(ClientHelloReader, [bytes]), `a ClientHello whose ${field} length is ${by > 0 ? '+' : ''}${by} off`, {
      why: `Each length is checked against what contains it: a vector may not claim more bytes than are left in the vector around it, and a vector's contents must be used up exactly. Here ${field} claims ${by > 0 ? 'more' : 'fewer'} bytes than it holds. A parser that checks only against the whole buffer reads a name from the wrong bytes, or past its end (a RangeError, or a Buffer.subarray that silently returns fewer bytes).`,
      spec:
        field.includes('server_name') || field === 'host_name'
          ? 'RFC 6066 §3; RFC 8446 §3.4'
          : field.includes('protocol') || field.includes('alpn')
            ? 'RFC 7301 §3.1; RFC 8446 §3.4'
            : HELLO,
      hint: 'Read each vector into a cursor of its own (its bytes only), fail when a length is over what is left, and fail when a cursor has bytes left once its fields are read.',
    });
  }
});

test('throws HelloError when server_name or ALPN holds bytes after its list', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  const cases: Array<[string, HelloSpec]> = [
    [
      'a server_name extension with a byte after its list',
      { serverName: null, before: [{ type: ExtensionType.server_name, data: Buffer.concat([serverNameData('a.test'), Buffer.from([0x00])]) }] },
    ],
    [
      'an ALPN extension with a byte after its list',
      { alpn: [], before: [{ type: ExtensionType.application_layer_protocol_negotiation, data: Buffer.concat([alpnData(['h2']), Buffer.from([0x02])]) }] },
    ],
  ];
  for (const [what, spec] of cases) {
    expectRejected(HelloError, feed(ClientHelloReader, [records(clientHello(spec))]), what, {
      why: "An extension's data is exactly its structure: the list, and nothing after it. Bytes left over mean the extension's length and the list's disagree, and the router and the backend could each believe the other one.",
      spec: 'RFC 6066 §3; RFC 7301 §3.1; RFC 8446 §6.2 (decode_error: "the length of a message was incorrect")',
      hint: "After reading the list out of the extension's data, check that no bytes are left (data.end()).",
    });
  }
});

test('throws HelloError when the record or handshake length lies', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  const hello = clientHello({});
  const cases: Array<[string, Buffer]> = [
    // The record ends a byte early: the hello's last byte stands where the next record's type goes.
    [
      'a record length 1 short (the next "record" starts with the hello\'s last byte)',
      Buffer.concat([records(hello, { lies: { record: -1 } }), Buffer.alloc(4)]),
    ],
    ['a handshake length 1 short (the hello ends inside its extensions)', records(clientHello({ lies: { handshake: -1 } }))],
    [
      'a handshake length 1 long, the byte after it in a record of its own',
      Buffer.concat([records(clientHello({ lies: { handshake: 1 } })), record(Buffer.from([0]))]),
    ],
    ['an empty handshake record before the hello', Buffer.concat([record(Buffer.alloc(0)), records(hello)])],
    [
      'an alert record in the middle of the hello',
      Buffer.concat([record(hello.subarray(0, 40)), record(Buffer.from([2, 40]), { type: 21 }), record(hello.subarray(40))]),
    ],
    ['a handshake message of type 2 (server_hello)', records(Buffer.concat([Buffer.from([2]), hello.subarray(1)]))],
  ];
  for (const [what, bytes] of cases) {
    expectRejected(HelloError, feed(ClientHelloReader, [bytes]), what, {
      why: 'The record layer carries the handshake message: records of type 22, each non-empty, none of another type until the ClientHello is whole, and the message is exactly as long as its 24-bit length says.',
      spec: `${RECORDS}; RFC 8446 §4 (Handshake: msg_type, a 24-bit length)`,
      hint: 'Check each record header (type 22, length 1 to 2^14) before its fragment, the handshake type (1), and that the ClientHello uses up exactly its length.',
    });
  }
});

test('takes a ClientHello of exactly 16 KiB and a record of exactly 2^14 bytes, and no more', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  const limit = helloOfLength(16384);
  expectHello(feed(ClientHelloReader, [records(limit, { sizes: [16000] })]), { serverName: 'a.test' }, 'a 16384-byte ClientHello in two records', {
    why: 'The router waits for a ClientHello of up to 16 KiB (16384 bytes after the 4-byte handshake header), however many records it takes.',
    spec: 'this lesson (README: Decisions)',
    hint: 'Compare the handshake length with 16384 using >, not >=; and the limit is on the handshake message, not on one record.',
  });
  const fullRecord = helloOfLength(16380);
  expectHello(feed(ClientHelloReader, [records(fullRecord)]), { serverName: 'a.test' }, 'a record of exactly 2^14 bytes', {
    why: 'A record fragment may be 2^14 = 16384 bytes long, not more.',
    spec: RECORDS,
    hint: 'Reject a record length over 16384, not 16384 itself.',
  });
  expectRejected(HelloError, feed(ClientHelloReader, [records(helloOfLength(16385), { sizes: [16000] })]), 'a ClientHello of 16385 bytes (in two records)', {
    why: 'The 24-bit length lets a client claim up to 16 MiB. A router that waits for whatever is claimed holds that much memory per connection for anyone who connects.',
    spec: 'this lesson (README: Decisions); RFC 8446 §4',
    hint: 'Throw as soon as the handshake header (its first 4 bytes) claims more than 16384.',
  });
  const huge = Buffer.concat([Buffer.from([1, 0x10, 0x00, 0x00]), Buffer.alloc(16380)]);
  expectRejected(HelloError, feed(ClientHelloReader, [record(huge)]), 'a handshake header claiming 1 MiB, in a full first record', {
    why: 'The handshake header already says the ClientHello is too large: waiting for its 1 MiB holds memory for nothing.',
    spec: 'RFC 8446 §4',
    hint: 'Check the 24-bit length as soon as the first 4 bytes of the handshake message are in.',
  });
  const overflow = helloOfLength(16381); // 16385 bytes of handshake message: one byte too many for one record
  expectRejected(HelloError, feed(ClientHelloReader, [record(overflow)]), 'a record of 16385 bytes', {
    why: 'A record longer than 2^14 bytes is an error (record_overflow) whatever it holds.',
    spec: RECORDS,
    hint: 'After the record header, throw if its length is over 16384.',
  });
});

test('throws HelloError on two server_name extensions, two host_names, or a host_name that is not a DNS name', async () => {
  const { ClientHelloReader, HelloError } = await parser();
  const second = { type: ExtensionType.server_name, data: hex('0009 00 0006 622e74657374') }; // b.test
  const twoNames = hex('0012 00 0006 612e74657374 00 0006 622e74657374');
  const cases: Array<[string, Buffer, string]> = [
    [
      'server_name sent twice (a.test, then b.test)',
      records(clientHello({ after: [second] })),
      'RFC 8446 §4.2 ("There MUST NOT be more than one extension of the same type")',
    ],
    [
      'two host_names in one server_name (a.test, b.test)',
      records(clientHello({ serverName: null, before: [{ type: 0, data: twoNames }] })),
      'RFC 6066 §3 ("MUST NOT contain more than one name of the same name_type")',
    ],
    [
      'a host_name with a NUL byte ("a.test\\0.evil")',
      records(clientHello({ serverName: Buffer.from('a.test\0.evil', 'latin1') })),
      'RFC 6066 §3 (HostName: the ASCII hostname)',
    ],
    [
      'a host_name with a byte over 0x7f',
      records(clientHello({ serverName: Buffer.from([0x61, 0xe9, 0x2e, 0x74]) })),
      'RFC 6066 §3 (HostName: the ASCII hostname)',
    ],
    ['a host_name with a space', records(clientHello({ serverName: 'a test' })), 'RFC 6066 §3 (HostName: the ASCII hostname)'],
  ];
  for (const [what, bytes, spec] of cases) {
    expectRejected(HelloError, feed(ClientHelloReader, [bytes]), what, {
      why: 'Two names, or a name that is not a DNS name, make the router and the backend disagree about where the connection is going: the router routes on one, the backend serves another. Refuse what is ambiguous.',
      spec,
      hint: 'Remember which extension types you have seen and throw on a repeat; throw on a second host_name; check each host_name byte is a letter, digit, "-", "." (or "_").',
    });
  }
});
