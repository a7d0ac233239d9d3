// The games.
//  force:     you pick an event e; the FLP adversary answers with σ (avoiding e) then e, and
//             lands on a bivalent configuration (Lemma 3). You try to force a decision.
//  adversary: the fair scheduler picks e (round robin over the processes, each one's oldest
//             pending message, else its null step); you play σ avoiding e, then e, and must land
//             on a bivalent configuration.

import { sameEvent } from './svg.js';

export class Game {
  constructor(ctx) {
    this.ctx = ctx;
    this.mode = 'force';
    this.active = false;
    this.busy = false;
    this.log = [];
    this.over = null; // {won: bool, text}
    this.queue = [];
    this.stage = 0;
    this.stageStart = null; // {inputs, path}
    this.demand = null; // {pid, event, label, index at stage start}
    this.hint = null;
  }

  mount(panel) {
    this.pane = panel.querySelector('#pane-game');
  }

  get config() { return this.ctx.state.config; }

  markedEvent() {
    if (this.active && this.mode === 'adversary' && this.demand && !this.over) {
      return { event: this.demand.event, why: 'the scheduler demands this event e' };
    }
    return null;
  }

  bannerText() {
    if (!this.active || this.over) return '';
    if (this.mode === 'force') return 'Game on: a click picks the event e you want to force; the adversary answers.';
    return 'Game on: play σ (anything but the vermillion e), then e itself.';
  }

  setMode(mode) {
    this.stop();
    this.mode = mode;
    this.ctx.render();
  }

  stop() {
    this.active = false;
    this.over = null;
    this.log = [];
    this.demand = null;
    this.hint = null;
    this.busy = false;
  }

  startPoint() {
    const c = this.config;
    if (c && c.valence === 'bivalent' && !c.decided.length) return { inputs: c.inputs, path: c.path };
    const st = this.ctx.state.status;
    const ini = st && st.initial.find((i) => i.valence === 'bivalent');
    return ini ? { inputs: ini.inputs, path: [] } : null;
  }

  start() {
    const from = this.startPoint();
    this.stop();
    if (!from) {
      this.over = { won: false, text: 'No bivalent configuration to start from: with no bivalent initial configuration there is nothing for the adversary to keep bivalent (look at the Lemma 2 tab).' };
      this.ctx.render();
      return;
    }
    this.active = true;
    this.round = 1;
    this.queue = Array.from({ length: this.ctx.state.status.processes }, (_, p) => p);
    this.stage = 0;
    this.stageStart = from;
    this.demand = null;
    this.ctx.go(from.inputs, from.path);
  }

  atStageStart() {
    const c = this.config;
    return c && this.stageStart && c.inputs === this.stageStart.inputs && c.path.join(',') === this.stageStart.path.join(',');
  }

  /** A successor click while a game is on: true when the game handled it. */
  intercept(k) {
    if (!this.active || this.over) return false;
    if (this.busy) return true;
    const c = this.config;
    const s = c.successors[k];
    if (this.mode === 'force') {
      this.busy = true;
      this.ctx.render();
      this.ctx.api.adversary(c.inputs, c.path, k).then((ans) => {
        this.busy = false;
        if (ans.answer) {
          this.log.push({ you: s.label, sigma: ans.sigma_text, valence: ans.valence, ok: true });
          this.round += 1;
          this.ctx.go(c.inputs, ans.result_path);
        } else {
          this.log.push({ you: s.label, sigma: null, valence: ans.valence, ok: false });
          this.over = { won: true, text: `You win: ${ans.explanation}` };
          this.ctx.go(c.inputs, [...c.path, k]);
        }
      }, (err) => { this.busy = false; this.ctx.toast(err.message); this.ctx.render(); });
      return true;
    }
    // adversary mode
    if (!this.demand) return true;
    if (sameEvent(s.event, this.demand.event)) {
      const path = [...c.path, k];
      this.busy = true;
      this.ctx.api.config(c.inputs, path).then((next) => {
        this.busy = false;
        const sigmaLen = c.path.length - this.stageStart.path.length;
        if (next.valence === 'bivalent') {
          this.log.push({ stage: this.stage, e: this.demand.label, sigma: sigmaLen, ok: true, valence: next.valence });
          this.stage += 1;
          this.queue = [...this.queue.slice(1), this.queue[0]];
          this.stageStart = { inputs: c.inputs, path };
          this.demand = null;
          this.hint = null;
        } else {
          this.log.push({ stage: this.stage, e: this.demand.label, sigma: sigmaLen, ok: false, valence: next.valence });
          this.over = { won: false, text: `e(σ(C)) is ${next.valence}: the decision is settled. Press “Retry stage”, or “Show a solution”.` };
        }
        this.ctx.go(c.inputs, path);
      }, (err) => { this.busy = false; this.ctx.toast(err.message); });
      return true;
    }
    if (s.valence !== 'bivalent' && s.valence !== 'unknown') {
      this.ctx.toast(`That configuration is ${s.valence}: from it e can no longer land on a bivalent one. Backspace undoes it.`);
    }
    this.ctx.go(c.inputs, [...c.path, k]);
    return true;
  }

  retryStage() {
    this.over = null;
    this.ctx.go(this.stageStart.inputs, this.stageStart.path);
  }

  askHint(play) {
    const s = this.stageStart;
    const d = this.demand;
    if (!s || !d) return;
    this.ctx.api.lemma3(s.inputs, s.path, d.index).then((ans) => {
      this.hint = ans.sigma ? (ans.sigma_text.length ? `A σ of ${ans.sigma_text.length} event(s) works: ${ans.sigma_text.join(', ')}, then e.`
        : 'σ can be empty: e itself keeps C bivalent.') : ans.explanation;
      if (play && ans.sigma) {
        this.over = null;
        this.ctx.go(s.inputs, [...s.path, ...ans.sigma.slice(0, -1)]);
      } else this.ctx.render();
    }, (err) => this.ctx.toast(err.message));
  }

  /** Fix the scheduler's demand when a stage starts (before anything is drawn). */
  sync() {
    const c = this.config;
    if (this.active && this.mode === 'adversary' && !this.demand && this.atStageStart() && c.explored) {
      const p = this.queue[0];
      const f = c.fair_events[p];
      this.demand = { pid: p, event: f.event, label: f.text, index: f.index, pending: f.event[1] !== null };
    }
  }

  render() {
    if (!this.pane) return;
    const { h } = this.ctx;
    const c = this.config;
    const modeBtn = (mode, label, testid) => h('button', {
      class: 'mode' + (this.mode === mode ? ' on' : ''), 'data-testid': testid, onclick: () => this.setMode(mode),
    }, label);
    const parts = [h('div', { class: 'modes' }, modeBtn('force', 'Force a decision', 'game-mode-force'),
      modeBtn('adversary', 'Be the adversary', 'game-mode-adversary'))];
    if (this.mode === 'force') {
      parts.push(h('p', { class: 'muted' }, 'You schedule: click a successor to choose the event e you want to happen. ',
        'The FLP adversary may first play any σ that avoids e, then e, and it always tries to land on a bivalent configuration. ',
        'Can you force a decision?'));
    } else {
      parts.push(h('p', { class: 'muted' }, 'The scheduler is fair: round robin over the processes, each served its oldest pending message (or a null step). ',
        'You are the adversary: play any events σ except e, then e, and land on a bivalent configuration. The demanded e is marked in vermillion.'));
    }
    const st = this.ctx.state.status;
    if (!this.active) {
      const from = this.startPoint();
      parts.push(h('div', { class: 'row' },
        h('button', { class: 'primary', 'data-testid': 'game-start', onclick: () => this.start(), disabled: !st || st.phase !== 'done' },
          'Start ▶'),
        h('span', { class: 'muted' }, from ? ` from ${from.path.length ? 'the current configuration' : `I(${from.inputs})`}` : ' (no bivalent configuration)')));
      if (this.over) parts.push(h('p', { class: 'error', 'data-testid': 'game-status' }, this.over.text));
      this.pane.replaceChildren(...parts);
      return;
    }
    const status = h('div', { class: 'game-status' + (this.over ? (this.over.won ? ' won' : ' lost') : ''), 'data-testid': 'game-status' });
    if (this.mode === 'force') {
      if (this.over) status.append(this.over.text);
      else if (this.busy) status.append(h('span', { class: 'spinner' }), 'the adversary is thinking…');
      else status.append(`Round ${this.round}: click the event e you want to force (${c ? c.successors.length : 0} to choose from).`);
    } else if (this.over) {
      status.append(this.over.text);
    } else if (this.demand) {
      status.append(`Stage ${this.stage}: the scheduler demands `, h('code', { class: 'e', 'data-testid': 'game-demand' }, this.demand.label),
        this.demand.pending ? ` (p${this.demand.pid}'s oldest pending message).` : ` (nothing is pending for p${this.demand.pid}).`);
      const sigma = c && this.stageStart && c.inputs === this.stageStart.inputs ? c.path.length - this.stageStart.path.length : 0;
      status.append(h('br'), `σ so far: ${sigma} event(s). `,
        c && c.valence !== 'bivalent' ? h('strong', {}, `Careful: this configuration is ${c.valence}.`) : 'Play σ, then e.');
    } else {
      status.append(h('span', { class: 'spinner' }), 'waiting for the configuration…');
    }
    parts.push(status);
    const buttons = h('div', { class: 'row' });
    if (this.mode === 'adversary') {
      buttons.append(h('button', { 'data-testid': 'game-retry', onclick: () => this.retryStage() }, 'Retry stage'),
        h('button', { 'data-testid': 'game-hint', onclick: () => this.askHint(false) }, 'Hint'),
        h('button', { 'data-testid': 'game-solve', onclick: () => this.askHint(true) }, 'Show a solution'));
      buttons.append(h('span', { class: 'queue', title: 'the round-robin queue of the fair scheduler' }, 'queue: ',
        this.queue.map((p) => `p${p}`).join(' → ')));
    }
    buttons.append(h('button', { 'data-testid': 'game-stop', onclick: () => { this.stop(); this.ctx.render(); } }, 'End game'));
    parts.push(buttons);
    if (this.hint) parts.push(h('p', { class: 'hint', 'data-testid': 'game-hint-text' }, this.hint));
    const log = h('ol', { class: 'game-log', 'data-testid': 'game-log' });
    for (const r of this.log) {
      if (this.mode === 'force') {
        log.append(h('li', { class: r.ok ? '' : 'win' }, 'you: ', h('code', {}, r.you), ' → adversary: ',
          r.ok ? (r.sigma.length ? `σ = ${r.sigma.join(', ')}, then e` : 'e at once') : 'no answer', ' → ',
          h('span', { class: `vchip v-${r.valence}` }, r.valence)));
      } else {
        log.append(h('li', { class: r.ok ? '' : 'lose' }, `stage ${r.stage}: e = `, h('code', {}, r.e),
          ` after σ of ${r.sigma} → `, h('span', { class: `vchip v-${r.valence}` }, r.valence)));
      }
    }
    if (this.log.length) parts.push(log);
    this.pane.replaceChildren(...parts);
  }
}
