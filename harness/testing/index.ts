// What hidden lesson tests import: `import { serverTest, check } from '#harness/testing/index.ts'`.

export { serverTest, Server } from './fixtures.ts';
export { importLessonModule } from './module.ts';
export { pairTest, type Pair } from './pair.ts';
export { scriptedTest, ScriptedServer } from './scripted-server.ts';
export { udpServerTest, lossyTest } from './udp.ts';
export { UdpClient, type Datagram } from '../wire/udp.ts';
export { LossyEchoServer, lossy, perfect, type Fate, type Schedule } from '../wire/lossy-echo.ts';
export { Transcript } from '../wire/transcript.ts';
export { LessonFailure, check, type FailureDetails } from './failure.ts';
export { wireErrorOf } from '../wire/errors.ts';
export { explainWireError } from './explain.ts';
export { RawClient, describe as describeBytes } from '../wire/client.ts';
export { byteCount, quote, toBuffer } from '../wire/bytes.ts';
export { randomInt } from '../wire/segmentation.ts';
export { makeTree, type Tree } from './files.ts';
export { lessonPath } from './target.ts';
export {
  encodeFrame,
  decodeFrame,
  readFrame,
  closePayload,
  applyMask,
  Opcode,
  describeFrame,
  closeBodyOf,
  CLOSE_CODE_NAMES,
  type Frame,
} from '../wire/websocket.ts';
export {
  SAMPLE_KEY,
  SAMPLE_ACCEPT,
  acceptFor,
  handshakeRequest,
  openWebSocket,
  upgrade,
  readRawFrame,
  expectFrame,
  expectMessage,
  expectCloseFrame,
  type HandshakeSpec,
  type OpenOptions,
  type FrameExpectation,
} from './websocket.ts';
export {
  request,
  readResponse,
  readResponseHead,
  readBody,
  parseResponseHead,
  framingOf,
  HttpResponse,
  type Fields,
  type RequestSpec,
  type ReadResponseOptions,
} from '../wire/http.ts';
export {
  H2_PREFACE,
  H2_SETTINGS_ACK,
  H2_REQUEST_BLOCK,
  H2Type,
  H2Error,
  H2_ERROR_NAMES,
  h2Frame,
  h2Settings,
  h2SettingsFrame,
  readH2Frame,
  describeH2Frame,
  type H2Frame,
} from '../wire/http2.ts';
export { openH2, expectH2Frame, expectGoaway, H2_SERVER_SETTINGS, type GoawayExpectation, type OpenH2Options } from './http2.ts';
export { H2HeaderDecoder, H2HeaderEncoder, encodeRequestBlock, type H2Field } from '../wire/hpack.ts';
export { exchange, checkStatus, checkHeader, checkNoHeader, expectClosedAfter, expectStillOpen, recordReads, REASON_PHRASES } from './http.ts';
export { expect, describe, test } from 'vitest';
export { httpCases, runCase, checkResponse, type HttpCase, type Exchange, type Expect, type Teaching } from './cases.ts';
export { within, checkNoLeakedSockets } from './bounded.ts';
export { checkLingeringClose, closedWithin, LINGERING, type LingeringCase } from './lingering.ts';
export { clientCrashes, type ClientCrashes, type CrashTeaching } from './crashes.ts';
export {
  clientHello,
  records,
  record,
  alertRecord,
  extension,
  serverNameData,
  alpnData,
  grease,
  ContentType,
  ExtensionType,
  AlertDescription,
  type HelloSpec,
  type Field as HelloField,
  type Extension as HelloExtension,
} from '../wire/tls.ts';
export { earlierLessonsCases, policyCases } from './earlier-lessons.ts';
export { throwawayCertificates, certificateArgs, type DevCertificates } from './tls.ts';
export { freePort } from '../process/free-port.ts';
export { peerHasRead } from '../process/quiet.ts';
