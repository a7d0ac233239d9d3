// FLP's escape routes on the page: the GST switch (events forbidden after GST greyed with the
// reason, as /api/gst says), liveness after GST (/api/liveness, its run stepped through like the
// verdict's), probabilistic valence beside the valence (/api/chance) and the termination curve
// (/api/curve), and the two tours: "<protocol> after GST" and the coins tour. The page decides
// nothing itself: every answer comes from the server (flpcheck.analysis).

import { el } from './svg.js';

const SERIES = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#999999'];

export class Escape {
  constructor(ctx) {
    this.ctx = ctx;
    this.gst = { on: false, timeouts: 'quiet', leader: '' };
    this.crashes = 0;
    this.answers = new Map(); // gst answer key -> answer
    this.chanceAnswers = new Map();
    this.liveness = null;
    this.livenessError = null;
    this.run = null; // the liveness run being toured (its GST position: run.gst_at)
    this.curve = null;
    this.curveError = null;
    this.curveLoading = false;
  }

  // -- the GST switch --------------------------------------------------------------------------

  mountSwitch(bar) {
    const { h } = this.ctx;
    const n = () => (this.ctx.state.status ? this.ctx.state.status.processes : 0);
    this.bar = bar;
    const box = h('input', { type: 'checkbox', id: 'gst-on', 'data-testid': 'gst-switch', onchange: (ev) => this.set({ on: ev.target.checked }) });
    const timeouts = h('select', { 'data-testid': 'gst-timeouts', title: 'when a process may time out (take a null step) after GST', onchange: (ev) => this.set({ timeouts: ev.target.value }) },
      h('option', { value: 'quiet' }, 'timeouts: quiet'), h('option', { value: 'local' }, 'timeouts: local'));
    const leader = h('select', { 'data-testid': 'gst-leader', title: 'a stable leader: after GST only it times out', onchange: (ev) => this.set({ leader: ev.target.value }) });
    this.controls = { box, timeouts, leader };
    this.fillLeaders = () => {
      if (leader.options.length === n() + 1) return;
      leader.replaceChildren(h('option', { value: '' }, 'no leader'),
        ...Array.from({ length: n() }, (_, p) => h('option', { value: String(p) }, `leader p${p}`)));
      leader.value = this.gst.leader;
    };
    bar.append(h('label', { class: 'gst-label', title: 'after GST (partial synchrony): messages and timeouts behave; the events the rules forbid are greyed with the reason' }, box, ' after GST'),
      timeouts, leader, h('span', { class: 'gst-rule muted', 'data-testid': 'gst-rule' }));
  }

  set(change) {
    Object.assign(this.gst, change);
    const { box, timeouts, leader } = this.controls;
    box.checked = this.gst.on;
    timeouts.value = this.gst.timeouts;
    leader.value = this.gst.leader;
    this.ctx.render();
  }

  /** The crashed processes the rules apply with: those of the run being toured (the verdict's,
   * Lemma 2's or liveness's), once they have crashed. */
  crashedAt(c) {
    const ov = this.ctx.tours.overlayFor(c);
    return ov && ov.crashed.length && (ov.crashAt || 0) <= c.depth ? ov.crashed : [];
  }

  /** The position of `c` on the toured liveness run, or null. */
  onRun(c) {
    const t = this.ctx.tours;
    if (!this.run || t.activeRun !== 'gst' || !c) return null;
    return t.position(this.run, c);
  }

  /** Whether the rules after GST apply at `c`: the switch is on, and on the toured run, GST has come. */
  active(c) {
    if (!this.gst.on || !c) return false;
    const pos = this.onRun(c);
    return pos === null || pos >= this.run.gst_at;
  }

  query(c) {
    const q = { inputs: c.inputs, path: c.path.join(','), timeouts: this.gst.timeouts };
    if (this.gst.leader !== '') q.leader = this.gst.leader;
    const crashed = this.crashedAt(c);
    if (crashed.length) q.crashed = crashed.join(',');
    return new URLSearchParams(q).toString();
  }

  /** The /api/gst answer for `c` when known (fetched and re-rendered otherwise). */
  gstAnswer(c) {
    if (!this.active(c)) return null;
    const key = this.query(c);
    if (this.answers.has(key)) return this.answers.get(key);
    this.answers.set(key, null);
    this.ctx.api.get('/api/gst?' + key).then((a) => { this.answers.set(key, a); this.ctx.render(); },
      (err) => { this.answers.delete(key); this.ctx.toast('GST rules: ' + err.message); });
    return null;
  }

  /** {allowed, reason} of successor `s` after GST, or null when the switch is off. */
  successorRule(c, s) {
    const a = this.gstAnswer(c);
    return a ? a.successors[s.index] : null;
  }

  renderSwitch(c) {
    if (!this.bar) return;
    this.fillLeaders();
    const rule = this.bar.querySelector('.gst-rule');
    this.bar.classList.toggle('on', this.gst.on);
    if (!this.gst.on || !c) { rule.textContent = ''; return; }
    if (!this.active(c)) {
      rule.textContent = `before GST on this run (GST falls after step ${this.run.gst_at}): any event may happen`;
      return;
    }
    const a = this.gstAnswer(c);
    if (!a) { rule.textContent = '…'; return; }
    const dead = a.crashed.length ? ` (crashed: ${a.crashed.map((p) => 'p' + p).join(', ')})` : '';
    rule.textContent = a.rule + dead + (a.stuck ? ' — no event is allowed here and nobody has decided: the run is stuck' : '');
  }

  // -- probabilistic valence -----------------------------------------------------------------

  renderChance(slot, c) {
    const { h } = this.ctx;
    slot.replaceChildren();
    if (!c || !c.explored || c.id === null) return;
    const key = `${c.inputs}|${c.path.join(',')}`;
    if (!this.chanceAnswers.has(key)) {
      this.chanceAnswers.set(key, null);
      this.ctx.api.get(`/api/chance?inputs=${c.inputs}&path=${c.path.join(',')}`)
        .then((a) => { this.chanceAnswers.set(key, a); this.ctx.render(); },
          () => { this.chanceAnswers.delete(key); });
      return;
    }
    const a = this.chanceAnswers.get(key);
    if (!a || !a.available) return;
    for (const v of ['0', '1']) {
      const f = a.figures[v];
      slot.append(h('span', {
        class: `pchip d${v}`, 'data-testid': `chance-valence-${v}`,
        title: `against every fair adversary (no crash), some process decides ${v} with probability between ${f.min.text} and ${f.max.text}` + (f.min.exact && f.max.exact ? ' (exact)' : ' (bounds)'),
      }, `P(${v}) ∈ [${f.min.text}, ${f.max.text}]`));
    }
  }

  // -- the Escape pane: liveness, the curve, the tours ---------------------------------------

  mountPane(pane) {
    this.pane = pane;
  }

  checkLiveness(rules = {}) {
    Object.assign(this.gst, rules.gst || {});
    if (rules.crashes !== undefined) this.crashes = rules.crashes;
    this.set({});
    const q = new URLSearchParams({ timeouts: this.gst.timeouts, crashes: String(this.crashes) });
    if (this.gst.leader !== '') q.set('leader', this.gst.leader);
    this.liveness = null;
    this.livenessError = null;
    this.livenessQuery = q.toString();
    this.ctx.render();
    return this.ctx.api.get('/api/liveness?' + q).then((a) => {
      if (this.livenessQuery !== q.toString()) return a;
      this.liveness = a;
      this.run = a.run;
      this.ctx.render();
      return a;
    }, (err) => { this.livenessError = err; this.ctx.render(); });
  }

  followRun() {
    if (!this.run) return;
    this.set({ on: true });
    this.ctx.tours.start('gst');
  }

  loadCurve() {
    if (this.curve || this.curveLoading) return;
    this.curveLoading = true;
    this.ctx.render();
    this.ctx.api.get('/api/curve').then((a) => { this.curve = a; }, (e) => { this.curveError = e; })
      .finally(() => { this.curveLoading = false; this.ctx.render(); });
  }

  render() {
    const pane = this.pane;
    if (!pane || pane.hidden) return;
    const { h, state } = this.ctx;
    const st = state.status;
    if (!st || !st.verdict) return this.ctx.tours.waiting(pane);
    const c = state.config;
    const here = c ? this.chanceAnswers.get(`${c.inputs}|${c.path.join(',')}`) : null;
    const gst = [h('h3', {}, `${st.protocol} after GST`), ...this.gstTour()];
    const coins = [h('h3', {}, 'Coins'), ...this.coinTour()];
    const parts = here && here.available ? [...coins, ...gst] : [...gst, ...coins];
    pane.replaceChildren(...parts);
  }

  /** FLP's run (the verdict's, or the adversary's stages) with GST placed just before the
   * first step the rules forbid. */
  loadFlpRun() {
    const q = new URLSearchParams({ timeouts: this.gst.timeouts });
    if (this.gst.leader !== '') q.set('leader', this.gst.leader);
    this.flpLoading = true;
    this.ctx.render();
    return this.ctx.api.get('/api/flprun?' + q).then((a) => {
      this.flp = a;
      if (a.run) {
        const stop = a.forbidden.length ? a.forbidden[0] : null;
        this.run = { ...a.run, gst_at: stop ? stop.step : a.run.path.length, stop };
        this.liveness = null;
        this.livenessQuery = null;
        this.set({ on: true });
        this.ctx.tours.jump('gst', this.run.gst_at);
      }
    }, (err) => { this.ctx.toast('FLP run: ' + err.message); })
      .finally(() => { this.flpLoading = false; this.ctx.render(); });
  }

  gstTour() {
    const { h, state, tours } = this.ctx;
    const c = state.config;
    const parts = [h('p', { class: 'muted' },
      'Partial synchrony: a run is arbitrary until a time GST the adversary picks; after it, a process times out (takes a null step) only when no message is in transit (quiet), or none to itself (local), and with a stable leader only the leader times out. ',
      'Does every run decide after GST? The same check as flpcheck liveness, on this graph.')];
    parts.push(h('div', { class: 'tour-nav' },
      h('button', { 'data-testid': 'gst-tour-flp', onclick: () => this.loadFlpRun() }, '1. FLP’s run, then GST'),
      h('button', { class: 'primary', 'data-testid': 'gst-tour-check', onclick: () => this.checkLiveness({ gst: { timeouts: 'quiet', leader: '' }, crashes: 0 }).then(() => this.followRun()) }, '2. After GST: every run?'),
      h('button', { 'data-testid': 'gst-tour-local', onclick: () => this.checkLiveness({ gst: { timeouts: 'local', leader: '0' }, crashes: 0 }).then(() => this.followRun()) }, '3. Timeouts too short')));
    let says = 'Start with FLP’s run: the page places GST just before the first step the rules forbid, and greys what they forbid from there.';
    if (this.flpLoading) says = 'building FLP’s run…';
    const f = this.flp;
    if (f && !f.run) says = f.note;
    if (f && f.run && this.run && this.run.stop !== undefined && !this.liveness) {
      const pos = this.onRun(c);
      const stop = this.run.stop;
      if (!stop) says = `${f.note}: the rules (${f.rule}) forbid none of its steps, so this run can still happen after GST.`;
      else if (pos === this.run.gst_at) says = `FLP’s run (${f.note}), with GST here: its next step, ${stop.text}, is forbidden after GST — ${stop.reason}. The run cannot continue this way after GST. Press 2 to see that every run then decides.`;
      else says = `FLP’s run: ${f.note}. GST falls after step ${this.run.gst_at}, where the rules first forbid its next step.`;
    }
    parts.push(h('p', { class: 'sentence', 'data-testid': 'gst-tour-sentence' }, says));
    if (f && f.run && this.run && this.run.stop !== undefined && !this.liveness) parts.push(tours.runView('gst', this.run, 'gst'));
    // the check itself, with its own rules
    const crashes = h('select', { 'data-testid': 'gst-crashes', onchange: (ev) => { this.crashes = Number(ev.target.value); } },
      ...Array.from({ length: st0(state) }, (_, t) => h('option', { value: t, selected: t === this.crashes ? true : null }, `${t} crash${t === 1 ? '' : 'es'}`)));
    parts.push(h('div', { class: 'row' }, h('span', { class: 'lbl' }, 'Check with the rules of the switch and '), crashes,
      h('button', { 'data-testid': 'liveness-check', onclick: () => this.checkLiveness() }, 'Check liveness')));
    const a = this.liveness;
    if (this.livenessError) parts.push(h('p', { class: 'error' }, this.livenessError.message));
    else if (this.livenessQuery && !a) parts.push(h('p', { class: 'muted' }, h('span', { class: 'spinner' }), 'checking every run after GST…'));
    if (a) {
      const verdict = a.holds === true ? 'holds' : a.holds === false ? 'fails' : 'not established';
      parts.push(h('p', { class: 'sentence', 'data-testid': 'liveness-answer' },
        h('strong', { class: `live-${verdict.replace(' ', '-')}` }, `Liveness ${verdict}`),
        ` (${a.rule}; at most ${a.crashes} crash${a.crashes === 1 ? '' : 'es'}): ${a.detail}.`,
        a.holds ? ` Worst case: ${a.worst_steps === null ? a.worst_reason : a.worst_steps + ' events from GST to a decision'}.` : '',
        a.holds === null ? ` Not searched past: ${a.cut_reasons.join(', ')}.` : ''));
      if (a.run) {
        parts.push(h('p', {}, a.run.summary, ' ', h('button', { 'data-testid': 'liveness-follow', onclick: () => this.followRun() }, 'Follow it ▶')));
        parts.push(tours.runView('gst', a.run, 'gst'));
      }
    }
    return parts;
  }

  coinTour() {
    const { h, state, tours } = this.ctx;
    const c = state.config;
    const key = c ? `${c.inputs}|${c.path.join(',')}` : '';
    const here = this.chanceAnswers.get(key);
    if (here && !here.available) return [h('p', { class: 'muted', 'data-testid': 'coins-none' }, `No coins here: ${here.reason}. Serve a model with coins (models/ben_or.py) to see probabilistic valence and the termination curve.`)];
    const w = tours.witness;
    const parts = [h('p', { class: 'muted' },
      'A coin takes away what FLP’s adversary needs: knowing what every step does. Beside the valence, P(v) ∈ [min, max] is the probability that v is decided, against the worst and the best fair adversary (no crash), exact where the graph allows it.')];
    parts.push(h('div', { class: 'tour-nav' },
      w && w.inputs ? h('button', { 'data-testid': 'coin-tour-witness', onclick: () => tours.start('witness') }, '1. FLP’s run, with coins') : null,
      h('button', { class: 'primary', 'data-testid': 'coin-tour-curve', onclick: () => this.loadCurve() }, '2. The termination curve')));
    if (w && w.inputs) {
      parts.push(h('p', { class: 'sentence', 'data-testid': 'coin-tour-sentence' }, `The verdict’s run (${w.verdict}: ${w.detail}) exists: FLP applies to the coinless skeleton, every outcome of every coin being a successor. `,
        'But the adversary needs the coins to fall its way: step along the run and watch P(0) and P(1) beside the valence; at a coin the successors show each outcome’s probability. The curve says how likely deciding is, and how soon.'));
    }
    if (this.curveLoading) parts.push(h('p', { class: 'muted' }, h('span', { class: 'spinner' }), 'computing the curve…'));
    if (this.curveError) parts.push(h('p', { class: 'error' }, this.curveError.message));
    if (this.curve) {
      const svg = el('svg', { 'data-testid': 'curve', role: 'img', 'aria-label': 'termination curve' });
      drawCurve(svg, this.curve);
      parts.push(h('div', { class: 'curve-wrap' }, svg), this.curveText());
    }
    return parts;
  }

  curveText() {
    const { h } = this.ctx;
    const cv = this.curve;
    const lines = cv.adversary.series.map((s) => {
      const pts = cv.adversary.axis === 'rounds' ? s.points.map((p) => `${p.text} within ${p.rounds} round${p.rounds === 1 ? '' : 's'}`).join(', ') : `eventually ${s.eventually.text}`;
      return h('li', { 'data-testid': 'curve-adversary' }, `I(${s.inputs.join('), I(')}): ${pts}`);
    });
    return h('div', {}, h('p', {}, `Against the fair adversary (no crash; deciding = every correct process decides), the probability of deciding:`), h('ul', {}, ...lines),
      h('p', { class: 'muted', 'data-testid': 'curve-uniform' }, `Under the uniform scheduler, eventually: ${cv.uniform.series.map((s) => s.eventually.shown).join(', ')} (the curve drawn is in floating point).`));
  }
}

function st0(state) {
  return state.status ? state.status.processes : 1;
}

/** The termination curve: uniform (events) on the left, the adversary (rounds or events) on the right. */
export function drawCurve(svg, curve) {
  while (svg.firstChild) svg.firstChild.remove();
  const W = 250; const H = 170; const gap = 24; const pad = { l: 34, r: 8, t: 22, b: 30 };
  svg.setAttribute('viewBox', `0 0 ${2 * W + gap} ${H}`);
  svg.setAttribute('width', '100%'); // scaled to the pane, the viewBox keeps the proportions
  const panel = (x0, title, axis, series, stepwise) => {
    const g = el('g', { transform: `translate(${x0},0)` });
    const iw = W - pad.l - pad.r; const ih = H - pad.t - pad.b;
    const maxX = Math.max(1, ...series.map((s) => s.xs[s.xs.length - 1] || 0));
    const X = (x) => pad.l + (x / maxX) * iw; const Y = (y) => pad.t + (1 - y) * ih;
    g.append(el('text', { x: pad.l, y: 14, class: 'curve-title' }, title));
    g.append(el('line', { x1: pad.l, y1: Y(0), x2: pad.l + iw, y2: Y(0), stroke: '#888' }));
    g.append(el('line', { x1: pad.l, y1: Y(0), x2: pad.l, y2: Y(1), stroke: '#888' }));
    for (const y of [0, 0.5, 1]) {
      g.append(el('text', { x: pad.l - 4, y: Y(y) + 4, 'text-anchor': 'end', class: 'curve-tick' }, String(y)));
      if (y) g.append(el('line', { x1: pad.l, y1: Y(y), x2: pad.l + iw, y2: Y(y), stroke: '#e3e6ea' }));
    }
    g.append(el('text', { x: pad.l + iw, y: H - 18, 'text-anchor': 'end', class: 'curve-tick' }, String(maxX)));
    g.append(el('text', { x: pad.l + iw / 2, y: H - 6, 'text-anchor': 'middle', class: 'curve-tick' }, axis));
    series.forEach((s, i) => {
      let d = '';
      s.xs.forEach((x, k) => {
        const y = s.ys[k];
        if (stepwise && k) d += ` H${X(x).toFixed(1)} V${Y(y).toFixed(1)}`;
        else d += `${k ? ' L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`;
      });
      const colour = SERIES[i % SERIES.length];
      g.append(el('path', { d, fill: 'none', stroke: colour, 'stroke-width': 1.8, 'data-inputs': s.label },
        el('title', {}, `I(${s.label})`)));
      if (stepwise) s.xs.forEach((x, k) => g.append(el('circle', { cx: X(x), cy: Y(s.ys[k]), r: 2.6, fill: colour }, el('title', {}, `${s.texts[k]} within ${x} rounds`))));
      g.append(el('text', { x: pad.l + 6, y: pad.t + 12 + 12 * i, fill: colour, class: 'curve-tick' }, s.label));
    });
    return g;
  };
  const short = (names) => (names.length > 2 ? `${names[0]}, … (${names.length})` : names.join(', '));
  const uni = curve.uniform.series.map((s) => ({ label: short(s.inputs), xs: s.values.map((_, k) => k), ys: s.values }));
  let adv;
  if (curve.adversary.axis === 'rounds') {
    adv = curve.adversary.series.map((s) => ({
      label: short(s.inputs), xs: [0, ...s.points.map((p) => p.rounds)], ys: [0, ...s.points.map((p) => p.value)], texts: ['0', ...s.points.map((p) => p.text)],
    }));
  } else {
    adv = curve.adversary.series.map((s) => ({ label: short(s.inputs), xs: s.values.map((_, k) => k), ys: s.values }));
  }
  svg.append(panel(0, 'uniform scheduler', 'events', uni, false),
    panel(W + gap, `fair adversary, ${curve.crashes} crashes`, curve.adversary.axis, adv, curve.adversary.axis === 'rounds'));
}
