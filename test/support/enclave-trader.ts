// A trader for enclave tests: the real @noble client channel over whatever carries frames
// (the in-process runtime or the worker port), with helpers to send requests and wait for
// the answers and reports they produce.
import { ed25519 } from '@noble/curves/ed25519';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { createClientHandshake, type ClientHandshake, type ClientSession } from '../../client/channel/index.js';
import { attestationBundleDigest, parseAttestationBundle } from '../../src/protocol/attestation-bundle.js';
import type { FrameCipher } from '../../src/protocol/channel-session.js';
import type { ChannelMessage } from '../../src/protocol/message-codec.js';
import { Prng } from './prng.js';

export const TEST_MARKET = {
  id: 'DOT/USDC', base: 'DOT', quote: 'USDC', baseDecimals: 10, quoteDecimals: 6,
  tickSize: '0.01', lotSize: '0.1', makerFeeBps: 2, takerFeeBps: 5, referenceStalenessMs: 60_000,
} as const;

export function seedFrom(prng: Prng): Uint8Array {
  const seed = new Uint8Array(32);
  for (let i = 0; i < 32; i++) seed[i] = prng.int(0, 255);
  return seed;
}

export class TestTrader {
  readonly account: string;
  readonly received: ChannelMessage[] = [];
  session: ClientSession | undefined;
  #handshake: ClientHandshake | undefined;
  #nextId = 1;
  #waiters: { match: (m: ChannelMessage) => boolean; resolve: (m: ChannelMessage) => void }[] = [];
  #helloWaiter: (() => void) | undefined;

  /** `frameCipher` replaces @noble's AES-GCM in the session (load generators pass node's). */
  constructor(readonly seed: Uint8Array, readonly send: (frame: Uint8Array) => void, readonly frameCipher?: FrameCipher<Uint8Array>) {
    this.account = bytesToHex(ed25519.getPublicKey(seed));
  }

  /** Sends the ClientHello; resolves once the ServerHello arrived through onFrame. */
  connect(bundleJson: string): Promise<void> {
    const bundle = parseAttestationBundle(bundleJson);
    this.#handshake = createClientHandshake({
      enclaveKeyAgreementPublicKey: hexToBytes(bundle.enclaveKeys.x25519Hex),
      enclaveIdentityPublicKey: hexToBytes(bundle.enclaveKeys.ed25519Hex),
      attestationHash: attestationBundleDigest(bundle),
      traderIdentitySecretKey: this.seed,
      frameCipher: this.frameCipher,
    });
    const ready = new Promise<void>((resolve) => { this.#helloWaiter = resolve; });
    this.send(this.#handshake.clientHello);
    return ready;
  }

  onFrame(frame: Uint8Array): void {
    if (this.session === undefined) {
      this.session = this.#handshake!.finish(frame);
      this.#helloWaiter?.();
      return;
    }
    for (const message of this.session.openMessages(frame)) {
      this.received.push(message);
      const index = this.#waiters.findIndex((waiter) => waiter.match(message));
      if (index >= 0) this.#waiters.splice(index, 1)[0]!.resolve(message);
    }
  }

  /** Seals a request; returns its id and the sealed frame (already sent unless `hold`). */
  request(t: string, body: object, hold = false): { id: string; frame: Uint8Array } {
    const id = `q${this.#nextId++}`;
    const frame = this.session!.sealMessage({ t, id, body });
    if (!hold) this.send(frame);
    return { id, frame };
  }

  waitFor(match: (m: ChannelMessage) => boolean, timeoutMs = 5_000): Promise<ChannelMessage> {
    const seen = this.received.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; received ${JSON.stringify(this.received.slice(-3))}`)), timeoutMs);
      this.#waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  answer(id: string, timeoutMs?: number): Promise<ChannelMessage> {
    return this.waitFor((m) => m.id === id && (m.t === 'result' || m.t === 'error'), timeoutMs);
  }

  async ask(t: string, body: object): Promise<ChannelMessage> {
    return this.answer(this.request(t, body).id);
  }
}
