// A stand-in enclave for gateway tests where the enclave's behaviour is not the point (bursts
// of output for slow-consumer tests, failures on demand): it answers a ClientHello with a
// ServerHello-sized message and lets the test push frames and closes for any connection.
import type { EnclaveLink } from '../../../src/gateway/enclave-link.js';
import { SERVER_HELLO_BYTES } from '../../../src/protocol/hello.js';

export class FakeLink implements EnclaveLink {
  readonly bundle = JSON.stringify({ version: 1, kind: 'dev', insecure: true, enclaveKeys: { ed25519Hex: 'aa'.repeat(32), x25519Hex: 'bb'.repeat(32) } });
  readonly open = new Set<number>();
  readonly closedByHost: number[] = [];
  readonly received = new Map<number, Uint8Array[]>();
  /** When false the fake never answers a hello (to test the hello timeout). */
  answerHellos = true;
  #next = 1;
  #frameListeners: ((connectionId: number, frame: Uint8Array) => void)[] = [];
  #closeListeners: ((connectionId: number, code: number) => void)[] = [];
  #fatalListeners: ((message: string) => void)[] = [];

  openConnection(): number {
    const id = this.#next++;
    this.open.add(id);
    this.received.set(id, []);
    return id;
  }

  sendFrame(connectionId: number, frame: Uint8Array): void {
    const list = this.received.get(connectionId);
    if (list === undefined) throw new Error(`fake: frame for unknown connection ${connectionId}`);
    list.push(frame.slice());
    if (list.length === 1 && this.answerHellos) setImmediate(() => this.emitFrame(connectionId, new Uint8Array(SERVER_HELLO_BYTES).fill(2)));
  }

  close(connectionId: number): void {
    this.open.delete(connectionId);
    this.closedByHost.push(connectionId);
  }

  onFrame(listener: (connectionId: number, frame: Uint8Array) => void): void { this.#frameListeners.push(listener); }
  onClose(listener: (connectionId: number, code: number) => void): void { this.#closeListeners.push(listener); }
  onFatal(listener: (message: string) => void): void { this.#fatalListeners.push(listener); }

  emitFrame(connectionId: number, frame: Uint8Array): void {
    for (const listener of this.#frameListeners) listener(connectionId, frame);
  }

  emitClose(connectionId: number, code: number): void {
    this.open.delete(connectionId);
    for (const listener of this.#closeListeners) listener(connectionId, code);
  }

  emitFatal(message: string): void {
    for (const listener of this.#fatalListeners) listener(message);
  }
}
