// giftdeck overlay pages: one script for all of them (the page name is <body data-page>).
// Live state arrives over Server-Sent Events from /sse/<page>; the browser's EventSource reconnects
// by itself when giftdeck restarts. Viewer text is only ever set with textContent: a nickname like
// <img src=x onerror=...> shows as those characters and never becomes HTML.
(() => {
  'use strict';
  const page = document.body.dataset.page;
  const params = new URLSearchParams(location.search);
  const root = document.getElementById('overlay');

  function num(name, fallback, min, max) {
    if (!params.has(name)) return fallback;
    const v = Number(params.get(name));
    return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  }

  // Sizing and look, from URL parameters.
  const width = num('width', 0, 50, 8000);
  const height = num('height', 0, 50, 8000);
  if (width) root.style.width = width + 'px';
  if (height) root.style.height = height + 'px';
  root.style.setProperty('--scale', String(num('scale', 1, 0.25, 8)));
  const align = params.get('align');
  if (align === 'left' || align === 'center' || align === 'right') root.dataset.align = align;
  if (params.get('animate') === '0') root.classList.add('still');
  const accent = params.get('color');
  if (accent && /^#?[0-9a-fA-F]{3,8}$/.test(accent)) {
    root.style.setProperty('--accent', accent.startsWith('#') ? accent : '#' + accent);
  }

  // ?hygiene=1: no gift pictures, and neutral words instead of "follow", "like" and gift words
  // (TikTok may flag a stream that shows them).
  const hygiene = params.get('hygiene') === '1';
  if (hygiene) root.classList.add('hygiene');
  // The words are giftdeck's, in the window's language: the server puts them ahead of this
  // script (src/overlay/words.rs). English stands in if a page is opened without them.
  const table = window.GIFTDECK_WORDS || {
    plain: { sent: ' sent', gift: 'a gift', follow: ' followed', share: ' shared the LIVE',
      subscribe: ' subscribed', superFan: ' became a Super Fan', chest: ' dropped a treasure chest',
      superFanBox: ' dropped a Super Fan box', top: 'Top gifters', likeGoal: 'Like goal',
      last: 'Last gift', topOne: 'Top gifter', topLikes: 'Top likers', topPoints: 'Top points',
      allTime: 'all time', noGifts: 'No gifts yet', recent: 'Recent', goal: 'Goal',
      noGoals: 'No goals set', subathon: 'Subathon', nobody: 'Nobody yet', coins: 'coins',
      likes: 'likes', follows: 'follows', shares: 'shares', subscriptions: 'subscriptions',
      value: '💎 ', likeIcon: '♥ ' },
  };
  const words = hygiene ? (table.hygiene || table.plain) : table.plain;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeUrl(url) {
    try {
      const u = new URL(url, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  function giftImage(url, cls) {
    const src = !hygiene && url && safeUrl(url);
    if (!src) return null;
    const img = el('img', cls);
    img.alt = '';
    img.referrerPolicy = 'no-referrer';
    img.src = src;
    // A picture that fails to load is hidden (no broken-image icon on stream).
    img.onerror = () => img.classList.add('hidden');
    return img;
  }

  // "Alice sent 5 × Rose", "Bob followed": built from text nodes only.
  function describe(item, into) {
    into.append(el('span', 'name', item.nickname));
    switch (item.kind) {
      case 'gift':
        // The spaces live outside the count (an inline-block drops its trailing space).
        if (hygiene) { into.append(' ', el('span', 'count', '× ' + item.count)); break; }
        into.append(words.sent + ' ', el('span', 'count', item.count + ' ×'), ' ', el('span', 'gift', item.gift_name || words.gift));
        break;
      case 'follow': into.append(words.follow); break;
      case 'share': into.append(words.share); break;
      case 'subscribe': into.append(words.subscribe); break;
      case 'super_fan': into.append(words.superFan); break;
      case 'treasure_chest': into.append(words.chest); break;
      case 'super_fan_box': into.append(words.superFanBox); break;
      default: into.append(' ' + String(item.kind));
    }
    return into;
  }

  // ---- Alerts ----
  const sound = params.get('sound') && safeUrl(params.get('sound'));
  const volume = num('volume', 1, 0, 1);
  let alertId = null;
  let alertTimer = null;
  function hideAlert() {
    const card = root.querySelector('.alert-card');
    alertId = null;
    if (card) {
      card.classList.add('leaving');
      setTimeout(() => card.remove(), 300);
    }
  }
  function renderAlerts(state) {
    const a = state.alert;
    clearTimeout(alertTimer);
    if (!a) { hideAlert(); return; }
    if (a.id !== alertId) {
      root.replaceChildren();
      alertId = a.id;
      const card = el('div', 'card alert-card kind-' + a.kind);
      card.dataset.id = String(a.id);
      const img = a.kind === 'gift' ? giftImage(a.image_url, 'gift-image') : null;
      if (img) card.append(img);
      else card.append(el('span', 'gift-icon', hygiene ? '★' : a.kind === 'gift' ? '🎁' : a.kind === 'follow' ? '➕' : a.kind === 'share' ? '↗' : a.kind === 'treasure_chest' || a.kind === 'super_fan_box' ? '🧰' : '⭐'));
      card.append(describe(a, el('div', 'alert-text')));
      root.append(card);
      if (sound) {
        const audio = new Audio(sound);
        audio.volume = volume;
        audio.play().catch(() => {});
      }
    } else {
      const count = root.querySelector('.alert-card .count');
      if (count && a.kind === 'gift') {
        count.textContent = a.count + ' ×';
        count.classList.remove('bump');
        void count.offsetWidth;
        count.classList.add('bump');
      }
    }
    // Hide on our own too, in case giftdeck goes away while an alert shows.
    alertTimer = setTimeout(hideAlert, Math.max(0, Number(state.remaining_millis) || 0) + 500);
  }

  // ---- Like goal ----
  function renderGoal(state) {
    let card = root.querySelector('.card');
    if (!card) {
      card = el('div', 'card');
      const head = el('div', 'goal-title');
      head.append(el('span', 'goal-name', params.get('title') || words.likeGoal), el('span', 'goal-numbers'));
      const bar = el('div', 'goal-bar');
      bar.append(el('div', 'goal-fill'));
      card.append(head, bar);
      root.append(card);
    }
    const pct = state.target > 0 ? Math.min(100, (100 * state.likes) / state.target) : 0;
    card.querySelector('.goal-fill').style.width = pct.toFixed(1) + '%';
    card.querySelector('.goal-numbers').textContent =
      Number(state.likes).toLocaleString() + ' / ' + Number(state.target).toLocaleString();
    const before = Number(root.dataset.reached || state.reached);
    root.dataset.reached = String(state.reached);
    if (state.reached > before) {
      root.classList.remove('reached');
      void root.offsetWidth;
      root.classList.add('reached');
    }
  }

  // ---- Top gifters ----
  function renderTop(state) {
    const count = num('count', 5, 1, 50);
    const card = el('div', 'card');
    card.append(el('div', 'list-title', params.get('title') || words.top));
    const rows = el('ol', 'rows');
    state.gifters.slice(0, count).forEach((g, i) => {
      const li = el('li');
      li.append(el('span', 'rank', (i + 1) + '.'), el('span', 'who name', g.nickname),
        el('span', 'diamonds', words.value + Number(g.diamonds).toLocaleString()));
      rows.append(li);
    });
    if (state.gifters.length === 0) rows.append(el('li', 'empty', params.get('empty') || words.noGifts));
    card.append(rows);
    root.replaceChildren(card);
  }

  // ---- Recent events ----
  function renderRecent(state) {
    const count = num('count', 6, 1, 50);
    const list = params.get('mode') === 'list';
    root.classList.toggle('list', list);
    root.classList.toggle('ticker', !list);
    const rows = el('ul', 'rows');
    state.items.slice(0, count).forEach((item) => {
      const li = el('li', 'kind-' + item.kind);
      const img = item.kind === 'gift' ? giftImage(item.image_url, 'recent-image') : null;
      if (img) li.append(img);
      rows.append(describe(item, li));
    });
    if (list) {
      const card = el('div', 'card');
      card.append(el('div', 'list-title', params.get('title') || words.recent), rows);
      root.replaceChildren(card);
    } else {
      root.replaceChildren(rows);
    }
  }

  // ---- Overlay text ----
  let textId = null;
  let textTimer = null;
  function renderText(state) {
    clearTimeout(textTimer);
    const t = state.text;
    if (!t) { textId = null; root.replaceChildren(); return; }
    if (t.id !== textId) {
      textId = t.id;
      const card = el('div', 'card');
      card.append(el('div', 'text-title', t.title));
      if (t.subtitle) card.append(el('div', 'text-subtitle', t.subtitle));
      root.replaceChildren(card);
    }
    textTimer = setTimeout(() => { textId = null; root.replaceChildren(); },
      Math.max(0, Number(state.remaining_millis) || 0) + 500);
  }

  // ---- Counter (?name=Deaths; ?title= replaces the label) ----
  function renderCounter(state) {
    const wanted = (params.get('name') || '').trim().toLowerCase();
    const counters = state.counters || [];
    const c = wanted ? counters.find((x) => String(x.name).toLowerCase() === wanted) : counters[0];
    let card = root.querySelector('.card');
    if (!card) {
      card = el('div', 'card');
      card.append(el('div', 'counter-name'), el('div', 'counter-value'));
      root.append(card);
    }
    card.querySelector('.counter-name').textContent = params.get('title') || (c ? c.name : wanted);
    const value = card.querySelector('.counter-value');
    const before = value.textContent;
    value.textContent = c ? Number(c.value).toLocaleString() : '–';
    if (before && before !== value.textContent) {
      value.classList.remove('bump');
      void value.offsetWidth;
      value.classList.add('bump');
    }
  }

  // ---- Stream timer: counts down by itself from the time left at a moment ----
  let timerState = null;
  let timerTick = null;
  function clock(ms) {
    const s = Math.ceil(Math.max(0, ms) / 1000);
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, sec = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    return h > 0 ? h + ':' + two(m) + ':' + two(sec) : m + ':' + two(sec);
  }
  function drawTimer() {
    const t = timerState;
    if (!t) return;
    let left = Number(t.remaining_millis) || 0;
    if (t.counting) left -= Math.max(0, Date.now() - Number(t.at_millis));
    root.querySelector('.timer-clock').textContent = clock(left);
    const note = t.held_while_dead ? (params.get('dead') || 'waiting for the respawn')
      : t.paused ? (params.get('paused') || 'paused') : '';
    const noteEl = root.querySelector('.timer-note');
    noteEl.textContent = note;
    noteEl.classList.toggle('hidden', !note);
    root.dataset.state = t.counting ? 'running' : t.held_while_dead ? 'held' : t.paused ? 'paused' : 'stopped';
  }
  function renderTimer(state) {
    timerState = state.timer;
    if (!root.querySelector('.card')) {
      const card = el('div', 'card');
      const title = params.get('title');
      if (title) card.append(el('div', 'timer-title', title));
      card.append(el('div', 'timer-clock'), el('div', 'timer-note hidden'));
      root.append(card);
    }
    clearInterval(timerTick);
    drawTimer();
    if (timerState && timerState.counting) timerTick = setInterval(drawTimer, 250);
  }


  // ---- Goals (any metric; ?goal=N shows the Nth only) ----
  const metricWords = { coins: words.coins, likes: words.likes, follows: words.follows, shares: words.shares, subscriptions: words.subscriptions, counter: '' };
  const goalsSeen = {};
  function renderGoals(state) {
    const only = num('goal', 0, 0, 100);
    const list = only ? state.goals.slice(only - 1, only) : state.goals;
    const cards = list.map((g, i) => {
      const card = el('div', 'card goal-card metric-' + g.metric);
      const head = el('div', 'goal-title');
      const title = g.title || g.name || metricWords[g.metric] || words.goal;
      head.append(el('span', 'goal-name', title),
        el('span', 'goal-numbers', Number(g.progress).toLocaleString() + ' / ' + Number(g.target).toLocaleString()));
      const bar = el('div', 'goal-bar');
      const fill = el('div', 'goal-fill');
      const pct = g.target > 0 ? Math.min(100, (100 * g.progress) / g.target) : 0;
      fill.style.width = pct.toFixed(1) + '%';
      bar.append(fill);
      card.append(head, bar);
      const key = String(only || i);
      if (goalsSeen[key] !== undefined && g.reached > goalsSeen[key]) card.classList.add('reached');
      goalsSeen[key] = g.reached;
      return card;
    });
    if (cards.length === 0) cards.push(el('div', 'card empty', params.get('empty') || words.noGoals));
    root.replaceChildren(...cards);
  }

  // ---- Subathon timer ----
  let subathonTimer = null;
  function renderSubathon(state) {
    clearInterval(subathonTimer);
    let card = root.querySelector('.card');
    if (!card) {
      card = el('div', 'card');
      card.append(el('div', 'list-title', params.get('title') || words.subathon), el('div', 'clock'));
      root.replaceChildren(card);
    }
    root.dataset.state = state.state;
    const face = card.querySelector('.clock');
    const show = () => {
      const left = state.state === 'running' && state.ends_at_millis
        ? state.ends_at_millis - Date.now() : Number(state.remaining_millis) || 0;
      face.textContent = state.state === 'ended' ? (params.get('ended') || '0:00') : clock(left);
    };
    show();
    if (state.state === 'running') subathonTimer = setInterval(show, 250);
  }

  // ---- Leaderboard (?scope=stream|all_time&by=coins|likes|points&count=N) ----
  function renderBoard(state) {
    const scope = params.get('scope') === 'all_time' ? 'all_time' : 'stream';
    const by = ['coins', 'likes', 'points'].includes(params.get('by')) ? params.get('by') : 'coins';
    const count = num('count', 5, 1, 20);
    const icons = { coins: words.value, likes: words.likeIcon, points: '★ ' };
    const titles = { coins: words.top, likes: words.topLikes, points: words.topPoints };
    const card = el('div', 'card');
    card.append(el('div', 'list-title', params.get('title') ||
      titles[by] + (scope === 'all_time' ? ' · ' + words.allTime : '')));
    const rows = el('ol', 'rows');
    const list = (state.boards && state.boards[scope] && state.boards[scope][by]) || [];
    list.slice(0, count).forEach((r) => {
      const li = el('li');
      li.append(el('span', 'rank', r.rank + '.'), el('span', 'who name', r.nickname),
        el('span', 'diamonds', icons[by] + Number(r.value).toLocaleString()));
      rows.append(li);
    });
    if (list.length === 0) rows.append(el('li', 'empty', params.get('empty') || words.nobody));
    card.append(rows);
    root.replaceChildren(card);
  }

  // ---- !points card ----
  let pointsTimer = null;
  function renderPoints(state) {
    clearTimeout(pointsTimer);
    const c = state.card;
    const left = c ? Number(state.shown_at_millis) + Number(state.hide_after_millis) - Date.now() : 0;
    if (!c || left <= 0) { root.replaceChildren(); return; }
    const card = el('div', 'card points-card');
    card.dataset.id = String(c.id);
    card.append(el('div', 'name', c.nickname),
      el('div', 'points-line', Number(c.points).toLocaleString() + ' points · level ' + c.level));
    root.replaceChildren(card);
    pointsTimer = setTimeout(() => root.replaceChildren(), left);
  }

  // ---- Chat (?count=N newest; a deleted message is gone on the next state) ----
  function renderChat(state) {
    const count = num('count', 10, 1, 50);
    const rows = el('ul', 'rows');
    // Oldest at the top, newest at the bottom, as a chat reads.
    state.lines.slice(0, count).reverse().forEach((line) => {
      const li = el('li', 'chat-line');
      li.dataset.id = String(line.id);
      li.append(el('span', 'name', line.nickname), el('span', 'chat-text', line.text));
      rows.append(li);
    });
    root.replaceChildren(rows);
  }

  // ---- Viewer count (?title= a label; ?total=1 adds everyone who came so far) ----
  function renderViewers(state) {
    const card = el('div', 'card');
    const title = params.get('title');
    if (title) card.append(el('div', 'list-title', title));
    card.append(el('div', 'viewers-count', state.viewers === null ? '–' : '👁 ' + Number(state.viewers).toLocaleString()));
    if (params.get('total') === '1' && state.total_viewers) {
      card.append(el('div', 'viewers-total', Number(state.total_viewers).toLocaleString() + ' so far'));
    }
    root.replaceChildren(card);
  }

  // ---- Gifter spotlight (?show=last|top; both by default) ----
  function renderSpotlight(state) {
    const show = params.get('show');
    const cards = [];
    if (show !== 'top') {
      const card = el('div', 'card spot-last');
      card.append(el('div', 'list-title', params.get('last_title') || words.last));
      const who = el('div', 'spot-who');
      const g = state.last;
      if (g) {
        const img = giftImage(g.image_url, 'spot-image');
        if (img) who.append(img);
        describe({ kind: 'gift', nickname: g.nickname, count: g.count, gift_name: g.gift_name }, who);
      } else who.append(el('span', 'empty', params.get('empty') || words.nobody));
      card.append(who);
      cards.push(card);
    }
    if (show !== 'last') {
      const card = el('div', 'card spot-top');
      card.append(el('div', 'list-title', params.get('top_title') || words.topOne));
      const who = el('div', 'spot-who');
      const t = state.top;
      if (t) who.append(el('span', 'name', t.nickname), ' ', el('span', 'diamonds', words.value + Number(t.diamonds).toLocaleString()));
      else who.append(el('span', 'empty', params.get('empty') || words.nobody));
      card.append(who);
      cards.push(card);
    }
    root.replaceChildren(...cards);
  }

  const renderers = { alerts: renderAlerts, goal: renderGoal, top: renderTop, recent: renderRecent, text: renderText,
    counter: renderCounter, timer: renderTimer,
    goals: renderGoals, subathon: renderSubathon, board: renderBoard, points: renderPoints,
    chat: renderChat, viewers: renderViewers, spotlight: renderSpotlight };
  const render = renderers[page];
  if (!render) return;

  function connect() {
    const source = new EventSource('/sse/' + page);
    source.onmessage = (message) => {
      let state;
      try { state = JSON.parse(message.data); } catch (_) { return; }
      document.body.dataset.connected = 'yes';
      render(state);
    };
    source.onerror = () => {
      document.body.dataset.connected = 'no';
      // EventSource retries by itself while the server is away; after a refused answer it gives
      // up (CLOSED), so start over.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
  }
  connect();
})();
