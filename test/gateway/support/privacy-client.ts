// A trading client in its own process, for the heap-snapshot privacy test: it derives a unique
// client-order-id marker from a seed (so the test process never holds the marker while it
// snapshots its own heap), connects a maker and a taker through the gateway's websocket, and
// keeps trading with marked orders until told to stop. It never prints the marker.
// Usage: node --import tsx privacy-client.ts <gatewayUrl> <seed>; stdin: "funded", "stop".
import { createInterface } from 'node:readline';
import { Prng } from '../../support/prng.js';
import { seedFrom } from '../../support/enclave-trader.js';
import { limitOrder, openSocket, traderOverSocket } from './harness.js';
import { heapMarker } from './heap-marker.js';

const [gatewayUrl, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const MAX_ROUNDS = 10_000;

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  /** Never printed and never sent in clear: it travels only inside sealed frames. */
  const marker = heapMarker(seed);
  const prng = new Prng(seed);
  const bundle = await (await fetch(`${gatewayUrl}/v1/attestation`)).text();
  const maker = await traderOverSocket(await openSocket(gatewayUrl!), seedFrom(prng), bundle);
  const taker = await traderOverSocket(await openSocket(gatewayUrl!), seedFrom(prng), bundle);
  const lines = createInterface({ input: process.stdin });
  let stopped = false;
  const funded = new Promise<void>((resolve) => lines.on('line', (line) => {
    if (line === 'funded') resolve();
    if (line === 'stop') stopped = true;
  }));
  say({ accounts: [maker.trader.account, taker.trader.account] });
  await funded;
  for (let round = 1; round <= MAX_ROUNDS && !stopped; round++) {
    const resting = await maker.trader.ask('order.place', limitOrder('sell', '9.99', '0.1', `${marker}-rest-${round}`));
    const sell = await maker.trader.ask('order.place', limitOrder('sell', '2.50', '0.1', `${marker}-s-${round}`));
    const buy = await taker.trader.ask('order.place', limitOrder('buy', '2.50', '0.1', `${marker}-b-${round}`));
    if (resting.t !== 'result' || sell.t !== 'result' || buy.t !== 'result') {
      say({ error: 'an order was refused' });
      process.exitCode = 1;
      break;
    }
    say({ rounds: round });
  }
  maker.socket.close(1000);
  taker.socket.close(1000);
  lines.close();
}

main().catch((error: unknown) => {
  say({ error: error instanceof Error ? error.name : 'failure' });
  process.exitCode = 1;
});
