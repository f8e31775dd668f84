/**
 * The training curves as one self-contained SVG file (no scripts, no external resources): the
 * per-layer local losses and accuracies of the sigprop monitors per epoch, the global training
 * loss and accuracy, and the test accuracy. The numbers are embedded as JSON in <desc>.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface LayerPoint {
  index: number;
  name: string;
  loss: number | null;
  acc: number | null;
}

/** The means over a stretch of training steps (about a tenth of an epoch). */
export interface TrainPoint {
  /** epochs trained at the end of the stretch (epoch index + fraction of the epoch done) */
  x: number;
  trainLoss: number;
  trainAcc: number;
  layers: LayerPoint[];
}

/** One epoch of history (also stored in the checkpoint). */
export interface EpochRecord {
  epoch: number;
  /** the epoch's training in about ten stretches: the curves' points */
  points?: TrainPoint[];
  trainLoss: number;
  trainAcc: number;
  trainSeconds: number;
  trainSteps: number;
  testLoss: number | null;
  testAcc: number | null;
  testSeconds: number | null;
  layers: LayerPoint[];
  testLayers: LayerPoint[];
  lr: number | null;
}

interface Series {
  label: string;
  color: string;
  dash: string;
  width: number;
  points: [number, number][];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
const num = (x: number): string => (Math.round(x * 100) / 100).toString();

/** Round tick steps: 1, 2, 5 x 10^k, about `count` ticks over [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1, 2, 5 x 10^k between lo and hi (> 0). */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** A round upper bound for an axis that starts at 0 and must show v. */
function niceTop(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const ts = ticks(0, v, 5);
  const step = ts.length > 1 ? ts[1] - ts[0] : v;
  return Math.ceil((v * 1.02) / step) * step;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, series: Series[], xr: [number, number], yr: [number, number], yFmt: (v: number) => string, log = false): string {
  const [xa, xb] = xr;
  const tf = (v: number): number => (log ? Math.log10(v) : v);
  const ya = tf(yr[0]), yb = tf(yr[1]);
  const sx = (v: number): number => x0 + ((v - xa) / (xb - xa || 1)) * w;
  const sy = (v: number): number => y0 + h - ((tf(v) - ya) / (yb - ya || 1)) * h;
  const clampY = (v: number): number => Math.min(yr[1], Math.max(yr[0], v));
  const parts: string[] = [];
  parts.push(`<text x="${num(x0 + w / 2)}" y="${num(y0 - 10)}" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<rect x="${num(x0)}" y="${num(y0)}" width="${num(w)}" height="${num(h)}" fill="#fff" stroke="#999"/>`);
  for (const t of log ? logTicks(yr[0], yr[1]) : ticks(yr[0], yr[1], 5)) {
    parts.push(`<line x1="${num(x0)}" x2="${num(x0 + w)}" y1="${num(sy(t))}" y2="${num(sy(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${num(x0 - 6)}" y="${num(sy(t) + 4)}" text-anchor="end" font-size="11">${esc(yFmt(t))}</text>`);
  }
  const xt = ticks(xa, xb, Math.min(10, Math.max(1, Math.round(xb - xa)))).filter((t) => Number.isInteger(t));
  for (const t of xt) {
    parts.push(`<line x1="${num(sx(t))}" x2="${num(sx(t))}" y1="${num(y0 + h)}" y2="${num(y0 + h + 4)}" stroke="#999"/>`);
    parts.push(`<text x="${num(sx(t))}" y="${num(y0 + h + 17)}" text-anchor="middle" font-size="11">${t}</text>`);
  }
  parts.push(`<text x="${num(x0 + w / 2)}" y="${num(y0 + h + 34)}" text-anchor="middle" font-size="12">epochs trained</text>`);
  for (const s of series) {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${num(sx(x))},${num(sy(clampY(y)))}`).join(' ');
    if (pts.length > 1) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}><title>${esc(s.label)}</title></path>`);
    if (pts.length <= 60) {
      for (const [x, y] of pts) {
        parts.push(`<circle cx="${num(sx(x))}" cy="${num(sy(clampY(y)))}" r="${s.width > 2 ? 3.5 : 2.5}" fill="${s.color}"><title>${esc(`${s.label}, after ${Number(x.toFixed(3))} epoch(s): ${yFmt(y)}`)}</title></circle>`);
      }
    }
  }
  return parts.join('\n');
}

/**
 * The SVG text. `title`: the first line (the command); `subtitle`: a second line. Left panel:
 * losses (per layer from the monitors; the global cross-entropy of the output). Right panel:
 * accuracies (per layer; global train; test, thick).
 */
export function curvesSvg(history: readonly EpochRecord[], title: string, command = ''): string {
  const W = 1100, panelW = 440, panelH = 300, top = 92, left = 70, gap = 110;
  const names = new Map<number, string>();
  for (const r of history) for (const l of r.layers) names.set(l.index, l.name);
  // training values: the stretches of each epoch when recorded, else the epoch's means (at its end)
  const trainPoints: TrainPoint[] = history.flatMap((r) => (r.points && r.points.length ? r.points : [{ x: r.epoch + 1, trainLoss: r.trainLoss, trainAcc: r.trainAcc, layers: r.layers }]));
  const layerIdx = [...names.keys()].sort((a, b) => a - b);
  const colorOf = (i: number): string => PALETTE[i % PALETTE.length];
  const dashOf = (i: number): string => DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
  const layerLabel = (i: number): string => `${i} ${names.get(i)}${i === 0 ? ' (signal)' : ''}`;
  const lossSeries: Series[] = [];
  const accSeries: Series[] = [];
  for (const i of layerIdx) {
    const pick = (k: 'loss' | 'acc'): [number, number][] => trainPoints.flatMap((p) => {
      const l = p.layers.find((x) => x.index === i);
      return l && l[k] !== null ? [[p.x, l[k] as number] as [number, number]] : [];
    });
    lossSeries.push({ label: `layer ${layerLabel(i)}: local loss`, color: colorOf(i), dash: dashOf(i), width: 1.5, points: pick('loss') });
    accSeries.push({ label: `layer ${layerLabel(i)}: local accuracy`, color: colorOf(i), dash: dashOf(i), width: 1.5, points: pick('acc') });
  }
  lossSeries.push({ label: 'output: global cross-entropy (train)', color: '#000', dash: '4 2', width: 2, points: trainPoints.map((p) => [p.x, p.trainLoss]) });
  accSeries.push({ label: 'output: train accuracy', color: '#000', dash: '4 2', width: 2, points: trainPoints.map((p) => [p.x, p.trainAcc]) });
  accSeries.push({ label: 'output: TEST accuracy', color: '#000', dash: '', width: 3, points: history.flatMap((r) => (r.testAcc === null ? [] : [[r.epoch + 1, r.testAcc] as [number, number]])) });

  const xs = trainPoints.map((p) => p.x);
  const xr: [number, number] = xs.length === 0 ? [0, 1] : [Math.min(Math.floor(Math.min(...xs)), history[0].epoch), Math.max(...xs, history[history.length - 1].epoch + 1)];
  const lossVals = lossSeries.flatMap((s) => s.points.map(([, y]) => y)).filter((v) => Number.isFinite(v) && v > 0);
  const lossMin = lossVals.length ? Math.min(...lossVals) : 0.1;
  const lossMax = lossVals.length ? Math.max(...lossVals) : 1;
  // a log axis when the losses span more than a factor of 10 (the local losses of sigprop are much larger than the cross-entropy)
  const logLoss = lossMax / lossMin > 10;
  const yLoss: [number, number] = logLoss ? [10 ** Math.floor(Math.log10(lossMin)), 10 ** Math.ceil(Math.log10(lossMax))] : [0, niceTop(lossMax)];

  const legendRows = [...lossSeries.slice(0, -1).map((s, k) => ({ label: layerLabel(layerIdx[k]), color: s.color, dash: s.dash, width: 1.5 })),
    { label: 'output, training (global loss / accuracy)', color: '#000', dash: '4 2', width: 2 },
    { label: 'output, TEST accuracy (end of each tested epoch)', color: '#000', dash: '', width: 3 }];
  const legendTop = top + panelH + 60;
  const perCol = Math.ceil(legendRows.length / 3);
  const H = legendTop + perCol * 18 + 20;

  const best = history.reduce<EpochRecord | null>((b, r) => (r.testAcc !== null && (b === null || (r.testAcc as number) > (b.testAcc as number)) ? r : b), null);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`);
  parts.push(`<title>${esc(title)}</title>`);
  parts.push(`<desc>${esc(JSON.stringify({ title, command, history }))}</desc>`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fafafa"/>`);
  const last = history.length ? history[history.length - 1] : null;
  const sub = `${history.length} epoch(s)` + (best ? `; test accuracy: best ${best.testAcc?.toFixed(4)} (epoch ${best.epoch}), last ${[...history].reverse().find((r) => r.testAcc !== null)?.testAcc?.toFixed(4)}` : '; test accuracy not measured yet') +
    (last ? `; ${last.trainSeconds.toFixed(1)} s per training epoch` : '');
  parts.push(`<text x="16" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="16" y="44" font-size="12" fill="#444">${esc(sub)}</text>`);
  if (command) parts.push(`<text x="16" y="62" font-size="11" font-family="monospace" fill="#444">${esc(command.length > 160 ? command.slice(0, 157) + '...' : command)}</text>`);
  parts.push(panel(left, top, panelW, panelH, `training loss${logLoss ? ' (log scale)' : ''}`, lossSeries, xr, yLoss, (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 || v === 0 ? v.toFixed(1) : String(Number(v.toPrecision(3)))), logLoss));
  parts.push(panel(left + panelW + gap, top, panelW, panelH, 'accuracy', accSeries, xr, [0, 1], (v) => v.toFixed(2)));
  parts.push(`<text x="${left}" y="${legendTop - 10}" font-size="12" fill="#444">layers: the sigprop monitors (local loss / accuracy of each layer that learns on its own; 0 is the signal); training values are means over about a tenth of an epoch</text>`);
  legendRows.forEach((r, k) => {
    const col = Math.floor(k / perCol), row = k % perCol;
    const x = left + col * 330, y = legendTop + row * 18;
    parts.push(`<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${r.color}" stroke-width="${r.width}"${r.dash ? ` stroke-dasharray="${r.dash}"` : ''}/>`);
    parts.push(`<text x="${x + 38}" y="${y + 4}" font-size="12">${esc(r.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Writes a file atomically (a temporary file in the same folder, then rename). */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
