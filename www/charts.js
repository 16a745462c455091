// Canvas charts that receive plain arrays and never see the search.

function setup(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  return { ctx, width, height };
}

function ticks(lo, hi, n = 5, integer = false) {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / n));
  let nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= n) ?? step * 10;
  if (integer) nice = Math.max(1, Math.round(nice));
  const out = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(+v.toPrecision(6));
  return out;
}

function axes(ctx, box, x, y, xLabel, yLabel, integerX = false) {
  ctx.strokeStyle = '#8884';
  ctx.fillStyle = '#666';
  ctx.lineWidth = 1;
  for (const t of ticks(x.lo, x.hi, 5, integerX)) {
    const px = x.map(t);
    ctx.beginPath();
    ctx.moveTo(px, box.top);
    ctx.lineTo(px, box.bottom);
    ctx.stroke();
    ctx.fillText(String(t), px - 8, box.bottom + 14);
  }
  for (const t of ticks(y.lo, y.hi)) {
    const py = y.map(t);
    ctx.beginPath();
    ctx.moveTo(box.left, py);
    ctx.lineTo(box.right, py);
    ctx.stroke();
    ctx.fillText(String(t), 4, py + 4);
  }
  ctx.fillText(xLabel, box.right - ctx.measureText(xLabel).width, box.bottom + 28);
  ctx.save();
  ctx.translate(12, box.top - 4);
  ctx.fillText(yLabel, 0, 0);
  ctx.restore();
  // Where a legend above the plot may start without running into the axis title.
  box.legendFrom = 12 + ctx.measureText(yLabel).width + 10;
}

/**
 * A legend line right-aligned above the plot; on a narrow plot, where it would run into the axis
 * title, its `short` form, else none.
 */
function legend(ctx, box, text, short = null) {
  const fits = (t) => box.right - ctx.measureText(t).width >= (box.legendFrom ?? box.left);
  const t = fits(text) ? text : short && fits(short) ? short : null;
  if (t) ctx.fillText(t, box.right - ctx.measureText(t).width, box.top - 6);
}

function scale(lo, hi, a, b) {
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  return { lo, hi, map: (v) => a + ((v - lo) / (hi - lo)) * (b - a) };
}

/** [min, max] of `values` and the given bounds, by a loop: spreading a long array into
 * Math.min overflows the call stack. */
function extent(values, lo = Infinity, hi = -Infinity) {
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** A front as steps: from each member across to the next one's cost, then up to its value. */
function steps(ctx, front, x, y, value, right) {
  ctx.beginPath();
  front.forEach((m, i) => {
    const px = x.map(m.cost);
    const py = y.map(value(m));
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, y.map(value(front[i - 1]))), ctx.lineTo(px, py);
  });
  if (front.length) ctx.lineTo(right, y.map(value(front[front.length - 1])));
  ctx.stroke();
}

/**
 * Every evaluated candidate: x cost, y RMI; threshold line, feasible side shaded, best marked;
 * with `front` (cheapest first), the found front of RMI against cost as steps.
 */
export function scatter(canvas, { points, threshold, best, unit, range, front = null, landscape = null }) {
  const { ctx, width, height } = setup(canvas);
  const box = { left: 44, right: width - 10, top: 18, bottom: height - 34 };
  const costs = points.map((p) => p.cost).concat(range ?? [], [threshold]);
  const x = scale(...extent(costs), box.left, box.right);
  const rmis = points.map((p) => p.rmi);
  const y = scale(...extent(rmis, 0, 3), box.bottom, box.top);
  const tx = Math.min(box.right, Math.max(box.left, x.map(threshold)));
  ctx.fillStyle = '#2a9d8f22';
  ctx.fillRect(box.left, box.top, tx - box.left, box.bottom - box.top);
  axes(ctx, box, x, y, `cost (${unit})`, 'RMI (Σ CKA)');
  if (landscape) drawLandscape(ctx, box, x, landscape);
  budgetLine(ctx, box, tx);
  for (const p of points) {
    ctx.fillStyle = p.feasible ? '#264653cc' : '#e76f5188';
    ctx.beginPath();
    ctx.arc(x.map(p.cost), y.map(p.rmi), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (front?.length) {
    ctx.strokeStyle = '#2a9d8f';
    ctx.lineWidth = 2;
    steps(ctx, front, x, y, (m) => m.rmi, box.right);
    ctx.fillStyle = '#2a9d8f';
    for (const m of front) ctx.fillRect(x.map(m.cost) - 3, y.map(m.rmi) - 3, 6, 6);
  }
  if (best) ring(ctx, x.map(best.cost), y.map(best.rmi));
  // Which point a click at (px, py) in CSS pixels meant: the nearest within 10 px, or null.
  return (px, py) => {
    let hit = null;
    let nearest = 10;
    for (const p of points) {
      const d = Math.hypot(x.map(p.cost) - px, y.map(p.rmi) - py);
      if (d <= nearest) [hit, nearest] = [p, d];
    }
    return hit;
  };
}

/**
 * The whole space, faint, behind the candidates: NB201's true accuracy-vs-cost cloud on an axis
 * of its own (right), or, without accuracies, the distribution of costs as a histogram. Drawn once
 * per landscape, size and cost axis into a layer of its own, then copied: 15,625 dots on every
 * progress report would cost the main thread tens of milliseconds.
 */
const landscapeLayers = new WeakMap();

function drawLandscape(ctx, box, x, landscape) {
  const dpr = window.devicePixelRatio || 1;
  const key = `${box.left},${box.right},${box.top},${box.bottom},${x.lo},${x.hi},${dpr}`;
  let layer = landscapeLayers.get(landscape);
  if (layer?.key !== key) {
    const canvas = new OffscreenCanvas(Math.ceil((box.right + 40) * dpr), Math.ceil((box.bottom + 10) * dpr));
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = '11px system-ui, sans-serif';
    paintLandscape(g, box, x, landscape);
    layer = { key, canvas };
    landscapeLayers.set(landscape, layer);
  }
  ctx.drawImage(layer.canvas, 0, 0, layer.canvas.width / dpr, layer.canvas.height / dpr);
}

function paintLandscape(ctx, box, x, { costs, accuracy }) {
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  if (accuracy) {
    // From the 5th percentile of accuracy (the degenerate cells sit far below) to the best.
    const sorted = Float32Array.from(accuracy).sort(); // (once per landscape and size: the layer is kept)
    const lo = Math.floor(sorted[Math.floor(sorted.length * 0.05)]);
    const a = scale(lo, Math.ceil(sorted[sorted.length - 1]), box.bottom, box.top);
    // Straight into the pixels: 15,625 fillRect calls take tens of milliseconds.
    const { width, height } = ctx.canvas;
    const dpr = ctx.getTransform().a;
    const image = ctx.getImageData(0, 0, width, height);
    const pixels = new Uint32Array(image.data.buffer);
    const grey = new Uint32Array(new Uint8ClampedArray([0x9a, 0xa5, 0xab, 0x44]).buffer)[0];
    const [left, right, top, bottom] = [box.left, box.right, box.top, box.bottom].map((v) => Math.round(v * dpr));
    const dot = Math.max(1, Math.round(2 * dpr));
    costs.forEach((c, i) => {
      if (accuracy[i] < lo) return;
      const px = Math.round(x.map(c) * dpr - dot / 2);
      const py = Math.round(a.map(accuracy[i]) * dpr - dot / 2);
      for (let y = Math.max(py, top); y < Math.min(py + dot, bottom); y++) {
        for (let xx = Math.max(px, left); xx < Math.min(px + dot, right); xx++) pixels[y * width + xx] = grey;
      }
    });
    ctx.putImageData(image, 0, 0);
    ctx.restore();
    ctx.fillStyle = '#7b878d';
    for (const t of ticks(a.lo, a.hi, 4)) ctx.fillText(`${t}%`, box.right - 26, a.map(t) + 4);
    legend(ctx, box, 'grey: true CIFAR-10 accuracy of every cell', 'grey: true accuracy');
    return;
  }
  const bins = new Array(60).fill(0);
  const [lo, hi] = [x.lo, x.hi];
  for (const c of costs) bins[Math.min(bins.length - 1, Math.max(0, Math.floor(((c - lo) / (hi - lo || 1)) * bins.length)))]++;
  const most = Math.max(...bins);
  const w = (box.right - box.left) / bins.length;
  ctx.fillStyle = '#9aa5ab44';
  bins.forEach((n, i) => {
    const h = (n / most) * (box.bottom - box.top) * 0.4;
    ctx.fillRect(box.left + i * w, box.bottom - h, w - 1, h);
  });
  ctx.restore();
  ctx.fillStyle = '#7b878d';
  legend(ctx, box, 'grey: how the space\'s costs are spread', 'grey: the space\'s costs');
}

/** The budget: a dashed vertical line at `tx`. */
function budgetLine(ctx, box, tx) {
  ctx.strokeStyle = '#e76f51';
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  ctx.moveTo(tx, box.top);
  ctx.lineTo(tx, box.bottom);
  ctx.stroke();
  ctx.setLineDash([]);
}

function ring(ctx, px, py) {
  ctx.strokeStyle = '#f4a261';
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(px, py, 8, 0, 2 * Math.PI);
  ctx.stroke();
}

/**
 * True CIFAR-10 accuracy against cost: the found front's cells (`found`, `[{cost, accuracy}]`),
 * the whole table's front (`table`, the same shape, or null to leave it out), the budget line and
 * the pick.
 */
export function truthFront(canvas, { found, table, threshold, pick, unit, range }) {
  const { ctx, width, height } = setup(canvas);
  const box = { left: 44, right: width - 10, top: 18, bottom: height - 34 };
  const x = scale(...extent(found.map((p) => p.cost).concat(range ?? [], [threshold])), box.left, box.right);
  // From a little below the found cells (or the table's front's knee) to the best accuracy; a
  // front's degenerate cheapest cells (10 %: chance) would squash the rest, so the axis stops at
  // 80 % and those sit on its floor.
  const floor = 80;
  const accs = found.map((p) => p.accuracy).concat((table ?? []).map((p) => p.accuracy)).filter((a) => a >= floor);
  const [lo, hi] = extent(accs, 90, 90);
  const y = scale(Math.floor(lo - 0.5), Math.ceil(hi + 0.2), box.bottom, box.top);
  const tx = Math.min(box.right, Math.max(box.left, x.map(threshold)));
  ctx.fillStyle = '#2a9d8f22';
  ctx.fillRect(box.left, box.top, tx - box.left, box.bottom - box.top);
  axes(ctx, box, x, y, `cost (${unit})`, 'CIFAR-10 accuracy (%)');
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  if (table) {
    ctx.strokeStyle = '#8888';
    ctx.lineWidth = 1.5;
    steps(ctx, table, x, y, (m) => m.accuracy, box.right);
  }
  budgetLine(ctx, box, tx);
  ctx.fillStyle = '#264653';
  const at = (acc) => y.map(Math.max(acc, y.lo));
  for (const p of found) {
    ctx.beginPath();
    ctx.arc(x.map(p.cost), at(p.accuracy), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (pick) ring(ctx, x.map(pick.cost), at(pick.accuracy));
  ctx.restore();
  if (table) {
    ctx.fillStyle = '#888';
    legend(ctx, box, '— true front of all cells', '— true front');
  }
}

/** Best and mean fitness per generation. */
export function lines(canvas, history) {
  const { ctx, width, height } = setup(canvas);
  const box = { left: 44, right: width - 10, top: 18, bottom: height - 34 };
  const n = Math.max(1, history.length - 1);
  const values = history.flatMap((h) => [h.bestFitness, h.meanFitness]);
  const x = scale(0, n, box.left, box.right);
  const y = scale(...extent(values, 0, 1), box.bottom, box.top);
  axes(ctx, box, x, y, 'generation', 'fitness', true);
  for (const [key, color] of [['bestFitness', '#264653'], ['meanFitness', '#2a9d8f']]) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    history.forEach((h, i) => (i ? ctx.lineTo(x.map(i), y.map(h[key])) : ctx.moveTo(x.map(i), y.map(h[key]))));
    ctx.stroke();
    ctx.fillStyle = color;
    history.forEach((h, i) => ctx.fillRect(x.map(i) - 2, y.map(h[key]) - 2, 4, 4));
  }
  ctx.fillStyle = '#264653';
  ctx.fillText('— best', box.right - 100, box.top - 6);
  ctx.fillStyle = '#2a9d8f';
  ctx.fillText('— mean', box.right - 50, box.top - 6);
}

/** One candidate's training: Σ CKA and the loss at each step, the step being watched marked. */
export function curveChart(canvas, curve, step) {
  const { ctx, width, height } = setup(canvas);
  const box = { left: 44, right: width - 10, top: 18, bottom: height - 34 };
  const x = scale(0, Math.max(1, curve.length - 1), box.left, box.right);
  const y = scale(...extent(curve.map((r) => r.loss), 0, 3), box.bottom, box.top);
  axes(ctx, box, x, y, 'training step', 'Σ CKA, loss', true);
  for (const [value, color] of [[(r) => r.rmi, '#264653'], [(r) => r.loss, '#e76f51']]) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    curve.forEach((r, i) => (i ? ctx.lineTo(x.map(r.step), y.map(value(r))) : ctx.moveTo(x.map(r.step), y.map(value(r)))));
    ctx.stroke();
  }
  if (curve[step]) {
    ctx.strokeStyle = '#f4a261';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x.map(step), box.top);
    ctx.lineTo(x.map(step), box.bottom);
    ctx.stroke();
  }
  ctx.fillStyle = '#264653';
  ctx.fillText('— Σ CKA', box.right - 110, box.top - 6);
  ctx.fillStyle = '#e76f51';
  ctx.fillText('— loss', box.right - 50, box.top - 6);
}
