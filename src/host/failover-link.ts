// The gateway's link to a hot-standby pair (or more) of enclave instances: it routes every new
// connection to the instance that leads (holds the lease and took over the stream) and, when
// leadership moves, ends every connection of the old leader so clients reconnect and resume
// on the new one. All instances share one attested identity (src/cluster/standby-provisioning.ts),
// so a client's verified attestation still holds. Like the host, it only relays opaque frames.
import { CodedError } from '../errors/index.js';
import type { EnclaveLink } from '../gateway/enclave-link.js';
import type { CloseListener, EnclaveHost, FrameListener } from './enclave-host.js';

export const FAILOVER_LINK_LIMITS = {
  instancesMax: 8,
  connectionsMax: 65_536,
} as const;

interface Routed {
  readonly instance: number;
  readonly hostConnectionId: number;
}

export class FailoverLink implements EnclaveLink {
  readonly bundle: string;
  readonly #hosts: readonly EnclaveHost[];
  readonly #routes = new Map<number, Routed>();
  /** Per instance: its connection id → the link's. */
  readonly #byHost: Map<number, number>[];
  readonly #dead = new Set<number>();
  #leader: number | undefined;
  #nextConnectionId = 1;
  #frameListeners: FrameListener[] = [];
  #closeListeners: CloseListener[] = [];
  #fatalListeners: ((message: string) => void)[] = [];
  #leaderListeners: ((instance: number) => void)[] = [];

  constructor(hosts: readonly EnclaveHost[]) {
    if (hosts.length < 1 || hosts.length > FAILOVER_LINK_LIMITS.instancesMax) throw new Error(`assertion: 1..${FAILOVER_LINK_LIMITS.instancesMax} enclave instances`);
    if (!hosts.every((host) => host.bundle === hosts[0]!.bundle)) throw new Error('assertion: every instance of a failover pair has one attested identity (provision the standby)');
    this.bundle = hosts[0]!.bundle;
    this.#hosts = hosts;
    this.#byHost = hosts.map(() => new Map());
    for (const [instance, host] of hosts.entries()) {
      host.onFrame((hostConnectionId, frame) => {
        const id = this.#byHost[instance]!.get(hostConnectionId);
        if (id === undefined || this.#routes.get(id)?.instance !== instance) return;
        for (const listener of this.#frameListeners) listener(id, frame);
      });
      host.onClose((hostConnectionId, code) => {
        const id = this.#byHost[instance]!.get(hostConnectionId);
        if (id !== undefined) this.#end(id, code);
      });
      host.onLeader(() => this.#lead(instance));
      host.onFatal(() => this.#lose(instance));
    }
  }

  /** The instance that leads now (undefined between a leader's death and the takeover). */
  get leader(): number | undefined {
    return this.#leader;
  }

  onLeader(listener: (instance: number) => void): void {
    this.#leaderListeners.push(listener);
  }

  openConnection(): number {
    const id = this.#nextConnectionId++;
    const leader = this.#leader;
    if (leader === undefined || this.#routes.size >= FAILOVER_LINK_LIMITS.connectionsMax) {
      // No instance serves right now: the client sees a coded close and reconnects shortly.
      const code = new CodedError('STANDBY_NOT_LEADER', 'no enclave instance leads yet').code;
      queueMicrotask(() => { for (const listener of this.#closeListeners) listener(id, code); });
      return id;
    }
    const hostConnectionId = this.#hosts[leader]!.openConnection();
    this.#routes.set(id, { instance: leader, hostConnectionId });
    this.#byHost[leader]!.set(hostConnectionId, id);
    return id;
  }

  sendFrame(connectionId: number, frame: Uint8Array): void {
    const route = this.#routes.get(connectionId);
    if (route !== undefined && !this.#dead.has(route.instance)) this.#hosts[route.instance]!.sendFrame(route.hostConnectionId, frame);
  }

  close(connectionId: number): void {
    const route = this.#routes.get(connectionId);
    if (route === undefined) return;
    this.#forget(connectionId, route);
    if (!this.#dead.has(route.instance)) this.#hosts[route.instance]!.close(route.hostConnectionId);
  }

  onFrame(listener: FrameListener): void {
    this.#frameListeners.push(listener);
  }

  onClose(listener: CloseListener): void {
    this.#closeListeners.push(listener);
  }

  /** Fires only when no instance is left to take over. */
  onFatal(listener: (message: string) => void): void {
    this.#fatalListeners.push(listener);
  }

  #lead(instance: number): void {
    if (this.#dead.has(instance) || this.#leader === instance) return;
    const previous = this.#leader;
    this.#leader = instance;
    if (previous !== undefined) this.#lose(previous);
    for (const listener of this.#leaderListeners) listener(instance);
  }

  #lose(instance: number): void {
    if (this.#dead.has(instance)) return;
    this.#dead.add(instance);
    if (this.#leader === instance) this.#leader = undefined;
    const code = new CodedError('STANDBY_NOT_LEADER', 'the enclave instance stopped leading').code;
    for (const [id, route] of [...this.#routes]) if (route.instance === instance) this.#end(id, code);
    if (this.#dead.size === this.#hosts.length) for (const listener of this.#fatalListeners) listener('every enclave instance failed');
  }

  #end(id: number, code: number): void {
    const route = this.#routes.get(id);
    if (route === undefined) return;
    this.#forget(id, route);
    for (const listener of this.#closeListeners) listener(id, code);
  }

  #forget(id: number, route: Routed): void {
    this.#routes.delete(id);
    this.#byHost[route.instance]!.delete(route.hostConnectionId);
  }
}
