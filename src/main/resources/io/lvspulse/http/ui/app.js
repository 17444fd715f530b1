// lvs-pulse status page. Served by the daemon (no CDN, no external asset; strict CSP: no inline
// script or style, no eval). Polls /status?compact=1 and updates the DOM in place: a row per real
// server is built once and afterwards only the cells whose text changed are written, so a
// thousand servers cost a few milliseconds per poll. Every text goes in through textContent.
'use strict';
(function () {
  const POLL_MS = 2000;
  const TOKEN_KEY = 'lvs-pulse-api-token';
  const EVENTS_SHOWN = 20;

  const stats = {
    polls: 0, errors: 0, servers: 0,
    firstRenderMs: -1, lastRenderMs: 0, maxUpdateMs: 0, lastFetchMs: 0, lastParseMs: 0,
    longTasks: 0, maxLongTaskMs: 0, cspViolations: 0, domWrites: 0,
  };
  window.lvsPulse = { stats: stats, pollNow: function () { schedule(0); } };
  document.addEventListener('securitypolicyviolation', function () { stats.cspViolations++; });
  if ('PerformanceObserver' in window) {
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(function (e) {
          stats.longTasks++;
          stats.maxLongTaskMs = Math.max(stats.maxLongTaskMs, e.duration);
        });
      }).observe({ entryTypes: ['longtask'] });
    } catch (e) { /* not supported */ }
  }

  const $ = function (id) { return document.getElementById(id); };
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    authorized: false,
    apiEnabled: false,
    virtuals: new Map(), // name -> {section, head{...}, tbody, order}
    rows: new Map(),     // server key -> row
    filter: '',
    lastEvent: '',
    timer: null,
    last: null,
  };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Writes a text only when it changed (the diff that keeps big tables cheap).
  function put(cache, key, node, text) {
    if (cache[key] !== text) {
      cache[key] = text;
      node.textContent = text;
      stats.domWrites++;
    }
  }

  function putClass(cache, key, node, cls) {
    if (cache[key] !== cls) {
      cache[key] = cls;
      node.className = cls;
      stats.domWrites++;
    }
  }

  function ms(a, b) { return Date.parse(a) - Date.parse(b); }

  function ago(iso, now) {
    if (!iso) return '-';
    let s = Math.max(0, Math.round(ms(now, iso) / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    const h = Math.floor(m / 60);
    if (h < 48) return h + ' h ' + (m % 60) + ' min';
    return Math.floor(h / 24) + ' d';
  }

  function clock(iso) {
    if (!iso) return '-';
    const d = new Date(iso);
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function dl(target, pairs) {
    // Small lists (the three cards): rebuilt only when a value changed.
    const sig = JSON.stringify(pairs);
    if (target.dataset.sig === sig) return;
    target.dataset.sig = sig;
    target.textContent = '';
    pairs.forEach(function (p) {
      target.appendChild(el('dt', '', p[0]));
      const dd = el('dd', '');
      if (p.length > 2 && p[2]) {
        dd.appendChild(el('span', 'badge ' + p[2], p[1]));
      } else {
        dd.textContent = p[1];
      }
      target.appendChild(dd);
    });
  }

  function renderCards(s) {
    const d = s.director;
    const rows = [];
    if (d.failover === 'on') {
      $('director-name').textContent = d.role + ' director';
      rows.push(['this director', d.role + (d.active ? ' (active)' : ' (backup, inactive)'),
        d.active ? 'b-active' : 'b-inactive']);
      rows.push(['role found', d.role_reason || '-']);
      rows.push(['partner', (d.partner || 'none') + ': ' + d.partner_state,
        d.partner_state === 'running' ? 'b-up' : (d.partner_state === 'dead' ? 'b-down' : 'b-unknown')]);
      rows.push(['last heartbeat', d.last_heard ? ago(d.last_heard, s.time) + ' ago' : 'never']);
      rows.push(['heartbeat', d.authenticated ? 'HMAC-authenticated' : 'Piranha-compatible (unauthenticated)']);
      rows.push(['last transition', (d.last_transition || '-') +
        (d.last_transition_at ? ' (' + ago(d.last_transition_at, s.time) + ' ago)' : '')]);
      if (d.local_problem) rows.push(['problem', d.local_problem, 'b-down']);
    } else if (d.mode === 'ecmp') {
      $('director-name').textContent = 'ECMP director';
      const vips = d.vips || [];
      const announced = vips.filter(function (v) { return v.announced === 'announced'; }).length;
      rows.push(['this director', 'ECMP (' + (d.announcer || 'BGP') + ')', 'b-active']);
      rows.push(['VIPs announced', announced + ' of ' + vips.length, announced === vips.length ? 'b-up' : 'b-down']);
      rows.push(['BGP sessions', (d.bgp_sessions || []).map(function (x) {
        return x.name + (x.established ? ' up' : ' down');
      }).join(', ') || 'none']);
      if (d.drained) rows.push(['drain flag', 'set: every VIP withdrawn', 'b-drain']);
      if (d.router_error) rows.push(['router', d.router_error, 'b-down']);
    } else {
      $('director-name').textContent = d.failover === 'starting' ? 'starting' : 'standalone';
      rows.push(['this director', d.active ? 'active' : 'inactive', d.active ? 'b-active' : 'b-inactive']);
      rows.push(['failover', d.failover === 'starting' ? 'starting' : 'off (no partner)']);
    }
    if (s.local_problem) {
      rows.push(['local problem', s.local_problem.reason + ' (since ' + clock(s.local_problem.since) +
        '; servers keep their state)', 'b-down']);
    }
    dl($('director'), rows);

    const c = s.config;
    const cfg = [
      ['file', c.file],
      ['serial_no', String(c.serial_no)],
      ['loaded', clock(c.loaded_at)],
    ];
    if (c.last_reload) {
      cfg.push(['last reload', (c.last_reload.ok ? 'applied ' : 'REJECTED ') + clock(c.last_reload.at),
        c.last_reload.ok ? 'b-up' : 'b-down']);
      if (!c.last_reload.ok) cfg.push(['why', c.last_reload.message]);
    } else {
      cfg.push(['last reload', 'none since start']);
    }
    dl($('config'), cfg);

    const i = s.ipvs;
    const ipvs = [
      ['backend', i.backend],
      ['programming', i.programming ? 'yes' : 'paused (inactive director)'],
      ['converged', i.converged ? 'yes' : (i.last_error ? 'NO: ' + i.last_error : 'converging'),
        i.converged ? 'b-up' : (i.last_error ? 'b-down' : 'b-unknown')],
      ['admin changes', s.admin.partner_relay === 'hmac' ? 'reach the partner (HMAC)'
        : (s.admin.partner_relay === 'none' ? 'this director only: run them on both'
          : (s.admin.partner_relay === 'ecmp' ? 'this director only: run them on every director' : 'this director'))],
    ];
    dl($('ipvs'), ipvs);
  }

  function virtualSection(v) {
    let x = state.virtuals.get(v.name);
    if (x) return x;
    const section = el('section', 'virtual');
    const h = el('h2');
    const name = el('span', '', v.name);
    const svc = el('span', 'muted');
    const meta = el('span', 'muted');
    const count = el('span', 'muted');
    const sorry = el('span', 'sorry');
    h.append(name, svc, meta, count, sorry);
    const table = el('table');
    const head = el('tr');
    ['server', 'address', 'health', 'admin', 'weight', 'since', 'last probe', 'rtt', ''].forEach(function (t) {
      head.appendChild(el('th', '', t));
    });
    const thead = el('thead');
    thead.appendChild(head);
    const tbody = el('tbody');
    table.append(thead, tbody);
    section.append(h, table);
    x = { section: section, svc: svc, meta: meta, count: count, sorry: sorry, tbody: tbody,
      order: '', cache: {} };
    state.virtuals.set(v.name, x);
    return x;
  }

  function newRow(key) {
    const tr = el('tr');
    const cells = {};
    ['name', 'addr', 'health', 'admin', 'weight', 'since', 'probe', 'rtt', 'actions'].forEach(function (k) {
      const td = el('td', k === 'probe' ? 'probe' : (k === 'rtt' || k === 'weight' ? 'num' : (k === 'actions' ? 'actions' : '')));
      tr.appendChild(td);
      cells[k] = td;
    });
    const hb = el('span', 'badge');
    cells.health.appendChild(hb);
    const ab = el('span', 'badge');
    cells.admin.appendChild(ab);
    const row = { key: key, tr: tr, cells: cells, hb: hb, ab: ab, cache: {}, search: '', actionsFor: null };
    state.rows.set(key, row);
    return row;
  }

  function updateActions(row, v, srv) {
    const want = state.authorized ? srv.admin.state : null;
    if (row.actionsFor === want) return;
    row.actionsFor = want;
    const td = row.cells.actions;
    td.textContent = '';
    if (!want) return;
    [['drain', 'Drain', 'drain'], ['maintenance', 'Maintenance', 'maintenance'], ['enable', 'Enable', 'enabled']].forEach(function (a) {
      const b = el('button', '', a[1]);
      b.type = 'button';
      b.dataset.action = a[0];
      b.dataset.virtual = v.name;
      b.dataset.server = srv.address.indexOf(':') >= 0 ? '[' + srv.address + ']:' + srv.port : srv.address + ':' + srv.port;
      b.dataset.label = srv.name;
      b.disabled = want === a[2];
      td.appendChild(b);
    });
  }

  function updateRow(row, v, srv, now) {
    const c = row.cache;
    const cells = row.cells;
    put(c, 'name', cells.name, srv.name);
    put(c, 'addr', cells.addr, srv.address + ':' + srv.port);
    put(c, 'health', row.hb, srv.state);
    putClass(c, 'hcls', row.hb, 'badge b-' + srv.state);
    const adm = srv.admin.state + (srv.admin.state === 'maintenance' ? (srv.admin.drained_at ? ' (out)' : ' (draining)') : '');
    put(c, 'admin', row.ab, adm);
    putClass(c, 'acls', row.ab, 'badge b-' + srv.admin.state);
    put(c, 'weight', cells.weight, (srv.in_ipvs ? String(srv.weight) : 'out') + ' / ' + srv.configured_weight);
    put(c, 'since', cells.since, ago(srv.since, now));
    const p = srv.last_probe;
    put(c, 'probe', cells.probe, p ? p.message : 'not probed yet');
    put(c, 'rtt', cells.rtt, p && p.success ? (p.rtt_seconds * 1000).toFixed(1) + ' ms' : '-');
    putClass(c, 'row', row.tr, 'h-' + srv.state + ' a-' + srv.admin.state);
    if (c.sinceTitle !== srv.since) {
      c.sinceTitle = srv.since;
      cells.since.title = 'since ' + clock(srv.since);
    }
    if (c.probeTitle !== (p ? p.at : '')) {
      c.probeTitle = p ? p.at : '';
      cells.probe.title = p ? 'at ' + clock(p.at) + (p.cause ? ' (' + p.cause + ')' : '') : '';
    }
    row.search = (v.name + ' ' + srv.name + ' ' + srv.address + ':' + srv.port + ' ' + srv.state + ' ' + srv.admin.state).toLowerCase();
    updateActions(row, v, srv);
  }

  function applyFilter(row) {
    const hide = state.filter !== '' && row.search.indexOf(state.filter) < 0;
    if (row.tr.hidden !== hide) row.tr.hidden = hide;
  }

  function renderVirtuals(s) {
    const main = $('virtuals');
    const seenV = new Set();
    const seenS = new Set();
    let up = 0;
    let total = 0;
    let order = '';
    s.virtuals.forEach(function (v) {
      seenV.add(v.name);
      order += v.name + '\n';
      const x = virtualSection(v);
      let vUp = 0;
      let keys = '';
      v.servers.forEach(function (srv) {
        seenS.add(srv.key);
        keys += srv.key + '\n';
        let row = state.rows.get(srv.key);
        if (!row) row = newRow(srv.key);
        updateRow(row, v, srv, s.time);
        applyFilter(row);
        if (srv.state === 'up') vUp++;
      });
      if (x.order !== keys) {
        // Structural change only (servers added or removed): put the rows in order again.
        x.order = keys;
        v.servers.forEach(function (srv) { x.tbody.appendChild(state.rows.get(srv.key).tr); });
      }
      up += vUp;
      total += v.servers.length;
      put(x.cache, 'svc', x.svc, v.service || '');
      put(x.cache, 'meta', x.meta, (v.scheduler || '') + (v.persistent_seconds ? ', persistent ' + v.persistent_seconds + ' s' : '') +
        (v.quiesce_server ? ', quiesce' : ''));
      put(x.cache, 'count', x.count, v.servers.length === 0 ? 'no active real server' : vUp + ' of ' + v.servers.length + ' up');
      put(x.cache, 'sorry', x.sorry, v.on_sorry_server ? 'on its sorry server ' + (v.sorry_server || '') : '');
    });
    state.rows.forEach(function (row, key) {
      if (!seenS.has(key)) {
        row.tr.remove();
        state.rows.delete(key);
      }
    });
    state.virtuals.forEach(function (x, name) {
      if (!seenV.has(name)) {
        x.section.remove();
        state.virtuals.delete(name);
      }
    });
    if (main.dataset.order !== order) {
      main.dataset.order = order;
      s.virtuals.forEach(function (v) { main.appendChild(state.virtuals.get(v.name).section); });
    }
    stats.servers = total;
    $('counts').textContent = up + ' of ' + total + ' real servers up in ' + s.virtuals.length + ' virtual services';
  }

  function renderEvents(s) {
    const ev = s.events || [];
    const lastKey = ev.length ? ev[ev.length - 1].at + ev[ev.length - 1].server + ev[ev.length - 1].to + ev.length : '';
    if (lastKey === state.lastEvent) return;
    state.lastEvent = lastKey;
    const ol = $('events');
    ol.textContent = '';
    if (!ev.length) {
      ol.appendChild(el('li', 'muted', 'no change since start'));
      return;
    }
    ev.slice(-EVENTS_SHOWN).reverse().forEach(function (e) {
      const li = el('li');
      const t = el('time', '', clock(e.at));
      t.dateTime = e.at;
      li.append(t, el('span', '', e.server + ' '), el('span', 'badge b-' + e.from, e.from), el('span', '', ' \u2192 '),
        el('span', 'badge b-' + e.to, e.to), el('span', 'muted', ' ' + (e.kind === 'admin' ? '(admin) ' : '') + e.reason));
      ol.appendChild(li);
    });
  }

  function renderAuth() {
    const enabled = state.apiEnabled;
    $('token').hidden = !enabled || state.authorized;
    $('unlock').hidden = !enabled || state.authorized;
    $('lock').hidden = !state.authorized;
    $('auth-state').textContent = state.authorized ? 'changes allowed' : (enabled ? 'read-only' : 'read-only (the HTTP API is off on this director)');
  }

  function render(s) {
    const t0 = performance.now();
    state.last = s;
    if (state.apiEnabled !== !!s.admin.api) {
      state.apiEnabled = !!s.admin.api;
      if (!state.apiEnabled) setAuthorized(false);
      renderAuth();
    }
    renderCards(s);
    renderVirtuals(s);
    renderEvents(s);
    $('footer').textContent = 'lvs-pulse ' + s.version + ' \u00b7 updated ' + clock(s.time) + ' \u00b7 every ' + POLL_MS / 1000 + ' s \u00b7 render ' + stats.lastRenderMs.toFixed(1) + ' ms';
    const dt = performance.now() - t0;
    stats.lastRenderMs = dt;
    if (stats.firstRenderMs < 0) stats.firstRenderMs = dt; else stats.maxUpdateMs = Math.max(stats.maxUpdateMs, dt);
  }

  function setConn(cls, text) {
    const c = $('conn');
    if (c.className !== 'conn ' + cls) c.className = 'conn ' + cls;
    if (c.textContent !== text) c.textContent = text;
  }

  function schedule(delay) {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(poll, delay);
  }

  function poll() {
    state.timer = null;
    const t0 = performance.now();
    fetch('/status?compact=1', { cache: 'no-store', credentials: 'omit' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    }).then(function (text) {
      const t1 = performance.now();
      const s = JSON.parse(text);
      stats.lastParseMs = performance.now() - t1;
      stats.lastFetchMs = t1 - t0;
      render(s);
      stats.polls++;
      document.body.dataset.polls = String(stats.polls);
      setConn('conn-ok', 'live');
    }).catch(function (e) {
      stats.errors++;
      setConn('conn-lost', 'connection lost (' + e.message + '), retrying; showing the last state');
    }).finally(function () {
      if (!state.timer) schedule(POLL_MS);
    });
  }

  function notice(text, bad) {
    const n = $('notice');
    n.textContent = text;
    n.className = bad ? 'notice bad' : 'notice';
    n.hidden = false;
  }

  function setAuthorized(on) {
    state.authorized = on;
    if (!on) {
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    renderAuth();
    if (state.last) renderVirtuals(state.last);
  }

  function check(token) {
    return fetch('/api/v1/auth', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store', credentials: 'omit' })
      .then(function (r) { return r.status === 204; });
  }

  function unlock() {
    const t = $('token').value.trim();
    if (!t) return;
    check(t).then(function (ok) {
      if (ok) {
        state.token = t;
        sessionStorage.setItem(TOKEN_KEY, t);
        $('token').value = '';
        setAuthorized(true);
        notice('Changes allowed in this tab until you lock it or close it.', false);
      } else {
        notice('Wrong token: still read-only.', true);
      }
    }).catch(function (e) { notice('Cannot check the token: ' + e.message, true); });
  }

  function act(b) {
    const path = '/api/v1/virtual/' + encodeURIComponent(b.dataset.virtual) + '/server/' +
      encodeURIComponent(b.dataset.server) + '/' + b.dataset.action;
    b.disabled = true;
    fetch(path, { method: 'POST', headers: { Authorization: 'Bearer ' + state.token }, cache: 'no-store', credentials: 'omit' })
      .then(function (r) {
        return r.json().then(function (j) { return { status: r.status, body: j }; });
      }).then(function (x) {
        if (x.status === 401 || x.status === 403) {
          setAuthorized(false);
          notice('Refused (' + x.status + '): ' + (x.body.error || '') + ': read-only again.', true);
        } else {
          notice(x.body.message || x.body.error || ('HTTP ' + x.status), x.status !== 200);
        }
        schedule(0);
      }).catch(function (e) { notice('Request failed: ' + e.message, true); b.disabled = false; });
  }

  function init() {
    $('filter').addEventListener('input', function (e) {
      state.filter = e.target.value.trim().toLowerCase();
      state.rows.forEach(applyFilter);
    });
    $('unlock').addEventListener('click', unlock);
    $('token').addEventListener('keydown', function (e) { if (e.key === 'Enter') unlock(); });
    $('lock').addEventListener('click', function () { setAuthorized(false); notice('Locked: read-only.', false); });
    $('virtuals').addEventListener('click', function (e) {
      const b = e.target.closest('button[data-action]');
      if (b && state.authorized) act(b);
    });
    if (state.token) {
      check(state.token).then(function (ok) { setAuthorized(ok); }).catch(function () { setAuthorized(false); });
    }
    renderAuth();
    poll();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
