// The fuzzer's ways of reaching the gateway, each ending in an Answer: a websocket client
// (the ws library, as a trader's would be), a raw TCP socket for inputs no well-behaved
// client can send (broken HTTP, broken upgrades, broken websocket framing), and a keep-alive
// HTTP client for the REST API. Every probe is bounded by a timeout; silence past it is
// 'unanswered'.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { closeAnswer, httpAnswer, type Answer } from './answers.js';

export const PROBE_LIMITS = {
  /** Past this without an answer a probe counts as unanswered. */
  answerTimeoutMs: 5_000,
  /** Bytes of a raw answer kept for parsing. */
  maxRawAnswerBytes: 65_536,
  /** Bytes of an HTTP body kept. */
  maxBodyBytes: 65_536,
} as const;

/** What a websocket client reports when the connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006;

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Ends the keep-alive connections (at the end of a drill). */
export function closeProbes(): void {
  agent.destroy();
}

/** Opens a websocket, runs `onOpen`, and resolves with how the gateway closed it. */
export function wsProbe(url: string, onOpen: (socket: WebSocket) => void, options: { readonly protocolHeaders?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: options.protocolHeaders, perMessageDeflate: false, maxPayload: 1 << 20 });
    let done = false;
    const finish = (answer: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.terminate();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ kind: 'unanswered', detail: 'websocket open past the timeout' }), PROBE_LIMITS.answerTimeoutMs);
    socket.on('open', () => {
      try {
        onOpen(socket);
      } catch (error) {
        finish({ kind: 'uncoded', detail: `probe failed: ${(error as Error).message.slice(0, 80)}` });
      }
    });
    socket.on('message', () => undefined);
    socket.on('close', (code, reason) => finish(code === ABNORMAL_CLOSURE ? { kind: 'unanswered', detail: 'dropped without a close frame' } : closeAnswer(code, reason.toString('utf8'))));
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish(httpAnswer(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      response.on('error', () => finish({ kind: 'unanswered', detail: 'upgrade answer cut off' }));
    });
    // A failed connection or a cut socket is followed by 'close' (1006).
    socket.on('error', () => undefined);
  });
}

/**
 * Writes raw bytes on a TCP connection (after a valid websocket upgrade when `upgradeFirst`)
 * and reads the answer: an HTTP error response, or the websocket close frame that follows a
 * 101 Switching Protocols.
 */
export function rawProbe(port: number, bytes: Uint8Array, upgradeFirst: boolean): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    let upgraded = !upgradeFirst;
    const finish = (answer: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(parseRaw(received) ?? { kind: 'unanswered', detail: 'no answer before the timeout' }), PROBE_LIMITS.answerTimeoutMs);
    socket.on('connect', () => {
      socket.write(upgradeFirst ? UPGRADE_REQUEST : bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      if (received.length < PROBE_LIMITS.maxRawAnswerBytes) received = Buffer.concat([received, chunk]);
      if (!upgraded && received.includes('\r\n\r\n')) {
        if (!received.subarray(0, 12).equals(Buffer.from('HTTP/1.1 101'))) return finish(parseRaw(received) ?? { kind: 'uncoded', detail: 'upgrade refused' });
        upgraded = true;
        received = received.subarray(received.indexOf('\r\n\r\n') + 4);
        socket.write(bytes);
      }
      const answer = upgraded && upgradeFirst ? parseCloseFrame(received) : undefined;
      if (answer !== undefined) finish(answer);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(parseRaw(received) ?? { kind: 'unanswered', detail: received.length === 0 ? 'closed without an answer' : 'closed with an unparsable answer' }));
  });
}

const UPGRADE_REQUEST = Buffer.from('GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');

/** An HTTP response (status + JSON body) or, after an upgrade, a websocket close frame. */
function parseRaw(bytes: Buffer): Answer | undefined {
  if (bytes.length === 0) return undefined;
  if (!bytes.subarray(0, 5).equals(Buffer.from('HTTP/'))) return parseCloseFrame(bytes);
  const headerEnd = bytes.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const head = bytes.subarray(0, headerEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  if (status === 101) return parseCloseFrame(bytes.subarray(headerEnd + 4));
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? -1);
  const body = bytes.subarray(headerEnd + 4);
  if (length >= 0 && body.length < length) return undefined;
  return httpAnswer(status, body.subarray(0, length >= 0 ? length : body.length).toString('utf8'), /\r\nx-error-code: *(\d+)/i.exec(head)?.[1]);
}

/** The first close frame (opcode 8) among unmasked server frames. */
function parseCloseFrame(bytes: Buffer): Answer | undefined {
  let offset = 0;
  for (let frames = 0; frames < 64 && offset + 2 <= bytes.length; frames++) {
    const opcode = bytes[offset]! & 0x0f;
    let length = bytes[offset + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (offset + 4 > bytes.length) return undefined;
      length = bytes.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (offset + 10 > bytes.length) return undefined;
      length = Number(bytes.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (offset + header + length > bytes.length) return undefined;
    if (opcode === 0x8) {
      const payload = bytes.subarray(offset + header, offset + header + length);
      return payload.length < 2 ? { kind: 'uncoded', detail: 'close frame without a code' } : closeAnswer(payload.readUInt16BE(0), payload.subarray(2).toString('utf8'));
    }
    offset += header + length;
  }
  return undefined;
}

/** One HTTP request over the keep-alive agent. */
export function httpProbe(port: number, method: string, path: string, headers: Record<string, string>, body: Uint8Array | undefined, attempt = 0): Promise<Answer> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => { outgoing.destroy(); finish({ kind: 'unanswered', detail: `${method} ${path.slice(0, 40)} past the timeout` }); }, PROBE_LIMITS.answerTimeoutMs);
    const outgoing = request({ host: '127.0.0.1', port, method, path, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => { size += chunk.length; if (size <= PROBE_LIMITS.maxBodyBytes) chunks.push(chunk); });
      response.on('end', () => finish(httpAnswer(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), headerValue(response.headers[ERROR_CODE_HEADER]))));
      response.on('error', () => finish({ kind: 'unanswered', detail: 'response cut off' }));
    });
    outgoing.on('error', (error) => {
      // A keep-alive connection the server closed after its previous answer: not this input's answer.
      if (outgoing.reusedSocket && !done && attempt === 0) {
        done = true;
        clearTimeout(timer);
        void httpProbe(port, method, path, headers, body, 1).then(resolve);
        return;
      }
      finish({ kind: 'unanswered', detail: `${error.message.slice(0, 60)}` });
    });
    outgoing.end(body);
  });
}

const ERROR_CODE_HEADER = 'x-error-code';

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
