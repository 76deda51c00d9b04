// The latency-against-load plot as a hand-written SVG (no plotting dependency): ack latency
// p50, p99 and p99.9 over the offered rates of a sweep, both axes logarithmic (the rates of a
// sweep span decades, and the percentiles orders of magnitude once the engine saturates),
// with the p99 target line.
export interface PlotRow {
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  readonly ackP50Us: number;
  readonly ackP99Us: number;
  readonly ackP999Us: number;
}

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { left: 80, right: 170, top: 40, bottom: 60 } as const;
const SERIES = [
  { key: 'ackP50Us', label: 'p50', color: '#2b8a3e' },
  { key: 'ackP99Us', label: 'p99', color: '#e8590c' },
  { key: 'ackP999Us', label: 'p99.9', color: '#c92a2a' },
] as const;

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[char]!);
}

function formatUs(us: number): string {
  if (us >= 1_000_000) return `${us / 1_000_000} s`;
  if (us >= 1_000) return `${us / 1_000} ms`;
  return `${us} µs`;
}

/** An SVG document; rows in any order (plotted by offered rate). */
export function latencyPlotSvg(rows: readonly PlotRow[], title: string, targetP99Us: number): string {
  if (rows.length === 0) throw new Error('assertion: a plot needs at least one row');
  const sorted = [...rows].sort((a, b) => a.offeredPerSec - b.offeredPerSec);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const lowRateLog = Math.log10(sorted[0]!.offeredPerSec / 1.3);
  const highRateLog = Math.log10(sorted.at(-1)!.offeredPerSec * 1.15);
  const values = sorted.flatMap((row) => [row.ackP50Us, row.ackP99Us, row.ackP999Us, targetP99Us]).map((value) => Math.max(1, value));
  const lowDecade = Math.floor(Math.log10(Math.min(...values)));
  const highDecade = Math.max(lowDecade + 1, Math.ceil(Math.log10(Math.max(...values))));
  const x = (rate: number): number => MARGIN.left + ((Math.log10(rate) - lowRateLog) / (highRateLog - lowRateLog)) * plotWidth;
  const y = (us: number): number => MARGIN.top + plotHeight - ((Math.log10(Math.max(1, us)) - lowDecade) / (highDecade - lowDecade)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let decade = lowDecade; decade <= highDecade; decade++) {
    const value = 10 ** decade;
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end">${formatUs(value)}</text>`);
  }
  for (const row of sorted) {
    parts.push(`<line x1="${x(row.offeredPerSec).toFixed(1)}" x2="${x(row.offeredPerSec).toFixed(1)}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(row.offeredPerSec).toFixed(1)}" y="${MARGIN.top + plotHeight + 20}" text-anchor="middle">${row.offeredPerSec.toLocaleString('en')}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 15}" text-anchor="middle">offered load (encrypted orders/s, log scale)</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">order→ack latency (from scheduled send)</text>`);
  const targetY = y(targetP99Us).toFixed(1);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${targetY}" y2="${targetY}" stroke="#555" stroke-dasharray="6 4"/>`);
  SERIES.forEach((series, index) => {
    const points = sorted.map((row) => `${x(row.offeredPerSec).toFixed(1)},${y(row[series.key]).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points.join(' ')}"/>`);
    for (const point of points) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${series.color}"/>`);
    }
    const legendY = MARGIN.top + 10 + index * 20;
    parts.push(`<line x1="${WIDTH - MARGIN.right + 20}" x2="${WIDTH - MARGIN.right + 45}" y1="${legendY}" y2="${legendY}" stroke="${series.color}" stroke-width="2"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right + 52}" y="${legendY + 4}">ack ${series.label}</text>`);
  });
  const legendY = MARGIN.top + 10 + SERIES.length * 20;
  parts.push(`<line x1="${WIDTH - MARGIN.right + 20}" x2="${WIDTH - MARGIN.right + 45}" y1="${legendY}" y2="${legendY}" stroke="#555" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${WIDTH - MARGIN.right + 52}" y="${legendY + 4}">p99 target ${formatUs(targetP99Us)}</text>`);
  sorted.forEach((row, index) => {
    parts.push(`<text x="${WIDTH - MARGIN.right + 20}" y="${legendY + 40 + index * 16}" font-size="11">${row.offeredPerSec.toLocaleString('en')} → ${row.achievedPerSec.toLocaleString('en')}/s</text>`);
  });
  parts.push(`<text x="${WIDTH - MARGIN.right + 20}" y="${legendY + 24}" font-size="11">offered → achieved</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
