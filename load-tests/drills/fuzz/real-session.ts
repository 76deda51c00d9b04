// A genuine encrypted session for the fuzzer (the SDK's handshake and record layer over a
// plain ws socket): the fuzzer needs real sessions to send what only a session holder can —
// sealed garbage, replayed frames, frames sealed for another session — and to read the
// enclave's coded answers, one message at a time.
import { randomBytes } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils';
import WebSocket from 'ws';
import { createClientHandshake, type ClientSession } from '../../../client/channel/index.js';
import { verifyAttestation } from '../../../client/attestation/index.js';
import type { AttestationPolicy } from '../../../client/attestation/index.js';
import type { EnclaveKeysHex } from '../../../src/protocol/attestation-bundle.js';
import type { ChannelMessage } from '../../../src/protocol/message-codec.js';
import { nodeClientFrameCipher } from '../../../test/support/node-client-frame-cipher.js';
import { closeAnswer, type Answer } from './answers.js';
import { PROBE_LIMITS } from './probes.js';

export interface SessionTarget {
  readonly streamUrl: string;
  readonly enclaveKeys: EnclaveKeysHex;
  readonly attestationHash: Uint8Array;
}

/** Fetches and verifies the engine's attestation once; every fuzz session reuses the verdict. */
export async function sessionTarget(url: string, policy: AttestationPolicy): Promise<SessionTarget> {
  const response = await fetch(`${url}/v1/attestation`);
  const verdict = await verifyAttestation(await response.text(), policy);
  if (!verdict.ok) throw new Error(`attestation refused: ${verdict.failure.name}`);
  return { streamUrl: `${url.replace(/^http/, 'ws')}/v1/stream`, enclaveKeys: verdict.enclaveKeys, attestationHash: hexToBytes(verdict.bundleDigestHex) };
}

type Next = { readonly message: ChannelMessage } | { readonly answer: Answer };

export class RealSession {
  readonly socket: WebSocket;
  readonly channel: ClientSession;
  readonly #inbox: Next[] = [];
  #waiter: ((next: Next) => void) | undefined;
  #closed: Answer | undefined;

  private constructor(socket: WebSocket, channel: ClientSession) {
    this.socket = socket;
    this.channel = channel;
    socket.on('message', (data: Buffer) => {
      try {
        for (const message of channel.openMessages(new Uint8Array(data))) this.#push({ message });
      } catch (error) {
        this.#push({ answer: { kind: 'uncoded', detail: `unopenable enclave frame: ${(error as Error).message.slice(0, 60)}` } });
      }
    });
    socket.on('close', (code, reason) => {
      this.#closed = closeAnswer(code, reason.toString('utf8'));
      this.#push({ answer: this.#closed });
    });
  }

  /** Opens a socket and completes the handshake with a fresh random identity. */
  static open(target: SessionTarget): Promise<RealSession> {
    return new Promise((resolve, reject) => {
      const handshake = createClientHandshake({
        enclaveKeyAgreementPublicKey: hexToBytes(target.enclaveKeys.x25519Hex),
        enclaveIdentityPublicKey: hexToBytes(target.enclaveKeys.ed25519Hex),
        attestationHash: target.attestationHash,
        traderIdentitySecretKey: new Uint8Array(randomBytes(32)),
        frameCipher: nodeClientFrameCipher,
      });
      const socket = new WebSocket(target.streamUrl, { perMessageDeflate: false });
      const timer = setTimeout(() => { socket.terminate(); reject(new Error('handshake timed out')); }, PROBE_LIMITS.answerTimeoutMs);
      socket.on('error', () => undefined);
      socket.once('open', () => socket.send(handshake.clientHello));
      socket.once('close', (code, reason) => { clearTimeout(timer); reject(new Error(`closed during the handshake: ${code} ${reason.toString('utf8')}`)); });
      socket.once('message', (data: Buffer) => {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        try {
          resolve(new RealSession(socket, handshake.finish(new Uint8Array(data))));
        } catch (error) {
          socket.terminate();
          reject(error);
        }
      });
    });
  }

  get isClosed(): boolean {
    return this.#closed !== undefined;
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  /** The next message or the close, within the probe timeout. */
  next(): Promise<Next> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closed !== undefined) return Promise.resolve({ answer: this.#closed });
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#waiter = undefined; resolve({ answer: { kind: 'unanswered', detail: 'no enclave answer before the timeout' } }); }, PROBE_LIMITS.answerTimeoutMs);
      this.#waiter = (next) => { clearTimeout(timer); resolve(next); };
    });
  }

  close(): void {
    this.socket.terminate();
  }

  #push(next: Next): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(next);
    } else {
      this.#inbox.push(next);
    }
  }
}
