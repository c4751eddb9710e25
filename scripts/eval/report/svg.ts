/**
 * Inline SVG plots for the HTML report: no script, no external asset, every label escaped. Each plot is a
 * proportion with its Wilson 95 % interval on a 0–100 % axis.
 */
import escapeHtml from 'escape-html';
import type { Rate } from '../metrics.js';

const e = (s: string): string => escapeHtml(s);

export interface IntervalRow {
  readonly label: string;
  readonly rate: Rate | undefined;
  /** Drawn hollow and marked: too few cases to read. */
  readonly faint?: boolean;
}

/**
 * Horizontal interval plot: one row per label, a dot at the rate and a bar across its 95 % interval; rows with
 * nothing to rate say so.
 */
export function intervalPlot(title: string, rows: readonly IntervalRow[]): string {
  const labelW = 230;
  const plotW = 360;
  const rowH = 22;
  const top = 34;
  const height = top + rows.length * rowH + 24;
  const x = (v: number): number => labelW + v * plotW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelW + plotW + 70}" height="${height}" viewBox="0 0 ${labelW + plotW + 70} ${height}">`,
    `<title>${e(title)}</title>`,
    `<text x="0" y="16" font-size="13" font-weight="bold">${e(title)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 20}" stroke="#ddd"/>`,
      `<text x="${x(tick)}" y="${height - 6}" font-size="10" text-anchor="middle">${tick * 100} %</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    parts.push(
      `<text x="${labelW - 8}" y="${y + 4}" font-size="11" text-anchor="end">${e(r.label)}${r.faint ? ' ⚠' : ''}</text>`,
    );
    const rate = r.rate;
    if (!rate || rate.value === null || !rate.ci95) {
      parts.push(`<text x="${x(0) + 4}" y="${y + 4}" font-size="10" fill="#888">n = 0</text>`);
      return;
    }
    const colour = r.faint ? '#999' : '#1f5fa8';
    parts.push(
      `<line x1="${x(rate.ci95.lower)}" y1="${y}" x2="${x(rate.ci95.upper)}" y2="${y}" stroke="${colour}" stroke-width="3"/>`,
      `<circle cx="${x(rate.value)}" cy="${y}" r="5" fill="${r.faint ? 'white' : colour}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${labelW + plotW + 8}" y="${y + 4}" font-size="10">${rate.k}/${rate.n}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Reliability diagram for an ordinal certainty: for each stated level (left to right, low to high), the share of
 * items judged correct with its interval. The levels are words, not probabilities, so there is no diagonal to
 * meet: a calibrated model's shares rise from level to level.
 */
export function reliabilityDiagram(
  bins: readonly { readonly certainty: string; readonly correct: Rate }[],
): string {
  const w = 420;
  const h = 260;
  const left = 50;
  const bottom = 40;
  const plotH = h - bottom - 30;
  const plotW = w - left - 20;
  const y = (v: number): number => 30 + (1 - v) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    '<title>Reliability diagram: share judged correct by stated certainty</title>',
    '<text x="0" y="16" font-size="13" font-weight="bold">Share judged correct by stated certainty</text>',
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${left}" y1="${y(tick)}" x2="${w - 20}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" font-size="10" text-anchor="end">${tick * 100} %</text>`,
    );
  }
  if (bins.length === 0) {
    parts.push(`<text x="${left + 10}" y="${y(0.5)}" font-size="12" fill="#888">no model items</text>`);
  }
  const step = plotW / Math.max(1, bins.length);
  bins.forEach((b, i) => {
    const cx = left + step * (i + 0.5);
    parts.push(
      `<text x="${cx}" y="${h - bottom + 16}" font-size="11" text-anchor="middle">${e(b.certainty)}</text>`,
      `<text x="${cx}" y="${h - bottom + 30}" font-size="10" text-anchor="middle">n = ${b.correct.n}</text>`,
    );
    const r = b.correct;
    if (r.value === null || !r.ci95) return;
    parts.push(
      `<rect x="${cx - step * 0.25}" y="${y(r.value)}" width="${step * 0.5}" height="${y(0) - y(r.value)}" fill="#c9dcf2"/>`,
      `<line x1="${cx}" y1="${y(r.ci95.lower)}" x2="${cx}" y2="${y(r.ci95.upper)}" stroke="#1f5fa8" stroke-width="2"/>`,
      `<line x1="${cx - 6}" y1="${y(r.ci95.lower)}" x2="${cx + 6}" y2="${y(r.ci95.lower)}" stroke="#1f5fa8" stroke-width="2"/>`,
      `<line x1="${cx - 6}" y1="${y(r.ci95.upper)}" x2="${cx + 6}" y2="${y(r.ci95.upper)}" stroke="#1f5fa8" stroke-width="2"/>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
