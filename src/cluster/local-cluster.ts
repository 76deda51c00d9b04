// Starts and stops a three-node NATS JetStream cluster on loopback, each node with its own
// store directory: for `npm run cluster:local`, the cluster tests and the cluster benchmark.
// It is operator tooling on the untrusted side; it never sees anything but process handles.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CodedError } from '../errors/index.js';

export const CLUSTER_LIMITS = {
  nodes: 3,
  /** A node must accept client connections within this after it is spawned. */
  nodeListenTimeoutMs: 20_000,
  /** SIGTERM, then SIGKILL after this. */
  nodeStopTimeoutMs: 5_000,
  /** Lines of a node's log kept for error messages. */
  logLinesKept: 200,
  /** Default lifetime of a node: a watchdog kills it then, or within a second of its parent dying. */
  nodeLifetimeSecondsDefault: 900,
  nodeLifetimeSecondsMax: 7 * 24 * 3600,
} as const;

/**
 * Kills node $2 once its parent $1 is gone or $3 seconds have passed; exits when the node does.
 * It runs detached, so a SIGKILLed test run or script leaves no JetStream node behind.
 */
const WATCHDOG_SCRIPT = 'i=0; while [ "$i" -lt "$3" ] && kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; i=$((i+1)); done; kill -9 "$2" 2>/dev/null; exit 0';

export interface NodePorts {
  readonly clientPort: number;
  readonly clusterPort: number;
}

export interface ClusterNodeSpec extends NodePorts {
  readonly name: string;
  readonly storeDir: string;
}

/** The nats-server configuration of one node; routes name every node's cluster port. */
export function renderNodeConfig(node: ClusterNodeSpec, all: readonly NodePorts[], clusterName = 'darkpool'): string {
  const routes = all.map((peer) => `    "nats-route://127.0.0.1:${peer.clusterPort}"`).join('\n');
  return [
    `# JetStream node ${node.name} of a ${all.length}-node cluster on loopback (see docs/cluster.md).`,
    `server_name: "${node.name}"`,
    `listen: "127.0.0.1:${node.clientPort}"`,
    'jetstream {',
    `  store_dir: "${node.storeDir}"`,
    '  max_memory_store: 64MB',
    '  max_file_store: 4GB',
    '}',
    'cluster {',
    `  name: "${clusterName}"`,
    `  listen: "127.0.0.1:${node.clusterPort}"`,
    '  routes: [',
    routes,
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** Where Debian's package puts nats-server; a user's PATH often lacks the sbin directories. */
const SBIN_DIRECTORIES = '/usr/local/sbin:/usr/sbin';

/** The nats-server executable, or CLUSTER_NATS_SERVER_MISSING naming how to install it. */
export function natsServerPath(searchPath = `${process.env.PATH ?? ''}:${SBIN_DIRECTORIES}`): string {
  const found = spawnSync('/bin/sh', ['-c', 'command -v nats-server'], { encoding: 'utf8', env: { PATH: searchPath } });
  const path = found.stdout.trim();
  if (found.status !== 0 || path.length === 0) {
    throw new CodedError('CLUSTER_NATS_SERVER_MISSING', 'nats-server is not on PATH: apt-get install -y nats-server');
  }
  return path;
}

/** A free loopback TCP port (the OS picks it; another process may still take it before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface RunningNode {
  readonly spec: ClusterNodeSpec;
  readonly configPath: string;
  process: ChildProcess | undefined;
  log: string[];
}

export interface LocalClusterOptions {
  /** Fixed client and cluster ports per node; free ones when omitted. */
  readonly ports?: readonly NodePorts[];
  readonly lifetimeSeconds?: number;
}

export class LocalCluster {
  readonly #nodes: RunningNode[];
  readonly #binary: string;
  readonly #lifetimeSeconds: number;
  readonly #killOnExit = (): void => {
    for (const node of this.#nodes) node.process?.kill('SIGKILL');
  };

  private constructor(binary: string, nodes: RunningNode[], lifetimeSeconds: number) {
    if (!Number.isSafeInteger(lifetimeSeconds) || lifetimeSeconds < 1 || lifetimeSeconds > CLUSTER_LIMITS.nodeLifetimeSecondsMax) {
      throw new CodedError('CLUSTER_CONFIG_INVALID', `lifetimeSeconds must be 1..${CLUSTER_LIMITS.nodeLifetimeSecondsMax}`);
    }
    this.#binary = binary;
    this.#nodes = nodes;
    this.#lifetimeSeconds = lifetimeSeconds;
    process.once('exit', this.#killOnExit);
  }

  /**
   * Writes a config per node under `baseDir` (store directories beside them) and starts the
   * nodes. Ports default to free ones; give fixed ports for a cluster others connect to.
   */
  static async start(baseDir: string, options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const binary = natsServerPath();
    const chosen: NodePorts[] = options.ports !== undefined ? [...options.ports] : [];
    while (chosen.length < CLUSTER_LIMITS.nodes) chosen.push({ clientPort: await freePort(), clusterPort: await freePort() });
    const nodes: RunningNode[] = [];
    for (const [index, portPair] of chosen.entries()) {
      const name = `n${index + 1}`;
      const spec: ClusterNodeSpec = { name, ...portPair, storeDir: join(baseDir, name, 'store') };
      await mkdir(spec.storeDir, { recursive: true });
      const configPath = join(baseDir, name, 'nats.conf');
      await writeFile(configPath, renderNodeConfig(spec, chosen));
      nodes.push({ spec, configPath, process: undefined, log: [] });
    }
    return LocalCluster.#launch(binary, nodes, options.lifetimeSeconds);
  }

  /** Starts nodes from existing config files (the shipped cluster/*.conf). */
  static async startFromConfigs(configs: readonly { readonly name: string; readonly path: string; readonly clientPort: number }[], lifetimeSeconds?: number): Promise<LocalCluster> {
    const binary = natsServerPath();
    const nodes: RunningNode[] = configs.map((config) => ({
      spec: { name: config.name, clientPort: config.clientPort, clusterPort: 0, storeDir: '' }, configPath: config.path, process: undefined, log: [],
    }));
    return LocalCluster.#launch(binary, nodes, lifetimeSeconds);
  }

  static async #launch(binary: string, nodes: RunningNode[], lifetimeSeconds: number = CLUSTER_LIMITS.nodeLifetimeSecondsDefault): Promise<LocalCluster> {
    const cluster = new LocalCluster(binary, nodes, lifetimeSeconds);
    try {
      await Promise.all(nodes.map((node) => cluster.#spawn(node)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get nodeNames(): string[] {
    return this.#nodes.map((node) => node.spec.name);
  }

  /** Client URLs of every node, for a connection that fails over between them. */
  get servers(): string[] {
    return this.#nodes.map((node) => `nats://127.0.0.1:${node.spec.clientPort}`);
  }

  pidOf(name: string): number | undefined {
    return this.#node(name).process?.pid;
  }

  /** The last lines a node printed, for failure messages. */
  logOf(name: string): string {
    return this.#node(name).log.join('\n');
  }

  /** Sends a signal to one node (SIGKILL to simulate a crash) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const node = this.#node(name);
    const child = node.process;
    if (child === undefined) return;
    await stopChild(child, signal);
    node.process = undefined;
  }

  /** Starts a stopped node again with its store directory as it was left. */
  async restart(name: string): Promise<void> {
    const node = this.#node(name);
    if (node.process !== undefined) throw new Error(`assertion: node ${name} is running`);
    await this.#spawn(node);
  }

  /** Stops every node (SIGTERM, then SIGKILL after a bound). */
  async stop(): Promise<void> {
    process.off('exit', this.#killOnExit);
    await Promise.all(this.#nodes.map(async (node) => {
      const child = node.process;
      node.process = undefined;
      if (child !== undefined) await stopChild(child, 'SIGTERM');
    }));
  }

  #node(name: string): RunningNode {
    const node = this.#nodes.find((candidate) => candidate.spec.name === name);
    if (node === undefined) throw new Error(`assertion: no node ${name}`);
    return node;
  }

  #spawn(node: RunningNode): Promise<void> {
    const child = spawn(this.#binary, ['-c', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    node.process = child;
    if (child.pid !== undefined) {
      const watchdog = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'watchdog', String(process.pid), String(child.pid), String(this.#lifetimeSeconds)], { detached: true, stdio: 'ignore' });
      watchdog.unref();
    }
    node.log = [];
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.length > 0) node.log.push(line);
      if (node.log.length > CLUSTER_LIMITS.logLinesKept) node.log.splice(0, node.log.length - CLUSTER_LIMITS.logLinesKept);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new CodedError('CLUSTER_LOG_UNAVAILABLE', `node ${node.spec.name} did not listen within ${CLUSTER_LIMITS.nodeListenTimeoutMs} ms:\n${node.log.join('\n')}`)), CLUSTER_LIMITS.nodeListenTimeoutMs);
      const listening = (): void => {
        if (!node.log.some((line) => line.includes('Listening for client connections'))) return;
        clearTimeout(timer);
        child.stdout?.off('data', listening);
        child.stderr?.off('data', listening);
        resolve();
      };
      const fail = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      child.stdout?.on('data', listening);
      child.stderr?.on('data', listening);
      child.once('exit', (code, signal) => {
        if (node.process === child) node.process = undefined;
        fail(new CodedError('CLUSTER_LOG_UNAVAILABLE', `node ${node.spec.name} exited (${signal ?? code}):\n${node.log.join('\n')}`));
      });
    });
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CLUSTER_LIMITS.nodeStopTimeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
