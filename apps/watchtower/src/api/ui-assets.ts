// The status page's three files, kept as strings so the single-file bundle carries them. The
// script is plain ES2017 for the browser (no build step, no framework, no template literals).

export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>watchtower-ts status</title>
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<a class="skip" href="#containers-title">Skip to containers</a>
<header>
<h1>watchtower-ts</h1>
<p id="next" class="muted"></p>
<button id="logout" type="button" hidden>Sign out</button>
</header>
<main>
<form id="login" class="card" novalidate>
<h2>Sign in</h2>
<p class="muted">Enter the API token (<code>--http-api-token</code>). It is kept for this browser tab only.</p>
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Sign in</button>
<p id="login-error" class="error" role="alert"></p>
</form>
<div id="app" hidden>
<section aria-labelledby="containers-title">
<h2 id="containers-title" tabindex="-1">Containers</h2>
<div class="controls">
<div><label for="search">Search</label>
<input id="search" type="search" placeholder="name or image" autocomplete="off"></div>
<div><label for="state">State</label>
<select id="state">
<option value="">all</option>
<option value="up-to-date">up to date</option>
<option value="stale">stale</option>
<option value="updating">updating</option>
<option value="cooldown">waiting for cooldown</option>
<option value="failed">failed</option>
<option value="skipped">skipped</option>
<option value="unknown">unknown</option>
</select></div>
<button id="check" type="button">Check now</button>
</div>
<p id="live" class="muted" role="status" aria-live="polite"></p>
<div class="table-wrap">
<table id="containers" class="stack">
<caption class="sr-only">Watched containers</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">State</th><th scope="col">Digest</th><th scope="col">Last check</th><th scope="col">Last update</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody></tbody>
</table>
</div>
<p id="empty" class="muted" hidden>No container matches.</p>
</section>
<section aria-labelledby="passes-title">
<h2 id="passes-title">Last passes</h2>
<div id="chart" class="card"></div>
<ul class="legend" aria-hidden="true"><li><span class="key k-updated"></span>updated</li><li><span class="key k-failed"></span>failed</li><li><span class="key k-requests"></span>registry requests</li></ul>
</section>
<section aria-labelledby="registries-title">
<h2 id="registries-title">Registries</h2>
<div class="table-wrap">
<table id="registries" class="stack">
<caption class="sr-only">Registry requests and quota</caption>
<thead><tr><th scope="col">Registry</th><th scope="col">Requests</th><th scope="col">Token requests</th><th scope="col">Token cache hits</th><th scope="col">Rate limit remaining</th></tr></thead>
<tbody></tbody>
</table>
</div>
</section>
</div>
</main>
</body>
</html>
`

export const APP_CSS = `:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #f6f8fa; --accent: #0550ae;
  --ok-bg: #dafbe1; --ok-fg: #116329; --warn-bg: #fff8c5; --warn-fg: #6c4400;
  --bad-bg: #ffebe9; --bad-fg: #a40e26; --info-bg: #ddf4ff; --info-fg: #0550ae;
  --skip-bg: #eaeef2; --skip-fg: #424a53; --focus: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --card: #161b22; --accent: #79c0ff;
    --ok-bg: #0f3d1f; --ok-fg: #7ee2a0; --warn-bg: #3d2e00; --warn-fg: #f2cc60;
    --bad-bg: #4a1019; --bad-fg: #ffa198; --info-bg: #0c2d6b; --info-fg: #a5d6ff;
    --skip-bg: #2d333b; --skip-fg: #c9d1d9; --focus: #58a6ff;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.2rem; margin: 0; }
header p { margin: 0; flex: 1; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted { color: var(--muted); }
.error { color: var(--bad-fg); font-weight: 600; min-height: 1.2em; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
#login { max-width: 26rem; margin: 2rem auto; display: grid; gap: .5rem; }
#login h2 { margin-top: 0; }
label { font-weight: 600; font-size: .9rem; }
input, select, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .6rem; min-height: 2.25rem; }
button { background: var(--accent); color: var(--bg); border-color: var(--accent); font-weight: 600; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
button.secondary, #logout { background: transparent; color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--bg); padding: .25rem .5rem; z-index: 1; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
.controls div { display: grid; gap: .2rem; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.image, .digest { font: .85rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.reason { display: block; font-size: .85rem; color: var(--muted); }
.reason.err { color: var(--bad-fg); }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.s-up-to-date { background: var(--ok-bg); color: var(--ok-fg); }
.s-stale, .s-cooldown { background: var(--warn-bg); color: var(--warn-fg); }
.s-updating { background: var(--info-bg); color: var(--info-fg); }
.s-failed { background: var(--bad-bg); color: var(--bad-fg); }
.s-skipped, .s-unknown { background: var(--skip-bg); color: var(--skip-fg); }
#chart svg { width: 100%; height: auto; display: block; }
#chart .bar-updated { fill: var(--ok-fg); }
#chart .bar-failed { fill: var(--bad-fg); }
#chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
#chart .dot { fill: var(--accent); }
#chart .axis { stroke: var(--line); }
#chart text { fill: var(--muted); font-size: 12px; }
#chart text.req { fill: var(--accent); }
.legend { list-style: none; display: flex; gap: 1rem; padding: 0; margin: .5rem 0 0; font-size: .85rem; color: var(--muted); }
.key { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; border-radius: 2px; vertical-align: -1px; }
.k-updated { background: var(--ok-fg); } .k-failed { background: var(--bad-fg); } .k-requests { background: var(--accent); }
meter { width: 6rem; vertical-align: middle; }
@media (max-width: 640px) {
  main { padding: .5rem; }
  header p { order: 3; flex-basis: 100%; }
  header h1 { flex: 1; }
  .stack thead { display: none; }
  .stack tr { display: block; border-bottom: 1px solid var(--line); padding: .5rem 0; }
  .stack td { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem .5rem; border: 0; padding: .15rem .25rem; text-align: left; }
  .stack td::before { content: attr(data-label); flex: 0 0 7.5rem; color: var(--muted); font-size: .85rem; font-weight: 600; }
  .stack td:empty { display: none; }
  .stack td.num { text-align: left; }
}
`

export const APP_JS = `(function () {
  'use strict';
  var KEY = 'watchtower-ts.token';
  var $ = function (id) { return document.getElementById(id); };
  var data = { containers: [], sessions: [], registries: [], updateEnabled: false, nextCheck: null };
  var busy = {};
  var stream = null;
  var LABELS = { 'up-to-date': 'up to date', stale: 'stale', updating: 'updating', cooldown: 'waiting for cooldown', failed: 'failed', skipped: 'skipped', unknown: 'unknown' };

  function AuthError() { this.message = 'The token was refused.'; }
  function token() { return sessionStorage.getItem(KEY); }

  function api(path, opts) {
    opts = opts || {};
    return fetch(path, {
      method: opts.method || 'GET',
      headers: { Authorization: 'Bearer ' + token() },
      signal: opts.signal,
      cache: 'no-store',
      credentials: 'omit'
    }).then(function (r) {
      if (r.status === 401) throw new AuthError();
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return opts.raw ? r : r.json();
    });
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function when(iso) {
    if (!iso) return 'never';
    return new Date(iso).toLocaleString();
  }
  function shortDigest(d) { return d ? d.replace(/^sha256:/, '').slice(0, 12) : '-'; }

  // --- sign-in ---
  function showLogin(message) {
    if (stream) stream.abort();
    stream = null;
    sessionStorage.removeItem(KEY);
    data = { containers: [], sessions: [], registries: [], updateEnabled: false, nextCheck: null };
    $('app').hidden = true;
    $('logout').hidden = true;
    $('next').textContent = '';
    $('containers').tBodies[0].replaceChildren();
    $('registries').tBodies[0].replaceChildren();
    $('chart').replaceChildren();
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').value = '';
    $('token').focus();
  }
  function fail(err) {
    if (err instanceof AuthError) return showLogin('The token was refused (HTTP 401). No data is shown.');
    $('live').textContent = 'Error: ' + err.message;
  }
  function start() {
    return loadAll().then(function () {
      $('login').hidden = true;
      $('login-error').textContent = '';
      $('app').hidden = false;
      $('logout').hidden = false;
      renderSessions(); // sized to the now visible box
      follow();
    });
  }
  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('token').value.trim();
    if (!t) { $('login-error').textContent = 'Enter the token.'; return; }
    sessionStorage.setItem(KEY, t);
    $('token').value = '';
    start().then(function () { $('containers-title').focus(); }, fail);
  });
  $('logout').addEventListener('click', function () { showLogin(''); });

  // --- data ---
  function loadAll() {
    return Promise.all([api('v1/containers'), api('v1/sessions'), api('v1/registries')]).then(function (r) {
      data.containers = r[0].containers;
      data.updateEnabled = r[0].updateEnabled;
      data.nextCheck = r[0].nextCheck;
      data.sessions = r[1].sessions;
      data.registries = r[2].registries;
      renderAll();
    });
  }
  function loadRegistries() {
    return api('v1/registries').then(function (r) { data.registries = r.registries; renderRegistries(); }, fail);
  }
  function putTarget(t) {
    var i = data.containers.findIndex(function (c) { return c.host === t.host && c.name === t.name; });
    if (i >= 0) data.containers[i] = t; else data.containers.push(t);
    renderContainers();
  }

  // --- live events: fetch() streaming, so the token stays in a header (EventSource sends none) ---
  function follow() {
    var ctl = new AbortController();
    stream = ctl;
    api('v1/events', { raw: true, signal: ctl.signal }).then(function (r) {
      var reader = r.body.getReader();
      var dec = new TextDecoder();
      var buf = '';
      function pump() {
        return reader.read().then(function (x) {
          if (x.done) throw new Error('event stream closed');
          buf += dec.decode(x.value, { stream: true }).replace(/\\r/g, '');
          var i;
          while ((i = buf.indexOf('\\n\\n')) >= 0) { onBlock(buf.slice(0, i)); buf = buf.slice(i + 2); }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (ctl.signal.aborted) return;
      if (err instanceof AuthError) return fail(err);
      $('live').textContent = 'Live updates interrupted; reconnecting.';
      setTimeout(function () { if (stream === ctl) loadAll().then(follow, fail); }, 3000);
    });
  }
  function onBlock(block) {
    var text = '';
    block.split('\\n').forEach(function (l) { if (l.indexOf('data:') === 0) text += l.slice(5).trim(); });
    if (!text) return;
    var e = JSON.parse(text);
    if (e.type === 'target') putTarget(e.target);
    else if (e.type === 'progress') $('live').textContent = (fleet() ? e.host + ': ' : '') + e.name + ': ' + e.step;
    else if (e.type === 'session-start') $('live').textContent = 'A ' + e.trigger + ' pass started.';
    else if (e.type === 'session') {
      data.sessions = [e.session].concat(data.sessions).slice(0, 100);
      renderSessions();
      loadRegistries();
      $('live').textContent = 'Pass done: ' + e.session.scanned + ' scanned, ' + e.session.updated + ' updated, ' + e.session.failed + ' failed.';
    } else if (e.type === 'next-check') { data.nextCheck = e.nextCheck; renderNext(); }
  }

  // several engines (--host repeated): every container names its engine
  function fleet() {
    return data.containers.some(function (c) { return c.host !== data.containers[0].host; });
  }

  // --- actions ---
  function updateNow(t, button) {
    busy[t.host + '/' + t.name] = true;
    button.disabled = true;
    button.textContent = 'Updating…';
    $('live').textContent = 'Updating ' + t.name + '…';
    api('v1/update?image=' + encodeURIComponent(t.image) + (fleet() ? '&host=' + encodeURIComponent(t.host) : ''), { method: 'POST' }).then(function (r) {
      $('live').textContent = r.skipped ? 'Another update is running.' : 'Update of ' + t.name + ' done.';
    }, fail).then(function () {
      delete busy[t.host + '/' + t.name];
      return api('v1/containers').then(function (r) { data.containers = r.containers; renderContainers(); });
    }).catch(fail);
  }
  $('check').addEventListener('click', function () {
    var b = $('check');
    b.disabled = true;
    api('v1/check', { method: 'POST' }).then(function (r) {
      if (r.skipped) $('live').textContent = 'Another pass is running.';
    }, fail).then(function () { b.disabled = false; });
  });
  var resizing = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (!$('app').hidden) renderSessions(); }, 150);
  });
  $('search').addEventListener('input', function () { renderContainers(); });
  $('state').addEventListener('change', function () { renderContainers(); });

  // --- rendering ---
  function renderAll() { renderNext(); renderContainers(); renderSessions(); renderRegistries(); }
  function renderNext() {
    $('next').textContent = data.nextCheck ? 'Next check: ' + when(data.nextCheck) : 'No scheduled check (updates through the API)';
  }
  function renderContainers() {
    var q = $('search').value.trim().toLowerCase();
    var s = $('state').value;
    var several = fleet();
    var rows = data.containers.filter(function (c) {
      return (!s || c.state === s) && (!q || c.name.toLowerCase().indexOf(q) >= 0 || c.image.toLowerCase().indexOf(q) >= 0);
    }).map(function (c) {
      var reason = c.lastError || c.reason;
      var digest = el('td', { 'data-label': 'Digest', class: 'digest' });
      digest.appendChild(el('span', { title: c.currentDigest || '', text: shortDigest(c.currentDigest) }));
      if (c.latestDigest && c.latestDigest !== c.currentDigest) {
        digest.appendChild(document.createTextNode(' → '));
        digest.appendChild(el('span', { title: c.latestDigest, text: shortDigest(c.latestDigest) }));
      }
      var action = el('td', { 'data-label': 'Action' });
      var mine = busy[c.host + '/' + c.name];
      if (data.updateEnabled && (c.state === 'stale' || (mine && c.state === 'updating'))) {
        var b = el('button', { type: 'button', class: 'update', 'aria-label': 'Update ' + c.name + ' now', text: 'Update now' });
        if (mine) { b.disabled = true; b.textContent = 'Updating…'; }
        b.addEventListener('click', function () { updateNow(c, b); });
        action.appendChild(b);
      }
      return el('tr', { 'data-name': c.name, 'data-state': c.state }, [
        el('td', { 'data-label': 'Name' }, [el('strong', { text: c.name }), several ? el('span', { class: 'reason', text: c.host }) : null]),
        el('td', { 'data-label': 'Image', class: 'image', text: c.image }),
        el('td', { 'data-label': 'State' }, [
          el('span', { class: 'badge s-' + c.state, text: LABELS[c.state] || c.state }),
          reason ? el('span', { class: 'reason' + (c.lastError ? ' err' : ''), text: reason }) : null
        ]),
        digest,
        el('td', { 'data-label': 'Last check', text: when(c.lastCheck) }),
        el('td', { 'data-label': 'Last update', text: when(c.lastUpdate) }),
        action
      ]);
    });
    $('containers').tBodies[0].replaceChildren.apply($('containers').tBodies[0], rows);
    $('empty').hidden = rows.length > 0;
  }
  function total(s) {
    return Object.keys(s.registries).reduce(function (n, k) { return n + s.registries[k].requests; }, 0);
  }
  function renderSessions() {
    var list = data.sessions.slice(0, 30).reverse();
    var box = $('chart');
    var W = box.clientWidth ? Math.max(300, Math.min(900, box.clientWidth - 34)) : 900, H = 170, top = 12, bottom = 24, left = 30, right = 40;
    if (!list.length) { box.replaceChildren(el('p', { class: 'muted', text: 'No pass yet.' })); return; }
    var maxC = Math.max(1, Math.max.apply(null, list.map(function (s) { return s.updated + s.failed; })));
    var maxR = Math.max(1, Math.max.apply(null, list.map(total)));
    var step = Math.min(60, (W - left - right) / list.length);
    var y = function (v, max) { return H - bottom - (v / max) * (H - top - bottom); };
    var summary = list.length + ' passes; last: ' + list[list.length - 1].updated + ' updated, ' + list[list.length - 1].failed + ' failed, ' + total(list[list.length - 1]) + ' registry requests.';
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Updated and failed containers and registry requests per pass. ' + summary });
    root.appendChild(svg('line', { class: 'axis', x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }));
    var cap = svg('text', { x: 2, y: H - bottom }); cap.textContent = '0'; root.appendChild(cap);
    var t1 = svg('text', { x: 2, y: top + 8 }); t1.textContent = String(maxC); root.appendChild(t1);
    var t2 = svg('text', { x: W - 2, y: top + 8, 'text-anchor': 'end', class: 'req' }); t2.textContent = maxR + ' req'; root.appendChild(t2);
    var points = [];
    list.forEach(function (s, i) {
      var x = left + i * step + step * 0.2, w = Math.max(2, step * 0.6);
      var g = svg('g', {});
      var title = svg('title', {});
      title.textContent = new Date(s.startedAt).toLocaleString() + ' (' + s.trigger + '): ' + s.scanned + ' scanned, ' + s.updated + ' updated, ' + s.failed + ' failed, ' + total(s) + ' requests, ' + s.durationMs + ' ms';
      g.appendChild(title);
      g.appendChild(svg('rect', { class: 'bar-updated', x: x, width: w, y: y(s.updated, maxC), height: H - bottom - y(s.updated, maxC) }));
      g.appendChild(svg('rect', { class: 'bar-failed', x: x, width: w, y: y(s.updated + s.failed, maxC), height: y(s.updated, maxC) - y(s.updated + s.failed, maxC) }));
      root.appendChild(g);
      points.push((left + i * step + step / 2).toFixed(1) + ',' + y(total(s), maxR).toFixed(1));
    });
    root.appendChild(svg('polyline', { class: 'line', points: points.join(' ') }));
    points.forEach(function (p) { var xy = p.split(','); root.appendChild(svg('circle', { class: 'dot', cx: xy[0], cy: xy[1], r: 2.5 })); });
    var last = svg('text', { x: left, y: H - 6 }); last.textContent = list.length > 1 ? 'oldest' : ''; root.appendChild(last);
    var newest = svg('text', { x: left + list.length * step, y: H - 6, 'text-anchor': 'end' }); newest.textContent = 'newest'; root.appendChild(newest);
    box.replaceChildren(root, el('p', { class: 'sr-only', text: summary }));
  }
  function renderRegistries() {
    var rows = data.registries.map(function (r) {
      var quota = el('td', { 'data-label': 'Rate limit remaining', class: 'num' });
      if (r.rateLimitRemaining === null) quota.textContent = 'not sent';
      else {
        quota.textContent = r.rateLimitRemaining + (r.rateLimitLimit ? ' / ' + r.rateLimitLimit + ' ' : ' ');
        if (r.rateLimitLimit) quota.appendChild(el('meter', { min: 0, max: r.rateLimitLimit, value: r.rateLimitRemaining, 'aria-label': 'Quota left for ' + r.host }));
      }
      return el('tr', {}, [
        el('td', { 'data-label': 'Registry', class: 'image', text: r.host }),
        el('td', { 'data-label': 'Requests', class: 'num', text: String(r.requests) }),
        el('td', { 'data-label': 'Token requests', class: 'num', text: String(r.tokenRequests) }),
        el('td', { 'data-label': 'Token cache hits', class: 'num', text: String(r.tokenCacheHits) }),
        quota
      ]);
    });
    $('registries').tBodies[0].replaceChildren.apply($('registries').tBodies[0], rows);
  }

  if (token()) start().catch(fail); else showLogin('');
})();
`
