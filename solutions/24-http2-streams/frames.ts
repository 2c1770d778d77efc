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

/**
 * What is left of a payload of `fixed` leading octets (after the Pad Length) once the padding is
 * taken off. §6.1, §6.2: padding as long as what it pads, or longer, is a PROTOCOL_ERROR.
 */
function unpad(frame: Frame, fixed: number): Buffer {
  const { payload } = frame;
  if (!(frame.flags & PADDED)) {
    if (payload.length < fixed) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A frame of ${payload.length} octets, too short for its fields.`);
    return payload.subarray(fixed);
  }
  if (payload.length < 1 + fixed)
    throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A padded frame of ${payload.length} octets, too short for its fields.`);
  const padLength = payload[0]!;
  if (padLength > payload.length - 1 - fixed) {
    throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `Pad Length ${padLength}, but only ${payload.length - 1 - fixed} octets follow (§6.1, §6.2).`);
  }
  return payload.subarray(1 + fixed, payload.length - padLength);
}

/** §6.1: a DATA frame's data, without its padding. */
export function parsePadded(frame: Frame): Buffer {
  return unpad(frame, 0);
}

/** §6.2: a HEADERS frame: its fragment (padding and priority taken off) starts a header block. */
export function parseHeaders(frame: Frame): HeaderBlock {
  const priority = (frame.flags & PRIORITY) !== 0;
  const rest = unpad(frame, priority ? 5 : 0);
  let dependsOnItself = false;
  if (priority) {
    const offset = frame.flags & PADDED ? 1 : 0;
    dependsOnItself = (frame.payload.readUInt32BE(offset) & 0x7fffffff) === frame.streamId; // E bit masked off
  }
  return { streamId: frame.streamId, fragments: [rest], size: rest.length, endStream: (frame.flags & END_STREAM) !== 0, dependsOnItself };
}

/** §6.9: a WINDOW_UPDATE's increment, 31 bits after a reserved bit. Its payload is 4 octets, or FRAME_SIZE_ERROR. */
export function readWindowIncrement(frame: Frame): number {
  if (frame.payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `A WINDOW_UPDATE of ${frame.payload.length} octets; it has 4 (§6.9).`);
  return frame.payload.readUInt32BE(0) & 0x7fffffff;
}
