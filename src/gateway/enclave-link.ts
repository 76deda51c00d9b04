// The little the gateway needs of the enclave: open a connection, pass opaque frames both
// ways, learn when the enclave closes one, and the attestation bundle. EnclaveHost
// (src/host/enclave-host.ts) satisfies it; tests may substitute a fake. Nothing in it
// carries a key or plaintext.

export interface EnclaveLink {
  /** The attestation bundle (canonical JSON) the enclave published. */
  readonly bundle: string;
  /** A new enclave connection; its first frame must be a ClientHello. */
  openConnection(): number;
  sendFrame(connectionId: number, frame: Uint8Array): void;
  /** The host ends a connection; the enclave answers with nothing. */
  close(connectionId: number): void;
  onFrame(listener: (connectionId: number, frame: Uint8Array) => void): void;
  /** The enclave ended a connection with a coded reason (a 2xxx code). */
  onClose(listener: (connectionId: number, code: number) => void): void;
  /** The enclave failed and will not serve again (optional: a fake may never fail). */
  onFatal?(listener: (message: string) => void): void;
}
