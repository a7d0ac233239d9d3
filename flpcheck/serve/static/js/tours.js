// The tours: the verdict's run (one sentence per step), Lemma 2 (the chain of initial
// configurations), Lemma 3 at the current configuration (C, e, 𝒞, D = e(𝒞)).

import { PALETTE, sameEvent } from './svg.js';

/** The i-th successor index of a run, the cycle repeated past its end. */
export function runIndex(run, i) {
  if (i < run.path.length) return run.path[i];
  if (run.cycle_start === null || run.cycle_start === undefined) return undefined;
  const len = run.path.length - run.cycle_start;
  return run.path[run.cycle_start + ((i - run.cycle_start) % len)];
}

export function runPrefix(run, n) {
  return Array.from({ length: n }, (_, i) => runIndex(run, i));
}

/** How far along `run` the configuration is (its depth), or null when it is off the run. */
export function runPosition(run, config) {
  if (!run || !config || run.inputs !== config.inputs) return null;
  const cyclic = run.cycle_start !== null && run.cycle_start !== undefined;
  if (!cyclic && config.path.length > run.path.length) return null;
  for (let i = 0; i < config.path.length; i++) if (config.path[i] !== runIndex(run, i)) return null;
  return config.path.length;
}

export class Tours {
  constructor(ctx) {
    this.ctx = ctx;
    this.tab = 'witness';
    this.witness = null;
    this.witnessError = null;
    this.lemma2 = null;
    this.lemma2Error = null;
    this.l3 = null; // the last answer shown
    this.l3Choice = new Map(); // configuration key -> chosen successor index
    this.l3Error = null;
    this.activeRun = null; // 'witness' | 'lemma2': the run whose cycle and crash the chart draws
  }

  mount(panel) {
    this.panel = panel;
    panel.querySelectorAll('.tabs button').forEach((b) => {
      b.addEventListener('click', () => this.show(b.dataset.tab));
    });
    this.panes = {
      witness: panel.querySelector('#pane-witness'),
      lemma2: panel.querySelector('#pane-lemma2'),
      lemma3: panel.querySelector('#pane-lemma3'),
      game: panel.querySelector('#pane-game'),
      escape: panel.querySelector('#pane-escape'),
    };
  }

  show(tab) {
    this.tab = tab;
    this.panel.querySelectorAll('.tabs button').forEach((b) => {
      const on = b.dataset.tab === tab;
      b.classList.toggle('active', on);
      b.setAttribute('aria-selected', on ? 'true' : 'false');
    });
    for (const [name, pane] of Object.entries(this.panes)) pane.hidden = name !== tab;
    if (tab === 'witness' && !this.activeRun) this.activeRun = 'witness';
    this.ctx.render();
  }

  refresh() {
    this.witness = null;
    this.witnessError = null;
    this.lemma2 = null;
    this.lemma2Error = null;
    this.l3 = null;
    this.render();
  }

  ensureLoaded() {
    const st = this.ctx.state.status;
    if (!st || !st.verdict) return;
    if (!this.witness && !this.witnessError && !this._wLoading) {
      this._wLoading = true;
      this.ctx.api.witness().then((w) => { this.witness = w; }, (e) => { this.witnessError = e; })
        .finally(() => { this._wLoading = false; this.ctx.render(); });
    }
    if (!this.lemma2 && !this.lemma2Error && !this._l2Loading) {
      this._l2Loading = true;
      this.ctx.api.lemma2().then((w) => { this.lemma2 = w; }, (e) => { this.lemma2Error = e; })
        .finally(() => { this._l2Loading = false; this.ctx.render(); });
    }
  }

  currentRun() {
    const gst = this.ctx.escape && this.ctx.escape.run;
    if (this.activeRun === 'gst' && gst) return gst;
    if (this.activeRun === 'lemma2' && this.lemma2 && this.lemma2.run) return this.lemma2.run;
    if (this.witness && this.witness.inputs) return this.witness;
    return null;
  }

  /** The cycle bracket and crash marks for the chart, when the configuration is on the run. */
  overlayFor(config) {
    const run = this.currentRun();
    if (runPosition(run, config) === null) return null;
    const cyc = run.cycle_start;
    return {
      cycleStart: cyc, cycleLen: cyc === null || cyc === undefined ? 0 : run.path.length - cyc,
      crashed: run.crashed || [], crashAt: run.crash_at,
    };
  }

  markedEvent() {
    if (this.tab !== 'lemma3' || !this.l3 || !this.ctx.state.config) return null;
    const c = this.ctx.state.config;
    if (this.l3.inputs !== c.inputs || this.l3.path.join(',') !== c.path.join(',')) return null;
    return { event: this.l3.event, why: "Lemma 3's event e" };
  }

  // -- stepping through the active run (n / p keys, tour buttons) ----------------------------

  step(delta, which = this.activeRun || 'witness') {
    this.activeRun = which;
    const run = this.currentRun();
    if (!run) return;
    const pos = runPosition(run, this.ctx.state.config);
    if (pos === null) {
      this.ctx.go(run.inputs, []);
      return;
    }
    const target = Math.max(0, pos + delta);
    const cyclic = run.cycle_start !== null && run.cycle_start !== undefined;
    if (!cyclic && target > run.path.length) return;
    this.ctx.go(run.inputs, runPrefix(run, target));
  }

  next() { this.step(1); }

  prev() { this.step(-1); }

  start(which) {
    this.activeRun = which;
    const run = this.currentRun();
    if (run) this.ctx.go(run.inputs, []);
  }

  jump(which, i) {
    this.activeRun = which;
    const run = this.currentRun();
    if (run) this.ctx.go(run.inputs, runPrefix(run, i));
  }

  // -- rendering ------------------------------------------------------------------------------

  render() {
    if (!this.panes) return;
    this.ensureLoaded();
    if (this.tab === 'witness') this.renderWitness();
    if (this.tab === 'lemma2') this.renderLemma2();
    if (this.tab === 'lemma3') this.renderLemma3();
    if (this.tab === 'escape') this.ctx.escape.render();
  }

  /** How far along `run` the configuration is, or null (for the escape tours). */
  position(run, config) { return runPosition(run, config); }

  /** The successor index `run` takes at position i. */
  runIndexAt(run, i) { return runIndex(run, i); }

  waiting(pane, err) {
    const { h } = this.ctx;
    const st = this.ctx.state.status;
    if (err) pane.replaceChildren(h('p', { class: 'error' }, err.message));
    else if (st && st.phase === 'failed') pane.replaceChildren(h('p', { class: 'error' }, st.error));
    else pane.replaceChildren(h('p', { class: 'muted' }, h('span', { class: 'spinner' }), 'waiting for the exploration and the verdict…'));
  }

  /** The run with its stepping controls, for the witness or Lemma 2's crash run. */
  runView(which, run, prefix) {
    const { h } = this.ctx;
    const c = this.ctx.state.config;
    const pos = this.activeRun === which || (which === 'witness' && !this.activeRun) ? runPosition(run, c) : null;
    const len = run.path.length;
    const cyclic = run.cycle_start !== null && run.cycle_start !== undefined;
    const cycLen = cyclic ? len - run.cycle_start : 0;
    const box = h('div', { class: 'run' });
    const nav = h('div', { class: 'tour-nav' },
      h('button', { 'data-testid': `${prefix}-start`, onclick: () => this.start(which), title: 'the initial configuration of the run' }, 'Start'),
      h('button', { 'data-testid': `${prefix}-prev`, onclick: () => this.step(-1, which), disabled: !pos, title: 'previous step (p)' }, '◀ Prev'),
      h('span', { class: 'pos', 'data-testid': `${prefix}-pos` }, pos === null ? 'not on this run'
        : pos <= len ? `step ${pos} of ${len}` : `step ${pos} (cycle turn ${Math.floor((pos - run.cycle_start - 1) / cycLen) + 1})`),
      h('button', {
        'data-testid': `${prefix}-next`, onclick: () => this.step(1, which), class: 'primary',
        disabled: pos !== null && !cyclic && pos >= len, title: 'next step (n)',
      }, pos === null ? 'Follow ▶' : 'Next ▶'));
    box.append(nav);
    let sentence;
    if (pos === null) {
      sentence = c && c.inputs === run.inputs
        ? 'You have left this run. Press Follow to go back to its start, or pick a step below.'
        : `The run starts from I(${run.inputs}). Press Follow to step through it.`;
    } else if (pos === 0) {
      sentence = run.summary + (len ? ' Press Next.' : '');
    } else {
      const i = pos <= len ? pos - 1 : run.cycle_start + ((pos - 1 - run.cycle_start) % cycLen);
      sentence = (pos > len ? `(Turn ${Math.floor((pos - run.cycle_start - 1) / cycLen) + 1} of the cycle.) ` : '') + run.sentences[i];
      if (pos === len || (pos > len && (pos - run.cycle_start) % cycLen === 0)) sentence += ' ' + run.conclusion;
    }
    box.append(h('p', { class: 'sentence', 'data-testid': `${prefix}-sentence` }, sentence));
    const ol = h('ol', { class: 'runsteps', 'data-testid': `${prefix}-steps` });
    const curI = pos === null || pos === 0 ? -1 : pos <= len ? pos - 1 : run.cycle_start + ((pos - 1 - run.cycle_start) % cycLen);
    ol.append(h('li', {
      class: 'init' + (pos === 0 ? ' current' : ''), onclick: () => this.jump(which, 0),
    }, h('span', { class: 'sw', style: `background:${PALETTE[run.valences[0]]}` }), h('span', { class: 'no' }, 'I'),
    `I(${run.inputs})` + (run.crashed && run.crashed.length && !run.crash_at ? ` — ${run.crashed.map((p) => 'p' + p).join(', ')} dead` : '')));
    run.texts.forEach((t, i) => {
      const inCycle = cyclic && i >= run.cycle_start;
      ol.append(h('li', {
        class: (i === curI ? 'current' : '') + (inCycle ? ' cyc' : '') + (inCycle && i === run.cycle_start ? ' cycfirst' : ''),
        'data-testid': `${prefix}-step-${i + 1}`, onclick: () => this.jump(which, i + 1),
        title: run.sentences[i],
      }, h('span', { class: 'sw', style: `background:${PALETTE[run.valences[i + 1]]}` }),
      h('span', { class: 'no' }, String(i + 1)), t,
      inCycle && i === run.cycle_start ? h('span', { class: 'cyctag' }, 'cycle ↻') : null));
    });
    box.append(ol);
    return box;
  }

  renderWitness() {
    const pane = this.panes.witness;
    const { h } = this.ctx;
    const w = this.witness;
    if (!w) return this.waiting(pane, this.witnessError);
    const head = h('div', { class: 'tour-head' },
      h('span', { class: 'verdict-inline', 'data-testid': 'tour-verdict' }, w.verdict),
      h('span', { class: 'detail' }, w.detail));
    const parts = [head];
    if (!w.inputs) {
      parts.push(h('p', {}, w.summary));
    } else {
      parts.push(h('p', { class: 'summary' }, w.summary));
      parts.push(this.runView('witness', w, 'tour'));
    }
    pane.replaceChildren(...parts);
  }

  renderLemma2() {
    const pane = this.panes.lemma2;
    const { h } = this.ctx;
    const l2 = this.lemma2;
    if (!l2) return this.waiting(pane, this.lemma2Error);
    const c = this.ctx.state.config;
    const intro = h('p', { class: 'muted' },
      'Lemma 2: some initial configuration is bivalent. Walk the chain I₀ = 0…0, I₁ = 10…0, …, I_N = 1…1: ',
      'neighbours differ in one process’s input. If none is bivalent, some neighbours are 0-valent and 1-valent, ',
      'and with the process where they differ dead from the start both would have to decide the same.');
    const chain = h('div', { class: 'chain', 'data-testid': 'lemma2-chain' });
    l2.chain.forEach((item, k) => {
      if (k) {
        const crux = l2.pair && l2.pair[1] === item.inputs;
        chain.append(h('span', { class: 'flip' + (crux ? ' crux' : ''), title: `p${item.flip}'s input flips from 0 to 1` }, `p${item.flip}`, h('br'), '→'));
      }
      const inPair = l2.pair && l2.pair.includes(item.inputs);
      const isBiv = l2.bivalent === item.inputs;
      chain.append(h('button', {
        class: `link v-${item.valence}` + (inPair || isBiv ? ' crux' : '') + (c && c.inputs === item.inputs && !c.path.length ? ' here' : ''),
        'data-testid': `chain-${k}`, 'data-valence': item.valence,
        title: `I${k} = I(${item.inputs}): ${item.text} — click to open it`,
        onclick: () => this.ctx.go(item.inputs, []),
      }, h('span', { class: 'k' }, `I${k}`), h('span', { class: 'x' }, item.inputs), h('span', { class: 'v' }, item.valence)));
    });
    const parts = [intro, chain, h('p', { class: 'sentence', 'data-testid': 'lemma2-detail' }, l2.detail + '.')];
    if (l2.run) {
      parts.push(h('p', {}, `The run: from I(${l2.run.inputs}) with p${l2.process} dead from the start, the others run fairly forever and nobody decides.`));
      parts.push(this.runView('lemma2', l2.run, 'l2run'));
    } else if (l2.bivalent) {
      parts.push(h('p', {}, h('button', {
        class: 'primary', 'data-testid': 'lemma2-open', onclick: () => this.ctx.go(l2.bivalent, []),
      }, `Open the bivalent I(${l2.bivalent})`), ' and try the Lemma 3 tab or the game from there.'));
    }
    pane.replaceChildren(...parts);
  }

  renderLemma3() {
    const pane = this.panes.lemma3;
    const { h, state } = this.ctx;
    const c = state.config;
    if (!c) return pane.replaceChildren(h('p', { class: 'muted' }, 'no configuration'));
    if (!c.explored) return this.waiting(pane);
    const key = `${c.inputs}|${c.path.join(',')}`;
    if (!this.l3Choice.has(key)) this.l3Choice.set(key, c.fair_events[0].index);
    const choice = this.l3Choice.get(key);
    const select = h('select', {
      'data-testid': 'lemma3-event', onchange: (ev) => { this.l3Choice.set(key, Number(ev.target.value)); this.renderLemma3(); this.ctx.render(); },
    }, ...c.successors.map((s) => h('option', { value: s.index, selected: s.index === choice ? true : null }, `${s.index}: ${s.text}`)));
    const fair = h('div', { class: 'fair' }, h('span', { class: 'lbl' }, 'The adversary’s choice for '),
      ...c.fair_events.map((f) => h('button', {
        class: 'small' + (f.index === choice ? ' on' : ''), 'data-testid': `lemma3-fair-${f.pid}`,
        title: `p${f.pid}'s ${f.event[1] === null ? 'null step (nothing pending)' : 'oldest pending message'}: ${f.text}`,
        onclick: () => { this.l3Choice.set(key, f.index); this.ctx.render(); },
      }, `p${f.pid}`)));
    const parts = [
      h('p', { class: 'muted' }, 'Lemma 3: let C be bivalent and e = (p, m) applicable to C. Let 𝒞 be the configurations reachable from C without applying e, and D = e(𝒞). Then D contains a bivalent configuration: some σ avoiding e makes e(σ(C)) bivalent.'),
      h('div', { class: 'l3pick' }, h('span', { class: 'lbl' }, 'e ='), select), fair,
    ];
    const l3 = this.l3;
    const fresh = l3 && l3.inputs === c.inputs && l3.path.join(',') === c.path.join(',') && l3.event_index === choice;
    if (!fresh) {
      parts.push(h('p', { class: 'muted' }, h('span', { class: 'spinner' }), 'computing 𝒞 and D…'));
      const want = { inputs: c.inputs, path: c.path.join(','), event: choice };
      this.ctx.api.lemma3(c.inputs, c.path, choice).then((ans) => {
        const now = this.ctx.state.config;
        if (!now || now.inputs !== want.inputs || now.path.join(',') !== want.path) return;
        this.l3 = ans;
        this.l3Error = null;
        this.ctx.render();
      }, (err) => { this.l3Error = err; this.l3 = null; pane.append(h('p', { class: 'error' }, err.message)); });
      pane.replaceChildren(...parts);
      return;
    }
    const bar = (counts, testid) => {
      const total = Object.values(counts).reduce((a, b) => a + b, 0) || 1;
      const b = h('div', { class: 'vbar', 'data-testid': testid });
      for (const v of ['bivalent', '0-valent', '1-valent', 'none', 'unknown']) {
        if (!counts[v]) continue;
        b.append(h('span', { class: `seg v-${v}`, style: `flex-grow:${counts[v] / total}`, title: `${counts[v]} ${v}`, 'data-valence': v }, String(counts[v])));
      }
      return b;
    };
    const fig = h('div', { class: 'l3fig', 'data-testid': 'lemma3-figure' },
      h('div', { class: 'l3row' }, h('span', { class: 'l3name' }, 'C'), h('span', { class: `vchip v-${l3.c_valence}` }, l3.c_valence),
        h('span', { class: 'muted' }, ` · e(C) is `), h('span', { class: `vchip v-${l3.e_c_valence}` }, l3.e_c_valence)),
      h('div', { class: 'l3row' }, h('span', { class: 'l3name' }, '𝒞'),
        h('span', { 'data-testid': 'lemma3-calC-size' }, `${this.ctx.fmtNum(l3.calC.size)} configurations reachable without e`)),
      bar(l3.calC.valence, 'lemma3-calC-bar'),
      h('div', { class: 'l3row' }, h('span', { class: 'l3name e' }, 'D = e(𝒞)'),
        h('span', { 'data-testid': 'lemma3-D-size' }, `${this.ctx.fmtNum(l3.D.size)} configurations`)),
      bar(l3.D.valence, 'lemma3-D-bar'));
    parts.push(fig);
    parts.push(h('p', { class: 'sentence', 'data-testid': 'lemma3-explanation' }, l3.explanation));
    if (l3.sigma) {
      const sig = l3.sigma_text.length ? l3.sigma_text.join(', ') : '(empty)';
      parts.push(h('div', { class: 'sigma' }, h('span', { class: 'lbl' }, 'σ = '), h('code', { 'data-testid': 'lemma3-sigma' }, sig),
        h('span', { class: 'lbl' }, ' then e = '), h('code', { class: 'e' }, l3.event_label),
        h('button', { class: 'primary', 'data-testid': 'lemma3-play', onclick: () => this.ctx.go(c.inputs, [...c.path, ...l3.sigma]) }, 'Play σ then e ▶')));
    } else if (l3.neighbours) {
      const nb = l3.neighbours;
      parts.push(h('div', { class: 'sigma' }, h('button', {
        'data-testid': 'lemma3-c0', onclick: () => this.ctx.go(c.inputs, [...c.path, ...nb.c0_path]),
      }, 'Go to C0'), ' ', h('button', {
        'data-testid': 'lemma3-c1', onclick: () => this.ctx.go(c.inputs, [...c.path, ...nb.c0_path, nb.e_prime_index]),
      }, `Go to C1 = ${nb.e_prime_text}(C0)`)));
    }
    pane.replaceChildren(...parts);
  }
}

export { sameEvent };
