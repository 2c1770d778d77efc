// Real HTTP/2 clients against the http2-streams reference (h2c with prior knowledge, the site of
// compression): nghttp with many concurrent streams and a small window, curl (a file, HEAD, an
// upload), Node's http2.connect as a strict client (concurrent requests, a large body, an
// upload), and Python's h2 (Debian: python3-h2) driving flow control both ways by hand. Loopback
// only, every run bounded. CI installs nghttp2-client and python3-h2.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Program } from '../process/program.ts';
import { startReference } from './support/reference.ts';

const SITE = new URL('../../solutions/16-compression/site/', import.meta.url);
const ALPHABET = fs.readFileSync(new URL('alphabet.txt', SITE));
/** Debian's Python has Debian's modules (apt: python3-h2); pyenv's python3 may not. */
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function run(command: string, args: string[], input?: string | Buffer): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'latin1', timeout: 30_000, input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

describe('real HTTP/2 clients against the http2-streams reference', () => {
  let server: { program: Program; port: number };
  beforeAll(async () => {
    server = await startReference('http2-streams', { startTimeoutMs: 15_000 });
  });
  afterAll(async () => {
    await server?.program.stop();
  });
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  test('nghttp: 50 concurrent streams on one connection, every one a 200', () => {
    const result = run('nghttp', ['-n', '-s', '-t', '20', '-m', '50', url('/page.js')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.match(/ 200 +\S+ \/page\.js$/gm)?.length).toBe(50);
  });

  test('nghttp with a stream window of 1023 octets downloads 2 MiB through it', () => {
    const result = run('nghttp', ['-nv', '-t', '20', '-w', '10', url('/stream?mib=2')]);
    expect(result.status).toBe(0);
    const lengths = [...result.stdout.matchAll(/recv DATA frame <length=(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1023);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(2 * 1024 * 1024);
    expect(result.stdout).toMatch(/recv DATA frame <length=0, flags=0x01/);
  });

  test('curl --http2-prior-knowledge: a file byte for byte, HEAD with its length and no body, a 3 MB upload echoed', () => {
    const file = run('curl', ['-sS', '--max-time', '20', '--http2-prior-knowledge', url('/alphabet.txt')]);
    expect(file.status).toBe(0);
    expect(Buffer.from(file.stdout, 'latin1').equals(ALPHABET)).toBe(true);

    const head = run('curl', ['-sS', '--max-time', '20', '--http2-prior-knowledge', '-I', url('/alphabet.txt')]);
    expect(head.status).toBe(0);
    expect(head.stdout).toMatch(/^HTTP\/2 200/);
    expect(head.stdout).toMatch(new RegExp(`^content-length: ${ALPHABET.length}\\r$`, 'm'));

    const upload = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 13) & 0xff));
    const echoed = run(
      'curl',
      ['-sS', '--max-time', '20', '--http2-prior-knowledge', '-T', '-', '-H', 'content-type: application/octet-stream', url('/echo')],
      upload,
    );
    expect(echoed.stderr).toBe('');
    expect(echoed.status).toBe(0);
    expect(Buffer.from(echoed.stdout, 'latin1').equals(upload)).toBe(true);
  });

  test("Node's http2.connect, a strict client: 30 concurrent requests, a 16 MiB body and a 5 MB upload, no session error", async () => {
    const session = http2.connect(url('/'));
    const errors: Error[] = [];
    session.on('error', (error) => errors.push(error));
    const request = (path: string, options: { method?: string; body?: Buffer } = {}) =>
      new Promise<{ status: unknown; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':path': path, ':method': options.method ?? 'GET' }, { endStream: !options.body });
        let status: unknown;
        const chunks: Buffer[] = [];
        stream.on('response', (headers) => (status = headers[':status']));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
        if (options.body) stream.end(options.body);
      });
    try {
      const upload = Buffer.from(Array.from({ length: 5_000_000 }, (_, i) => (i * 7) & 0xff));
      const [big, echoed, ...small] = await Promise.all([
        request('/stream?mib=16'),
        request('/echo', { method: 'POST', body: upload }),
        ...Array.from({ length: 30 }, (_, i) => request(i % 2 ? '/alphabet.txt' : '/greeting')),
      ]);
      expect(big!.status).toBe(200);
      expect(big!.body.length).toBe(16 * 1024 * 1024);
      expect(echoed!.status).toBe(200);
      expect(createHash('sha256').update(echoed!.body).digest('hex')).toBe(createHash('sha256').update(upload).digest('hex'));
      for (const [i, response] of small.entries()) {
        expect(response.status).toBe(200);
        if (i % 2) expect(response.body.equals(ALPHABET)).toBe(true);
      }
    } finally {
      await new Promise<void>((resolve) => session.close(() => resolve()));
    }
    expect(errors).toEqual([]);
  }, 30_000);

  test('Python h2 drives flow control both ways: a 1 MiB download through a window of 4096, a 300 000-octet upload within the server windows', () => {
    const script = `
import socket, sys, json
import h2.connection, h2.config, h2.events, h2.settings
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
conn.initiate_connection()
conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 4096})
sock.sendall(conn.data_to_send())
def headers(method, path):
    return [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path)]
upload = bytes((i * 31) & 0xff for i in range(300000))
conn.send_headers(1, headers("GET", "/stream?mib=1"), end_stream=True)
conn.send_headers(3, headers("POST", "/inspect"), end_stream=False)
sock.sendall(conn.data_to_send())
sent, got, largest, ended, inspect = 0, 0, 0, set(), b""
while len(ended) < 2:
    # Send what the server's windows allow, in frames it accepts.
    while sent < len(upload):
        room = min(conn.local_flow_control_window(3), conn.max_outbound_frame_size, len(upload) - sent)
        if room <= 0:
            break
        conn.send_data(3, upload[sent:sent + room], end_stream=(sent + room == len(upload)))
        sent += room
    sock.sendall(conn.data_to_send())
    data = sock.recv(65536)
    if not data:
        break
    for event in conn.receive_data(data):
        if isinstance(event, h2.events.DataReceived):
            if event.stream_id == 1:
                got += len(event.data)
                largest = max(largest, event.flow_controlled_length)
            else:
                inspect += event.data
            conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            ended.add(event.stream_id)
        elif isinstance(event, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
            print("error", event); sys.exit(1)
    sock.sendall(conn.data_to_send())
conn.close_connection()
sock.sendall(conn.data_to_send())
sock.close()
print(got, largest, json.loads(inspect)["bodyLength"])
`;
    const result = run(python, ['-c', script, String(server.port)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(`${1024 * 1024} 4096 300000`);
  });
});
