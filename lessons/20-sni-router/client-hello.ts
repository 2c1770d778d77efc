// sni-router: reading a TLS ClientHello from the raw bytes of a connection, without decrypting
// anything (nothing is encrypted yet). Two layers, as on the wire:
//
//   records (RFC 8446 §5.1)       a small state machine over the stream: a 5-byte header, then the
//                                 fragment; all bytes taken through consume(n); a step that lacks
//                                 bytes returns and waits for the next push()
//   the handshake message (§4)    the fragments joined: msg_type 1, a 24-bit length, then the
//                                 ClientHello (§4.1.2), read once whole, field by field, through a
//                                 Fields cursor that checks every length against what contains it
//
// A lie in any length is a HelloError, never a read past the end of what holds the field.

/** Record content types (RFC 8446 §5.1). */
const HANDSHAKE = 22;
/** Handshake type client_hello (RFC 8446 §4). */
const CLIENT_HELLO = 1;
/** A record's fragment is at most 2^14 bytes (RFC 8446 §5.1). */
const MAX_FRAGMENT = 2 ** 14;
/** The largest ClientHello this router waits for (the message after its 4-byte header). */
export const MAX_HELLO_BYTES = 16 * 1024;

/** Extension types (IANA TLS ExtensionType Values). */
const SERVER_NAME = 0; // RFC 6066 §3
const ALPN = 16; // RFC 7301 §3.1

/** What the router learns from a ClientHello. */
export interface ClientHello {
  /** legacy_version: 0x0303 from every TLS 1.2 and 1.3 client (§4.1.2). */
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cipherSuites: number[];
  /** The extension types in the order sent, GREASE and unknown ones included. */
  extensions: number[];
  /** The host_name of server_name, as sent (RFC 6066 §3), or undefined without one. */
  serverName: string | undefined;
  /** The ALPN protocol names offered, in order (RFC 7301 §3.1); [] without the extension. */
  alpn: string[];
}

/** The first bytes are not a TLS ClientHello: the connection is closed. */
export class HelloError extends Error {
  override name = 'HelloError';
}

/** A cursor over bytes that are all here: every read is checked against the bytes it may use. */
class Fields {
  private offset = 0;

  constructor(
    private readonly bytes: Buffer,
    /** What these bytes are, for error messages: "the ClientHello", "server_name". */
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Takes the next `n` bytes of `field`; a length that claims more than is left is a lie. */
  consume(n: number, field: string): Buffer {
    // TODO: if n is more than this.remaining, throw a HelloError that names the field and
    //       this.what (a length lied); else return the next n bytes and move this.offset past them.
    void field;
    throw notWritten('Fields.consume');
  }

  u8(field: string): number {
    return this.consume(1, field)[0]!;
  }

  u16(field: string): number {
    return this.consume(2, field).readUInt16BE(0);
  }

  /** A vector: a length of `size` bytes, then that many bytes (§3.4), given as Fields of their own. */
  vector(size: 1 | 2, field: string, min: number, max: number): Fields {
    // TODO: read the length (u8 or u16), throw HelloError unless min <= length <= max, then
    //       consume that many bytes and return them as new Fields(bytes, field).
    void [size, min, max];
    throw notWritten('Fields.vector');
  }

  /** All the bytes left: the contents of a vector whose length was already checked. */
  rest(field: string): Buffer {
    return this.consume(this.remaining, field);
  }

  /** Everything was read: bytes left over mean a length lied (it claimed too little). */
  end(): void {
    // TODO: throw HelloError if any bytes remain.
    throw notWritten('Fields.end');
  }
}

type Step = 'record header' | 'fragment';

export class ClientHelloReader {
  /** Bytes pushed and not consumed yet, oldest first. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private step: Step = 'record header';
  /** The fragment length of the record being read. */
  private fragmentLength = 0;
  /** The handshake bytes of the records so far. */
  private handshake: Buffer[] = [];
  private handshakeLength = 0;
  /** The ClientHello's length from the handshake header, once its 4 bytes are in. */
  private helloLength: number | undefined;

  /** Adds bytes from the wire; returns the ClientHello once it is whole. Throws HelloError. */
  push(chunk: Buffer): ClientHello | undefined {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      const done = this.step === 'record header' ? this.readRecordHeader() : this.readFragment();
      if (!done) return undefined; // waits for more bytes
      const hello = this.readHandshake();
      if (hello) return hello;
    }
  }

  /** Takes the first `n` buffered bytes (the caller has checked that there are that many). */
  private consume(n: number): Buffer {
    // TODO: copy the first n bytes of this.chunks into Buffer.allocUnsafe(n), dropping the chunks
    //       used up and keeping the rest of a chunk cut in two (subarray), and count them off
    //       this.buffered.
    void n;
    throw notWritten('ClientHelloReader.consume');
  }

  /** content_type(1) · legacy_record_version(2) · length(2). */
  private readRecordHeader(): boolean {
    // TODO: as soon as 1 byte is buffered, throw HelloError if it is not 22 (HANDSHAKE): not TLS,
    //       or another record type inside the hello. With 5 bytes, consume them: ignore the
    //       version (RFC 8446 §5.1 says so), read the 16-bit length into this.fragmentLength, and
    //       throw HelloError if it is 0 or over MAX_FRAGMENT. Then go to the 'fragment' step.
    //       Return false while bytes are missing, true once the header is read.
    throw notWritten('readRecordHeader');
  }

  /** The record's fragment: more bytes of the handshake message. */
  private readFragment(): boolean {
    // TODO: once this.fragmentLength bytes are buffered, consume them into this.handshake
    //       (adding to this.handshakeLength), go back to the 'record header' step, return true.
    throw notWritten('readFragment');
  }

  /** msg_type(1) · length(3) · body, once enough records arrived. */
  private readHandshake(): ClientHello | undefined {
    // TODO: with 4 handshake bytes in, read the header once: the type must be 1 (CLIENT_HELLO),
    //       and the 24-bit length (readUIntBE(1, 3)) at most MAX_HELLO_BYTES; keep it in
    //       this.helloLength. Once 4 + helloLength bytes are in (and not more: bytes after the
    //       hello in its records are an error), return readClientHello(new Fields(body, …)).
    //       Return undefined while bytes are missing.
    throw notWritten('readHandshake');
  }
}

/** The ClientHello's fields, in order (RFC 8446 §4.1.2). */
function readClientHello(hello: Fields): ClientHello {
  // TODO: legacy_version (u16), random (32 bytes), legacy_session_id <0..32>, cipher_suites
  //       <2..2^16-2> (an even length: 2 bytes each), legacy_compression_methods <1..2^8-1>, and,
  //       if bytes remain, the extensions <0..2^16-1> (readExtensions). Then hello.end().
  void hello;
  throw notWritten('readClientHello');
}

/** Each extension: type(2) · extension_data<0..2^16-1>. Reads two, skips every other (GREASE too). */
function readExtensions(block: Fields, result: ClientHello): void {
  // TODO: until the block is used up: the type, then its data as a vector; a type seen before is
  //       a HelloError (RFC 8446 §4.2). Push every type to result.extensions; read server_name
  //       (type 0) with readServerName and ALPN (type 16) with readAlpn; skip the rest.
  void [block, result];
  throw notWritten('readExtensions');
}

/** RFC 6066 §3: ServerNameList<1..2^16-1> of name_type(1) · HostName<1..2^16-1>. */
function readServerName(data: Fields): string | undefined {
  // TODO: the list (a vector, then data.end()); in it, each entry: name_type (u8) and a host_name
  //       vector. Skip types other than 0; a second host_name is a HelloError; check the name
  //       with readHostName.
  void data;
  throw notWritten('readServerName');
}

/** A host_name is ASCII (RFC 6066 §3): letters, digits, '-', '.', and '_' seen in practice. */
function readHostName(name: Buffer): string {
  // TODO: throw HelloError on any byte that is not a letter, a digit, '-', '.' or '_'; then return
  //       the name as a string (latin1: one character per byte).
  void name;
  throw notWritten('readHostName');
}

/** RFC 7301 §3.1: ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. */
function readAlpn(data: Fields): string[] {
  // TODO: the list (a vector, then data.end()); in it, each name a vector <1..255>.
  void data;
  throw notWritten('readAlpn');
}

function notWritten(step: string): HelloError {
  return new HelloError(`${step} (client-hello.ts) is not written yet (TODO in the file).`);
}
