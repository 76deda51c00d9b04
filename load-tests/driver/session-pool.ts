// Opens many load sessions with a bounded number of handshakes in flight (each costs the
// driver two X25519 and one Ed25519 signature on @noble, and the enclave a verification), and
// closes them all. A session that fails to open fails the run: a load result over fewer
// sessions than asked would be mislabelled.
import { traderKey } from './engine.js';
import { LoadSession, type LoadTarget } from './load-session.js';
import type { TrafficLedger } from './traffic-ledger.js';

export const POOL_LIMITS = {
  handshakesInFlight: 64,
  handshakeTimeoutMs: 30_000,
} as const;

export async function openSessions(
  target: LoadTarget, ledger: TrafficLedger, seed: number, purpose: 'trader' | 'idle', count: number, firstIndex: number,
  onOpened?: (opened: number) => void,
): Promise<LoadSession[]> {
  const sessions: LoadSession[] = new Array<LoadSession>(count);
  let next = 0;
  let opened = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const slot = next++;
      const { secretKey } = traderKey(seed, purpose, slot);
      sessions[slot] = await LoadSession.open(firstIndex + slot, target, secretKey, POOL_LIMITS.handshakeTimeoutMs, ledger);
      secretKey.fill(0);
      opened += 1;
      onOpened?.(opened);
    }
  };
  const workers = Array.from({ length: Math.min(POOL_LIMITS.handshakesInFlight, count) }, () => worker());
  try {
    await Promise.all(workers);
  } catch (error) {
    await Promise.allSettled(workers);
    for (const session of sessions) session?.close();
    throw error;
  }
  return sessions;
}

export function closeSessions(sessions: readonly LoadSession[]): void {
  for (const session of sessions) session.close();
}
