/*
 * Switchboard web chat widget. Embed with one tag:
 *   <script src="https://hub.example.com/channels/webchat/widget.js" data-title="Chat with us" async></script>
 * Optional attributes: data-title, data-color (accent, e.g. #0b5cad), data-position (right | left),
 * data-open ("true" opens the panel on load).
 *
 * Plain ES, no dependencies, no build step. Everything a customer or agent wrote is put on the page with
 * textContent, never as HTML. Protocol: docs/webchat.md (version 1).
 */
(function () {
  'use strict';
  if (window.__switchboardWebchat) {
    return;
  }
  window.__switchboardWebchat = true;

  var script = document.currentScript ||
      document.querySelector('script[src*="/channels/webchat/widget.js"]');
  if (!script) {
    return;
  }
  var scriptUrl = new URL(script.src, document.baseURI);
  var base = scriptUrl.href.replace(/\/widget\.js(\?.*)?$/, '');
  var socketUrl = base.replace(/^http/, 'ws') + '/socket?v=1';
  var STORE_KEY = 'switchboard.webchat:' + base;
  var TYPING_EVERY_MS = 3000;
  var TYPING_IDLE_MS = 4000;
  var PING_EVERY_MS = 25000;

  var options = {
    title: script.getAttribute('data-title') || '',
    color: script.getAttribute('data-color') || '#0b5cad',
    position: script.getAttribute('data-position') === 'left' ? 'left' : 'right',
    open: script.getAttribute('data-open') === 'true'
  };

  // ------------------------------------------------------------------ state

  var state = {
    hello: null,          // the server's hello frame (topics, limits, transcripts)
    ws: null,
    connected: false,
    attempts: 0,
    reconnectTimer: null,
    pingTimer: null,
    view: 'prechat',      // prechat | chat | ended
    stored: load(),       // {sessionId, resumeToken, lastSeenMessageId, lastSeenAt, pending: [{clientId, text}], email}
    shown: {},            // messageId -> element (dedupes replays)
    byClientId: {},       // clientId -> element of the customer's own message
    lastAgentMessageId: null,
    unread: 0,
    typingSentAt: 0,
    typingIdleTimer: null,
    agentTypingTimer: null,
    pendingStart: null    // the pre-chat answers until the session frame arrives
  };

  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  // What the customer was typing survives a reload of the page (this tab only, like the session).
  function loadDraft() {
    try {
      return window.sessionStorage.getItem(STORE_KEY + ':draft') || '';
    } catch (e) {
      return '';
    }
  }

  function saveDraft(text) {
    try {
      if (text) {
        window.sessionStorage.setItem(STORE_KEY + ':draft', text);
      } else {
        window.sessionStorage.removeItem(STORE_KEY + ':draft');
      }
    } catch (e) {
      // storage may be disabled: the draft lasts for this page
    }
  }

  function save() {
    try {
      if (state.stored) {
        window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state.stored));
      } else {
        window.sessionStorage.removeItem(STORE_KEY);
      }
    } catch (e) {
      // storage may be disabled: the chat still works, it just cannot resume after a reload
    }
  }

  // ------------------------------------------------------------------ DOM

  var host = document.createElement('div');
  host.id = 'switchboard-webchat';
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') {
          node.textContent = attrs[k];
        } else if (k === 'hidden') {
          node.hidden = !!attrs[k];
        } else {
          node.setAttribute(k, attrs[k]);
        }
      });
    }
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  var style = el('style');
  style.textContent = [
    ':host{all:initial}',
    '*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
    '.wrap{position:fixed;bottom:20px;' + options.position + ':20px;z-index:2147483000;--accent:' + options.color + '}',
    '.launcher{width:60px;height:60px;border-radius:50%;border:none;background:var(--accent);color:#fff;cursor:pointer;',
    'box-shadow:0 4px 14px rgba(0,0,0,.25);font-size:26px;position:relative}',
    '.launcher:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}',
    '.badge{position:absolute;top:-4px;right:-4px;background:#d4351c;color:#fff;border-radius:10px;font-size:12px;padding:2px 6px}',
    '.panel{position:absolute;bottom:76px;' + options.position + ':0;width:360px;max-width:calc(100vw - 40px);height:540px;',
    'max-height:calc(100vh - 120px);background:#fff;color:#1b1b1b;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);',
    'display:flex;flex-direction:column;overflow:hidden;font-size:15px}',
    '.head{background:var(--accent);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:8px}',
    '.head h2{font-size:16px;margin:0;flex:1}',
    '.head button{background:transparent;border:none;color:#fff;font-size:20px;cursor:pointer;padding:2px 8px}',
    '.conn{font-size:12px;padding:4px 14px;background:#fff4e5;color:#6b4100}',
    '.body{flex:1;overflow:auto;padding:12px 14px}',
    'form.pre label{display:block;font-weight:600;margin:10px 0 4px}',
    'form.pre input,form.pre select,form.pre textarea{width:100%;padding:8px;border:1px solid #767676;border-radius:6px;font-size:15px}',
    '.primary{margin-top:14px;background:var(--accent);color:#fff;border:none;border-radius:6px;padding:10px 14px;font-size:15px;cursor:pointer}',
    '.secondary{background:#fff;color:#1b1b1b;border:1px solid #767676;border-radius:6px;padding:8px 12px;font-size:14px;cursor:pointer}',
    '.log{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:8px}',
    '.msg{max-width:80%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}',
    '.msg.customer{align-self:flex-end;background:var(--accent);color:#fff}',
    '.msg.agent{align-self:flex-start;background:#f0f0f0}',
    '.meta{display:block;font-size:11px;opacity:.8;margin-top:3px;text-align:right}',
    '.msg .who{display:block;font-size:11px;font-weight:600;margin-bottom:2px}',
    '.queue{background:#eef5fc;border-radius:8px;padding:8px 10px;margin-bottom:10px;font-size:14px}',
    '.typing{font-size:13px;color:#505a5f;padding:0 14px 4px;min-height:18px}',
    '.alert{font-size:13px;color:#942514;padding:0 14px}',
    '.compose{display:flex;gap:6px;border-top:1px solid #ddd;padding:8px}',
    '.compose textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #767676;border-radius:6px;font-size:15px}',
    '.compose button{background:var(--accent);color:#fff;border:none;border-radius:6px;padding:0 14px;cursor:pointer}',
    '.foot{padding:6px 8px 10px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}',
    '.endbox{border-top:1px solid #ddd;padding:10px 14px}',
    '.csat{border:1px solid #ddd;border-radius:8px;padding:10px;margin:10px 0}',
    '.csat textarea{width:100%;padding:8px;border:1px solid #767676;border-radius:6px;font-size:15px}',
    '.stars{display:flex;gap:4px;margin:6px 0 10px}',
    '.stars button{font-size:26px;background:none;border:none;color:#b1b4b6;cursor:pointer;padding:0 2px}',
    '.stars button.on{color:#f5a623}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '[hidden]{display:none!important}'
  ].join('\n');
  root.appendChild(style);

  var wrap = el('div', { 'class': 'wrap' });
  var badge = el('span', { 'class': 'badge', hidden: true, 'aria-hidden': 'true' });
  var launcher = el('button', { 'class': 'launcher', type: 'button', 'aria-expanded': 'false',
    'aria-controls': 'sb-panel', 'aria-label': 'Open chat' }, [el('span', { 'aria-hidden': 'true', text: '\uD83D\uDCAC' }), badge]);
  var titleEl = el('h2', { id: 'sb-title', text: options.title || 'Chat with us' });
  var closeBtn = el('button', { type: 'button', 'aria-label': 'Minimise chat', text: '\u2013' });
  var connEl = el('div', { 'class': 'conn', role: 'status', hidden: true });
  var alertEl = el('div', { 'class': 'alert', role: 'alert' });

  // pre-chat form
  var nameInput = el('input', { id: 'sb-name', name: 'name', autocomplete: 'name', required: 'required', maxlength: '200' });
  var emailInput = el('input', { id: 'sb-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: '254' });
  var topicSelect = el('select', { id: 'sb-topic', name: 'topic' });
  var firstInput = el('textarea', { id: 'sb-first', name: 'message', rows: '3' });
  var emailLabel = el('label', { 'for': 'sb-email', text: 'Email (optional, to link your account and send a transcript)' });
  var preForm = el('form', { 'class': 'pre', novalidate: 'novalidate' }, [
    el('p', { text: 'Tell us who you are and what it is about; an agent will be with you shortly.' }),
    el('label', { 'for': 'sb-name', text: 'Name' }), nameInput,
    emailLabel, emailInput,
    el('label', { 'for': 'sb-topic', text: 'Topic' }), topicSelect,
    el('label', { 'for': 'sb-first', text: 'How can we help? (optional)' }), firstInput,
    el('button', { 'class': 'primary', type: 'submit', text: 'Start chat' })
  ]);

  // conversation
  var queueEl = el('div', { 'class': 'queue', role: 'status', 'aria-live': 'polite', hidden: true });
  var log = el('ol', { 'class': 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Messages' });
  var chatView = el('div', { hidden: true }, [queueEl, log]);
  // satisfaction survey after the end (when the queue asks for one)
  var csatQuestion = el('p', { id: 'sb-csat-q', 'class': 'csatq' });
  var csatStars = el('div', { 'class': 'stars', role: 'radiogroup', 'aria-labelledby': 'sb-csat-q' });
  var csatButtons = [1, 2, 3, 4, 5].map(function (n) {
    var b = el('button', { type: 'button', role: 'radio', 'aria-checked': 'false', 'data-rating': String(n),
      'aria-label': n + ' of 5', text: '\u2605' });
    b.addEventListener('click', function () { pickRating(n); });
    csatStars.appendChild(b);
    return b;
  });
  var csatCommentLabel = el('label', { 'for': 'sb-csat-comment', text: 'Anything you would like to tell us? (optional)' });
  var csatComment = el('textarea', { id: 'sb-csat-comment', rows: '3', maxlength: '1000' });
  var csatSend = el('button', { 'class': 'primary', type: 'submit', text: 'Send rating' });
  var csatForm = el('form', { 'class': 'csat', hidden: true, novalidate: 'novalidate' }, [
    csatQuestion, csatStars, csatCommentLabel, csatComment, csatSend
  ]);
  var endedView = el('div', { hidden: true }, [
    el('p', { id: 'sb-ended', text: 'This chat has ended. Thank you!' }),
    csatForm,
    el('button', { 'class': 'primary', type: 'button', text: 'Start a new chat' })
  ]);
  var body = el('div', { 'class': 'body' }, [preForm, chatView, endedView]);
  var typingEl = el('div', { 'class': 'typing', 'aria-live': 'polite' });
  var composeInput = el('textarea', { id: 'sb-compose', rows: '2', maxlength: '4000' });
  composeInput.value = loadDraft();
  var composeForm = el('form', { 'class': 'compose', hidden: true }, [
    el('label', { 'for': 'sb-compose', 'class': 'sr', text: 'Your message' }), composeInput,
    el('button', { type: 'submit', text: 'Send' })
  ]);
  var endBtn = el('button', { 'class': 'secondary', type: 'button', text: 'End chat' });
  var foot = el('div', { 'class': 'foot', hidden: true }, [endBtn]);
  var transcriptBox = el('input', { id: 'sb-transcript', type: 'checkbox' });
  var transcriptLine = el('div', {}, [transcriptBox, el('label', { 'for': 'sb-transcript', text: ' Send me the transcript by email' })]);
  var confirmEnd = el('button', { 'class': 'primary', type: 'button', text: 'End chat' });
  var cancelEnd = el('button', { 'class': 'secondary', type: 'button', text: 'Keep chatting' });
  var endBox = el('div', { 'class': 'endbox', hidden: true, role: 'group', 'aria-label': 'End the chat' }, [
    el('p', { text: 'End this chat?' }), transcriptLine, el('div', { 'class': 'foot' }, [confirmEnd, cancelEnd])
  ]);
  var panel = el('div', { 'class': 'panel', id: 'sb-panel', role: 'dialog', 'aria-labelledby': 'sb-title', hidden: true }, [
    el('div', { 'class': 'head' }, [titleEl, closeBtn]), connEl, body, alertEl, typingEl, composeForm, foot, endBox
  ]);
  wrap.appendChild(panel);
  wrap.appendChild(launcher);
  root.appendChild(wrap);

  function mount() {
    (document.body || document.documentElement).appendChild(host);
  }
  if (document.body) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount);
  }

  // ------------------------------------------------------------------ views

  function isOpen() {
    return !panel.hidden;
  }

  function openPanel() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', 'Close chat');
    state.unread = 0;
    renderBadge();
    connect();
    focusView();
    markRead();
  }

  function closePanel() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', 'Open chat');
    launcher.focus();
  }

  function focusView() {
    if (state.view === 'prechat') {
      nameInput.focus();
    } else if (state.view === 'chat') {
      composeInput.focus();
    } else {
      endedView.querySelector('button.primary[type=button]').focus();
    }
  }

  function show(view) {
    state.view = view;
    preForm.hidden = view !== 'prechat';
    chatView.hidden = view !== 'chat';
    composeForm.hidden = view !== 'chat';
    foot.hidden = view !== 'chat';
    endedView.hidden = view !== 'ended';
    endBox.hidden = true;
    if (view !== 'chat') {
      typingEl.textContent = '';
      queueEl.hidden = true;
    }
  }

  function renderBadge() {
    badge.hidden = state.unread === 0;
    badge.textContent = String(state.unread);
    launcher.setAttribute('aria-label', (isOpen() ? 'Close chat' : 'Open chat') +
        (state.unread ? ' (' + state.unread + ' new)' : ''));
  }

  function alertText(text) {
    alertEl.textContent = text || '';
  }

  function connection(text) {
    connEl.hidden = !text;
    connEl.textContent = text || '';
  }

  function timeOf(iso) {
    try {
      return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return '';
    }
  }

  /** Adds a message once (by message id or the customer's client id); text is always set as text. */
  function addMessage(m) {
    if (m.messageId && state.shown[m.messageId]) {
      return state.shown[m.messageId];
    }
    var item = m.clientId && state.byClientId[m.clientId];
    if (!item && typeof m.text !== 'string') {
      return null;
    }
    if (!item) {
      var textNode = el('span', { 'class': 'text' });
      textNode.textContent = m.text;
      var meta = el('span', { 'class': 'meta' });
      // Agents' replies carry the agent's display name (the customer sees who answers).
      var agentName = m.from === 'agent' && typeof m.name === 'string' && m.name ? m.name : null;
      item = el('li', { 'class': 'msg ' + (m.from === 'agent' ? 'agent' : 'customer') }, [
        agentName ? el('span', { 'class': 'who', text: agentName }) : el('span', { 'class': 'sr', text: m.from === 'agent' ? 'Agent said: ' : 'You said: ' }),
        textNode, meta
      ]);
      log.appendChild(item);
      item.scrollIntoView({ block: 'end' });
      if (m.clientId) {
        state.byClientId[m.clientId] = item;
      }
    }
    if (m.messageId) {
      state.shown[m.messageId] = item;
      item.setAttribute('data-id', m.messageId);
    }
    item.querySelector('.meta').textContent = timeOf(m.at || new Date().toISOString()) +
        (m.from === 'agent' ? '' : ticks(m.status || (m.messageId ? 'received' : 'sending')));
    item.setAttribute('data-status', m.status || (m.messageId ? 'received' : 'sending'));
    return item;
  }

  function ticks(status) {
    if (status === 'sending') {
      return ' \u00B7 sending';
    }
    if (status === 'read') {
      return ' \u2713\u2713 read';
    }
    return ' \u2713 delivered';
  }

  function setStatus(messageId, status) {
    var item = state.shown[messageId];
    if (item && !item.classList.contains('agent')) {
      var at = item.querySelector('.meta').textContent.split(' ')[0];
      item.setAttribute('data-status', status);
      item.querySelector('.meta').textContent = at + ticks(status);
    }
  }

  function remember(messageId, at) {
    if (!state.stored) {
      return;
    }
    if (!messageId || !at) {
      return;
    }
    if (!state.stored.lastSeenAt || Date.parse(at) >= Date.parse(state.stored.lastSeenAt)) {
      state.stored.lastSeenMessageId = messageId;
      state.stored.lastSeenAt = at;
      save();
    }
  }

  function queueText(f) {
    if (f.state === 'left') {
      return 'An agent is joining the chat\u2026';
    }
    var text = f.position <= 1 ? 'You are next in line' : 'You are number ' + f.position + ' in line';
    if (f.estimatedWaitSeconds) {
      text += '. The wait should be ' + roughWait(f.estimatedWaitSeconds);
    }
    return text + '.';
  }

  // The hub's estimate is rough (the queue's handling rate and staffing): say it in words, never to the minute.
  function roughWait(seconds) {
    if (seconds < 60) {
      return 'under a minute';
    }
    if (seconds <= 5 * 60) {
      return 'a few minutes';
    }
    if (seconds < 15 * 60) {
      return 'around 5 to 15 minutes';
    }
    return 'more than 15 minutes';
  }

  // ------------------------------------------------------------------ socket

  function connect() {
    if (state.ws || (!state.stored && !isOpen())) {
      return;
    }
    clearTimeout(state.reconnectTimer);
    connection(state.attempts ? 'Reconnecting\u2026' : 'Connecting\u2026');
    var ws;
    try {
      ws = new WebSocket(socketUrl);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    ws.onopen = function () {
      state.connected = true;
      state.attempts = 0;
      connection('');
      state.pingTimer = setInterval(function () { send({ type: 'ping' }); }, PING_EVERY_MS);
      if (state.stored && state.stored.sessionId) {
        // After a page load nothing is on screen yet: ask for the whole conversation.
        var fresh = Object.keys(state.shown).length === 0;
        send({ type: 'resume', v: 1, sessionId: state.stored.sessionId, resumeToken: state.stored.resumeToken,
          lastSeenMessageId: fresh ? undefined : state.stored.lastSeenMessageId,
          lastSeenAt: fresh ? undefined : state.stored.lastSeenAt });
      } else if (state.pendingStart) {
        send(state.pendingStart.frame);
      }
    };
    ws.onmessage = function (ev) {
      var f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      handle(f);
    };
    ws.onclose = function (ev) {
      clearInterval(state.pingTimer);
      state.ws = null;
      state.connected = false;
      if (ev.code === 1000 && state.view === 'ended') {
        return;
      }
      if (ev.code === 1008 && ev.reason === 'origin not allowed') {
        connection('Chat is not available on this site.');
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (!state.stored && !state.pendingStart) {
      connection(isOpen() ? 'Offline. Retrying\u2026' : '');
    } else {
      connection('Connection lost. Reconnecting\u2026');
    }
    var delay = Math.min(30000, 1000 * Math.pow(2, state.attempts)) * (0.75 + Math.random() * 0.5);
    state.attempts++;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  window.addEventListener('online', function () {
    if (!state.ws) {
      state.attempts = 0;
      connect();
    }
  });

  function send(frame) {
    if (state.ws && state.connected && state.ws.readyState === 1) {
      state.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function handle(f) {
    switch (f.type) {
      case 'hello':
        state.hello = f;
        applyHello(f);
        break;
      case 'session':
        var first = !state.stored;
        state.stored = state.stored || { pending: [] };
        state.stored.sessionId = f.sessionId;
        state.stored.resumeToken = f.resumeToken;
        if (state.pendingStart) {
          state.stored.email = state.pendingStart.frame.email || null;
        }
        save();
        if (state.view !== 'chat') {
          show('chat');
          if (isOpen()) {
            composeInput.focus();
          }
        }
        if (first && state.pendingStart && state.pendingStart.firstMessage) {
          sendMessage(state.pendingStart.firstMessage);
        }
        state.pendingStart = null;
        if (f.resumed) {
          (state.stored.pending || []).forEach(function (p) {
            addMessage({ clientId: p.clientId, from: 'customer', text: p.text });
          });
        }
        transcriptLine.hidden = !(state.hello && state.hello.transcripts && state.stored.email);
        break;
      case 'replayed':
        // Lines written before the connection dropped go again, with the same client id: never twice.
        (state.stored && state.stored.pending || []).forEach(function (p) {
          send({ type: 'message', clientId: p.clientId, text: p.text });
        });
        markRead();
        break;
      case 'ack':
        if (!state.stored) {
          break;
        }
        var pending = state.stored.pending || [];
        state.stored.pending = pending.filter(function (p) { return p.clientId !== f.clientId; });
        addMessage({ clientId: f.clientId, messageId: f.messageId, from: 'customer', at: f.at, status: 'received' });
        remember(f.messageId, f.at);
        break;
      case 'message':
        var known = f.messageId && state.shown[f.messageId];
        addMessage(f);
        if (f.from === 'agent' && !known) {
          state.lastAgentMessageId = f.messageId;
          queueEl.hidden = true;
          typingEl.textContent = '';
          send({ type: 'received', messageId: f.messageId });
          if (!isOpen() || document.hidden) {
            state.unread++;
            renderBadge();
          } else {
            markRead();
          }
        }
        remember(f.messageId, f.at);
        break;
      case 'status':
        (f.messageIds || [f.messageId]).forEach(function (id) { setStatus(id, f.status); });
        break;
      case 'typing':
        if (f.from !== 'agent') {
          break;
        }
        clearTimeout(state.agentTypingTimer);
        typingEl.textContent = f.on ? 'The agent is typing\u2026' : '';
        if (f.on) {
          state.agentTypingTimer = setTimeout(function () { typingEl.textContent = ''; }, 10000);
        }
        break;
      case 'queue':
        if (state.lastAgentMessageId) {
          queueEl.hidden = true;
        } else {
          queueEl.hidden = false;
          queueEl.textContent = queueText(f);
        }
        break;
      case 'ended':
        finish(f.transcript === 'sent' ? 'This chat has ended. The transcript is on its way to your inbox.'
            : f.by === 'agent' ? 'The agent has ended this chat. Thank you!' : 'This chat has ended. Thank you!', f.survey);
        break;
      case 'rated':
        csatForm.hidden = true;
        endedView.querySelector('p').textContent = 'Thank you for your rating!';
        break;
      case 'error':
        onError(f);
        break;
      default:
        break;
    }
  }

  function onError(f) {
    switch (f.code) {
      case 'invalid-resume-token':
      case 'session-expired':
      case 'session-ended':
        state.stored = null;
        save();
        resetConversation();
        show('prechat');
        alertText(f.code === 'session-ended' ? '' : 'Your previous chat could not be resumed. Please start a new one.');
        break;
      case 'rate-limited':
        alertText('Slow down a little: ' + f.message);
        break;
      case 'no-survey':
      case 'already-rated':
        csatForm.hidden = true;
        alertText(f.message || '');
        break;
      case 'transcript-unavailable':
      case 'transcript-failed':
        alertText('The transcript could not be sent: ' + f.message);
        break;
      default:
        alertText(f.message || 'Something went wrong.');
    }
  }

  function applyHello(f) {
    if (!options.title && f.title) {
      titleEl.textContent = f.title;
    }
    var current = topicSelect.value;
    topicSelect.textContent = '';
    (f.topics || []).forEach(function (t) {
      var opt = el('option', { value: t.id });
      opt.textContent = t.label;
      topicSelect.appendChild(opt);
    });
    if (current) {
      topicSelect.value = current;
    }
    if (f.requireEmail) {
      emailInput.setAttribute('required', 'required');
      emailLabel.textContent = 'Email';
    }
    if (f.limits && f.limits.maxTextChars) {
      composeInput.setAttribute('maxlength', String(f.limits.maxTextChars));
      firstInput.setAttribute('maxlength', String(f.limits.maxTextChars));
    }
  }

  // ------------------------------------------------------------------ actions

  function clientId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return 'c' + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function sendMessage(text) {
    var id = clientId();
    state.stored.pending = state.stored.pending || [];
    state.stored.pending.push({ clientId: id, text: text });
    save();
    addMessage({ clientId: id, from: 'customer', text: text, status: 'sending' });
    send({ type: 'message', clientId: id, text: text });
    stopTyping();
  }

  function markRead() {
    if (state.lastAgentMessageId && isOpen() && !document.hidden) {
      send({ type: 'read', upTo: state.lastAgentMessageId });
    }
  }

  function stopTyping() {
    clearTimeout(state.typingIdleTimer);
    if (state.typingSentAt) {
      state.typingSentAt = 0;
      send({ type: 'typing', on: false });
    }
  }

  function resetConversation() {
    log.textContent = '';
    state.shown = {};
    state.byClientId = {};
    state.lastAgentMessageId = null;
    queueEl.hidden = true;
  }

  function finish(text, survey) {
    state.stored = null;
    save();
    show('ended');
    endedView.querySelector('p').textContent = text;
    state.rating = 0;
    csatButtons.forEach(function (b) { b.classList.remove('on'); b.setAttribute('aria-checked', 'false'); });
    csatComment.value = '';
    csatForm.hidden = !survey;
    if (survey) {
      csatQuestion.textContent = survey.question;
      csatCommentLabel.textContent = survey.commentPrompt;
    }
    if (isOpen()) {
      (survey ? csatButtons[4] : endedView.querySelector('button.primary[type=button]')).focus();
    }
  }

  function pickRating(n) {
    state.rating = n;
    csatButtons.forEach(function (b, i) {
      b.classList.toggle('on', i < n);
      b.setAttribute('aria-checked', i === n - 1 ? 'true' : 'false');
    });
  }

  csatForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!state.rating) {
      alertText('Please choose from 1 to 5 stars.');
      csatButtons[0].focus();
      return;
    }
    alertText('');
    if (!send({ type: 'rate', rating: state.rating, comment: csatComment.value.trim() || undefined })) {
      alertText('You are offline; the rating could not be sent.');
    }
  });

  preForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    alertText('');
    var name = nameInput.value.trim();
    var email = emailInput.value.trim();
    if (!name) {
      alertText('Please enter your name.');
      nameInput.focus();
      return;
    }
    if ((email && !emailInput.checkValidity()) || (!email && emailInput.required)) {
      alertText('Please enter a valid email address.');
      emailInput.focus();
      return;
    }
    var frame = { type: 'start', v: 1, name: name, email: email || undefined, topic: topicSelect.value,
      page: window.location.href.slice(0, 1000) };
    state.pendingStart = { frame: frame, firstMessage: firstInput.value.trim() || null };
    if (!send(frame)) {
      connect();
    }
  });

  composeForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = composeInput.value;
    if (!text.trim() || !state.stored) {
      return;
    }
    alertText('');
    composeInput.value = '';
    saveDraft('');
    sendMessage(text);
  });

  composeInput.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      composeForm.requestSubmit ? composeForm.requestSubmit() : composeForm.dispatchEvent(new Event('submit'));
    }
  });

  composeInput.addEventListener('input', function () {
    saveDraft(composeInput.value);
    var now = Date.now();
    if (!composeInput.value) {
      stopTyping();
      return;
    }
    if (now - state.typingSentAt > TYPING_EVERY_MS) {
      state.typingSentAt = now;
      send({ type: 'typing', on: true });
    }
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  });

  endBtn.addEventListener('click', function () {
    endBox.hidden = false;
    foot.hidden = true;
    transcriptLine.hidden = !(state.hello && state.hello.transcripts && state.stored && state.stored.email);
    confirmEnd.focus();
  });
  cancelEnd.addEventListener('click', function () {
    endBox.hidden = true;
    foot.hidden = false;
    endBtn.focus();
  });
  confirmEnd.addEventListener('click', function () {
    if (!send({ type: 'end', transcript: !transcriptLine.hidden && transcriptBox.checked })) {
      alertText('You are offline; the chat ends when the connection is back.');
    }
  });
  endedView.querySelector('button.primary[type=button]').addEventListener('click', function () {
    resetConversation();
    alertText('');
    show('prechat');
    nameInput.focus();
    if (!state.ws) {
      connect();
    }
  });

  launcher.addEventListener('click', function () {
    if (isOpen()) {
      closePanel();
    } else {
      openPanel();
    }
  });
  closeBtn.addEventListener('click', closePanel);
  panel.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape') {
      closePanel();
    }
  });
  document.addEventListener('visibilitychange', markRead);

  // ------------------------------------------------------------------ start

  if (state.stored && state.stored.sessionId) {
    show('chat');
    connect();
  } else {
    show('prechat');
  }
  if (options.open) {
    openPanel();
  }
})();
