// The one owner of the page's query string (ui/url_state.py). Every tab that has a link
// (the board's state, a drill-down view, a model's page, a row's details) hands it here; the
// address bar always holds the link of the tab shown, nothing mixed: switching tabs puts that
// tab's last link back (or the bare page for a tab without one). Links are written by
// analysis/links.py; `enc` and `query` write them in the browser exactly as its
// urlencode(quote_via=quote) does (tests compare the two). Installed once per page by
// whichever script runs first (the board's, or a share link's event).
window.qbpURL = window.qbpURL || (() => {
  // Gradio's own page settings (theme, the API or settings panel): kept whatever the tab.
  const KEEP = ['__theme', 'view'];
  // analysis/links.py: the parameter that names a link's tab (the board has none of them).
  const TAB_OF = [['item', 'drill'], ['model', 'model'], ['row', 'row']];
  const BOARD = 'board';
  const last = {};  // tab -> its last link's query ("" or "?a=b")

  // Python's urllib.parse.quote(s, safe=''): RFC 3986 unreserved kept, the rest as UTF-8 %XX.
  const enc = (s) => encodeURIComponent(String(s)).replace(
    /[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  // urlencode(pairs, quote_via=quote): "?k=v&k2=v2", or "" for no pairs.
  const query = (pairs) => {
    const parts = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`);
    return parts.length ? `?${parts.join('&')}` : '';
  };
  // A query without Gradio's page settings (what a tab's link is made of).
  const strip = (search) => {
    const p = new URLSearchParams(search);
    const kept = KEEP.filter((k) => p.has(k));
    kept.forEach((k) => p.delete(k));
    return kept.length ? query([...p.entries()]) : search;
  };
  const tabOf = (search) => {
    const p = new URLSearchParams(search);
    const hit = TAB_OF.find(([k]) => p.has(k));
    return hit ? hit[1] : BOARD;
  };

  function write(search) {
    const u = new URL(window.location.href);
    const own = new URLSearchParams(search);
    const extra = KEEP.filter((k) => u.searchParams.has(k) && !own.has(k))
      .map((k) => [k, u.searchParams.get(k)]);
    let text = search === '?' ? '' : search;
    if (extra.length) text += (text ? '&' : '?') + query(extra).slice(1);
    if (u.search === text) return;
    u.search = text;
    window.history.replaceState(window.history.state, '', u);
  }

  // The tab whose link the address bar holds: at first the one the URL names (the server's
  // page-load step opens it), then the tab shown.
  let current = tabOf(window.location.search);
  last[current] = strip(window.location.search);
  const shown = () => {
    const b = document.querySelector(
      '[role=tablist] > button[role=tab][data-tab-id][aria-selected=true]');
    return b ? b.dataset.tabId : null;
  };
  let seen = shown();
  let reveal = null;  // a tab opened from further down the page: show its top once shown
  new MutationObserver(() => {
    const tab = shown();
    if (!tab || tab === seen) return;
    const first = seen === null;  // the tab bar appeared: nothing was switched
    seen = tab;
    if (first) return;
    current = tab;
    write(last[tab] || '');
    if (tab === reveal) {
      reveal = null;
      const bar = document.querySelector('[role=tablist] > button[data-tab-id]').parentElement;
      if (bar.getBoundingClientRect().top < 0) bar.scrollIntoView({block: 'start'});
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeFilter: ['aria-selected']});

  // A tab's own state changed: its link is kept, and shown if the tab is.
  function set(tab, search) {
    last[tab] = search;
    if (tab === current) write(search);
  }
  // The page is about to show `tab` (a click handled in the page): its link at once, and
  // once the tab is shown, its top in view (the click may have been far down the board).
  function go(tab, search) {
    last[tab] = search;
    current = tab;
    reveal = tab;
    write(search);
  }
  // A link the server wrote for the view it just showed (same page only).
  function show(link) {
    if (!link) return;
    let target;
    try { target = new URL(link, window.location.href); } catch (e) { return; }
    const here = window.location;
    if (target.origin !== here.origin || target.pathname !== here.pathname) return;
    const search = strip(target.search);
    set(tabOf(search), search);
  }
  return {enc, query, set, go, show, tabOf, current: () => current};
})();
