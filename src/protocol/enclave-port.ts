// The narrow, typed interface between the untrusted host and the enclave isolate: opaque
// byte frames per connection in and out, plus start-up, the attestation bundle, the embedded
// chain's deposit path and shutdown. Nothing here carries a key or plaintext; frame bytes
// travel as transferred ArrayBuffers.

/** Start-up parameters the host passes to the enclave isolate (plain data only). */
export interface EnclaveWorkerConfig {
  readonly dataDir: string;
  readonly markets: readonly {
    readonly id: string; readonly base: string; readonly quote: string;
    readonly baseDecimals: number; readonly quoteDecimals: number;
    readonly tickSize: string; readonly lotSize: string;
    readonly makerFeeBps?: number; readonly takerFeeBps?: number; readonly referenceStalenessMs?: number;
  }[];
  readonly feeAccount: string;
  /** Must be false to use the insecure dev key file and dev attestation; true selects dstack. */
  readonly production: boolean;
  /** Hex of a 32-byte dev attestation root seed, to keep one dev root across restarts. */
  readonly devRootSeedHex?: string;
  readonly tickMs?: number;
  readonly settlementWindowMs?: number;
  readonly snapshotEveryCommands?: number;
}

export type HostToEnclave =
  | { readonly type: 'open'; readonly connectionId: number }
  | { readonly type: 'frame'; readonly connectionId: number; readonly bytes: ArrayBuffer }
  | { readonly type: 'close'; readonly connectionId: number }
  | { readonly type: 'bundle'; readonly requestId: number }
  /** The embedded chain hook's deposit event; atoms is a decimal integer string. */
  | { readonly type: 'deposit'; readonly requestId: number; readonly account: string; readonly asset: string; readonly atoms: string; readonly reference: string }
  | { readonly type: 'stop' };

export type EnclaveToHost =
  | { readonly type: 'ready'; readonly bundle: string }
  | { readonly type: 'frame'; readonly connectionId: number; readonly bytes: ArrayBuffer }
  | { readonly type: 'close'; readonly connectionId: number; readonly code: number }
  | { readonly type: 'bundle'; readonly requestId: number; readonly bundle: string }
  | { readonly type: 'deposited'; readonly requestId: number; readonly error: { readonly code: number; readonly message: string } | undefined }
  | { readonly type: 'stopped' }
  | { readonly type: 'fatal'; readonly message: string };

/** A copy of the bytes in a buffer of their own, safe to transfer. */
export function ownedBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
