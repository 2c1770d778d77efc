// ClientHellos the router checks share, built with the harness's builder (harness/wire/tls.ts).

import { clientHello, ExtensionType, type HelloSpec } from '#harness/testing/index.ts';

/** Bytes from hex, spaces allowed: hex('0009 00 0006 622e74657374'). */
export const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** A ClientHello handshake message whose body (after the 4-byte header) is exactly `length` bytes, padded (RFC 7685). */
export function helloOfLength(length: number, spec: HelloSpec = {}): Buffer {
  const padding = (size: number) => ({ type: ExtensionType.padding, data: Buffer.alloc(size) });
  const base = clientHello({ ...spec, after: [padding(0)] }).length - 4;
  return clientHello({ ...spec, after: [padding(length - base)] });
}
