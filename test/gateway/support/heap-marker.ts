// The client-order-id marker of the heap privacy test, derived from a seed so that the test
// process can recompute it after its own heap snapshot instead of holding it during one.
import { createHash } from 'node:crypto';

export function heapMarker(seed: number): string {
  return `hpm${createHash('sha256').update(`heap-marker:${seed}`).digest('hex').slice(0, 24)}`;
}
