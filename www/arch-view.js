// Drawings of an architecture from its layout (the library's `archLayout`: one entry per gene):
// the NAS-Bench-201 cell as a 4-node DAG with labelled edges, or the FBNet network as a strip of
// 22 blocks.

const SVG = 'http://www.w3.org/2000/svg';
const OP_STYLE = {
  none: { label: 'none', color: '#bbb', dash: '4 4' },
  skip_connect: { label: 'skip', color: '#6c757d' },
  nor_conv_1x1: { label: 'conv 1×1', color: '#2a9d8f' },
  nor_conv_3x3: { label: 'conv 3×3', color: '#264653' },
  avg_pool_3x3: { label: 'avg pool', color: '#e9c46a' },
};

function el(name, attrs, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent?.appendChild(e);
  return e;
}

/** `edges`: [{op, from, to}] in gene order. */
export function drawNb201(container, arch, edges) {
  container.replaceChildren();
  const svg = el('svg', { viewBox: '0 0 420 170', role: 'img', 'aria-label': `cell ${arch}` }, container);
  const pos = [[30, 120], [150, 40], [270, 120], [390, 40]];
  edges.forEach(({ op, from, to }, i) => {
    const style = OP_STYLE[op] ?? OP_STYLE.none;
    const [x1, y1] = pos[from];
    const [x2, y2] = pos[to];
    const bend = to - from > 1 ? (from === 0 && to === 3 ? 70 : 45) * (i % 2 ? 1 : -1) : 0;
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2 + bend;
    el('path', { d: `M${x1},${y1} Q${mx},${my} ${x2},${y2}`, fill: 'none', stroke: style.color, 'stroke-width': 3, 'stroke-dasharray': style.dash ?? '' }, svg);
    const t = el('text', { x: mx, y: (y1 + y2) / 2 + bend / 2 - 4, 'text-anchor': 'middle', class: 'edge-label' }, svg);
    t.textContent = style.label;
  });
  pos.forEach(([x, y], i) => {
    el('circle', { cx: x, cy: y, r: 16, class: 'node' }, svg);
    const t = el('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'node-label' }, svg);
    t.textContent = i === 0 ? 'in' : i === 3 ? 'out' : String(i);
  });
}

/** `layers`: [{op, kernel?, expansion?, groups?}]; a layer without a kernel is a skip. */
export function drawFbnet(container, arch, layers) {
  container.replaceChildren();
  const strip = document.createElement('div');
  strip.className = 'fbnet-strip';
  strip.setAttribute('role', 'img');
  strip.setAttribute('aria-label', `FBNet layers ${arch}`);
  layers.forEach(({ op, kernel, expansion }, i) => {
    const b = document.createElement('div');
    b.className = `block ${kernel ? `k${kernel}` : 'skip'}`;
    b.style.height = `${24 + (expansion ?? 0) * 8}px`;
    b.title = `layer ${i}: ${op}`;
    b.textContent = op.replaceAll('_', ' ');
    strip.appendChild(b);
  });
  container.appendChild(strip);
}

export function drawArch(container, space, arch, layout) {
  if (!arch) return container.replaceChildren();
  (space === 'nb201' ? drawNb201 : drawFbnet)(container, arch, layout);
}
