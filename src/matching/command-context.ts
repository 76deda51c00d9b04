// The mutable state of the command being applied, shared by the matcher and its books so that
// no per-command object is allocated: the stamp, the sink events go to, and the fill and visit
// budgets of the command. The trade id counter lives here too because every book draws from it.
import type { EventSink } from './types.js';

function discard(): void {}

export class CommandContext {
  seq = 0;
  timeMs = 0;
  sink: EventSink = discard;
  fillsLeft = 0;
  visitsLeft = 0;
  nextTradeId = 1;
}
