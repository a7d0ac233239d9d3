// SVG drawings: the message sequence chart of the path, and the neighbourhood graph.

export const PALETTE = {
  '0-valent': '#56B4E9',
  '1-valent': '#E69F00',
  bivalent: '#CC79A7',
  none: '#BBBBBB',
  unknown: '#FFFFFF',
};
export const VERMILLION = '#D55E00';
export const DECIDED = { 0: '#56B4E9', 1: '#E69F00' };

const NS = 'http://www.w3.org/2000/svg';

export function el(name, attrs = {}, ...children) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

const title = (text) => el('title', {}, text);

function clear(svg) {
  while (svg.firstChild) svg.firstChild.remove();
}

function defs(svg) {
  const d = el('defs');
  const head = (id, fill, stroke) => el('marker', {
    id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse',
  }, el('path', { d: 'M0,0 L10,5 L0,10 z', fill, stroke, 'stroke-width': 1.2 }));
  d.append(head('ah', '#333', 'none'), head('ah-pending', '#fff', '#777'),
    head('ah-e', VERMILLION, 'none'), head('ah-nb', '#666', 'none'), head('ah-nb-e', VERMILLION, 'none'));
  svg.append(d);
}

/** The line height of the labels of messages in transit to one process: stacked one per line. */
const PENDING_LINE = 13;

/** Room at the bottom of the chart for `most` stacked labels of messages in transit to one process. */
function stackRoom(svg, width, height, most) {
  const h = height + Math.max(0, most - 1) * PENDING_LINE;
  svg.setAttribute('viewBox', `0 0 ${width} ${h}`);
  svg.setAttribute('height', h);
}

export const sameEvent = (a, b) => !!a && !!b && a[0] === b[0] && JSON.stringify(a[1]) === JSON.stringify(b[1]);

/**
 * The message sequence chart of the path to `config`.
 * opts: {overlay: {cycleStart, cycleLen, crashed, crashAt} | null, markEvent: [pid, payload] | null,
 *        onStep(i): navigate to the prefix of length i}
 */
export function drawMsc(svg, config, opts = {}) {
  clear(svg);
  defs(svg);
  const n = config.states.length;
  const steps = config.steps;
  const depth = steps.length;
  const colW = n <= 3 ? 84 : n <= 5 ? 64 : 48;
  const left = 72;
  const right = 34;
  const top = 46;
  const rowH = 30;
  const pendingH = 36;
  const x = (p) => left + colW * p + colW / 2;
  const y = (i) => top + 14 + i * rowH;
  const width = left + colW * n + right;
  const yEnd = y(depth) + pendingH;
  const height = yEnd + 16;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  const ov = opts.overlay || null;
  const crashed = new Set(ov ? ov.crashed || [] : []);
  const crashAt = ov && ov.crashAt !== null && ov.crashAt !== undefined ? ov.crashAt : null;
  // payloads as the model prints them (format_payload), read off the server's texts
  const received = (s) => s.label.slice(s.label.indexOf(':') + 1);

  // rows: clickable bands, the current one highlighted
  const rows = el('g', { class: 'msc-rows' });
  for (let i = 0; i <= depth; i++) {
    const band = el('rect', {
      x: 0, y: y(i) - rowH / 2, width, height: rowH,
      class: 'msc-row' + (i === depth ? ' current' : ''), 'data-step': i,
      'data-testid': `msc-row-${i}`,
    }, title(i === 0 ? `I(${config.inputs}): go back to the initial configuration`
      : `step ${i}: ${steps[i - 1].text} — go to this configuration`));
    band.addEventListener('click', () => opts.onStep && opts.onStep(i));
    rows.append(band);
  }
  svg.append(rows);

  // the cycle of a lasso, bracketed on the left (one bracket per turn shown)
  if (ov && ov.cycleStart !== null && ov.cycleStart !== undefined && ov.cycleLen > 0) {
    const g = el('g', { class: 'msc-cycle', 'data-testid': 'msc-cycle' });
    for (let s = ov.cycleStart, turn = 1; s < depth; s += ov.cycleLen, turn++) {
      const e = Math.min(s + ov.cycleLen, depth);
      const y0 = y(s) + 3;
      const y1 = y(e) - 3;
      const full = e - s === ov.cycleLen;
      g.append(el('path', {
        d: `M27,${y0} h-7 v${y1 - y0} h7`, fill: 'none', stroke: '#444', 'stroke-width': 1.6,
        'stroke-dasharray': full ? null : '3 2',
      }));
      g.append(el('text', {
        x: 14, y: (y0 + y1) / 2, class: 'msc-cycle-label',
        transform: `rotate(-90 14 ${(y0 + y1) / 2})`, 'text-anchor': 'middle', dy: '0.1em',
      }, turn === 1 ? 'cycle ↻' : `turn ${turn}`));
    }
    svg.append(g);
  }

  // step numbers and the valence of the configuration after each step
  const gutter = el('g', { class: 'msc-gutter' });
  for (let i = 0; i <= depth; i++) {
    const v = i === 0 ? config.initial_valence : steps[i - 1].valence;
    gutter.append(el('text', { x: 48, y: y(i), 'text-anchor': 'end', dy: '0.35em', class: 'msc-stepno' },
      i === 0 ? 'I' : String(i)));
    gutter.append(el('rect', {
      x: 53, y: y(i) - 6, width: 12, height: 12, rx: 3, fill: PALETTE[v] || '#fff',
      stroke: v === 'unknown' ? '#888' : '#0003', 'stroke-dasharray': v === 'unknown' ? '2 2' : null,
      class: 'msc-valence', 'data-valence': v, 'data-testid': `msc-valence-${i}`,
    }, title(v)));
  }
  svg.append(gutter);

  // header: process names and inputs; lifelines
  const inputs = config.inputs;
  for (let p = 0; p < n; p++) {
    const dead = crashed.has(p);
    svg.append(el('text', { x: x(p), y: 16, 'text-anchor': 'middle', class: 'msc-pname' + (dead ? ' dead' : '') },
      `p${p}`));
    svg.append(el('text', { x: x(p), y: 32, 'text-anchor': 'middle', class: 'msc-input' }, `x=${inputs[p]}`));
    const cy = dead ? y(crashAt || 0) : yEnd;
    svg.append(el('line', { x1: x(p), y1: top, x2: x(p), y2: cy, class: 'msc-life' }));
    if (dead) {
      svg.append(el('line', { x1: x(p), y1: cy, x2: x(p), y2: yEnd, class: 'msc-life dead' }));
      const c = y(crashAt || 0);
      const cross = el('g', { class: 'msc-crash', 'data-testid': `msc-crash-${p}` },
        title(`p${p} crashes ${crashAt ? `after step ${crashAt}` : 'before its first step'}: it never steps again`),
        el('path', { d: `M${x(p) - 7},${c - 7} l14,14 M${x(p) + 7},${c - 7} l-14,14` }));
      svg.append(cross);
    }
  }

  // arrows: each receipt from the step that sent it; pending messages to the bottom
  const arrows = el('g', { class: 'msc-arrows' });
  const labels = el('g', { class: 'msc-labels' });
  const senderOf = (i) => steps[i].event[0];
  const delivered = new Set(); // "sender step:copy index" matched
  const sendsLeft = steps.map((s) => s.sends.map(() => true));
  steps.forEach((s, j) => {
    if (s.received_from === null || s.received_from === undefined) return;
    const i = s.received_from;
    const k = steps[i].sends.findIndex((m, idx) => sendsLeft[i][idx] && m[0] === s.event[0]
      && JSON.stringify(m[1]) === JSON.stringify(s.event[1]));
    if (k >= 0) sendsLeft[i][k] = false;
    delivered.add(`${i}:${k}`);
    const isE = opts.markEvent && sameEvent(opts.markEvent, s.event);
    const x0 = x(senderOf(i));
    const y0 = y(i + 1);
    const x1 = x(s.event[0]);
    const y1 = y(j + 1);
    const cls = 'msc-arrow' + (isE ? ' e' : '');
    let d;
    let lx;
    let ly;
    if (x0 === x1) {
      const bulge = 26;
      d = `M${x0},${y0} C${x0 + bulge},${y0 + 4} ${x1 + bulge},${y1 - 4} ${x1 + 5},${y1 - 3}`;
      lx = x0 + bulge * 0.78 + 3;
      ly = (y0 + y1) / 2;
    } else {
      const dx = x1 - x0;
      const dy = y1 - y0;
      const len = Math.hypot(dx, dy);
      const ex = x1 - (dx / len) * 5;
      const ey = y1 - (dy / len) * 5;
      d = `M${x0},${y0} L${ex},${ey}`;
      lx = x0 + dx * 0.7;
      ly = y0 + dy * 0.7 - 3;
    }
    arrows.append(el('path', {
      d, class: cls, 'marker-end': isE ? 'url(#ah-e)' : 'url(#ah)', 'data-testid': 'msc-arrow',
      'data-from': i + 1, 'data-to': j + 1,
    }, title(`${received(s)}: sent by p${senderOf(i)} at step ${i + 1}, received by p${s.event[0]} at step ${j + 1}`)));
    labels.append(el('text', { x: lx, y: ly, class: 'msc-plabel', 'text-anchor': 'middle' }, received(s)));
  });
  const pendingList = [];
  steps.forEach((s, i) => s.sends.forEach((m, k) => { if (sendsLeft[i][k]) pendingList.push({ i, m, k }); }));
  const perDst = new Map();
  pendingList.forEach((pm) => perDst.set(pm.m[0], (perDst.get(pm.m[0]) || 0) + 1));
  const seenDst = new Map();
  const spread = Math.min(14, (colW - 16) / Math.max(1, Math.max(...perDst.values(), 1) - 1));
  pendingList.forEach(({ i, m, k }) => {
    const slot = seenDst.get(m[0]) || 0;
    seenDst.set(m[0], slot + 1);
    const count = perDst.get(m[0]);
    const x0 = x(senderOf(i));
    const y0 = y(i + 1);
    const x1 = x(m[0]) + (slot - (count - 1) / 2) * spread;
    const isE = opts.markEvent && sameEvent(opts.markEvent, m);
    let d;
    if (x0 === x(m[0]) && count === 1) {
      d = `M${x0},${y0} C${x0 + 22},${y0 + 6} ${x1 + 16},${yEnd - 12} ${x1 + 4},${yEnd - 4}`;
    } else {
      const dx = x1 - x0;
      const dy = yEnd - y0;
      const len = Math.hypot(dx, dy) || 1;
      d = `M${x0},${y0} L${x1 - (dx / len) * 4},${yEnd - (dy / len) * 4}`;
    }
    arrows.append(el('path', {
      d, class: 'msc-pending' + (isE ? ' e' : ''), 'marker-end': 'url(#ah-pending)',
      'data-testid': 'msc-pending',
    }, title(`${steps[i].sends_text[k]}: sent at step ${i + 1}, still in transit`)));
    labels.append(el('text', {
      x: x1, y: yEnd + 10 + slot * PENDING_LINE, class: 'msc-plabel pending', 'text-anchor': 'middle',
      'data-testid': 'msc-pending-label', 'data-to': m[0],
    }, steps[i].sends_text[k].replace(/ → p\d+$/, '')));
  });
  stackRoom(svg, width, height, Math.max(0, ...perDst.values()));
  svg.append(arrows);
  if (steps.some((s) => s.sends.length)) {
    svg.append(el('text', { x: left - 4, y: yEnd + 10, class: 'msc-transit', 'text-anchor': 'end' }, 'in transit'));
  }

  // events: null steps hollow, receipts filled; decisions as squares
  const dots = el('g', { class: 'msc-events' });
  steps.forEach((s, j) => {
    const p = s.event[0];
    const isNull = s.event[1] === null;
    const isE = opts.markEvent && sameEvent(opts.markEvent, s.event);
    const before = j === 0 ? Array(n).fill(null) : steps[j - 1].outputs;
    const decided = before[p] === null && s.outputs[p] !== null;
    const g = el('g', {
      class: 'msc-event' + (isNull ? ' null' : '') + (isE ? ' e' : ''),
      'data-testid': `msc-event-${j + 1}`, 'data-event': s.label,
    }, title(`step ${j + 1}: ${s.text}` + (s.sends_text.length ? `; sends ${s.sends_text.join(', ')}` : '')));
    g.append(el('circle', { cx: x(p), cy: y(j + 1), r: isNull ? 4.5 : 5 }));
    if (decided) {
      const v = s.outputs[p];
      g.append(el('rect', {
        x: x(p) + 8, y: y(j + 1) - 8, width: 16, height: 16, rx: 3, fill: DECIDED[v],
        class: 'msc-decide', 'data-testid': 'msc-decide',
      }));
      g.append(el('text', { x: x(p) + 16, y: y(j + 1), dy: '0.35em', 'text-anchor': 'middle', class: 'msc-decide-text' },
        String(v)));
    }
    dots.append(g);
  });
  svg.append(labels, dots);
  keepInside(svg, left, width);
}

/** Shift each label of a message in transit right or left so that it starts right of the
 * "in transit" caption and ends inside the chart (measured once drawn). */
function keepInside(svg, left, width) {
  for (const t of svg.querySelectorAll('[data-testid=msc-pending-label]')) {
    let box;
    try { box = t.getBBox(); } catch (err) { return; } // not rendered (hidden): nothing to measure
    const shift = box.x < left ? left - box.x : box.x + box.width > width ? width - box.x - box.width : 0;
    if (shift) t.setAttribute('x', Number(t.getAttribute('x')) + shift);
  }
}

/**
 * The neighbourhood of the current configuration: its predecessor on the path, itself, and
 * its successors, coloured by valence. opts: {onSuccessor(k), onParent(), markIndex}
 */
export function drawNeighbourhood(svg, config, opts = {}) {
  clear(svg);
  defs(svg);
  const succ = config.successors;
  const rowH = 30;
  const width = 380;
  const height = Math.max(120, succ.length * rowH + 24);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  const cx = 120;
  const cy = height / 2;
  const px = 30;
  const sx = 262;
  const sy = (k) => 12 + rowH / 2 + k * rowH;
  const valenceClass = (v) => 'nb-node v-' + v;
  if (config.depth > 0) {
    const last = config.steps[config.depth - 1];
    const prevV = config.depth > 1 ? config.steps[config.depth - 2].valence : config.initial_valence;
    svg.append(el('path', { d: `M${px + 13},${cy} L${cx - 19},${cy}`, class: 'nb-edge', 'marker-end': 'url(#ah-nb)' }));
    svg.append(el('text', { x: (px + cx) / 2, y: cy - 6, 'text-anchor': 'middle', class: 'nb-elabel' }, last.label));
    const g = el('g', { class: 'nb-click', 'data-testid': 'nb-parent' }, title('the predecessor on the path (Backspace)'));
    g.append(el('circle', { cx: px, cy, r: 12, fill: PALETTE[prevV], class: valenceClass(prevV) }));
    g.append(el('text', { x: px, y: cy, dy: '0.35em', 'text-anchor': 'middle', class: 'nb-text' }, '↑'));
    g.addEventListener('click', () => opts.onParent && opts.onParent());
    svg.append(g);
  }
  succ.forEach((s, k) => {
    const isE = opts.markIndex === k;
    const ty = sy(k);
    const dx = sx - 13 - (cx + 18);
    const dy = ty - cy;
    const len = Math.hypot(dx, dy);
    const sx0 = cx + (18 * dx) / len;
    const sy0 = cy + (18 * dy) / len;
    svg.append(el('path', {
      d: `M${sx0},${sy0} L${sx - 14},${ty}`, class: 'nb-edge' + (isE ? ' e' : '') + (s.changes ? '' : ' same'),
      'marker-end': isE ? 'url(#ah-nb-e)' : 'url(#ah-nb)',
    }));
    svg.append(el('text', { x: sx - 20, y: ty - 5, 'text-anchor': 'end', class: 'nb-elabel' + (isE ? ' e' : '') },
      s.probability ? `${s.label} (${s.event[2]}: ${s.probability})` : s.label));
    const g = el('g', { class: 'nb-click', 'data-testid': `nb-succ-${k}`, 'data-valence': s.valence },
      title(`${k}: ${s.text} → ${s.valence}${s.changes ? '' : ' (the same configuration)'}`));
    g.append(el('circle', {
      cx: sx, cy: ty, r: 12, fill: PALETTE[s.valence], class: valenceClass(s.valence) + (s.changes ? '' : ' same'),
    }));
    g.append(el('text', { x: sx, y: ty, dy: '0.35em', 'text-anchor': 'middle', class: 'nb-text' }, String(k)));
    const fresh = (s.outputs || []).map((o, p) => (o !== null && config.outputs[p] === null ? `p${p} decides ${o}` : null)).filter(Boolean);
    if (fresh.length) {
      g.append(el('text', { x: sx + 18, y: ty, dy: '0.35em', class: 'nb-dec' }, fresh.join(' ')));
    }
    g.addEventListener('click', () => opts.onSuccessor && opts.onSuccessor(k));
    svg.append(g);
  });
  const g = el('g', { class: 'nb-current', 'data-testid': 'nb-current', 'data-valence': config.valence },
    title(`the current configuration: ${config.valence}`));
  g.append(el('circle', { cx, cy, r: 18, fill: PALETTE[config.valence], class: valenceClass(config.valence) + ' current' }));
  g.append(el('text', { x: cx, y: cy, dy: '0.35em', 'text-anchor': 'middle', class: 'nb-text big' }, 'C'));
  svg.append(g);
}
