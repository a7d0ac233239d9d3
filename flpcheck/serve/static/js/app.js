// flpcheck serve: the page. State lives in the URL hash (#inputs=011&path=3,0,5); every
// navigation pushes a history entry, so the browser's back and forward buttons work.

import { api } from './api.js';
import { drawMsc, drawNeighbourhood, PALETTE, sameEvent } from './svg.js';
import { Tours } from './tours.js';
import { Game } from './game.js';
import { Escape } from './escape.js';

const $ = (sel) => document.querySelector(sel);

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const fmtNum = (n) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));

export function valenceChip(v, extra = {}) {
  return h('span', { class: `vchip v-${v}`, ...extra }, v);
}

/** A JSON value as short text: null as ·, lists in brackets. */
export function fmtValue(v) {
  if (v === null || v === undefined) return '·';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return '[' + v.map(fmtValue).join(', ') + ']';
  if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => `${k}: ${fmtValue(x)}`).join(', ') + '}';
  return String(v);
}
export const fmtPayload = (p) => (p === null ? 'null' : fmtValue(p));
/** The payload as the model prints it, from an event label (p1:prepare(0)) or a send (0 → p1). */
export const payloadOfLabel = (label) => label.slice(label.indexOf(':') + 1);
export const payloadOfSend = (text) => text.replace(/ → p\d+$/, '');

const state = {
  status: null,
  inputs: null,
  path: [],
  config: null,
  selected: 0,
  loadSeq: 0,
  error: null,
  lastPhase: null,
};

const keyOf = (inputs, path) => `${inputs}|${path.join(',')}`;

function parseHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const inputs = params.get('inputs');
  const p = params.get('path');
  const path = p ? p.split(',').filter((w) => w !== '').map(Number) : [];
  return { inputs, path: path.every((k) => Number.isInteger(k) && k >= 0) ? path : [] };
}

function hashOf(inputs, path) {
  return `#inputs=${inputs}` + (path.length ? `&path=${path.join(',')}` : '');
}

/** Navigate (pushes a history entry). */
export function go(inputs, path, { replace = false } = {}) {
  const target = hashOf(inputs, path);
  const entry = { key: keyOf(inputs, path), parent: state.inputs !== null ? keyOf(state.inputs, state.path) : null };
  if (target === location.hash) {
    load();
    return;
  }
  if (replace) history.replaceState(entry, '', target);
  else history.pushState(entry, '', target);
  load();
}

function goParent() {
  if (!state.path.length) return;
  const parent = state.path.slice(0, -1);
  const hs = history.state;
  if (hs && hs.parent === keyOf(state.inputs, parent) && hs.key === keyOf(state.inputs, state.path)) history.back();
  else go(state.inputs, parent);
}

export function takeSuccessor(k) {
  const c = state.config;
  if (!c || k < 0 || k >= c.successors.length) return;
  if (game.intercept(k)) return;
  go(c.inputs, [...c.path, k]);
}

async function load() {
  const { inputs, path } = parseHash();
  if (!inputs) {
    const st = state.status;
    if (!st) return;
    const first = st.initial.find((i) => i.valence === 'bivalent') || st.initial[0];
    history.replaceState({ key: keyOf(first.inputs, []), parent: null }, '', hashOf(first.inputs, []));
    return load();
  }
  const seq = ++state.loadSeq;
  $('#config-card').classList.add('loading');
  try {
    const config = await api.config(inputs, path);
    if (seq !== state.loadSeq) return;
    const changed = !state.config || keyOf(state.config.inputs, state.config.path) !== keyOf(inputs, path);
    state.inputs = inputs;
    state.path = path;
    state.config = config;
    state.error = null;
    if (changed) state.selected = 0;
    render();
  } catch (err) {
    if (seq !== state.loadSeq) return;
    state.error = err;
    state.inputs = inputs;
    state.path = path;
    state.config = null;
    render();
  } finally {
    if (seq === state.loadSeq) $('#config-card').classList.remove('loading');
  }
}

// -- status and header ------------------------------------------------------------------------

async function pollStatus() {
  try {
    const st = await api.status();
    const phaseChanged = state.lastPhase !== null && st.phase !== state.lastPhase;
    state.status = st;
    state.lastPhase = st.phase;
    renderHeader();
    renderInitials();
    if (phaseChanged) {
      api.clear();
      if (state.inputs) load();
      tours.refresh();
    }
    if (!state.inputs && !parseHash().inputs) load();
    else if (!state.config && !state.error) load();
    if (st.phase !== 'done' && st.phase !== 'failed') setTimeout(pollStatus, 600);
  } catch (err) {
    $('#progress').textContent = 'server not answering: ' + err.message;
    setTimeout(pollStatus, 2000);
  }
}

const VERDICT_CLASS = {
  'agreement-violated': 'bad', 'validity-violated': 'bad', trivial: 'bad',
  'blocks-without-crash': 'bad', 'not-crash-tolerant': 'warn', 'forever-bivalent': 'flp',
  'none-found': 'ok',
};

function renderHeader() {
  const st = state.status;
  if (!st) return;
  document.title = `${st.protocol} — flpcheck`;
  $('#protocol-name').textContent = st.protocol;
  $('#protocol-name').title = st.doc || '';
  $('#proto-n').textContent = `N = ${st.processes}`;
  $('#proto-t').textContent = `t = ${st.crashes}`;
  $('#proto-t').title = `at most ${st.crashes} crash(es) allowed in the verdict's runs`;
  const prog = $('#progress');
  prog.replaceChildren();
  prog.dataset.phase = st.phase;
  if (st.phase === 'exploring') {
    prog.append(h('span', { class: 'spinner' }), `exploring… ${fmtNum(st.configurations)} configurations`);
  } else if (st.phase === 'failed') {
    prog.append(h('span', { class: 'err' }, 'failed: ' + st.error));
  } else {
    prog.append(`${fmtNum(st.configurations)} configurations`, h('span', { class: 'events' }, ` · ${fmtNum(st.events)} events`));
    prog.append(h('span', {
      class: st.complete ? 'complete' : 'cut', 'data-testid': 'completeness',
      title: st.complete ? 'every reachable configuration was explored'
        : `cut by ${st.cut_reasons.join(', ')}: past the cut, configurations are computed on demand and their valence is unknown`,
    }, st.complete ? ' · complete' : ` · INCOMPLETE (${st.cut_reasons.join(', ')})`));
    if (st.phase === 'analysing') prog.append(h('span', {}, ' · '), h('span', { class: 'spinner' }), 'computing the verdict…');
  }
  const v = $('#verdict');
  v.className = 'verdict ' + (st.verdict ? VERDICT_CLASS[st.verdict] || '' : 'pending');
  v.dataset.verdict = st.verdict || '';
  v.textContent = st.verdict || (st.phase === 'failed' ? 'no verdict' : 'verdict: …');
  v.title = st.verdict_detail ? st.verdict_detail + ' — click to step through its run' : 'the verdict is not known yet';
  const counts = st.valence_counts;
  for (const name of ['bivalent', '0-valent', '1-valent', 'none']) {
    const c = document.querySelector(`#legend [data-v="${name}"] .count`);
    if (c) c.textContent = counts ? fmtNum(counts[name]) : '';
  }
}

function renderInitials() {
  const st = state.status;
  if (!st) return;
  const box = $('#initials');
  box.replaceChildren(h('span', { class: 'lbl', title: 'the initial configurations I(x), one per input vector x (process 0 first), coloured by valence' }, 'Initial'));
  for (const ini of st.initial) {
    const cur = state.inputs === ini.inputs;
    box.append(h('button', {
      class: `ini v-${ini.valence}` + (cur ? ' current' : '') + (cur && state.path.length === 0 ? ' here' : ''),
      'data-testid': `initial-${ini.inputs}`, 'data-valence': ini.valence,
      title: `I(${ini.inputs}): ${ini.valence}` + (cur ? ' (the current run starts here)' : ''),
      onclick: () => go(ini.inputs, []),
    }, `I(${ini.inputs})`));
  }
}

// -- the configuration ----------------------------------------------------------------------

function columnsOf(states) {
  const s0 = states[0];
  const same = (s) => s.cells && s.cells.names.join('\n') === s0.cells.names.join('\n');
  if (s0.cells && states.every(same)) return { kind: 'cells', names: s0.cells.names };
  return { kind: 'text', names: ['state'] };
}

function cellValues(s, cols) {
  if (cols.kind === 'cells') return s.cells.texts;
  return [s.text];
}

function renderConfig() {
  const c = state.config;
  const card = $('#config-card');
  const body = $('#config-body');
  body.replaceChildren();
  if (!c) {
    const vb0 = $('#valence');
    vb0.className = 'vbadge';
    vb0.hidden = true;
    delete card.dataset.valence;
    $('#where').textContent = '';
    if (state.error) {
      const err = state.error;
      const st = state.status;
      const inputsOk = st && st.inputs.includes(state.inputs);
      const valid = err.body && Number.isInteger(err.body.valid_depth) ? err.body.valid_depth : null;
      const actions = h('div', { class: 'row' });
      if (inputsOk && valid !== null) {
        actions.append(h('button', { class: 'primary', 'data-testid': 'error-prefix', onclick: () => go(state.inputs, state.path.slice(0, valid)) },
          `Go to depth ${valid}, the valid part of the path`));
      }
      if (st) {
        actions.append(h('button', { onclick: () => go(inputsOk ? state.inputs : st.inputs[0], []) },
          `Go to I(${inputsOk ? state.inputs : st.inputs[0]})`));
      }
      body.append(h('div', { class: 'error', 'data-testid': 'config-error' },
        h('strong', {}, err.status ? `Error ${err.status}: ` : 'Error: '), err.message), actions);
    }
    return;
  }
  $('#valence').hidden = false;
  card.dataset.valence = c.valence;
  const vb = $('#valence');
  vb.className = `vbadge v-${c.valence}`;
  vb.dataset.valence = c.valence;
  vb.textContent = c.valence;
  vb.title = {
    bivalent: 'both 0 and 1 can still be decided', '0-valent': 'only 0 can be decided from here',
    '1-valent': 'only 1 can be decided from here', none: 'no decision is reachable from here',
    unknown: c.valence_bound ? `not known: a bound cut the exploration below this configuration (${c.valence_bound})`
      : c.explored ? 'not known: this configuration lies past the cut of the exploration (computed on demand)'
        : 'not known yet: the model is still being explored',
  }[c.valence];
  escape.renderChance($('#chance-valence'), c);
  $('#where').replaceChildren(
    h('span', { 'data-testid': 'depth' }, `depth ${c.depth}`), ' · from ',
    h('a', { href: hashOf(c.inputs, []), title: 'back to the initial configuration' }, `I(${c.inputs})`),
  );
  body.append(h('div', { class: 'pathline' }, h('span', { class: 'lbl' }, 'path'),
    h('code', { class: 'pathtext', 'data-testid': 'path', title: 'successor indices from the initial configuration (also in the address bar)' },
      c.depth ? c.path.join(',') : '(empty: the initial configuration)')));

  const last = c.depth ? c.steps[c.depth - 1] : null;
  if (last) {
    const from = last.received_from !== null ? ` (sent by p${c.steps[last.received_from].event[0]} at step ${last.received_from + 1})` : '';
    body.append(h('div', { class: 'lastevent', 'data-testid': 'last-event' },
      h('span', { class: 'lbl' }, `Step ${c.depth}: `), h('strong', {}, last.text), from,
      last.sends_text.length ? h('span', { class: 'sends' }, ' — sends ' + last.sends_text.join(', ')) : null));
  } else {
    body.append(h('div', { class: 'lastevent' }, h('span', { class: 'lbl' }, 'Initial configuration '),
      `I(${c.inputs}): input x_p of p0…p${c.states.length - 1} = ${c.inputs.split('').join(', ')}; the buffer is empty.`));
  }

  // processes as rows, state fields as columns, changed cells highlighted
  const cols = columnsOf(c.states);
  const prev = c.previous;
  const table = h('table', { class: 'states', 'data-testid': 'states' });
  table.append(h('thead', {}, h('tr', {}, h('th', {}, ''), ...cols.names.map((n) => h('th', {}, n)), h('th', { class: 'out' }, 'decided'))));
  const tbody = h('tbody');
  c.states.forEach((s, p) => {
    const vals = cellValues(s, cols);
    const old = prev ? cellValues(prev.states[p], cols) : null;
    const actor = last && last.event[0] === p;
    const tr = h('tr', { class: actor ? 'actor' : '', 'data-testid': `proc-${p}` },
      h('th', { title: actor ? 'took the last step' : '' }, actor ? '▶ ' : '', `p${p}`));
    vals.forEach((v, i) => {
      const changed = old && JSON.stringify(old[i]) !== JSON.stringify(v);
      tr.append(h('td', {
        class: changed ? 'chg' : '', 'data-testid': `cell-${p}-${cols.names[i]}`,
        title: changed ? `was ${fmtValue(old[i])}` : fmtValue(v),
      }, changed ? h('span', { class: 'was' }, fmtValue(old[i])) : null, changed ? h('span', { class: 'arrow' }, '→') : null, fmtValue(v)));
    });
    const o = s.output;
    const oldO = prev ? prev.outputs[p] : null;
    tr.append(h('td', { class: 'out' + (prev && oldO !== o ? ' chg' : '') },
      o === null ? h('span', { class: 'undecided' }, '–')
        : h('span', { class: `dchip d${o}`, 'data-testid': `output-${p}` }, String(o))));
    tbody.append(tr);
  });
  table.append(tbody);
  body.append(h('div', { class: 'tablewrap' }, table));
  if (c.agreement_violated) {
    body.append(h('div', { class: 'alert', 'data-testid': 'agreement-violated' },
      `Agreement violated: this configuration holds the decisions ${c.decided.join(' and ')}.`));
  }

  // the buffer: click a message to deliver it
  const buf = h('div', { class: 'buffer', 'data-testid': 'buffer' },
    h('span', { class: 'lbl' }, `In transit (${c.buffer.reduce((a, m) => a + m.count, 0)})`));
  const prevCount = new Map();
  if (prev) prev.buffer.forEach((m) => prevCount.set(`${m.to}|${JSON.stringify(m.payload)}`, m.count));
  if (!c.buffer.length) buf.append(h('span', { class: 'empty' }, 'empty'));
  for (const m of c.buffer) {
    const was = prevCount.get(`${m.to}|${JSON.stringify(m.payload)}`) || 0;
    buf.append(h('button', {
      class: 'msg' + (prev && m.count > was ? ' new' : ''), 'data-testid': `msg-${m.index}`,
      title: `deliver it: successor ${m.index}` + (prev && m.count > was ? ' (just sent)' : ''),
      onclick: () => takeSuccessor(m.index),
    }, m.text, m.count > 1 ? h('span', { class: 'count' }, `×${m.count}`) : null));
  }
  if (last && last.event[1] !== null) {
    buf.append(h('span', { class: 'msg gone', title: 'received by the last step' }, `${payloadOfLabel(last.label)} → p${last.event[0]}`));
  }
  body.append(buf);

  // shortest continuations that decide
  const dec = h('div', { class: 'decisions', 'data-testid': 'decisions' }, h('span', { class: 'lbl' }, 'Shortest way to decide'));
  for (const v of ['0', '1']) {
    const d = c.decisions[v];
    if (d === null || d === undefined) {
      dec.append(h('span', {
        class: 'nodec', 'data-testid': `decide-${v}`,
        title: c.decisions_exact ? `no configuration deciding ${v} is reachable from here` : 'not known: the explored graph does not show one',
      }, c.decisions_exact ? `${v}: unreachable` : `${v}: not known`));
    } else {
      dec.append(h('button', {
        class: `dec d${v}`, 'data-testid': `decide-${v}`,
        title: d.length ? `follow a shortest continuation (${d.join(',')}) to a configuration where ${v} is decided` : `${v} is already decided here`,
        onclick: () => d.length && go(c.inputs, [...c.path, ...d]),
      }, `${v} in ${d.length} step${d.length === 1 ? '' : 's'}`));
    }
  }
  body.append(dec);
}

function sendsSummary(s, n) {
  if (!s.sends.length) return '';
  const payloads = new Set(s.sends.map((m) => JSON.stringify(m[1])));
  const dsts = s.sends.map((m) => m[0]).sort();
  if (payloads.size === 1 && dsts.length === n && dsts.every((d, i) => d === i)) return `broadcasts ${payloadOfSend(s.sends_text[0])}`;
  return 'sends ' + s.sends_text.join(', ');
}

function renderSuccessors() {
  const c = state.config;
  const list = $('#successors');
  list.replaceChildren();
  $('#succ-count').textContent = c ? `(${c.successors.length})` : '';
  const banner = $('#succ-banner');
  const g = game.bannerText();
  banner.hidden = !g;
  banner.textContent = g || '';
  if (!c) return;
  const mark = markedEvent();
  const n = c.states.length;
  const ov = tours.overlayFor(c);
  const dead = new Set(ov && (ov.crashAt || 0) <= c.depth ? ov.crashed : []);
  c.successors.forEach((s) => {
    const isE = mark && sameEvent(mark.event, s.event);
    const bits = [];
    const fresh = (s.outputs || []).map((o, p) => (o !== null && c.outputs[p] === null ? `p${p} decides ${o}` : null)).filter(Boolean);
    bits.push(h('span', { class: 'decides' }, fresh.join(', ')));
    const rule = escape.successorRule(c, s);
    const btn = h('button', {
      class: `succ v-${s.valence}` + (s.index === state.selected ? ' selected' : '') + (isE ? ' e' : '') + (dead.has(s.pid) ? ' dead' : '') + (s.error ? ' failed' : '') + (rule && !rule.allowed ? ' forbidden' : ''),
      'data-testid': `successor-${s.index}`, 'data-index': s.index, 'data-valence': s.valence,
      'data-event': s.label, title: s.error ? `${s.text}: ${s.error}` : `${s.text} → ${s.valence}` + (isE ? ` (${mark.why})` : ''),
      onclick: () => takeSuccessor(s.index),
      onmouseenter: () => { state.selected = s.index; markSelected(); },
    },
    h('span', { class: 'key' }, String(s.index)),
    h('span', { class: 'ev' }, s.text,
      s.probability ? h('span', { class: 'chance', 'data-testid': `chance-${s.index}`, title: `chance gives this outcome with probability ${s.probability}` }, s.probability) : null,
      isE ? h('span', { class: 'etag' }, 'e') : null,
      dead.has(s.pid) ? h('span', { class: 'deadtag', title: `p${s.pid} has crashed in the run being toured` }, 'crashed') : null,
      rule && !rule.allowed ? h('span', { class: 'gstwhy', 'data-testid': `gst-why-${s.index}`, title: 'forbidden after GST' }, rule.reason) : null),
    h('span', { class: 'eff' }, s.error ? 'the model fails here' : s.changes ? sendsSummary(s, n) : 'no change'),
    ...bits,
    h('span', { class: `vtag v-${s.valence}` }, s.valence));
    list.append(h('li', {}, btn));
  });
}

function markSelected() {
  document.querySelectorAll('#successors .succ').forEach((b) => {
    b.classList.toggle('selected', Number(b.dataset.index) === state.selected);
  });
}

/** The event marked in vermillion: Lemma 3's e, or the game's demanded event. */
function markedEvent() {
  return game.markedEvent() || tours.markedEvent();
}

function renderCharts() {
  const c = state.config;
  const msc = $('#msc');
  const nb = $('#nbhd');
  if (!c) {
    for (const svg of [msc, nb]) {
      svg.replaceChildren();
      for (const a of ['width', 'height', 'viewBox']) svg.removeAttribute(a);
      svg.setAttribute('height', 0);
    }
    $('#msc-caption').textContent = '';
    return;
  }
  const overlay = tours.overlayFor(c);
  const mark = markedEvent();
  drawMsc(msc, c, {
    overlay,
    markEvent: mark ? mark.event : null,
    onStep: (i) => { if (i !== c.depth) go(c.inputs, c.path.slice(0, i)); },
  });
  const wrap = $('#msc-wrap');
  wrap.scrollTop = wrap.scrollHeight; // the newest step in view
  const markIndex = mark ? c.successors.findIndex((s) => sameEvent(s.event, mark.event)) : -1;
  drawNeighbourhood(nb, c, { onSuccessor: takeSuccessor, onParent: goParent, markIndex });
  $('#msc-caption').textContent = c.depth ? `${c.depth} step${c.depth === 1 ? '' : 's'} from I(${c.inputs})` : `I(${c.inputs})`;
}

export function render() {
  game.sync();
  renderHeader();
  renderInitials();
  renderConfig();
  renderSuccessors();
  escape.renderSwitch(state.config);
  renderCharts();
  tours.render();
  game.render();
  $('#back').disabled = !state.path.length;
}

// -- keyboard -------------------------------------------------------------------------------

let digitBuffer = '';
let digitTimer = null;

function onKey(ev) {
  if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const t = ev.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
  const c = state.config;
  const k = ev.key;
  if (k === '?') { $('#help').showModal(); ev.preventDefault(); return; }
  if (!c) return;
  const count = c.successors.length;
  if (/^[0-9]$/.test(k)) {
    digitBuffer += k;
    clearTimeout(digitTimer);
    const n = Number(digitBuffer);
    const longer = Number(digitBuffer + '0') < count; // a second digit could follow
    if (!longer || digitBuffer.length >= String(count - 1).length) {
      digitBuffer = '';
      if (n < count) takeSuccessor(n);
    } else {
      digitTimer = setTimeout(() => { digitBuffer = ''; if (n < count) takeSuccessor(n); }, 600);
    }
    ev.preventDefault();
    return;
  }
  switch (k) {
    case 'j': case 'ArrowDown':
      state.selected = Math.min(count - 1, state.selected + 1); markSelected(); scrollSelected(); break;
    case 'k': case 'ArrowUp':
      state.selected = Math.max(0, state.selected - 1); markSelected(); scrollSelected(); break;
    case 'Enter': case 'l': case 'ArrowRight':
      if (document.activeElement && document.activeElement.tagName === 'BUTTON' && k === 'Enter') return;
      takeSuccessor(state.selected); break;
    case 'Backspace': case 'h': case 'ArrowLeft':
      goParent(); break;
    case 'n': tours.next(); break;
    case 'p': tours.prev(); break;
    case 'w': tours.show('witness'); break;
    default: return;
  }
  ev.preventDefault();
}

function scrollSelected() {
  const b = document.querySelector(`#successors [data-index="${state.selected}"]`);
  if (b) b.scrollIntoView({ block: 'nearest' });
}

// -- start ----------------------------------------------------------------------------------

const ctx = {
  state, go, api, h, render, valenceChip, fmtValue, fmtPayload, fmtNum, takeSuccessor,
  toast: (text) => {
    const t = $('#toast');
    t.textContent = text;
    t.classList.add('show');
    clearTimeout(t._timer);
    t._timer = setTimeout(() => t.classList.remove('show'), 3500);
  },
};
const tours = new Tours(ctx);
const game = new Game(ctx);
const escape = new Escape(ctx);
ctx.tours = tours;
ctx.escape = escape;
ctx.game = game;

function legend() {
  const box = $('#legend');
  for (const name of ['bivalent', '0-valent', '1-valent', 'none']) {
    box.append(h('span', { class: 'lg', 'data-v': name, title: `${name} configurations` },
      h('span', { class: 'sw', style: `background:${PALETTE[name]}` }), name, h('span', { class: 'count' })));
  }
}

window.addEventListener('popstate', load);
window.addEventListener('hashchange', load);
document.addEventListener('keydown', onKey);
$('#back').addEventListener('click', goParent);
$('#verdict').addEventListener('click', () => tours.show('witness'));
$('#help-btn').addEventListener('click', () => $('#help').showModal());
$('#help-close').addEventListener('click', () => $('#help').close());
legend();
tours.mount($('#panel'));
game.mount($('#panel'));
escape.mountSwitch($('#gst-bar'));
escape.mountPane($('#pane-escape'));
pollStatus();
window.flp = ctx; // for debugging and browser tests
