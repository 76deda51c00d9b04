// The hot-standby loop of one enclave instance (docs/cluster.md): every instance boots as a
// standby that follows the shard's stream, then contends for the leadership lease. The one that
// holds it takes over as the stream's writer (its first publish fences any older writer) and
// keeps renewing; should it lose the lease, it stops accepting commands at once. The others keep
// following, so each is ready to take over within the lease's TTL.
import type { EnclaveRuntime } from '../enclave/runtime.js';
import type { LeaderLease } from './leader-lease.js';

export interface LeadershipEvents {
  /** This instance became the writer (after its takeover). */
  readonly onLeader?: () => void;
  /** This instance lost the lease and stopped accepting commands. */
  readonly onLost?: (detail: string) => void;
  /** Stops contending (e.g. at shutdown). */
  readonly shouldStop?: () => boolean;
}

/**
 * Waits for the lease, takes over, and keeps the lease. Resolves true once this instance leads,
 * false when `shouldStop` ended the wait or the lease was lost during the takeover (the runtime
 * then stops accepting commands). A failed takeover gives the lease back and rejects.
 */
export async function runForLeadership(runtime: EnclaveRuntime, lease: LeaderLease, events: LeadershipEvents = {}): Promise<boolean> {
  if (!(await lease.acquire(events.shouldStop))) return false;
  // Renewals start at once: catching up on the stream may take longer than one lease.
  let lost = false;
  lease.keep((detail) => {
    lost = true;
    runtime.loseLeadership(detail);
    events.onLost?.(detail);
  });
  try {
    if (runtime.standby) await runtime.promote();
  } catch (error) {
    await lease.release();
    throw error;
  }
  if (lost) return false;
  events.onLeader?.();
  return true;
}

