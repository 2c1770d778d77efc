// GIVEN (do not edit): the one error every part of HPACK throws. A decoding error is fatal to the
// connection: RFC 7541 §2.3.3, §5.2 and §6.3 call the input "a decoding error", and RFC 9113 §4.3
// answers any of them with a connection error of type COMPRESSION_ERROR, because the two sides'
// dynamic tables can no longer be trusted to agree.

export class HpackError extends Error {
  /** The HTTP/2 error code a connection sends in its GOAWAY for this error (RFC 9113 §7). */
  readonly code = 'COMPRESSION_ERROR';

  constructor(message: string) {
    super(message);
    this.name = 'HpackError';
  }
}
