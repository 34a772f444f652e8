/**
 * The trade-off chart of `fakit simulate --svg`: for each preset under one profile, the share of app openings
 * refused (x) against the revocation lag (y, log scale): the lag observed on stolen devices (p99) and the plan's
 * figure (A + G). A plain SVG document with axes, labels and a legend, readable when opened in a browser.
 * @see https://www.w3.org/TR/SVG11/
 */
import { formatDuration } from "../lib/duration";

export interface ChartPoint {
  preset: string;
  /** Share of openings refused, 0..1. */
  refusedShare: number;
  /** p99 of the observed revocation lag, seconds; null when no stolen device was revoked in the run. */
  observedLagP99: number | null;
  /** The same, counting what thieves got by switching the device off (the off time no clock counts); null as above. */
  tamperedLagP99: number | null;
  /** The plan's revocation lag (A + G), seconds. */
  planLag: number;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  points: readonly ChartPoint[];
}

const W = 760;
const H = 480;
const M = { left: 90, right: 200, top: 70, bottom: 70 };
const COLORS = ["#1b6ac9", "#d1495b", "#2a9d8f", "#e09f3e", "#6d597a", "#577590"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/** The plot area and the two axes' scales, fitted to the points. */
interface Scales {
  plotW: number;
  plotH: number;
  /** log10 of the top of the y axis, seconds. */
  maxLog: number;
  /** The right end of the x axis, a share. */
  maxShare: number;
  x: (share: number) => number;
  y: (seconds: number) => number;
}

function scalesFor(points: readonly ChartPoint[]): Scales {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const lags = points
    .flatMap((p) => [p.planLag, p.observedLagP99 ?? p.planLag, p.tamperedLagP99 ?? p.planLag])
    .filter((v) => v > 0);
  // Log scale from a minute up to a whole decade above the largest lag; a zero lag sits on the axis.
  const minLog = Math.log10(60);
  const maxLog = Math.max(minLog + 1, Math.ceil(Math.log10(Math.max(60, ...lags)) * 2) / 2);
  const y = (seconds: number) =>
    M.top + plotH - ((Math.log10(Math.max(60, seconds)) - minLog) / (maxLog - minLog)) * plotH;
  const maxShare = Math.min(1, Math.max(0.1, Math.ceil(Math.max(...points.map((p) => p.refusedShare)) * 10) / 10));
  const x = (share: number) => M.left + (share / maxShare) * plotW;
  return { plotW, plotH, maxLog, maxShare, x, y };
}

/** The document's opening tag, background, title and subtitle. */
function renderHeader(input: ChartInput): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${esc(input.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="28" font-size="17" font-weight="bold" fill="#222">${esc(input.title)}</text>`,
    `<text x="${M.left}" y="48" fill="#555">${esc(input.subtitle)}</text>`,
  ];
}

/** The grid, the ticks of both axes, the axes and their labels. */
function renderAxes({ plotW, plotH, maxLog, maxShare, x, y }: Scales): string[] {
  const out: string[] = [];
  // Grid and y ticks at readable durations.
  const ticks = [60, 300, 900, 3600, 6 * 3600, 86_400, 3 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 90 * 86_400];
  for (const t of ticks.filter((v) => Math.log10(v) <= maxLog + 1e-9)) {
    const yy = fmt(y(t));
    out.push(
      `<line x1="${M.left}" y1="${yy}" x2="${M.left + plotW}" y2="${yy}" stroke="#e4e4e4"/>`,
      `<text x="${M.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#333">${t === 60 ? "≤ 1m" : formatDuration(t)}</text>`,
    );
  }
  for (let i = 0; i <= 10; i++) {
    const share = (maxShare * i) / 10;
    const xx = fmt(x(share));
    out.push(
      `<line x1="${xx}" y1="${M.top}" x2="${xx}" y2="${M.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${xx}" y="${M.top + plotH + 20}" text-anchor="middle" fill="#333">${fmt(share * 100)}%</text>`,
    );
  }
  out.push(
    `<line x1="${M.left}" y1="${M.top + plotH}" x2="${M.left + plotW}" y2="${M.top + plotH}" stroke="#222"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + plotH}" stroke="#222"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 22}" text-anchor="middle" fill="#222">share of app openings refused (users' devices)</text>`,
    `<text transform="translate(24 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#222">revocation lag (log scale)</text>`,
  );
  return out;
}

/** One preset's marks: the plan's diamond, the observed dot, the power-off cross and its label, in a group. */
function renderPoint(p: ChartPoint, i: number, { x, y }: Scales): string[] {
  const out: string[] = [];
  const color = COLORS[i % COLORS.length] as string;
  const px = fmt(x(p.refusedShare));
  const planY = fmt(y(p.planLag));
  out.push(
    `<g><title>${esc(`${p.preset}: ${fmt(p.refusedShare * 100)}% refused; plan's lag ${formatDuration(Math.round(p.planLag))}${p.observedLagP99 === null ? "" : `; observed p99 ${formatDuration(Math.round(p.observedLagP99))}`}`)}</title>`,
    `<rect x="${fmt(x(p.refusedShare) - 6)}" y="${fmt(y(p.planLag) - 6)}" width="12" height="12" fill="#ffffff" stroke="${color}" stroke-width="2.5" transform="rotate(45 ${px} ${planY})"/>`,
  );
  if (p.observedLagP99 !== null) {
    const oy = fmt(y(p.observedLagP99));
    out.push(
      `<line x1="${px}" y1="${planY}" x2="${px}" y2="${oy}" stroke="${color}" stroke-dasharray="3 3"/>`,
      `<circle cx="${px}" cy="${oy}" r="6" fill="${color}"/>`,
    );
  }
  if (p.tamperedLagP99 !== null && p.tamperedLagP99 !== p.observedLagP99) {
    const ty = y(p.tamperedLagP99);
    const cx = x(p.refusedShare);
    out.push(
      `<path d="M ${fmt(cx - 6)} ${fmt(ty - 6)} L ${fmt(cx + 6)} ${fmt(ty + 6)} M ${fmt(cx - 6)} ${fmt(ty + 6)} L ${fmt(cx + 6)} ${fmt(ty - 6)}" stroke="${color}" stroke-width="2.5"/>`,
    );
  }
  out.push(
    // Beside the plan's diamond: the presets' plan figures differ, so the labels do not collide.
    `<text x="${fmt(x(p.refusedShare) + 14)}" y="${fmt(y(p.planLag) + 4)}" fill="${color}" font-weight="bold">${esc(p.preset)}</text></g>`,
  );
  return out;
}

/** The legend right of the plot: what each mark means, then one swatch per preset. */
function renderLegend(points: readonly ChartPoint[], { plotW }: Scales): string[] {
  const lx = M.left + plotW + 24;
  const out = [
    `<text x="${lx}" y="${M.top + 4}" font-weight="bold" fill="#222">Legend</text>`,
    `<circle cx="${lx + 8}" cy="${M.top + 26}" r="6" fill="#555"/>`,
    `<text x="${lx + 22}" y="${M.top + 30}" fill="#222">observed lag, p99</text>`,
    `<text x="${lx + 22}" y="${M.top + 46}" fill="#666" font-size="11">(stolen devices)</text>`,
    `<rect x="${lx + 2}" y="${M.top + 58}" width="12" height="12" fill="#fff" stroke="#555" stroke-width="2.5" transform="rotate(45 ${lx + 8} ${M.top + 64})"/>`,
    `<text x="${lx + 22}" y="${M.top + 68}" fill="#222">plan's figure (A + G)</text>`,
    `<path d="M ${lx + 2} ${M.top + 84} L ${lx + 14} ${M.top + 96} M ${lx + 2} ${M.top + 96} L ${lx + 14} ${M.top + 84}" stroke="#555" stroke-width="2.5"/>`,
    `<text x="${lx + 22}" y="${M.top + 94}" fill="#222">p99, with power-off</text>`,
    `<text x="${lx + 22}" y="${M.top + 110}" fill="#666" font-size="11">(thief switched it off)</text>`,
    `<text x="${lx}" y="${M.top + 250}" fill="#666" font-size="11">A dot above its diamond:</text>`,
    `<text x="${lx}" y="${M.top + 265}" fill="#666" font-size="11">degraded mode lasts until</text>`,
    `<text x="${lx}" y="${M.top + 280}" fill="#666" font-size="11">the check-in is due (C).</text>`,
  ];
  points.forEach((p, i) => {
    const yy = M.top + 140 + i * 20;
    out.push(
      `<rect x="${lx + 2}" y="${yy - 9}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${lx + 22}" y="${yy + 1}" fill="#222">${esc(p.preset)}</text>`,
    );
  });
  return out;
}

/** Renders the chart as an SVG document. */
export function renderTradeoffChart(input: ChartInput): string {
  const scales = scalesFor(input.points);
  const out = [
    ...renderHeader(input),
    ...renderAxes(scales),
    ...input.points.flatMap((p, i) => renderPoint(p, i, scales)),
    ...renderLegend(input.points, scales),
    "</svg>",
  ];
  return `${out.join("\n")}\n`;
}
