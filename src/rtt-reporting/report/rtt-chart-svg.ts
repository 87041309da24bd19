import { RTT_BAND_COUNT, rttBandLabel } from '../clock/waits.js';

export interface WeekBandChartInput {
  title: string;
  subtitle: string;
  /** 105 incomplete-pathway counts, index 0 = ">0-1 weeks". */
  bands: number[];
  /** The service's own target, drawn as a second line when it differs from 18 weeks. */
  targetWeeks?: number | null;
  footnote?: string;
}

const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const pow = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (n <= m * pow) return m * pow;
  return 10 * pow;
}

/**
 * A self-contained SVG bar chart of incomplete pathways by week band, with the 18-week line (and
 * the service's own target line), for the dashboard and board papers. Accessible: it has a title,
 * a description stating the figures, and a text alternative per bar.
 */
export function renderWeekBandChart(c: WeekBandChartInput): string {
  if (c.bands.length !== RTT_BAND_COUNT) {
    throw new RangeError(`expected ${RTT_BAND_COUNT} band counts`);
  }
  const W = 960;
  const H = 420;
  const left = 64;
  const right = 24;
  const top = 72;
  const bottom = 70;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const barW = plotW / RTT_BAND_COUNT;
  const total = c.bands.reduce((a, b) => a + b, 0);
  const within18 = c.bands.slice(0, 18).reduce((a, b) => a + b, 0);
  const max = niceMax(Math.max(...c.bands));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const xAtWeeks = (weeks: number) => left + Math.min(weeks, RTT_BAND_COUNT) * barW;
  const percent =
    total === 0 ? 'no pathways' : `${((within18 / total) * 100).toFixed(1)}% within 18 weeks`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" font-family="Arial, Helvetica, sans-serif">`,
    `<title id="chart-title">${esc(c.title)}</title>`,
    `<desc id="chart-desc">${esc(`${c.subtitle}. ${total} incomplete pathways with a known clock start, ${percent}.`)}</desc>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${left}" y="28" font-size="18" font-weight="bold" fill="#212b32">${esc(c.title)}</text>`,
    `<text x="${left}" y="50" font-size="13" fill="#4c6272">${esc(`${c.subtitle} · ${total} waiting · ${percent}`)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d8dde0" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#4c6272">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`,
    );
  }
  c.bands.forEach((n, i) => {
    if (n === 0) return;
    const colour = i < 18 ? '#005eb8' : i < 52 ? '#ffb81c' : '#d5281b';
    parts.push(
      `<rect x="${(left + i * barW + 0.5).toFixed(1)}" y="${y(n).toFixed(1)}" width="${Math.max(barW - 1, 1).toFixed(1)}" height="${(top + plotH - y(n)).toFixed(1)}" fill="${colour}"><title>${esc(`${rttBandLabel(i + 1)} weeks: ${n}`)}</title></rect>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#212b32" stroke-width="1"/>`,
  );
  for (const weeks of [0, 18, 52, 78, 104]) {
    parts.push(
      `<text x="${xAtWeeks(weeks).toFixed(1)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle" fill="#4c6272">${weeks}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${H - 30}" font-size="12" text-anchor="middle" fill="#212b32">Weeks waited at the census date (NHS England week bands)</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="#212b32">Incomplete pathways</text>`,
  );
  const line = (weeks: number, label: string, dash: string) => {
    const x = xAtWeeks(weeks).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top - 8}" y2="${top + plotH}" stroke="#212b32" stroke-width="2" stroke-dasharray="${dash}"/>`,
      `<text x="${(Number(x) + 4).toFixed(1)}" y="${top - 10}" font-size="11" fill="#212b32">${esc(label)}</text>`,
    );
  };
  line(18, '18 weeks', '6 3');
  if (c.targetWeeks && c.targetWeeks !== 18) {
    line(c.targetWeeks, `Target ${c.targetWeeks} weeks`, '2 3');
  }
  if (c.footnote) {
    parts.push(
      `<text x="${left}" y="${H - 10}" font-size="10" fill="#4c6272">${esc(c.footnote)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
