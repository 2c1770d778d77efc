// TLS ClientHellos built byte by byte, for the checks of the TLS lessons. This builder is written
// from RFC 8446 §4.1.2 and §5.1, RFC 6066 §3 and RFC 7301 §3.1, and shares no code with any
// lesson's parser: a check that agreed with the learner because both used the same code would
// prove nothing.
//
//   record      content_type(1) = 22 · legacy_record_version(2) · length(2) ≤ 2^14 · fragment
//   handshake   msg_type(1) = 1 · length(3) · ClientHello
//   ClientHello legacy_version(2) · random(32) · session_id<0..32> · cipher_suites<2..2^16-2>
//               · compression_methods<1..2^8-1> · extensions<8..2^16-1>   (extensions may be absent
//               in TLS 1.2, RFC 5246 §7.4.1.2)
//   extension   extension_type(2) · extension_data<0..2^16-1>
//
// Every length prefix has a name (`Field`). `lies` adds a number to the length written there without
// changing the bytes that follow it, so that a check can make any one length lie.

/** Record content types, RFC 8446 §5.1 and Appendix B.1. */
export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

/** Extension types used here (IANA "TLS ExtensionType Values"). */
export const ExtensionType = {
  server_name: 0,
  supported_groups: 10,
  signature_algorithms: 13,
  application_layer_protocol_negotiation: 16,
  padding: 21,
  session_ticket: 35,
  supported_versions: 43,
  psk_key_exchange_modes: 45,
  key_share: 51,
} as const;

/** The length prefixes a ClientHello has, each of which a check can make lie. */
export type Field =
  | 'record'
  | 'handshake'
  | 'session_id'
  | 'cipher_suites'
  | 'compression_methods'
  | 'extensions'
  | 'extension'
  | 'server_name_extension'
  | 'server_name_list'
  | 'host_name'
  | 'alpn_extension'
  | 'protocol_name_list'
  | 'protocol_name';

export interface Extension {
  type: number;
  data: Buffer;
  /** Names the extension's length prefix, for `lies` ('extension' for one of `before` or `after`). */
  field?: Field;
}

export interface HelloSpec {
  /** legacy_version in the ClientHello (default 0x0303). */
  version?: number;
  random?: Buffer;
  sessionId?: Buffer;
  cipherSuites?: number[];
  compressionMethods?: number[];
  /** host_name for server_name; null leaves the extension out (default 'a.test'). A Buffer is written as is. */
  serverName?: string | Buffer | null;
  /** ALPN protocol names; [] leaves the extension out (default h2, http/1.1). */
  alpn?: Array<string | Buffer>;
  /** Bytes of a key_share entry, as large as a post-quantum hybrid share (X25519MLKEM768: 1216). 0 leaves it out. */
  keyShareBytes?: number;
  /** GREASE values (RFC 8701) in the cipher suites, extension types, groups and ALPN, as Chromium sends them. */
  grease?: boolean;
  /** Extensions placed before server_name (default none): a parser that looks only at the first one misses it. */
  before?: Extension[];
  /** Extensions after the standard ones. */
  after?: Extension[];
  /** Leave out the extensions block entirely (TLS 1.2 allows it). */
  noExtensions?: boolean;
  /** Numbers added to the lengths written in these prefixes (the bytes themselves do not change). */
  lies?: Partial<Record<Field, number>>;
}

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

/** A vector: its length in `size` bytes (plus the lie for `field`, if any), then its contents. */
function vector(size: 1 | 2 | 3, contents: Buffer, field: Field | undefined, lies: HelloSpec['lies']): Buffer {
  const length = contents.length + (field ? (lies?.[field] ?? 0) : 0);
  const prefix = size === 1 ? u8(length) : size === 2 ? u16(length) : u24(length);
  return Buffer.concat([prefix, contents]);
}

/** GREASE value number `i` (0–15): 0x0a0a, 0x1a1a, … 0xfafa (RFC 8701 §2). */
export const grease = (i: number) => ((i & 0x0f) << 12) | 0x0a00 | ((i & 0x0f) << 4) | 0x0a;

/** One extension: type, then its data as a 2-byte vector. */
export function extension(type: number, data: Buffer, field?: Field, lies?: HelloSpec['lies']): Buffer {
  return Buffer.concat([u16(type), vector(2, data, field, lies)]);
}

/** server_name's extension_data (RFC 6066 §3): a ServerNameList of one host_name. */
export function serverNameData(name: string | Buffer, lies?: HelloSpec['lies']): Buffer {
  const hostName = Buffer.concat([u8(0), vector(2, typeof name === 'string' ? Buffer.from(name, 'latin1') : name, 'host_name', lies)]);
  return vector(2, hostName, 'server_name_list', lies);
}

/** ALPN's extension_data (RFC 7301 §3.1): a ProtocolNameList. */
export function alpnData(protocols: Array<string | Buffer>, lies?: HelloSpec['lies']): Buffer {
  // Only the last name carries a protocol_name lie: it is the one a parser reads last.
  const names = protocols.map((p, i) =>
    vector(1, typeof p === 'string' ? Buffer.from(p, 'latin1') : p, i === protocols.length - 1 ? 'protocol_name' : undefined, lies),
  );
  return vector(2, Buffer.concat(names), 'protocol_name_list', lies);
}

/** The ClientHello handshake message: msg_type 1, a 24-bit length, the body. */
export function clientHello(spec: HelloSpec = {}): Buffer {
  const lies = spec.lies;
  const g = spec.grease ?? false;
  const suites = spec.cipherSuites ?? [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f];
  const allSuites = g ? [grease(2), ...suites] : suites;
  const extensions: Buffer[] = [];
  if (g) extensions.push(extension(grease(1), Buffer.alloc(0)));
  for (const e of spec.before ?? []) extensions.push(extension(e.type, e.data, e.field, lies));
  const name = spec.serverName === undefined ? 'a.test' : spec.serverName;
  if (name !== null) extensions.push(extension(ExtensionType.server_name, serverNameData(name, lies), 'server_name_extension', lies));
  const groups = g ? [grease(3), 0x11ec, 0x001d, 0x0017] : [0x001d, 0x0017];
  extensions.push(extension(ExtensionType.supported_groups, vector(2, Buffer.concat(groups.map(u16)), undefined, lies)));
  extensions.push(extension(ExtensionType.signature_algorithms, vector(2, Buffer.concat([0x0403, 0x0804, 0x0401].map(u16)), undefined, lies)));
  const alpn = spec.alpn ?? ['h2', 'http/1.1'];
  if (alpn.length > 0) extensions.push(extension(ExtensionType.application_layer_protocol_negotiation, alpnData(alpn, lies), 'alpn_extension', lies));
  extensions.push(
    extension(ExtensionType.supported_versions, vector(1, Buffer.concat((g ? [grease(4), 0x0304, 0x0303] : [0x0304, 0x0303]).map(u16)), undefined, lies)),
  );
  extensions.push(extension(ExtensionType.psk_key_exchange_modes, vector(1, u8(1), undefined, lies)));
  const shares: Buffer[] = [Buffer.concat([u16(0x001d), vector(2, Buffer.alloc(32, 0x5c), undefined, lies)])];
  if (spec.keyShareBytes) shares.unshift(Buffer.concat([u16(0x11ec), vector(2, fill(spec.keyShareBytes), undefined, lies)]));
  if (g) shares.unshift(Buffer.concat([u16(grease(3)), vector(2, u8(0), undefined, lies)]));
  extensions.push(extension(ExtensionType.key_share, vector(2, Buffer.concat(shares), undefined, lies)));
  if (g) extensions.push(extension(grease(9), u8(0)));
  for (const e of spec.after ?? []) extensions.push(extension(e.type, e.data, e.field, lies));

  const body = Buffer.concat([
    u16(spec.version ?? 0x0303),
    spec.random ?? fill(32, 0x11),
    vector(1, spec.sessionId ?? fill(32, 0x33), 'session_id', lies),
    vector(2, Buffer.concat(allSuites.map(u16)), 'cipher_suites', lies),
    vector(1, Buffer.from(spec.compressionMethods ?? [0]), 'compression_methods', lies),
    spec.noExtensions ? Buffer.alloc(0) : vector(2, Buffer.concat(extensions), 'extensions', lies),
  ]);
  return Buffer.concat([u8(1), vector(3, body, 'handshake', lies)]);
}

/** Bytes that are not all the same (a key share is random-looking on the wire), every byte value included. */
function fill(n: number, start = 0): Buffer {
  const bytes = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) bytes[i] = (start + i * 7) & 0xff;
  return bytes;
}

export interface RecordOptions {
  /** Content type (default 22, handshake). */
  type?: number;
  /** legacy_record_version (default 0x0301, as OpenSSL and browsers send an initial ClientHello). */
  version?: number;
  /** Fragment sizes: the message is cut into records of these sizes, the rest in one more (default: 2^14 each). */
  sizes?: number[];
  lies?: Partial<Record<'record', number>>;
}

/** Wraps bytes in TLS records (RFC 8446 §5.1): type, version, a 16-bit length, the fragment. */
export function records(message: Buffer, options: RecordOptions = {}): Buffer {
  const out: Buffer[] = [];
  const sizes = [...(options.sizes ?? [])];
  for (let at = 0; at < message.length || out.length === 0;) {
    const size = sizes.shift() ?? 16384;
    const fragment = message.subarray(at, at + size);
    at += fragment.length;
    out.push(record(fragment, { ...options, lies: out.length === 0 ? options.lies : undefined }));
  }
  return Buffer.concat(out);
}

/** One record around `fragment`. */
export function record(fragment: Buffer, options: Omit<RecordOptions, 'sizes'> = {}): Buffer {
  const length = fragment.length + (options.lies?.record ?? 0);
  return Buffer.concat([u8(options.type ?? ContentType.handshake), u16(options.version ?? 0x0301), u16(length), fragment]);
}

/** A fatal alert record as a server sends it before any handshake (RFC 8446 §6, §5.1: version 0x0303). */
export function alertRecord(description: number): Buffer {
  return Buffer.from([ContentType.alert, 0x03, 0x03, 0x00, 0x02, 0x02, description]);
}

/** AlertDescription values used here (RFC 8446 §6). */
export const AlertDescription = { unexpected_message: 10, record_overflow: 22, decode_error: 50, illegal_parameter: 47, unrecognized_name: 112 } as const;

/** What a passive observer reads in a ClientHello (spy's TLS lane). */
export interface ObservedHello {
  serverName: string | undefined;
  alpn: string[];
  /** supported_versions (RFC 8446 §4.2.1), GREASE left out; else legacy_version alone. */
  versions: number[];
}

/**
 * Reads the names and versions out of a ClientHello body (after the 4-byte handshake header), or
 * undefined when it is not well formed. Every read is checked against the bytes it may use.
 */
export function observeClientHello(body: Buffer): ObservedHello | undefined {
  const at = { offset: 0 };
  const take = (bytes: Buffer, n: number): Buffer => {
    if (n > bytes.length - at.offset) throw new RangeError('short');
    const out = bytes.subarray(at.offset, at.offset + n);
    at.offset += n;
    return out;
  };
  try {
    const legacy = take(body, 2).readUInt16BE(0);
    take(body, 32);
    take(body, take(body, 1)[0]!);
    take(body, take(body, 2).readUInt16BE(0));
    take(body, take(body, 1)[0]!);
    const seen: ObservedHello = { serverName: undefined, alpn: [], versions: [legacy] };
    if (at.offset === body.length) return seen;
    const block = take(body, take(body, 2).readUInt16BE(0));
    for (let i = 0; i + 4 <= block.length;) {
      const type = block.readUInt16BE(i);
      const data = block.subarray(i + 4, i + 4 + block.readUInt16BE(i + 2));
      i += 4 + data.length;
      if (type === ExtensionType.server_name && data.length >= 5 && data[2] === 0) seen.serverName = data.toString('latin1', 5, 5 + data.readUInt16BE(3));
      if (type === ExtensionType.application_layer_protocol_negotiation) {
        for (let j = 2; j < data.length; j += 1 + data[j]!) seen.alpn.push(data.toString('latin1', j + 1, j + 1 + data[j]!));
      }
      if (type === ExtensionType.supported_versions && data.length >= 1) {
        const versions: number[] = [];
        for (let j = 1; j + 2 <= 1 + data[0]! && j + 2 <= data.length; j += 2) versions.push(data.readUInt16BE(j));
        seen.versions = versions.filter((v) => (v & 0x0f0f) !== 0x0a0a); // GREASE: 0x?a?a
      }
    }
    return seen;
  } catch {
    return undefined;
  }
}

/** `TLS 1.3` for 0x0304, `TLS 1.0` for 0x0301 (RFC 8446 Appendix B: 0x0300 is SSL 3.0). */
export function versionName(version: number): string {
  if (version >= 0x0301 && version <= 0x0304) return `TLS 1.${version - 0x0301}`;
  return version === 0x0300 ? 'SSL 3.0' : `0x${version.toString(16).padStart(4, '0')}`;
}

/** AlertDescription names (RFC 8446 §6). */
export const ALERT_NAMES: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};
