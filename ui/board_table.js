// The leaderboard table (ui/board_table.py): renders the payload that came with the page and
// sorts, searches, filters and switches tables in the browser. Runs as gr.HTML's js_on_load
// (element, props, server, trigger, watch are given). Every text from the payload enters the
// page through textContent or a checked attribute, never as HTML.
(() => {
  const B = element.querySelector('.qbp-board');
  if (!B) return;
  const q = (sel) => B.querySelector(sel);
  const qa = (sel) => Array.from(B.querySelectorAll(sel));
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  };
  const MODEL = 'Model', PARAMS = 'Params', OVERALL = 'Overall';
  const LISTS = ['kinds', 'weights', 'sizes'];
  let data = null;
  const st = {table: 'table3', sort: OVERALL, desc: true, q: '', kinds: [], weights: [],
              sizes: [], ci: false};
  const ci = {key: null, reply: null, pending: null};
  let urlReady = false;

  const defaultDesc = (key) => key !== MODEL;
  const T = () => data.tables[st.table];

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  // ------------------------------------------------------------------ state <-> URL
  // analysis/links.py parse_board_query / board_link; ui/url_state.js owns the address bar.
  const url = window.qbpURL;
  function readURL() {
    const u = new URLSearchParams(window.location.search);
    const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
    if (own(data.tables, u.get('table'))) st.table = u.get('table');
    const sort = u.get('sort');
    const known = !sort || T().keys.includes(sort);
    if (sort && known) st.sort = sort;
    // A direction never outlives its key (paper_board.carry_sort).
    st.desc = known && u.has('order') ? u.get('order') !== 'asc' : defaultDesc(st.sort);
    st.q = (u.get('q') || '').slice(0, 200);
    for (const f of LISTS) {
      const all = data.choices[f];
      const got = u.has(f) ? u.get(f).split(',') : all;
      st[f] = all.filter((v) => got.includes(v));
    }
    st.ci = u.get('ci') === '1';
  }

  function boardQuery() {
    const pairs = [];
    if (st.table !== 'table3') pairs.push(['table', st.table]);
    if (st.sort !== OVERALL) pairs.push(['sort', st.sort]);
    if (st.desc !== defaultDesc(st.sort)) pairs.push(['order', st.desc ? 'desc' : 'asc']);
    if (st.q) pairs.push(['q', st.q]);
    for (const f of LISTS) {
      if (st[f].join(',') !== data.choices[f].join(',')) pairs.push([f, st[f].join(',')]);
    }
    if (st.ci) pairs.push(['ci', '1']);
    try { return url.query(pairs); } catch (e) { return ''; }  // e.g. a lone surrogate
  }

  function writeURL() {
    if (urlReady) url.set('board', boardQuery());
  }

  // links.model_link: the model's page, "?model=NAME".
  const modelHref = (name) => url.query([['model', name]]);

  // ------------------------------------------------------------------ rules (mirror Python)
  // analysis/board.py Filters.keep: search first, the baseline is kept by every filter.
  function keep(r) {
    const needle = st.q.trim().toLowerCase();
    if (needle && !r.nk.includes(needle)) return false;
    if (r.base) return true;
    return st.kinds.includes(r.kind) && st.weights.includes(r.w) && st.sizes.includes(r.sz);
  }

  function sortValue(i) {
    const r = data.rows[i];
    if (st.sort === MODEL) return r.nk;
    if (st.sort === PARAMS) return r.pb === undefined ? null : r.pb;
    const v = T().v[st.sort][i];
    return v === undefined ? null : v;
  }

  // analysis/paper_board.py _comparator: section, value (nulls last), name A to Z.
  function shownRows() {
    const secIndex = {};
    data.sections.forEach(([k], n) => { secIndex[k] = n; });
    const idx = [];
    data.rows.forEach((r, i) => { if (keep(r)) idx.push(i); });
    const vals = new Map(idx.map((i) => [i, sortValue(i)]));
    idx.sort((a, b) => {
      const ga = secIndex[data.rows[a].sec], gb = secIndex[data.rows[b].sec];
      if (ga !== gb) return ga < gb ? -1 : 1;
      const va = vals.get(a), vb = vals.get(b);
      if (va !== null && vb !== null && va !== vb) {
        const less = va < vb;
        return st.desc ? (less ? 1 : -1) : (less ? -1 : 1);
      }
      if ((va === null) !== (vb === null)) return va === null ? 1 : -1;
      const na = data.rows[a].nk, nb = data.rows[b].nk;
      return na < nb ? -1 : (na > nb ? 1 : 0);
    });
    return idx;
  }

  const rankKey = () => (st.sort === MODEL || st.sort === PARAMS ? OVERALL : st.sort);
  const sortLabel = () => {
    if (st.sort === MODEL) return 'Model name';
    if (st.sort === PARAMS) return 'Parameters';
    const col = T().cols.find((c) => c.k === st.sort);
    return col ? col.h : st.sort;
  };
  const params = (pb) => (pb === null || pb === undefined ? '-'
    : `${Number(pb.toPrecision(6))}B`);

  // ------------------------------------------------------------------ rendering
  function renderHead() {
    const thead = q('thead');
    const rows = T().head.map((cells, ri) => {
      const tr = make('tr');
      for (const h of cells) {
        const th = make('th', '', h.t);
        if (h.cs > 1) th.colSpan = h.cs;
        if (h.rs > 1) th.rowSpan = h.rs;
        if (h.ti) th.title = h.ti;
        th.scope = h.cs > 1 ? 'colgroup' : 'col';
        if (h.t === 'Rank' && ri === 0) th.classList.add('qbp-rank');
        if (h.k === MODEL) th.classList.add('qbp-model');
        if (h.k === OVERALL) th.classList.add('qbp-headline');
        if (h.k) {
          th.dataset.key = h.k;
          th.classList.add('qbp-sortable');
          th.tabIndex = 0;
          if (h.k === st.sort) {
            th.setAttribute('aria-sort', st.desc ? 'descending' : 'ascending');
            th.classList.add(st.desc ? 'qbp-desc' : 'qbp-asc');
          }
        } else if (h.cs > 1) {
          th.classList.add('qbp-group-head');
        }
        tr.append(th);
        if (ri === 0 && h.k === OVERALL && st.ci) {
          for (const [t, ti] of [['Rank range', 'central 95% of ranks over the resamples'],
                                 ['Group', 'models that cannot be told apart']]) {
            const x = make('th', 'qbp-ci-col', t);
            x.rowSpan = 2;
            x.title = ti;
            x.scope = 'col';
            tr.append(x);
          }
        }
      }
      return tr;
    });
    if (!T().head[1].length) rows[1] = make('tr');
    thead.replaceChildren(...rows);
  }

  // Rows are put in the page PAGE at a time (the next ones when the reader scrolls near the
  // end, or asks): sorting, searching and switching tables cost the same at 1,000 rows.
  const PAGE = 200;
  const paged = {idx: [], count: 0};
  const ncol = () => 2 + T().cols.length + (st.ci ? 2 : 0) + 3;

  function rowNodes(idx, start, end, prevSec) {
    const t = T();
    const cols = t.cols;
    const secLabel = Object.fromEntries(data.sections);
    const reply = st.ci && ci.reply && ci.key === ciKey() ? ci.reply : null;
    const rk = rankKey();
    const frag = document.createDocumentFragment();
    let sec = prevSec;
    for (const i of idx.slice(start, end)) {
      const r = data.rows[i];
      if (r.sec !== sec) {
        sec = r.sec;
        const tr = make('tr', 'qbp-sec');
        tr.dataset.sec = sec;
        const th = make('th');
        th.colSpan = ncol();
        th.scope = 'rowgroup';
        th.append(make('span', '', secLabel[sec]));
        tr.append(th);
        frag.append(tr);
      }
      const tr = make('tr', 'qbp-row');
      tr.dataset.row = String(i);
      if (r.pend) tr.classList.add('qbp-pending');
      if (r.base) tr.classList.add('qbp-base');
      const rank = t.r[rk][i];
      const td = (cls, text, key) => {
        const cell = make('td', cls, text);
        cell.dataset.key = key;
        return cell;
      };
      tr.dataset.sec = r.sec;
      tr.append(td('qbp-rank', rank === null ? '-' : rank, 'Rank'));
      const name = make('th', 'qbp-model');
      name.scope = 'row';
      name.dataset.key = MODEL;
      if (r.base) {
        name.append(make('span', 'qbp-name', r.n));
      } else {  // the model's page: a real link (new tab, copy), opened in the page on a click
        const page = make('a', 'qbp-name qbp-page', r.n);
        page.setAttribute('href', modelHref(r.n));
        page.title = `${r.n}: open its page (rows, radar, failures, versions)`;
        name.append(page);
      }
      name.title = r.n;
      if (r.link) {
        const a = make('a', 'qbp-link', '↗');
        a.setAttribute('href', r.link);
        a.setAttribute('target', '_blank');
        a.setAttribute('rel', 'noopener noreferrer nofollow');
        a.setAttribute('aria-label', `${r.n}: the model's own site`);
        a.title = r.link;
        name.append(a);
      }
      if (r.pend) name.append(make('span', 'qbp-tag', 'pending'));
      tr.append(name);
      const texts = reply ? reply.texts[String(i)] : null;
      cols.forEach((c, n) => {
        const v = t.v[c.k][i];
        const cell = td('qbp-num', texts && texts[c.k] ? texts[c.k]
          : (v === null ? '-' : v.toFixed(2)), c.k);
        const mark = t.m[c.k][i];
        if (mark === 1) cell.classList.add('qbp-best');
        else if (mark === 2) cell.classList.add('qbp-second');
        if (n === 0) cell.classList.add('qbp-headline');
        if (v === null && t.why[c.k]) cell.title = t.why[c.k][String(i)] || '';
        tr.append(cell);
        if (n === 0 && st.ci) {
          const rr = reply ? reply.ranges[String(i)] : null;
          tr.append(td('qbp-ci-col', rr ? rr[0] : '-', 'Rank range'));
          tr.append(td('qbp-ci-col', rr && rr[1] !== null ? rr[1] : '-', 'Group'));
        }
      });
      tr.append(td('qbp-num qbp-meta', params(r.pb), PARAMS));
      tr.append(td('qbp-meta', r.ow, 'Weights'));
      const judge = td('qbp-meta qbp-judge', r.j, 'OE judge');
      if (r.ax || r.pend) judge.classList.add('qbp-approx');
      tr.append(judge);
      frag.append(tr);
    }
    return frag;
  }

  const more = new IntersectionObserver((seen) => {
    if (seen.some((e) => e.isIntersecting)) showMore();
  }, {root: q('.qbp-scroll'), rootMargin: '600px'});

  function placeMore() {
    if (paged.count >= paged.idx.length) return;
    const tr = make('tr', 'qbp-more');
    const cell = make('td');
    cell.colSpan = ncol();
    const button = make('button', 'qbp-more-btn',
                        `Show more rows (${paged.count} of ${paged.idx.length} shown)`);
    button.type = 'button';
    cell.append(button);
    tr.append(cell);
    q('tbody').append(tr);
    more.observe(tr);
  }

  function showMore() {
    const start = paged.count;
    if (start >= paged.idx.length) return;
    paged.count = Math.min(start + PAGE, paged.idx.length);
    const old = q('tbody tr.qbp-more');
    if (old) { more.unobserve(old); old.remove(); }
    q('tbody').append(rowNodes(paged.idx, start, paged.count,
                               data.rows[paged.idx[start - 1]].sec));
    placeMore();
  }

  function renderBody(idx) {
    const old = q('tbody tr.qbp-more');
    if (old) more.unobserve(old);
    paged.idx = idx;
    paged.count = Math.min(PAGE, idx.length);
    q('tbody').replaceChildren(rowNodes(idx, 0, paged.count, null));
    placeMore();
  }

  function renderCaption(idx) {
    const pending = idx.filter((i) => data.rows[i].pend).length;
    q('.qbp-cap-title').textContent = `${T().title} — `;
    let main = `${idx.length} row${idx.length === 1 ? '' : 's'}, sorted by ${sortLabel()} ` +
      `(${st.desc ? 'descending' : 'ascending'}).`;
    if (pending) {
      main += ` ${pending} row${pending > 1 ? 's are' : ' is'} pending: open-ended answers ` +
        'still being judged, so only closed-ended cells are shown and the row is unranked ' +
        '(reload to follow).';
    }
    q('.qbp-cap-main').textContent = main;
    q('.qbp-cap-legend').textContent = ' Best value per column in bold, runner-up ' +
      'underlined, and ranks: among the paper\u2019s models, and separately among the models ' +
      'verified here, over the whole table whatever the filters. Click a column header to ' +
      'sort by it (again to reverse).';
  }

  function renderNotes(idx) {
    const t = T();
    const list = q('.qbp-why ul');
    const items = [];
    for (const i of idx) {
      const byReason = new Map();
      for (const c of t.cols) {
        const why = t.why[c.k] && t.why[c.k][String(i)];
        if (why) {
          if (!byReason.has(why)) byReason.set(why, []);
          byReason.get(why).push(c.h);
        }
      }
      for (const [why, heads] of byReason) {
        const li = make('li');
        li.append(make('b', '', data.rows[i].n), document.createTextNode(
          `: ${heads.join(', ')} — ${why}`));
        items.push(li);
        if (items.length >= 40) break;
      }
      if (items.length >= 40) break;
    }
    list.replaceChildren(...items);
    q('.qbp-why').hidden = items.length === 0;
    q('.qbp-why summary').textContent = `Why some cells show “-” (${items.length}` +
      `${items.length >= 40 ? '+' : ''})`;
    q('.qbp-baseline').textContent = data.baseline_note || '';
    q('.qbp-colinfo').textContent = 'Hover a column header for the items behind it ' +
      '(loaded benchmark and paper).';
    const notes = q('#ci-notes');
    const reply = st.ci && ci.key === ciKey() ? ci.reply : null;
    notes.hidden = !reply;
    if (reply) {
      notes.querySelector('ul').replaceChildren(...reply.notes.map((n) => make('li', '', n)));
    }
  }

  function renderControls() {
    qa('.qbp-tab').forEach((b) => {
      const on = b.dataset.table === st.table;
      b.setAttribute('aria-selected', on ? 'true' : 'false');
      b.classList.toggle('qbp-on', on);
    });
    const search = q('.qbp-search');
    if (search.value !== st.q) search.value = st.q;
    qa('input[data-filter]').forEach((box) => {
      box.checked = st[box.dataset.filter].includes(box.value);
    });
    q('#show-ci').checked = st.ci;
  }

  // `top`: a new order or a new set of rows is read from its first row.
  function render(top) {
    if (!data) return;
    if (top) q('.qbp-scroll').scrollTop = 0;
    const idx = shownRows();
    renderControls();
    renderHead();
    renderBody(idx);
    renderCaption(idx);
    renderNotes(idx);
    const head = q('thead tr');
    if (head) B.style.setProperty('--qbp-head1', `${head.getBoundingClientRect().height}px`);
    const rankHead = q('thead th.qbp-rank');
    if (rankHead) {
      B.style.setProperty('--qbp-rank-off', `${rankHead.getBoundingClientRect().width}px`);
    }
    B.dataset.ready = '1';
    B.dataset.table = st.table;
    B.dataset.sort = `${st.sort}:${st.desc ? 'desc' : 'asc'}`;
    writeURL();
    announce();
    if (st.ci) loadIntervals();
  }

  // ------------------------------------------------------------------ server calls
  // analysis/board_stats.py rank_cell: the sort key when it is the table's own cell, else
  // Table 3's Overall.
  const ciKey = () => {
    const own = T().cols.some((c) => c.k === st.sort && c.t === st.table);
    return `${data.token}|${st.table}|${own ? st.sort : 'table3:Overall'}`;
  };

  function request(extra) {
    return Object.assign({table: st.table, sort: st.sort, desc: st.desc, q: st.q,
                          kinds: st.kinds, weights: st.weights, sizes: st.sizes}, extra || {});
  }

  function status(text) { q('.qbp-status').textContent = text || ''; }

  function loadIntervals() {
    const key = ciKey();
    if (ci.key === key && (ci.reply || ci.pending)) return;
    ci.key = key;
    ci.reply = null;
    status('Computing 95% intervals…');
    const mine = ci.pending = server.board_intervals(request()).then((reply) => {
      if (ci.pending !== mine) return;
      ci.pending = null;
      if (!reply || reply.token !== data.token) { refresh(); return; }
      ci.reply = reply;
      status('');
      render();
    }).catch(() => {
      if (ci.pending === mine) { ci.pending = null; ci.key = null; }
      status('Intervals could not be computed; try again.');
    });
  }

  function download(fmt) {
    status(`Preparing the ${fmt === 'csv' ? 'CSV' : 'LaTeX'} file…`);
    server.board_export(request({fmt})).then((file) => {
      const blob = new Blob([file.text], {type: `${file.mime};charset=utf-8`});
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = file.name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      status('');
    }).catch(() => status('The download could not be prepared; try again.'));
  }

  function refresh() {
    server.board_fresh({token: data ? data.token : '', table: st.table, sort: st.sort})
      .then((text) => {
      if (!text) return;
      const fresh = parse(text);
      if (fresh) { data = fresh; clampState(); render(); }
    }).catch(() => {});
  }

  // The view for the server side (error-bar chart, Charts tab filters), at most every 300 ms.
  let announceTimer = null;
  let announced = '';
  function announce() {
    const now = JSON.stringify(Object.assign(request(), {ci: st.ci}));
    if (now === announced) return;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      announced = now;
      trigger('board_state', JSON.parse(now));
    }, 300);
  }

  function clampState() {
    if (!Object.prototype.hasOwnProperty.call(data.tables, st.table)) st.table = 'table3';
    if (!T().keys.includes(st.sort)) { st.sort = OVERALL; st.desc = true; }
  }

  // ------------------------------------------------------------------ events
  B.addEventListener('click', (ev) => {
    const page = ev.target.closest('a.qbp-page');
    if (page) {
      // A plain click opens the page in this tab; ctrl/shift/meta/middle clicks are the
      // browser's (a new tab or window on the same link).
      if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      const row = data.rows[Number(page.closest('tr.qbp-row').dataset.row)];
      if (!row) return;
      ev.preventDefault();
      url.go('model', modelHref(row.n));
      trigger('open_model', {name: row.n});
      return;
    }
    const tab = ev.target.closest('.qbp-tab');
    if (tab) {
      if (tab.dataset.table === st.table) return;
      st.table = tab.dataset.table;
      // paper_board.carry_sort: the direction never outlives its key.
      if (!T().keys.includes(st.sort)) { st.sort = OVERALL; st.desc = true; }
      render(true);
      return;
    }
    const th = ev.target.closest('th.qbp-sortable');
    if (th && B.contains(th)) {
      sortBy(th.dataset.key);
      return;
    }
    if (ev.target.closest('.qbp-more-btn')) { showMore(); return; }
    const dl = ev.target.closest('.qbp-dl');
    if (dl) { download(dl.dataset.fmt); return; }
    const toggle = ev.target.closest('.qbp-toggle');
    if (toggle) {
      const panel = q('.qbp-panel');
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', panel.hidden ? 'false' : 'true');
    }
  });

  function sortBy(key) {
    // paper_board.next_sort: best first on a new column, a second click flips.
    if (key === st.sort) st.desc = !st.desc;
    else { st.sort = key; st.desc = defaultDesc(key); }
    render(true);
  }

  B.addEventListener('keydown', (ev) => {
    const th = ev.target.closest && ev.target.closest('th.qbp-sortable');
    if (th && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); sortBy(th.dataset.key); }
  });

  B.addEventListener('change', (ev) => {
    const box = ev.target.closest('input[data-filter]');
    if (box) {
      const f = box.dataset.filter;
      st[f] = qa(`input[data-filter="${f}"]`).filter((b) => b.checked).map((b) => b.value);
      render(true);
      return;
    }
    if (ev.target.id === 'show-ci') { st.ci = ev.target.checked; render(); }
  });

  // The query is state (and in the link) at once; only the redraw waits for a pause in
  // typing. So a redraw in between (a filter ticked, a fresh payload) keeps what was typed,
  // and a board drawn again from the URL (the component mounted anew) reads it back.
  let searchTimer = null;
  q('.qbp-search').addEventListener('input', (ev) => {
    st.q = ev.target.value.slice(0, 200);
    writeURL();
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => render(true), 60);
  });

  // A new payload from a Python event (after a submit or a moderation).
  watch('value', () => {
    const fresh = parse(props.value);
    if (fresh) { data = fresh; clampState(); render(); }
  });

  // ------------------------------------------------------------------ start
  data = parse(props.value);
  if (!data) { status('The leaderboard could not be read; reload the page.'); return; }
  readURL();
  const panel = q('.qbp-panel');
  const wide = window.matchMedia('(min-width: 760px)').matches;
  panel.hidden = !wide;
  q('.qbp-toggle').setAttribute('aria-expanded', wide ? 'true' : 'false');
  render();
  if (window.performance && performance.mark) performance.mark('qbp-board-rendered');
  urlReady = true;
  writeURL();
  refresh();  // the page's copy may predate the latest submission
})();
