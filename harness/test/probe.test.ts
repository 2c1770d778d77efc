// `learn probe` as a script, without a terminal: lines on stdin are handled as if typed (escapes,
// commands), the replies are drawn as a check's transcript draws them, and it ends by itself at
// the server's FIN or when replies stop (--wait). Against the tcp-echo, udp, keep-alive and
// http2-frames references (HTTP/2: hand-built frames out, the replies read as frames).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../process/free-port.ts';
import { Program } from '../process/program.ts';
import { repoRoot } from '../paths.ts';
import { Workbook } from './workbook.ts';
import { startReference } from './support/reference.ts';
import { parseFrame } from '../probe/http2-frame.ts';
import { EscapeError } from '../probe/escapes.ts';

let book: Workbook;
const servers: Program[] = [];
let tcpPort = 0;
let udpPort = 0;

async function reference(slug: string, args: string[] = []): Promise<number> {
  const { program, port } = await startReference(slug, { args, startTimeoutMs: 20_000 });
  servers.push(program);
  return port;
}

beforeAll(async () => {
  book = new Workbook();
  [tcpPort, udpPort] = await Promise.all([reference('tcp-echo'), reference('udp')]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  book?.remove();
});

/** `learn probe` with `input` on stdin; resolves once it exits by itself. */
function probe(args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [book.bin, 'probe', ...args], { cwd: book.root, env: book.env(), timeout: 30_000 });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe.concurrent('learn probe', () => {
  test('sends escapes as bytes and draws the echo as a transcript; .end half-closes and the FIN ends it', async () => {
    const run = await probe(['tcp-echo', '--port', String(tcpPort)], ['GET / \\x00\\xff\\t\\\\', '.end', ''].join('\n'));
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(/^\+\d+ms\s+c1\s+connected to 127\.0\.0\.1:\d+$/);
    // Sent: the typed text, then NUL, 0xff, a tab, a backslash, and the LF that Enter adds (tcp-echo: .crlf off).
    expect(run.out).toMatch(/c1 → 11 bytes\n\s+00000000  47 45 54 20 2f 20 00 ff  09 5c 0a\s+\|GET \/ \.\.\.\\\.\|/);
    expect(run.out).toContain('sent FIN (half-close): the server can still send');
    // The echo, bytes ≥ 0x80 kept, and then the server's FIN.
    expect(run.out).toMatch(/c1 ← 11 bytes\n\s+00000000  47 45 54 20 2f 20 00 ff  09 5c 0a /);
    expect(run.out).toMatch(/the server closed its side \(FIN\)\n$/);
  });

  test('.trickle sends a line a byte a write; a bad escape is refused, not guessed; .reset sends RST and .reconnect starts a new lane', async () => {
    const run = await probe(
      ['tcp-echo', '--port', String(tcpPort), '--wait', '300'],
      ['.trickle', 'abc', 'bad \\q', '.reset', '.reconnect', '.crlf on', 'two', '.end', ''].join('\n'),
    );
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/c1 → 4 bytes in 4 writes\n\s+"abc\\n"/);
    expect(run.out).toContain('Not sent: "\\q" is not an escape here');
    expect(run.out).toContain('c1   sent RST (reset)');
    expect(run.out).toMatch(/c2\s+connected to/);
    expect(run.out).toMatch(/c2 → 5 bytes\n\s+"two\\r\\n"/);
    expect(run.out).toMatch(/c2 ← 5 bytes\n\s+"two\\r\\n"/);
  });

  test(".examples lists the lesson's try-it requests, .send N sends one, .hex sends bytes given in hex", async () => {
    const run = await probe(['tcp-echo', '--port', String(tcpPort)], '.examples\n.send 1\n.send 9\n.hex 48 69 0a\n.end\n');
    expect(run.out).toContain(`.send 1  from: printf 'hello\\n' | nc -N 127.0.0.1 ${tcpPort}`);
    expect(run.out).toMatch(/c1 → 6 bytes\n\s+"hello\\n"/);
    expect(run.out).toMatch(/c1 ← \d+ bytes( in \d+ reads)?\n\s+"hello\\n"/); // with the echo of .hex's bytes if they came soon after
    expect(run.out).toContain('`.send N` sends example N, from 1 to 1');
    expect(run.out).toMatch(/c1 → 3 bytes\n\s+"Hi\\n"/); // .hex
  });

  test('UDP: each line is one datagram, and each reply is drawn as one', async () => {
    const run = await probe(['udp', '--port', String(udpPort), '--wait', '500'], '.crlf none\none datagram\n\\xff\\x00\n');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/c1 → datagram, 12 bytes\n\s+"one datagram"\n/);
    expect(run.out).toMatch(/c1 ← datagram, 12 bytes\n\s+"one datagram"\n/);
    expect(run.out).toMatch(/c1 → datagram, 2 bytes\n\s+00000000  ff 00/);
    expect(run.out).toMatch(/c1 ← datagram, 2 bytes\n\s+00000000  ff 00/);
  });

  test('a server that closes an idle connection while the learner types: the probe says so, and the next line goes on a new connection', async () => {
    const port = await reference('keep-alive', ['--idle-timeout', '1000']);
    const child = spawn(process.execPath, [book.bin, 'probe', 'keep-alive', '--port', String(port), '--wait', '500'], {
      cwd: book.root,
      env: book.env(),
      timeout: 30_000,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const until = async (pattern: RegExp) => {
      for (let i = 0; i < 400 && !pattern.test(out); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(out).toMatch(pattern);
    };
    // Enter adds the CRLF that ends the head (.crlf is on for HTTP lessons).
    child.stdin.write('GET / HTTP/1.1\\r\\nHost: probe\\r\\n\n');
    await until(/c1 ← \d+ bytes\n\s+"HTTP\/1\.1 200 OK\\r\\n/);
    // Nothing more is sent: after its --idle-timeout (1 s) the server closes the connection.
    await until(/The next line you send goes on a new connection\./);
    child.stdin.end('GET /again HTTP/1.1\\r\\nHost: probe\\r\\n\n');
    await closed;
    expect(err).toBe('');
    expect(out).toMatch(/c1\s+the server closed its side \(FIN\)\n/);
    const quiet = Number(
      /the server closed the connection after (\d+\.\d) s with nothing sent either way: it times out idle connections, as its --idle-timeout says\./.exec(
        out,
      )?.[1],
    );
    expect(quiet).toBeGreaterThanOrEqual(0.9);
    // The line typed after the close went out on a new connection, and was answered there.
    expect(out).toMatch(/c2\s+connected to 127\.0\.0\.1:\d+\n/);
    expect(out).toMatch(/c2 → \d+ bytes\n\s+"GET \/again HTTP\/1\.1\\r\\n/);
    expect(out).toMatch(/c2 ← \d+ bytes\n\s+"HTTP\/1\.1 \d{3} /);
    expect(out).not.toMatch(/EPIPE|ECONNRESET|reset the connection|not sent/);
  });

  test('HTTP/2 (http2-frames): .preface and .frame send hand-built frames, exact to the byte; the replies are read as frames, header blocks decoded; a bad .frame line is refused', async () => {
    const port = await reference('http2-frames');
    const run = await probe(
      ['http2-frames', '--port', String(port), '--wait', '3000'],
      [
        '.preface',
        '.frame SETTINGS 0 0 MAX_CONCURRENT_STREAMS=100 0x99=7',
        '.frame SETTINGS ACK 0',
        '.frame HEADERS END_STREAM|END_HEADERS 1 :method=GET :scheme=http :path=/x :authority=a user-agent="probe 1"',
        '.frame BOGUS 0 0',
        '.frame 0xfa 0 0 ab',
        '.frame PING 0 0 0102030405060708',
        '.frame PING 0 0 01', // 1 octet: the server's FRAME_SIZE_ERROR, then its FIN ends the probe
        '',
      ].join('\n'),
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const out = run.out;
    expect(out).toMatch(/c1 → 24 bytes\n\s+HTTP\/2 client preface "PRI \* HTTP\/2\.0\\r\\n\\r\\nSM\\r\\n\\r\\n" \(RFC 9113 §3\.4\)\n/);
    expect(out).toMatch(
      /c1 → 21 bytes\n\s+HTTP\/2 SETTINGS frame · stream 0 · 12 bytes: MAX_CONCURRENT_STREAMS 100, unknown 0x99 7\n\s+00000000  00 00 0c 04 00 00 00 00  00 00 03 00 00 00 64 00 /,
    );
    // The request as typed: static indexes for :method GET and :scheme http, the rest literals without indexing.
    expect(out).toMatch(
      /c1 → 28 bytes\n\s+HTTP\/2 HEADERS frame · stream 1 · END_STREAM END_HEADERS · 19 bytes\n\s+:method: GET\n\s+:scheme: http\n\s+:path: \/x\n\s+:authority: a\n\s+user-agent: probe 1\n\s+00000000  00 00 13 01 05 00 00 00  01 82 86 04 02 2f 78 01 /,
    );
    expect(out).toContain('Not sent: "BOGUS" is not a frame type: use a name (DATA, HEADERS,');
    expect(out).toContain('HTTP/2 frame of unknown type 0xfa · stream 0 · 1 byte (ignored by the receiver, §5.5): ab');
    // What came back, read as frames: the server's SETTINGS and ACK, the response decoded, the PING answered, then its GOAWAY.
    const replies = out
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('HTTP/2 ') || /^:?[a-z][a-z-]*: /.test(line)); // frames and decoded fields, not the dump
    const from = replies.indexOf('HTTP/2 SETTINGS frame · stream 0 · 0 bytes: none (every default stands)');
    expect(replies.slice(from)).toEqual([
      'HTTP/2 SETTINGS frame · stream 0 · 0 bytes: none (every default stands)',
      'HTTP/2 SETTINGS frame · stream 0 · ACK · 0 bytes',
      'HTTP/2 HEADERS frame · stream 1 · END_HEADERS · 29 bytes',
      ':status: 200',
      'content-type: text/plain; charset=utf-8',
      'HTTP/2 DATA frame · stream 1 · END_STREAM · 15 bytes: "Hello, HTTP/2!\\n"',
      'HTTP/2 PING frame · stream 0 · ACK · 8 bytes: 0102030405060708',
      'HTTP/2 GOAWAY frame · stream 0 · 45 bytes: last stream 1 · FRAME_SIZE_ERROR (0x6) · debug "A PING of 1 octets; a PING carries 8."',
    ]);
    expect(out).toMatch(/the server closed its side \(FIN\)\n$/);
  });

  test("HTTP/2 (http2-frames): .examples gives the curl line's request as frames (preface, SETTINGS, HEADERS), and .send 1 is answered", async () => {
    const port = await reference('http2-frames');
    const run = await probe(
      ['http2-frames', '--port', String(port), '--wait', '3000'],
      ['.examples', '.send 1', '.frame SETTINGS ACK 0', '.frame GOAWAY 0 0 0000000000000000', ''].join('\n'),
    );
    expect(run.code).toBe(0);
    expect(run.out).toContain(`.send 1  from: curl --http2-prior-knowledge http://127.0.0.1:${port}/`);
    expect(run.out).toMatch(
      new RegExp(
        `c1 → ${24 + 9 + 9 + 3 + 2 + `127.0.0.1:${port}`.length} bytes\\n\\s+HTTP/2 client preface [^\\n]+\\n\\s+HTTP/2 SETTINGS frame · stream 0 · 0 bytes: none \\(every default stands\\)\\n\\s+HTTP/2 HEADERS frame · stream 1 · END_STREAM END_HEADERS · \\d+ bytes\\n\\s+:method: GET\\n\\s+:scheme: http\\n\\s+:path: /\\n\\s+:authority: 127\\.0\\.0\\.1:${port}\\n`,
      ),
    );
    expect(run.out).toContain('HTTP/2 DATA frame · stream 1 · END_STREAM · 15 bytes: "Hello, HTTP/2!\\n"');
    expect(run.out).toContain('HTTP/2 GOAWAY frame · stream 0 · 8 bytes: last stream 0 · NO_ERROR (0x0)'); // ours
    expect(run.out).toMatch(/the server closed its side \(FIN\)\n$/);
  });

  test('nothing listening: says so and how to start it', async () => {
    const run = await probe(['tcp-echo', '--port', String(await freePort())], '');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /Nothing to probe on 127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.\nTry: start the server first, in another terminal: npx learn run tcp-echo --port \d+/,
    );
  });
});

describe('.frame lines', () => {
  test('build the frame as typed: header fields exact, payloads by type; flags and types by name or number', () => {
    const hex = (line: string) => parseFrame(line).toString('hex');
    expect(hex('SETTINGS ACK 0')).toBe('000000040100000000');
    expect(hex('settings 0 0 HEADER_TABLE_SIZE=0 0x99=0xffffffff')).toBe('00000c040000000000' + '000100000000' + '0099ffffffff');
    expect(hex('DATA END_STREAM|PADDED 0x7fffffff "a\\x00\\xff"')).toBe('000003000' + '97fffffff' + '6100ff');
    expect(hex('0xfa 0x80 3 ab cd')).toBe('000002fa8000000003abcd');
    expect(hex('HEADERS END_HEADERS 1 :method=GET x-a="b c"')).toBe('00000a010400000001' + '82' + '0003782d61' + '03622063');
    expect(hex('CONTINUATION 4 1 :path=/')).toBe('000001090400000001' + '84');
    expect(hex('WINDOW_UPDATE 0 0 7fff ffff')).toBe('000004080000000000' + '7fffffff');
  });

  test.each([
    ['SETTINGS 0', /Expected `\.frame TYPE FLAGS STREAM \[PAYLOAD\]`/],
    ['NOPE 0 0', /"NOPE" is not a frame type/],
    ['0x100 0 0', /"0x100" is not a frame type/],
    ['PING SOON 0', /"SOON" is not a flag/],
    ['PING 0 -1', /a stream id: a number from 0 to 2147483647/],
    ['PING 0 2147483648', /a stream id/],
    ['SETTINGS 0 0 WINDOW=1', /"WINDOW" is not a setting/],
    ['SETTINGS 0 0 ENABLE_PUSH=4294967296', /the value of ENABLE_PUSH/],
    ['HEADERS 4 1 :path', /Expected a field as name=value/],
    ['DATA 0 1 "open', /A quote is left open/],
    ['PING 0 0 123', /Expected pairs of hex digits/],
  ])('refuse %s, saying why', (line, message) => {
    expect(() => parseFrame(line)).toThrow(EscapeError);
    expect(() => parseFrame(line)).toThrow(message);
  });
});

describe('layers', () => {
  // The probe and the spy are tools the CLI drives, not parts of it: the commands in cli/ hand them
  // what they need (the lesson's try-it lines, the port), so they can be used without the CLI.
  test('probe/ and spy/ import nothing from cli/', () => {
    let seen = 0;
    for (const folder of ['probe', 'spy']) {
      for (const file of fs.readdirSync(path.join(repoRoot, 'harness', folder))) {
        const source = fs.readFileSync(path.join(repoRoot, 'harness', folder, file), 'utf8');
        const imports = [...source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'|\bimport\('([^']+)'\)/gms)].map((match) => match[1] ?? match[2]!);
        seen += imports.length;
        expect(
          imports.filter((from) => /^(\.\.\/cli\/|#harness\/cli\/)/.test(from)),
          `${folder}/${file}`,
        ).toEqual([]);
      }
    }
    expect(seen).toBeGreaterThan(20); // the imports were found at all
  });
});
