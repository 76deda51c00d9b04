// One three-node JetStream cluster per test file, on loopback with free ports and a temporary
// directory, stopped and removed after the file's tests even when they fail. A missing
// nats-server fails the tests with the install command (CI installs it), never skips them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../../src/cluster/local-cluster.js';
import { JetStreamLog } from '../../src/cluster/jetstream-log.js';

/** Test clusters die after this even if the test process is killed. */
const TEST_CLUSTER_LIFETIME_SECONDS = 300;

export interface TestCluster {
  readonly cluster: LocalCluster;
  readonly dir: string;
  /** Opens a log on a fresh stream (R3) of this cluster. */
  log(stream: string, appendDeadlineMs?: number): Promise<JetStreamLog>;
}

export function testClusterFixture(): { get(): Promise<TestCluster>; stop(): Promise<void> } {
  let started: Promise<TestCluster> | undefined;
  const logs: JetStreamLog[] = [];
  return {
    get() {
      started ??= (async () => {
        const dir = await mkdtemp(join(tmpdir(), 'nats-cluster-test-'));
        try {
          const cluster = await LocalCluster.start(dir, { lifetimeSeconds: TEST_CLUSTER_LIFETIME_SECONDS });
          return {
            cluster,
            dir,
            async log(stream, appendDeadlineMs) {
              const log = await JetStreamLog.connect({ servers: cluster.servers, stream, subject: `darkpool.test.${stream.toLowerCase()}`, replicas: 3, appendDeadlineMs });
              logs.push(log);
              return log;
            },
          };
        } catch (error) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
      })();
      return started;
    },
    async stop() {
      if (started === undefined) return;
      const fixture = await started.catch(() => undefined);
      for (const log of logs) await log.close().catch(() => undefined);
      if (fixture === undefined) return;
      await fixture.cluster.stop();
      await rm(fixture.dir, { recursive: true, force: true });
    },
  };
}
