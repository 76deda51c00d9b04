// Plain-text tables for the CLI: left-aligned text, right-aligned numbers, one header rule,
// so orders, fills and balances read at a glance in a terminal and diff cleanly in scripts.

export type Cell = string | number | undefined;

const NUMERIC = /^-?[0-9]+(\.[0-9]+)?$/;
/** Longest cell shown; longer ones are cut with an ellipsis so a row stays one line. */
export const MAX_CELL_CHARS = 66;

function text(cell: Cell): string {
  if (cell === undefined) return '-';
  const value = String(cell);
  return value.length > MAX_CELL_CHARS ? `${value.slice(0, MAX_CELL_CHARS - 1)}…` : value;
}

/** Renders rows under headers; "(none)" when there are no rows. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => headers.map((_, index) => text(row[index])));
  const widths = headers.map((header, index) => Math.max(header.length, ...cells.map((row) => row[index]!.length)));
  const numeric = headers.map((_, index) => cells.length > 0 && cells.every((row) => NUMERIC.test(row[index]!) || row[index] === '-'));
  const line = (row: readonly string[]): string => row.map((cell, index) => (numeric[index] ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!))).join('  ').trimEnd();
  const out = [line(headers), line(widths.map((width) => '-'.repeat(width)))];
  if (cells.length === 0) out.push('(none)');
  for (const row of cells) out.push(line(row));
  return out.join('\n');
}

/** One "key: value" per line, keys aligned. */
export function fields(entries: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${text(value)}`).join('\n');
}
