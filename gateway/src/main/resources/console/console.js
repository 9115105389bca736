// The Lakehouse operator console (docs/console.md). Plain DOM, no framework; text from the API is always set as
// text (textContent), never parsed as HTML. Every call goes through api(), which carries the key and turns an
// error answer into an ApiError holding its problem+json document.
'use strict';
(() => {
  const KEY = 'lakehouse.key';
  const STATUS_EVERY_MS = 2000;
  const RUNS_EVERY_MS = 2000;

  // ---------- small DOM helpers ----------
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const clear = (node) => { node.replaceChildren(); return node; };
  const fmtBytes = (b) => b == null ? '—' : b >= 1 << 30 ? (b / (1 << 30)).toFixed(2) + ' GiB' : Math.round(b / (1 << 20)) + ' MiB';
  function fmtUptime(s) {
    if (s == null) return '—';
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d ? `${d}d ${h}h` : h ? `${h}h ${String(m).padStart(2, '0')}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
  }
  const fmtNum = (v, digits = 2) => v == null ? '—' : Number(v).toFixed(digits).replace(/\.?0+$/, '');
  const json = (v) => JSON.stringify(v, null, 2);

  // ---------- the API ----------
  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || 'HTTP ' + status);
      this.status = status;
      this.problem = problem;
    }
  }

  async function problemOf(res) {
    const text = await res.text();
    let p = null;
    try { p = JSON.parse(text); } catch (e) { /* not JSON: shown as text */ }
    if (!p || typeof p !== 'object' || Array.isArray(p)) {
      p = { title: res.statusText || 'HTTP ' + res.status, status: res.status, detail: text.slice(0, 500) || 'the answer had no body' };
    }
    return new ApiError(res.status, p);
  }

  /** A call to the gateway: JSON in and out; raw: the Response itself (for streams). */
  async function api(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json, application/problem+json' };
    const key = sessionStorage.getItem(KEY);
    if (key) headers.Authorization = 'Bearer ' + key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, signal: opts.signal, cache: 'no-store',
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, { title: 'No answer', detail: `the gateway did not answer ${method} ${path}: ${e.message}` });
    }
    if (!res.ok) throw await problemOf(res);
    if (opts.raw) return res;
    return res.status === 204 ? null : res.json();
  }

  /** An error in a panel's problem box: the problem's status, title, code and detail, and what it lists. */
  function showProblem(box, err) {
    if (!box) return;
    if (!err) { box.hidden = true; clear(box); return; }
    const p = err.problem || { title: 'Error', detail: String(err.message || err) };
    const head = el('div', {}, el('strong', { text: `${p.status || err.status || ''} ${p.title || ''}`.trim() }),
      p.code ? [' ', el('span', { class: 'code-name', text: p.code })] : null,
      p.peer ? el('span', { class: 'muted', text: ` (peer: ${p.peer})` }) : null);
    const extra = [];
    for (const name of ['errors', 'attempts']) {
      if (Array.isArray(p[name]) && p[name].length) {
        extra.push(el('ul', {}, p[name].map((x) => el('li', { text: typeof x === 'string' ? x : describeAttempt(x) }))));
      }
    }
    clear(box).append(head, el('div', { class: 'detail', text: p.detail || '' }), ...extra);
    box.hidden = false;
  }
  const describeAttempt = (a) => [a.provider && a.model ? `${a.provider}/${a.model}` : a.field || a.path || '',
    a.status || '', a.error_kind || a.code || '', a.error || a.message || a.detail || ''].filter(Boolean).join(' · ');
  const problemBox = (panel) => $('.problem', panel);

  /** Runs an action of a panel: its problem box cleared first, filled if the action fails. */
  async function attempt(panel, action) {
    const box = problemBox(panel);
    showProblem(box, null);
    try { return await action(); } catch (e) {
      if (e.name === 'AbortError') return undefined;
      showProblem(box, e);
      return undefined;
    }
  }

  // ---------- sign-in and scopes ----------
  let session = null;
  const allows = (scope) => session && (session.scopes.includes('*') || session.scopes.includes(scope));

  function showSignIn(problem) {
    session = null;
    stopAll();
    showProblem($('#signin-error'), problem);
    $('#app').hidden = true;
    $('#signin').hidden = false;
    $('#signout').hidden = true;
    $('#who').textContent = '';
    $('#signin-key').focus();
  }

  /** Asks the gateway who the stored (or given) key is; without one, whether it needs one. */
  async function signIn(key) {
    if (key !== undefined) sessionStorage.setItem(KEY, key);
    let answer;
    try {
      answer = await api('GET', 'api/session');
    } catch (e) {
      sessionStorage.removeItem(KEY);
      showSignIn(e);
      return;
    }
    if (!answer.authenticated) { showSignIn(null); return; }
    session = answer;
    showProblem($('#signin-error'), null);
    $('#signin-key').value = '';
    $('#signin').hidden = true;
    $('#app').hidden = false;
    $('#signout').hidden = session.open;
    $('#who').textContent = session.open ? 'open gateway: no API keys configured' : `signed in as ${session.name}`;
    applyScopes();
    activate(location.hash.slice(1) || 'status', false);
  }

  function applyScopes() {
    for (const panel of $$('section[role="tabpanel"]')) {
      const scope = panel.dataset.scope;
      const ok = allows(scope);
      const denied = $('.denied', panel);
      denied.hidden = ok;
      denied.textContent = ok ? '' : `Key '${session.name}' may not use scope '${scope}', which this panel needs; its scopes: `
        + `${session.scopes.join(', ') || 'none'}. Ask for a key with '${scope}'.`;
      const fs = $('fieldset.guarded', panel);
      if (fs) fs.disabled = !ok;
      const tab = $(`#tab-${panel.id.slice('panel-'.length)}`);
      tab.classList.toggle('no-scope', !ok);
      tab.title = ok ? '' : `needs scope '${scope}'`;
    }
  }

  $('#signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    signIn($('#signin-key').value.trim());
  });
  $('#signout').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showSignIn(null);
  });

  // ---------- tabs ----------
  const panels = {};
  let current = null;
  const tabs = () => $$('.tabs [role="tab"]');

  function activate(name, focus) {
    if (!panels[name]) name = 'status';
    for (const t of tabs()) {
      const on = t.dataset.panel === name;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      if (on && focus) t.focus();
    }
    for (const p of $$('section[role="tabpanel"]')) p.hidden = p.id !== 'panel-' + name;
    if (current && current !== name && panels[current].hide) panels[current].hide();
    current = name;
    if (location.hash.slice(1) !== name) history.replaceState(null, '', '#' + name);
    const panel = $('#panel-' + name);
    if (allows(panel.dataset.scope) && panels[name].show) panels[name].show();
  }

  $('.tabs').addEventListener('click', (ev) => {
    const t = ev.target.closest('[role="tab"]');
    if (t) activate(t.dataset.panel, false);
  });
  $('.tabs').addEventListener('keydown', (ev) => {
    const list = tabs();
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: list.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    activate(list[(next + list.length) % list.length].dataset.panel, true);
  });
  window.addEventListener('hashchange', () => session && activate(location.hash.slice(1), false));

  /** A poll that runs while its panel is shown: one call at a time, the next after the last one ends. */
  function poller(fn, everyMs) {
    let timer = null;
    let running = false;
    const tick = async () => {
      timer = null;
      if (!running) return;
      await fn();
      if (running) timer = setTimeout(tick, typeof everyMs === 'function' ? everyMs() : everyMs);
    };
    return {
      start() { if (!running) { running = true; tick(); } },
      stop() { running = false; if (timer) clearTimeout(timer); timer = null; },
    };
  }
  const pollers = [];
  function stopAll() { pollers.forEach((p) => p.stop()); }

  // ---------- status ----------
  {
    const panel = $('#panel-status');
    const body = $('#board tbody');
    let refreshes = 0;
    function stateOf(d) {
      if (d.health !== 'UP') return 'down';
      return d.ready === 'READY' ? 'up' : 'warn';
    }
    function row(name, d) {
      const state = stateOf(d);
      const reasons = d.checks && typeof d.checks === 'object'
        ? Object.entries(d.checks).filter(([, v]) => v !== 'ok' && v !== 'UP').map(([k, v]) => `${k}: ${v}`) : [];
      return el('tr', { class: 'state-' + state, dataset: { daemon: name, state } },
        el('td', {}, el('strong', { text: name }), el('div', { class: 'muted small', text: d.url || '' })),
        el('td', {}, el('span', { class: 'pill state-' + (d.health === 'UP' ? 'up' : 'down'), text: d.health }),
          d.error ? el('div', { class: 'small', text: d.error }) : null),
        el('td', {}, el('span', { class: 'pill state-' + (d.ready === 'READY' ? 'up' : d.ready === 'DOWN' ? 'down' : 'warn'), text: d.ready }),
          reasons.length ? el('ul', { class: 'reasons' }, reasons.map((r) => el('li', { text: r }))) : null),
        el('td', { text: d.version || '—' }),
        el('td', { class: 'num', text: fmtUptime(d.uptime_s) }),
        el('td', {}, el('span', { class: 'pill ' + (d.breaker === 'CLOSED' ? 'state-up' : d.breaker ? 'state-warn' : ''), text: d.breaker || '—' })),
        el('td', { class: 'num', text: fmtBytes(d.rss_bytes) }),
        el('td', { class: 'num', text: d.latency_ms == null ? '—' : fmtNum(d.latency_ms, 1) + ' ms' }));
    }
    async function refresh() {
      await attempt(panel, async () => {
        const [status, own] = await Promise.all([api('GET', '/v1/status'),
          fetch('/health', { cache: 'no-store' }).then((r) => r.json()).catch(() => null)]);
        const rows = [];
        if (own) {
          rows.push(row('gateway', { url: location.origin, health: own.status, ready: 'READY', version: own.version,
            uptime_s: own.uptime_s, rss_bytes: own.rss_bytes, breaker: null, latency_ms: null }));
        }
        for (const [name, d] of Object.entries(status.daemons)) rows.push(row(name, d));
        clear(body).append(...rows);
        const sum = $('#status-summary');
        sum.textContent = `${status.status}: ${status.up} of ${status.expected} up and ready`;
        sum.className = 'pill state-' + (status.status === 'UP' ? 'up' : status.status === 'DOWN' ? 'down' : 'warn');
        refreshes++;
        $('#status-updated').textContent = `updated ${new Date().toLocaleTimeString()} · every ${STATUS_EVERY_MS / 1000} s`;
        panel.dataset.refreshes = String(refreshes);
      });
    }
    const poll = poller(refresh, STATUS_EVERY_MS);
    pollers.push(poll);
    panels.status = { show: poll.start, hide: poll.stop };
  }

  // ---------- metrics ----------
  {
    const panel = $('#panel-metrics');
    const box = $('#charts');
    const cards = new Map();
    let interval = 5;
    const plotWidth = (node) => Math.max(200, node.clientWidth - 4);
    function plot(node, title, series) {
      const opts = {
        width: plotWidth(node), height: 90, title,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        scales: { x: { time: true } },
        axes: [{ size: 24, space: 80, font: '10px system-ui' }, { size: 40, font: '10px system-ui' }],
        series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 1.5, spanGaps: false, points: { size: 3 } }))],
      };
      return new uPlot(opts, [[], ...series.map(() => [])], node);
    }
    function card(name) {
      const wrap = el('div', { class: 'chart-card', dataset: { daemon: name } }, el('h3', { text: name }),
        el('p', { class: 'caption' }));
      box.append(wrap);
      const mk = () => { const n = el('div', { class: 'plot' }); wrap.append(n); return n; };
      const c = { wrap, rate: plot(mk(), 'requests/s', [['req/s', '#1f5fbf']]),
        errors: plot(mk(), 'errors/s', [['5xx/s', '#b3261e'], ['4xx/s', '#c77d00']]),
        p99: plot(mk(), 'p99 latency (ms)', [['p99 ms', '#6a3fb5']]) };
      cards.set(name, c);
      return c;
    }
    async function refresh() {
      await attempt(panel, async () => {
        const m = await api('GET', '/v1/status/metrics');
        interval = m.interval_s;
        $('#metrics-note').textContent = `one point every ${m.interval_s} s, the last ${m.points} kept; `
          + 'requests to /health, /ready and /metrics are not counted';
        for (const [name, s] of Object.entries(m.daemons)) {
          const c = cards.get(name) || card(name);
          c.rate.setData([s.t, s.rps]);
          c.errors.setData([s.t, s.e5xx, s.e4xx]);
          c.p99.setData([s.t, s.p99_ms]);
          const i = s.t.length - 1;
          $('.caption', c.wrap).textContent = i < 0 || s.rps[i] == null ? (i < 0 ? 'collecting the first points…' : 'no answer at the last sample')
            : `now ${fmtNum(s.rps[i])} req/s · ${fmtNum(s.e5xx[i])} 5xx/s · p99 ${s.p99_ms[i] == null ? '—' : fmtNum(s.p99_ms[i], 1) + ' ms'}`;
          c.wrap.dataset.points = String(s.t.length);
        }
      });
    }
    window.addEventListener('resize', () => {
      for (const c of cards.values()) for (const p of [c.rate, c.errors, c.p99]) p.setSize({ width: plotWidth(p.root.parentNode), height: 90 });
    });
    const poll = poller(refresh, () => Math.max(1000, interval * 1000));
    pollers.push(poll);
    panels.metrics = { show: poll.start, hide: poll.stop };
  }

  // ---------- spend ----------
  {
    const panel = $('#panel-spend');
    const charts = $('#spend-charts');
    let cost = null;
    let tokens = null;
    let xRange = [0, 1];   // the month shown: from its first day to its last
    const fmtUsd = (v) => v == null ? '—' : '$' + (Number(v) < 0.01 && Number(v) > 0 ? Number(v).toPrecision(2) : Number(v).toFixed(2));
    const fmtInt = (v) => v == null ? '—' : Number(v).toLocaleString('en-US');
    const width = (node) => Math.max(200, node.clientWidth - 4);
    function chart(title, label, stroke) {
      const node = el('div', { class: 'chart-card' }, el('h3', { text: title }));
      charts.append(node);
      const plotNode = el('div', { class: 'plot' });
      node.append(plotNode);
      return new uPlot({ width: width(plotNode), height: 120, cursor: { drag: { x: false, y: false } }, legend: { show: false },
        scales: { x: { time: true, range: () => xRange }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [{ size: 24, space: 60, font: '10px system-ui' }, { size: 50, font: '10px system-ui' }],
        series: [{}, { label, stroke, fill: stroke + '33', width: 1.5, points: { size: 5 } }] }, [[], []], plotNode);
    }
    function budgetRow(b) {
      const usd = b.limit_usd != null;
      const limit = usd ? Number(b.limit_usd) : b.limit_tokens;
      const spent = usd ? Number(b.spent_usd) : b.spent_tokens;
      const share = limit > 0 ? spent / limit : spent > 0 ? 1 : 0;
      const both = b.limit_usd != null && b.limit_tokens != null;
      return el('tr', { dataset: { budget: b.name }, class: share >= 1 ? 'state-down' : share >= 0.8 ? 'state-warn' : '' },
        el('td', { text: b.name }),
        el('td', { text: [b.limit_tokens != null ? fmtInt(b.spent_tokens) + ' tokens' : null, usd ? fmtUsd(b.spent_usd) : null].filter(Boolean).join(' · ') }),
        el('td', { text: [b.limit_tokens != null ? fmtInt(b.reserved_tokens) + ' tokens' : null, usd ? fmtUsd(b.reserved_usd) : null].filter(Boolean).join(' · ') }),
        el('td', { text: [b.limit_tokens != null ? fmtInt(b.limit_tokens) + ' tokens' : null, usd ? fmtUsd(b.limit_usd) : null].filter(Boolean).join(' · ') }),
        el('td', {}, el('meter', { min: 0, max: 1, value: Math.min(1, share), high: 0.8, optimum: 0, title: Math.round(share * 100) + ' %' }),
          ' ', el('span', { class: 'muted', text: Math.round(share * 100) + ' %' + (both ? ' (cost)' : '') })),
        el('td', { text: new Date(b.resets_at).toLocaleString() }));
    }
    async function refresh() {
      await attempt(panel, async () => {
        const key = $('#spend-key').value.trim();
        const q = (extra) => '/v1/spend?' + new URLSearchParams(Object.assign(key ? { key } : {}, extra)).toString();
        const [groups, days] = await Promise.all([api('GET', q({ group_by: $('#spend-group').value })), api('GET', q({ group_by: 'day' }))]);
        $('#spend-total').textContent = `${fmtInt(groups.total.calls)} calls · ${fmtInt(groups.total.input_tokens + groups.total.output_tokens)} tokens · ${fmtUsd(groups.total.cost_usd)}`;
        $('#spend-updated').textContent = 'as of ' + new Date().toLocaleTimeString();
        clear($('#spend-budgets tbody')).append(...(groups.budgets.length ? groups.budgets.map(budgetRow)
          : [el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'no budgets: every key is unlimited (LAKEHOUSE_BUDGETS_FILE)' }))]));
        $('#spend-groups-title').textContent = 'This month, by ' + groups.group_by;
        clear($('#spend-groups tbody')).append(...groups.groups.map((g) => el('tr', { dataset: { group: g.group } },
          el('td', { text: g.group }), el('td', { text: fmtInt(g.calls) }), el('td', { text: fmtInt(g.input_tokens) }),
          el('td', { text: fmtInt(g.output_tokens) }), el('td', { text: fmtUsd(g.cost_usd) }))));
        if (!cost) { cost = chart('cost per day (USD)', 'USD', '#1f5fbf'); tokens = chart('tokens per day', 'tokens', '#6a3fb5'); }
        const from = Date.parse(days.from) / 1000;
        xRange = [from, Math.max(from + 86400, Date.parse(days.to) / 1000 + 86400)];
        const t = days.groups.map((g) => Date.parse(g.group + 'T00:00:00Z') / 1000);
        cost.setData([t, days.groups.map((g) => Number(g.cost_usd))]);
        tokens.setData([t, days.groups.map((g) => g.input_tokens + g.output_tokens)]);
        charts.dataset.days = String(t.length);
      });
    }
    window.addEventListener('resize', () => {
      for (const p of [cost, tokens]) if (p) p.setSize({ width: width(p.root.parentNode), height: 120 });
    });
    $('#spend-key').addEventListener('change', refresh);
    $('#spend-group').addEventListener('change', refresh);
    const poll = poller(refresh, 5000);
    pollers.push(poll);
    panels.spend = { show: poll.start, hide: poll.stop };
  }

  // ---------- chat ----------
  {
    const panel = $('#panel-chat');
    const log = $('#chat-log');
    const providerSel = $('#chat-provider');
    const modelSel = $('#chat-model');
    let providers = [];
    let listed = [];
    let messages = [];
    let controller = null;
    let loaded = false;

    function fillModels() {
      const p = providers.find((x) => x.name === providerSel.value);
      const names = new Set((p && p.models) || []);
      for (const m of listed) if (m.owned_by === providerSel.value && m.id.startsWith(providerSel.value + '/')) names.add(m.id.slice(providerSel.value.length + 1));
      clear($('#chat-models')).append(...[...names].map((n) => el('option', { value: n })));
      modelSel.value = names.size ? [...names][0] : '';
    }
    async function load() {
      await attempt(panel, async () => {
        const [prov, models] = await Promise.all([api('GET', '/v1/providers'), api('GET', '/v1/models').catch(() => ({ data: [] }))]);
        providers = prov.providers || [];
        listed = models.data || [];
        const [defProvider, ...rest] = (prov.default || '').split('/');
        clear(providerSel).append(...providers.map((p) => el('option', { value: p.name,
          text: p.name + (p.state && p.state !== 'ok' ? ` (${p.state.replace('_', ' ')})` : '') })));
        if (providers.some((p) => p.name === defProvider)) providerSel.value = defProvider;
        fillModels();
        if (rest.length) modelSel.value = rest.join('/');
        $('#chat-providers').textContent = providers.map((p) => `${p.name}: ${p.state}${p.cooling_until ? ' until ' + p.cooling_until : ''}`).join(' · ');
        loaded = true;
      });
    }
    providerSel.addEventListener('change', fillModels);

    function renderAttempts(attempts) {
      const box = clear($('#chat-attempts'));
      (attempts || []).forEach((a, i) => box.append(el('span', { class: 'attempt ' + (a.status === 'ok' ? 'ok' : a.status === 'error' ? 'error' : ''),
        text: `${i + 1}. ${a.provider}/${a.model}: ${a.status}${a.error_kind ? ' (' + a.error_kind + ')' : ''}${a.error ? ' — ' + a.error : ''}` })));
      if (attempts && attempts.length > 1) box.prepend(el('strong', { text: 'attempts (with fallbacks):' }));
    }
    function bubble(role, text) {
      const li = el('li', { class: role }, el('span', { class: 'text', text }));
      log.append(li);
      log.scrollTop = log.scrollHeight;
      return li;
    }
    /** The SSE events of a response body, each {event, data}, as they arrive. */
    async function* events(res) {
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
          let event = 'message';
          const data = [];
          for (const line of block.split(/\r?\n/)) {
            if (line.startsWith(':')) continue;
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length) yield { event, data: data.join('\n') };
        }
      }
    }
    async function send(text) {
      messages.push({ role: 'user', content: text });
      bubble('user', text);
      const reply = bubble('assistant streaming', '');
      const out = $('.text', reply);
      const fallback = $('#chat-fallback').value.split(',').map((s) => s.trim()).filter(Boolean).map((model) => ({ model }));
      const body = { provider: providerSel.value || undefined, model: modelSel.value || undefined, messages, stream: true,
        temperature: Number($('#chat-temperature').value), max_tokens: Number($('#chat-max-tokens').value) };
      if (fallback.length) body.fallback = fallback;
      controller = new AbortController();
      $('#chat-send').disabled = true;
      $('#chat-stop').disabled = false;
      renderAttempts([]);
      let meta = '';
      let stopped = false;
      await attempt(panel, async () => {
        try {
          const res = await api('POST', '/v1/chat', body, { raw: true, signal: controller.signal });
          for await (const ev of events(res)) {
            const data = JSON.parse(ev.data);
            if (ev.event === 'start') meta = `${data.provider}/${data.model}`;
            else if (ev.event === 'delta') { out.textContent += data.content || ''; log.scrollTop = log.scrollHeight; }
            else if (ev.event === 'done') {
              renderAttempts(data.attempts);
              meta = `${data.provider}/${data.model} · ${data.finish_reason} · ${data.usage ? data.usage.total_tokens + ' tokens' : ''}`
                + ` · ${data.latency_ms} ms (first token ${data.ttft_ms} ms)`;
            } else if (ev.event === 'error') {
              renderAttempts(data.attempts);
              throw new ApiError(data.status || 502, data);
            }
          }
        } catch (e) {
          if (e.name === 'AbortError') { stopped = true; return; }
          throw e;
        } finally {
          reply.classList.remove('streaming');
          reply.dataset.done = 'true';
          if (out.textContent) messages.push({ role: 'assistant', content: out.textContent });
          reply.append(el('span', { class: 'meta', text: stopped ? `${meta} · stopped` : meta }));
          controller = null;
          $('#chat-send').disabled = false;
          $('#chat-stop').disabled = true;
        }
      });
    }
    $('#chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('#chat-input').value.trim();
      if (!text || controller) return;
      $('#chat-input').value = '';
      send(text);
    });
    $('#chat-input').addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $('#chat-form').requestSubmit(); }
    });
    $('#chat-stop').addEventListener('click', () => controller && controller.abort());
    $('#chat-clear').addEventListener('click', () => { messages = []; clear(log); renderAttempts([]); });
    panels.chat = { show: () => { if (!loaded) load(); } };
  }

  // ---------- validate and iterate ----------
  {
    const panel = $('#panel-validate');
    const kindSel = $('#val-kind');
    const jsonBox = $('#val-json');

    function setPath(obj, path, value) {
      const parts = path.split('.');
      let o = obj;
      for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
      o[parts[parts.length - 1]] = value;
    }
    function fromForm() {
      const kind = kindSel.value;
      const artifact = {};
      for (const input of $$(`#val-${kind} [data-k]`)) {
        const raw = input.value;
        const type = input.dataset.type;
        const value = type === 'number' ? (raw === '' ? null : Number(raw))
          : type === 'list' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
        setPath(artifact, input.dataset.k, value);
      }
      return { kind, [kind]: artifact };
    }
    function writeJson() { jsonBox.value = json(fromForm()); }
    function showKind() {
      $('#val-fill').hidden = kindSel.value !== 'fill';
      $('#val-email').hidden = kindSel.value !== 'email';
      writeJson();
      const ctx = fromForm()[kindSel.value];
      $('#it-context').value = json(kindSel.value === 'fill' ? { order: ctx.order } : { to_worker_id: ctx.to_worker_id });
      $('#it-instruction').value = kindSel.value === 'fill' ? 'Staff the order with the right number of workers of its role'
        : 'Write a short e-mail telling the worker about tomorrow\'s shift';
    }
    kindSel.addEventListener('change', showKind);
    $('#val-form').addEventListener('input', (ev) => { if (ev.target !== jsonBox) writeJson(); });

    /** Text with the spans marked, overlapping spans merged. */
    function marked(text, spans) {
      const sorted = spans.filter((s) => s && s.end > s.start).sort((a, b) => a.start - b.start);
      const merged = [];
      for (const s of sorted) {
        const last = merged[merged.length - 1];
        if (last && s.start <= last.end) last.end = Math.max(last.end, s.end); else merged.push({ ...s });
      }
      const out = [];
      let at = 0;
      for (const s of merged) {
        out.push(text.slice(at, s.start), el('mark', { text: text.slice(s.start, s.end) }));
        at = s.end;
      }
      out.push(text.slice(at));
      return out;
    }
    function violationList(violations) {
      return el('ul', { class: 'violations' }, violations.map((v) => el('li', { class: v.severity, dataset: { rule: v.rule } },
        el('span', { class: 'rule', text: v.rule }), el('span', { class: 'path', text: v.path }),
        el('span', { class: 'muted', text: ` · ${v.severity}` }), el('div', { text: v.message }))));
    }
    function highlight(request, violations) {
      const box = clear($('#val-highlight'));
      if (!request || typeof request !== 'object') return;
      if (request.kind === 'email' && request.email) {
        for (const field of ['subject', 'body']) {
          const text = typeof request.email[field] === 'string' ? request.email[field] : '';
          const spans = violations.filter((v) => v.path === field && v.span).map((v) => v.span);
          box.append(el('div', { class: 'field', dataset: { field } }, el('h4', { text: field }), marked(text, spans)));
        }
      } else if (request.kind === 'fill' && request.fill && Array.isArray(request.fill.worker_ids)) {
        const bad = new Set(violations.map((v) => v.path));
        box.append(el('div', { class: 'field', dataset: { field: 'worker_ids' } }, el('h4', { text: 'worker_ids' }),
          request.fill.worker_ids.map((id, i) => [i ? ', ' : '', bad.has(`worker_ids[${i}]`) ? el('mark', { text: String(id) }) : String(id)])));
      }
    }
    $('#val-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const result = clear($('#val-result'));
      clear($('#val-highlight'));
      await attempt(panel, async () => {
        const answer = await api('POST', '/v1/validate', jsonBox.value);
        let request = null;
        try { request = JSON.parse(jsonBox.value); } catch (e) { /* the server parsed it; we only highlight */ }
        result.append(el('p', {}, el('span', { class: answer.valid ? 'valid-yes' : 'valid-no', text: answer.valid ? 'valid' : 'not valid' }),
          el('span', { class: 'muted', text: ` · ${answer.violations.length} violation(s) · ${fmtNum(answer.took_ms, 2)} ms` })),
        violationList(answer.violations));
        result.dataset.valid = String(answer.valid);
        highlight(request, answer.violations);
      });
    });

    $('#it-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const list = clear($('#it-attempts'));
      const box = $('.problem', $('#iterate'));
      showProblem(box, null);
      $('#it-send').disabled = true;
      try {
        let context;
        try { context = JSON.parse($('#it-context').value); } catch (e) {
          throw new ApiError(0, { title: 'Not sent', detail: 'the context is not JSON: ' + e.message });
        }
        const body = { kind: kindSel.value, instruction: $('#it-instruction').value, context, max_attempts: Number($('#it-max').value) };
        if ($('#it-provider').value.trim()) body.provider = $('#it-provider').value.trim();
        if ($('#it-model').value.trim()) body.model = $('#it-model').value.trim();
        const answer = await api('POST', '/v1/iterate', body);
        for (const a of answer.attempts) {
          list.append(el('li', { dataset: { n: a.n } }, el('strong', { text: `attempt ${a.n}: ` }),
            el('span', { class: a.violations.some((v) => v.severity === 'error') ? 'valid-no' : 'valid-yes',
              text: a.violations.length ? `${a.violations.length} violation(s)` : 'valid' }),
            el('pre', { text: a.output }), violationList(a.violations)));
        }
        list.append(el('li', { class: 'muted' }, el('strong', { text: answer.valid ? 'valid at the end' : 'still not valid' }),
          ` · ${answer.provider || ''}/${answer.model || ''}`, answer.final ? el('pre', { text: json(answer.final) }) : null));
      } catch (e) {
        showProblem(box, e);
      } finally {
        $('#it-send').disabled = false;
      }
    });
    showKind();
    panels.validate = {};
  }

  // ---------- retrieve ----------
  {
    const panel = $('#panel-retrieve');
    let loaded = false;
    async function load() {
      await attempt(panel, async () => {
        const { corpora } = await api('GET', '/v1/matrix/corpora');
        const box = clear($('#ret-corpora'));
        if (!corpora.length) box.append(el('span', { class: 'muted', text: 'no corpora registered (PUT /v1/matrix/corpora/{name})' }));
        for (const c of corpora) {
          box.append(el('label', {}, el('input', { type: 'checkbox', name: 'corpus', value: c.name, checked: true }),
            `${c.name}${c.gate ? ' (gate: ' + c.gate + ')' : ''}`));
        }
        loaded = true;
      });
    }
    $('#ret-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const tbody = clear($('#ret-hits tbody'));
      $('#ret-meta').textContent = '';
      await attempt(panel, async () => {
        const body = { query: $('#ret-query').value, corpora: $$('#ret-corpora input:checked').map((i) => i.value),
          k: Number($('#ret-k').value), fusion: $('#ret-fusion').value };
        if ($('#ret-role').value.trim()) body.query_role = $('#ret-role').value.trim();
        const r = await api('POST', '/v1/matrix/retrieve', body);
        $('#ret-meta').textContent = `${r.hits.length} hit(s) · fusion ${r.fusion} · query role ${r.query_role || 'none'} · ${fmtNum(r.took_ms, 1)} ms`
          + (r.partial ? ' · PARTIAL: ' + (r.errors || []).map((e) => `${e.corpus}: ${e.code} ${e.detail}`).join('; ') : '')
          + (r.skipped && r.skipped.length ? ' · skipped: ' + r.skipped.map((s) => typeof s === 'string' ? s : json(s)).join(', ') : '');
        r.hits.forEach((h, i) => tbody.append(el('tr', { dataset: { corpus: h.corpus } },
          el('td', { class: 'num', text: i + 1 }), el('td', { text: h.corpus }), el('td', { text: `${h.index}${h.shard != null ? ' / ' + h.shard : ''}` }),
          el('td', { text: h.id }), el('td', { text: h.doc_id || '' }), el('td', { class: 'num', text: fmtNum(h.score, 4) }),
          el('td', { class: 'num', text: fmtNum(h.raw_score, 4) }), el('td', { class: 'num', text: h.rank_in_corpus }),
          el('td', {}, el('pre', { class: 'small', text: json(h.payload) })))));
      });
    });
    panels.retrieve = { show: () => { if (!loaded) load(); } };
  }

  // ---------- memory ----------
  {
    const panel = $('#panel-memory');
    const slider = $('#mem-asof');
    let openId = null;
    let versions = [];
    const enc = encodeURIComponent;

    function versionCard(v) {
      return [el('div', {}, el('strong', { text: `v${v.version} · ${v.change}` }), el('span', { class: 'muted', text: ` · ${v.kind || ''} ${v.role ? '· ' + v.role : ''}` })),
        el('div', { text: v.text == null ? '(no text: a tombstone)' : v.text }),
        el('div', { class: 'muted small', text: `recorded ${v.recorded_at}${v.superseded_at ? ' · superseded ' + v.superseded_at : ''}`
          + ` · valid ${v.valid_from || '−∞'} → ${v.valid_to || 'now'}` })];
    }
    async function showAsOf() {
      const i = Number(slider.value);
      const now = i >= versions.length - 1;
      const asOf = now ? null : versions[i].recorded_at;
      $('#mem-asof-label').textContent = now ? 'now' : asOf;
      const card = clear($('#mem-current'));
      await attempt(panel, async () => {
        const v = await api('GET', `/v1/memory/${enc(openId)}${asOf ? '?as_of=' + enc(asOf) : ''}`);
        const version = v.memory || v;
        card.append(...versionCard(version));
        card.dataset.version = String(version.version);
        for (const li of $$('#mem-history li')) li.classList.toggle('current', li.dataset.version === String(version.version));
      });
    }
    async function open(id) {
      openId = id;
      $('#mem-id').value = id;
      await attempt(panel, async () => {
        const h = await api('GET', `/v1/memory/${enc(id)}/history`);
        versions = h.versions;
        $('#mem-title').textContent = `${id}: ${versions.length} version(s)`;
        clear($('#mem-history')).append(...versions.slice().reverse().map((v) => el('li', { dataset: { version: v.version } }, versionCard(v))));
        slider.min = '0';
        slider.max = String(Math.max(0, versions.length - 1));
        slider.value = slider.max;
        slider.disabled = versions.length < 2;
        $('#mem-update').hidden = false;
        const latest = versions[versions.length - 1];
        $('#mem-new-text').value = latest && latest.text ? latest.text : '';
      });
      if (versions.length) await showAsOf();
    }
    slider.addEventListener('input', () => { $('#mem-asof-label').textContent = Number(slider.value) >= versions.length - 1 ? 'now' : versions[Number(slider.value)].recorded_at; });
    slider.addEventListener('change', showAsOf);
    $('#mem-search').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const list = clear($('#mem-hits'));
      await attempt(panel, async () => {
        const r = await api('POST', '/v1/memory/search', { query: $('#mem-query').value, k: Number($('#mem-k').value) });
        if (!r.hits.length) list.append(el('li', { class: 'muted', text: 'no memory matches' }));
        for (const h of r.hits) {
          list.append(el('li', {}, el('button', { type: 'button', onclick: () => open(h.id) },
            el('strong', { text: h.memory && h.memory.text ? h.memory.text : h.id }),
            el('div', { class: 'muted small', text: `${h.id} · v${h.version} · score ${fmtNum(h.score, 3)}` }))));
        }
      });
    });
    $('#mem-add').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      await attempt(panel, async () => {
        const body = { text: $('#mem-text').value, kind: $('#mem-kind').value || undefined, role: $('#mem-role').value || undefined };
        const r = await api('POST', '/v1/memory', body);
        await open(r.memory.id);
      });
    });
    $('#mem-open').addEventListener('submit', (ev) => { ev.preventDefault(); if ($('#mem-id').value.trim()) open($('#mem-id').value.trim()); });
    $('#mem-update').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      await attempt(panel, async () => {
        await api('PUT', `/v1/memory/${enc(openId)}`, { text: $('#mem-new-text').value });
        await open(openId);
      });
    });
    panels.memory = {};
  }

  // ---------- journal ----------
  {
    const panel = $('#panel-journal');
    let next = null;
    async function show(from) {
      const tbody = clear($('#jr-entries tbody'));
      await attempt(panel, async () => {
        const q = new URLSearchParams({ from_seq: String(from), limit: $('#jr-limit').value || '50' });
        for (const [id, name] of [['#jr-type', 'type'], ['#jr-actor', 'actor'], ['#jr-request', 'request_id']]) {
          if ($(id).value.trim()) q.set(name, $(id).value.trim());
        }
        const r = await api('GET', '/v1/journal/entries?' + q);
        if (!r.entries.length) tbody.append(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: 'no entries match' })));
        for (const e of r.entries) {
          tbody.append(el('tr', { dataset: { seq: e.seq } }, el('td', { class: 'num', text: e.seq }), el('td', { text: e.ts }),
            el('td', { text: e.type }), el('td', { text: e.actor }), el('td', { text: e.subject || '' }),
            el('td', {}, el('code', { title: e.hash, text: (e.hash || '').slice(0, 12) + '…' })),
            el('td', {}, el('pre', { class: 'small', text: json(e.data) }))));
        }
        next = r.entries.length ? r.next_from_seq : null;
        $('#jr-next').disabled = next == null;
        $('#jr-from').value = String(from);
      });
    }
    $('#jr-form').addEventListener('submit', (ev) => { ev.preventDefault(); show(Number($('#jr-from').value) || 1); });
    $('#jr-next').addEventListener('click', () => next != null && show(next));
    $('#jr-verify').addEventListener('click', async () => {
      const pill = $('#jr-verified');
      pill.textContent = 'verifying…';
      pill.className = 'pill';
      await attempt(panel, async () => {
        const v = await api('GET', '/v1/journal/verify');
        pill.textContent = v.ok ? `chain verified: ${v.entries} entries, head ${(v.head || '').slice(0, 12)}…`
          : `chain BROKEN at seq ${v.first_bad_seq}: ${v.reason}`;
        pill.className = 'pill state-' + (v.ok ? 'up' : 'down');
        pill.dataset.ok = String(v.ok);
      });
    });
    let shown = false;
    panels.journal = { show: () => { if (!shown) { shown = true; show(1); } } };
  }

  // ---------- distillation ----------
  {
    const panel = $('#panel-distill');
    let anyRunning = true;
    let auditId = null;
    function progressRows(progress) {
      return Object.entries(progress || {}).map(([stage, p]) => el('div', { class: 'progress-row', dataset: { stage } },
        el('span', { text: stage }), el('progress', { max: Math.max(1, p.total || 0), value: p.done || 0 }),
        el('span', { class: 'muted', text: `${p.done ?? 0} / ${p.total ?? '?'}` })));
    }
    function stateClass(s) { return 'pill state-' + (s === 'done' ? 'up' : s === 'failed' ? 'down' : 'warn'); }
    async function refresh() {
      await attempt(panel, async () => {
        const { runs } = await api('GET', '/v1/distill/runs');
        anyRunning = runs.some((r) => r.state === 'running');
        const list = clear($('#ds-runs'));
        if (!runs.length) list.append(el('li', { class: 'muted', text: 'no runs yet' }));
        for (const r of runs) {
          list.append(el('li', { dataset: { run: r.id, state: r.state } },
            el('div', {}, el('strong', { text: r.id }), ' ', el('span', { class: stateClass(r.state), text: r.state }),
              el('span', { class: 'muted', text: ` · ${(r.stages || []).join(', ')} · started ${r.started_at}${r.finished_at ? ' · finished ' + r.finished_at : ''}` })),
            progressRows(r.progress), r.error ? el('div', { class: 'problem', text: r.error }) : null,
            r.summary ? el('details', {}, el('summary', { text: 'summary' }), el('pre', { class: 'small', text: json(r.summary) })) : null));
        }
      });
    }
    $('#ds-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      await attempt(panel, async () => {
        await api('POST', '/v1/distill/runs', { stages: $$('#ds-form input[name="stage"]:checked').map((i) => i.value), full: $('#ds-full').checked });
        await refresh();
      });
    });
    async function showAudit() {
      const box = clear($('#au-report'));
      const a = await api('GET', `/v1/distill/audits/${encodeURIComponent(auditId)}`);
      box.dataset.state = a.state;
      box.append(el('div', {}, el('strong', { text: a.id }), ' ', el('span', { class: stateClass(a.state), text: a.state })), progressRows(a.progress));
      const report = a.result;
      if (report && Array.isArray(report.phases)) {
        box.append(el('p', {}, el('span', { class: report.passed ? 'valid-yes' : 'valid-no', text: report.passed ? 'audit passed' : 'audit FAILED' })),
          el('div', { class: 'scroll' }, el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ['phase', 'name', 'status', 'findings', 'ms'].map((h) => el('th', { text: h })))),
            el('tbody', {}, report.phases.map((p) => el('tr', { class: 'state-' + (p.status === 'pass' ? 'up' : p.status === 'fail' ? 'down' : 'warn') },
              el('td', { class: 'num', text: p.phase }), el('td', { text: p.name }), el('td', { text: p.status }),
              el('td', {}, p.findings.length ? el('ul', {}, p.findings.map((f) => el('li', { text: f }))) : '—'), el('td', { class: 'num', text: p.took_ms })))))));
      }
      if (a.error) box.append(el('div', { class: 'problem', text: a.error }));
      return a.state;
    }
    async function followAudit() {
      const state = await attempt(panel, showAudit);
      if (state === 'running' && current === 'distill') setTimeout(followAudit, RUNS_EVERY_MS);
    }
    $('#au-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      await attempt(panel, async () => {
        const r = await api('POST', '/v1/distill/audits', { phases: $('#au-phases').value, replay_sample: Number($('#au-sample').value) });
        auditId = r.id;
        $('#au-id').value = r.id;
      });
      if (auditId) followAudit();
    });
    $('#au-open').addEventListener('submit', (ev) => {
      ev.preventDefault();
      auditId = $('#au-id').value.trim();
      if (auditId) followAudit();
    });
    const poll = poller(refresh, () => (anyRunning ? RUNS_EVERY_MS : RUNS_EVERY_MS * 5));
    pollers.push(poll);
    panels.distill = { show: poll.start, hide: poll.stop };
  }

  signIn();
})();
