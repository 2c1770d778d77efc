// http2-streams: the payloads of the frames that carry requests (RFC 9113 §6.1, §6.2, §6.9),
// taken apart. DATA and HEADERS may be padded, and HEADERS may carry a priority:
//
//   DATA (§6.1)                          HEADERS (§6.2)
//   +---------------+                    +---------------+
//   |Pad Length? (8)|  if PADDED (0x8)   |Pad Length? (8)|  if PADDED (0x8)
//   +---------------+---------------+    +-+-------------+-----------------------------+
//   |            Data (*)         ...    |E|     Stream Dependency? (31)               |  if PRIORITY (0x20)
//   +-------------------------------+    +-+-------------+-----------------------------+
//   |           Padding (*)       ...    |  Weight? (8)  |                                if PRIORITY (0x20)
//   +-------------------------------+    +-+-------------+-----------------------------+
//                                        |            Field Block Fragment (*)       ...
//                                        +---------------------------------------------+
//                                        |                  Padding (*)              ...
//                                        +---------------------------------------------+

import { ConnectionError, ErrorCode, type Frame } from '../22-http2-frames/frame-reader.ts';

const END_STREAM = 0x1;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** A header block being received: a HEADERS frame's fragment, then its CONTINUATIONs' (§6.10). */
export interface HeaderBlock {
  streamId: number;
  fragments: Buffer[];
  size: number;
  /** END_STREAM was on the HEADERS frame (CONTINUATION has no such flag). */
  endStream: boolean;
  /** The HEADERS frame's priority names the stream itself as its parent (§5.3.1). */
  dependsOnItself: boolean;
}

/** §6.1: a DATA frame's data, without its padding. */
export function parsePadded(frame: Frame): Buffer {
  // TODO: with PADDED (0x8), the first octet is Pad Length and that many octets of padding end
  //       the payload: return what is between. A Pad Length as long as the rest of the payload or
  //       longer is a ConnectionError(PROTOCOL_ERROR); a padded frame with no room for its Pad
  //       Length, a FRAME_SIZE_ERROR.
  void PADDED;
  return frame.payload;
}

/** §6.2: a HEADERS frame: its fragment (padding and priority taken off) starts a header block. */
export function parseHeaders(frame: Frame): HeaderBlock {
  // TODO: take the padding off as DATA does; with PRIORITY (0x20), 5 octets come first (E bit and
  //       31-bit Stream Dependency, then Weight): skip them, and note whether the dependency is
  //       the frame's own stream (§5.3.1).
  void PRIORITY;
  return {
    streamId: frame.streamId,
    fragments: [frame.payload],
    size: frame.payload.length,
    endStream: (frame.flags & END_STREAM) !== 0,
    dependsOnItself: false,
  };
}

/** §6.9: a WINDOW_UPDATE's increment, 31 bits after a reserved bit. Its payload is 4 octets, or FRAME_SIZE_ERROR. */
export function readWindowIncrement(frame: Frame): number {
  // TODO: a payload of any length but 4 is a ConnectionError(FRAME_SIZE_ERROR); mask off the reserved bit.
  void ConnectionError;
  void ErrorCode;
  return frame.payload.readUInt32BE(0);
}
