// <sb-agent-console>: what an agent works in all day. The state bar (available, break with a reason,
// offline, after-call work with its countdown), offers with a countdown (accept/decline by button or
// Alt+A / Alt+D), and the agent's interactions as tabs (Alt+1..9), each with its conversation, composer and
// the customer 360. Tabs and workspaces are keyed by interaction id (Lit's repeat): closing one tab never hands
// its workspace, with its conversation, customer and forms, to the next interaction. The hub's snapshot is the truth: after every (re)connect the lists are replaced by it.
// The console settings (dispositions, canned responses) are read again when the hub says they changed
// (`settings_changed`) and after a reconnect or an overflow snapshot, when such a frame may have been missed.
import { LitElement, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { clock, contextLines, routingReason, CHANNEL_LABELS } from '../format.js';
import { askPermission, offerArrived, onSoundChange, setSound, soundSetting, soundState, tone, unlockAudio } from '../notify.js';
import './interaction-workspace.js';
import { rememberCallState } from '../voice/call-controls.js';

const BREAK_REASONS = ['Lunch', 'Coffee', 'Meeting', 'Training', 'Personal'];
const STATE_LABELS = {
  available: 'Available', busy: 'Busy', break: 'Break', offline: 'Offline', after_call_work: 'After-call work',
};

class AgentConsole extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    user: { attribute: false },
    agentState: { state: true },
    offers: { state: true },
    tabs: { state: true },
    active: { state: true },
    settings: { state: true },
    notice: { state: true },
    now: { state: true },
    breakOpen: { state: true },
    sound: { state: true },
    soundOpen: { state: true },
  };

  constructor() {
    super();
    this.agentState = { state: 'offline', reason: null, since: null };
    this.capacity = {};
    this.load = {};
    this.offers = [];
    this.tabs = new Map();
    this.active = null;
    this.settings = null;
    this.settingsRequest = 0;
    this.notice = null;
    this.now = Date.now();
    this.breakOpen = false;
    this.soundOpen = false;
    this.sound = { ...soundSetting(), state: soundState() };
    this.handlers = {
      snapshot: (e) => this.onSnapshot(e.detail),
      offer: (e) => this.onOffer(e.detail),
      offer_withdrawn: (e) => this.onOfferWithdrawn(e.detail),
      assigned: (e) => this.onAssigned(e.detail.interactionId),
      unassigned: (e) => this.onUnassigned(e.detail),
      state: (e) => { this.agentState = { state: e.detail.state, reason: e.detail.reason, since: new Date(this.socket.now()).toISOString() }; },
      message: (e) => this.workspace(e.detail.interactionId)?.messageArrived(e.detail),
      message_status: (e) => this.workspace(e.detail.interactionId)?.statusChanged(e.detail),
      typing: (e) => this.workspace(e.detail.interactionId)?.typingChanged(e.detail),
      customer_left: (e) => this.onCustomerLeft(e.detail),
      // A voice call's state: kept for a workspace that opens later (its controls listen to the socket themselves).
      call_state: (e) => rememberCallState(e.detail),
      // The hub's live load (router, #10.4): the truth whenever it comes.
      load: (e) => { this.capacity = e.detail.capacity || this.capacity; this.load = e.detail.load || {}; this.requestUpdate(); },
      settings_changed: () => this.loadSettings().then((ok) => ok && this.say('Canned responses and dispositions were updated.', 'info')),
    };
    this.onKey = (e) => this.shortcut(e);
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    for (const [type, fn] of Object.entries(this.handlers)) {
      this.socket.addEventListener(type, fn);
    }
    document.addEventListener('keydown', this.onKey);
    this.stopSound = onSoundChange(() => { this.sound = { ...soundSetting(), state: soundState() }; });
    this.ticker = setInterval(() => { this.now = this.socket.now(); }, 500);
    this.loadSettings();
    if (this.socket.status === 'open') {
      this.socket.command('resync').catch(() => {});
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    for (const [type, fn] of Object.entries(this.handlers)) {
      this.socket.removeEventListener(type, fn);
    }
    document.removeEventListener('keydown', this.onKey);
    this.stopSound?.();
    clearInterval(this.ticker);
  }

  /** Reads the console settings; only the latest of overlapping reads is kept. Resolves true when applied. */
  loadSettings() {
    const request = ++this.settingsRequest;
    return this.api.get('/console/settings').then((s) => {
      if (request !== this.settingsRequest) {
        return false;
      }
      this.settings = s;
      return true;
    }).catch((e) => {
      this.say(`Console settings could not be loaded: ${e.message}`, 'error');
      return false;
    });
  }

  // ------------------------------------------------------------------ hub events

  onSnapshot(s) {
    // A settings_changed frame may have been missed while disconnected or not keeping up.
    if (s.cause === 'overflow' || (s.cause === 'auth' && this.seenAuthSnapshot)) {
      this.loadSettings();
    }
    this.seenAuthSnapshot ||= s.cause === 'auth';
    this.agentState = { state: s.state, reason: s.reason, since: s.since };
    this.capacity = s.capacity || {};
    this.load = s.load || {};
    const known = new Map(this.offers.map((o) => [o.interactionId, o]));
    this.offers = (s.offers || []).map((o) => known.get(o.interactionId) ? { ...known.get(o.interactionId), ...o } : this.stamp(o));
    const tabs = new Map();
    for (const a of s.assigned || []) {
      tabs.set(a.interactionId, { ...(this.tabs.get(a.interactionId) || {}), ...a });
    }
    this.tabs = tabs;
    if (!this.active || !tabs.has(this.active)) {
      this.active = tabs.keys().next().value ?? null;
    }
  }

  // The state bar's load between the hub's frames: the interactions the agent holds (tabs, wrap-up included)
  // per channel, so it moves the moment one is accepted, transferred or wrapped up.
  willUpdate(changed) {
    if (changed.has('tabs') && changed.get('tabs') !== undefined) {
      const load = {};
      for (const t of this.tabs.values()) {
        if (t.channel) {
          load[t.channel] = (load[t.channel] || 0) + 1;
        }
      }
      this.load = load;
    }
  }

  stamp(offer) {
    return { ...offer, waitBase: this.socket.now() - (offer.waitedMs || 0) };
  }

  onOffer(o) {
    if (this.offers.some((x) => x.interactionId === o.interactionId)) {
      return;
    }
    this.offers = [...this.offers, this.stamp(o)];
    const who = o.customer?.displayName || 'A customer';
    offerArrived(`New ${CHANNEL_LABELS[o.channel] || o.channel} offer`, `${who}${o.queue ? ` · ${o.queue}` : ''}${o.preview ? `: ${o.preview}` : ''}`);
  }

  onOfferWithdrawn(f) {
    const had = this.offers.some((o) => o.interactionId === f.interactionId);
    this.offers = this.offers.filter((o) => o.interactionId !== f.interactionId);
    if (had && f.reason !== 'declined') {
      this.say(`An offer ended: ${f.reason}.`, 'warn');
    }
  }

  onAssigned(id) {
    const offer = this.offers.find((o) => o.interactionId === id);
    this.offers = this.offers.filter((o) => o.interactionId !== id);
    if (!this.tabs.has(id)) {
      const tabs = new Map(this.tabs);
      tabs.set(id, {
        interactionId: id, channel: offer?.channel, queue: offer?.queue, subject: offer?.subject,
        customerId: offer?.customer?.id, state: 'assigned', customerName: offer?.customer?.displayName,
      });
      this.tabs = tabs;
    }
    this.active = id;
  }

  // The customer ended the contact: the workspace says so (and stops offering Send), the tab is marked.
  onCustomerLeft(f) {
    const t = this.tabs.get(f.interactionId);
    if (!t) {
      return;
    }
    this.workspace(f.interactionId)?.customerLeft(f);
    this.markLeft(f.interactionId, f);
    this.say(`${t.customerName || 'The customer'} left the chat.`, 'warn');
  }

  markLeft(id, left) {
    const t = this.tabs.get(id);
    if (t && !t.customerLeft) {
      const tabs = new Map(this.tabs);
      tabs.set(id, { ...t, customerLeft: { at: left.at, reason: left.reason } });
      this.tabs = tabs;
    }
  }

  onUnassigned(f) {
    this.closeTab(f.interactionId);
    this.say(`An interaction left your desk: ${f.reason || 'moved'}.`, 'info');
  }

  closeTab(id) {
    if (!this.tabs.has(id)) {
      return;
    }
    const tabs = new Map(this.tabs);
    tabs.delete(id);
    this.tabs = tabs;
    if (this.active === id) {
      this.active = tabs.keys().next().value ?? null;
    }
  }

  workspace(id) {
    return this.querySelector(`sb-interaction-workspace[data-id="${CSS.escape(id || '')}"]`);
  }

  // ------------------------------------------------------------------ commands

  async setState(state, reason) {
    askPermission();
    this.breakOpen = false;
    try {
      await this.socket.command('state', reason ? { state, reason } : { state });
    } catch (e) {
      this.say(`Could not change your state: ${e.message}`, 'error');
    }
  }

  async accept(id) {
    try {
      await this.socket.command('accept', { interactionId: id });
    } catch (e) {
      this.offers = this.offers.filter((o) => o.interactionId !== id);
      this.say(`Could not accept: ${e.message}`, 'error');
    }
  }

  async decline(id) {
    try {
      await this.socket.command('decline', { interactionId: id });
      this.offers = this.offers.filter((o) => o.interactionId !== id);
    } catch (e) {
      this.say(`Could not decline: ${e.message}`, 'error');
    }
  }

  // Alt shortcuts read the physical key (e.code): on macOS, Option+A types "å" (e.key), and other keyboard
  // layouts move letters, but KeyA is where the agent's finger is.
  shortcut(e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const code = e.code || '';
    const first = this.offers[0];
    if (code === 'KeyA' && first) {
      e.preventDefault();
      this.accept(first.interactionId);
    } else if (code === 'KeyD' && first) {
      e.preventDefault();
      this.decline(first.interactionId);
    } else if (/^(Digit|Numpad)[1-9]$/.test(code)) {
      const id = [...this.tabs.keys()][Number(code.slice(-1)) - 1];
      if (id) {
        e.preventDefault();
        this.active = id;
      }
    }
  }

  say(text, kind = 'info') {
    this.notice = { text, kind };
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.notice = null; }, 8000);
  }

  // ------------------------------------------------------------------ view

  render() {
    return html`
      ${this.renderStateBar()}
      ${this.notice ? html`<div class="notice ${this.notice.kind}" role="status">${this.notice.text}</div>` : nothing}
      <section class="offers" aria-label="Offers">
        ${this.offers.map((o) => this.renderOffer(o))}
      </section>
      <nav class="tabs" role="tablist" aria-label="Your interactions">
        ${repeat([...this.tabs.values()], (t) => t.interactionId, (t, i) => html`
          <button role="tab" class="tab ${t.interactionId === this.active ? 'active' : ''} ${t.state}"
                  aria-selected=${t.interactionId === this.active} data-testid="tab"
                  title="Alt+${i + 1}" @click=${() => { this.active = t.interactionId; }}>
            <span class="channel ${t.channel}">${CHANNEL_LABELS[t.channel] || t.channel || '…'}</span>
            ${t.customerName || t.subject || t.queue || 'Interaction'}
            ${t.customerLeft ? html`<em class="left" title="the customer ended the contact">left</em>` : nothing}
            ${t.state === 'wrap_up' ? html`<em>wrap-up</em>` : nothing}
          </button>`)}
        ${this.tabs.size === 0 ? html`<p class="empty">No interactions. ${this.agentState.state === 'available'
          ? 'Waiting for the next offer…' : 'Go available to receive offers.'}</p>` : nothing}
      </nav>
      ${repeat([...this.tabs.values()], (t) => t.interactionId, (t) => html`
        <sb-interaction-workspace data-id=${t.interactionId} ?hidden=${t.interactionId !== this.active}
          .api=${this.api} .socket=${this.socket} .user=${this.user} .summary=${t} .settings=${this.settings}
          @customer-known=${(e) => this.nameTab(t.interactionId, e.detail)}
          @customer-left=${(e) => this.markLeft(t.interactionId, e.detail)}
          @interaction-closed=${(e) => this.closed(t.interactionId, e.detail)}></sb-interaction-workspace>`)}`;
  }

  nameTab(id, name) {
    const t = this.tabs.get(id);
    if (t && t.customerName !== name) {
      const tabs = new Map(this.tabs);
      tabs.set(id, { ...t, customerName: name });
      this.tabs = tabs;
    }
  }

  closed(id, detail) {
    this.closeTab(id);
    if (detail?.message) {
      this.say(detail.message, 'info');
    }
  }

  renderStateBar() {
    const s = this.agentState;
    const inState = s.since ? clock(this.now - Date.parse(s.since)) : '';
    const acwSeconds = this.settings?.afterCallWorkSeconds;
    const acwLeft = s.state === 'after_call_work' && acwSeconds && s.since
      ? clock(Date.parse(s.since) + acwSeconds * 1000 - this.now) : null;
    const loads = Object.entries(this.capacity).filter(([, n]) => n > 0)
      .map(([ch, n]) => `${CHANNEL_LABELS[ch] || ch} ${this.load[ch] || 0}/${n}`).join(' · ');
    return html`
      <div class="statebar">
        <span class="state ${s.state}" data-testid="agent-state">${STATE_LABELS[s.state] || s.state}${s.reason && s.state === 'break' ? ` (${s.reason})` : ''}</span>
        <span class="muted">${acwLeft !== null ? html`after-call work ends in <strong>${acwLeft}</strong>` : inState}</span>
        <span class="muted load" data-testid="agent-load" title="interactions you hold / your capacity, per channel">${loads}</span>
        <span class="spacer"></span>
        <button class="go" ?disabled=${s.state === 'available'} @click=${() => this.setState('available')}>Available</button>
        <span class="menu">
          <button ?disabled=${s.state === 'break'} @click=${() => { this.breakOpen = !this.breakOpen; }} aria-expanded=${this.breakOpen}>Break…</button>
          ${this.breakOpen ? html`<span class="dropdown">${BREAK_REASONS.map((r) => html`
            <button @click=${() => this.setState('break', r.toLowerCase())}>${r}</button>`)}</span>` : nothing}
        </span>
        <button ?disabled=${s.state === 'offline'} @click=${() => this.setState('offline')}>Offline</button>
        ${this.renderSound()}
      </div>`;
  }

  // The offer tone: volume and mute, kept in this browser; says when the browser still waits for a click.
  renderSound() {
    const snd = this.sound;
    const icon = snd.muted || snd.volume === 0 ? '🔇' : '🔔';
    return html`
      <span class="menu sound">
        <button data-testid="sound" aria-expanded=${this.soundOpen} title="Offer sound"
          @click=${() => { this.soundOpen = !this.soundOpen; }}>${icon}${snd.state === 'locked' && !snd.muted
            ? html` <span class="small" data-testid="sound-locked">click to enable sound</span>` : nothing}</button>
        ${this.soundOpen ? html`<span class="dropdown sound-settings" data-testid="sound-settings">
          <label class="inline"><input type="checkbox" name="mute" .checked=${snd.muted}
            @change=${(e) => { setSound({ muted: e.target.checked }); }}> Mute offer sound</label>
          <label>Volume <input type="range" name="volume" min="0" max="100" step="5" .value=${String(snd.volume)}
            @input=${(e) => { setSound({ volume: Number(e.target.value) }); }}></label>
          <button @click=${() => { unlockAudio(); tone(); }}>Test sound</button>
        </span>` : nothing}
      </span>`;
  }

  renderOffer(o) {
    const left = Date.parse(o.expiresAt) - this.now;
    const waited = this.now - o.waitBase;
    const c = o.customer;
    return html`
      <article class="offer" data-testid="offer" aria-live="assertive">
        <header>
          <span class="channel ${o.channel}">${CHANNEL_LABELS[o.channel] || o.channel}</span>
          <strong>${c?.displayName || 'Unknown customer'}</strong>
          ${c?.tier ? html`<span class="badge">${c.tier}</span>` : nothing}
          ${c?.language ? html`<span class="badge">${c.language}</span>` : nothing}
          <span class="spacer"></span>
          <span class="countdown ${left < 5000 ? 'urgent' : ''}" title="time left to accept">${clock(left)}</span>
        </header>
        <p>${o.queue ? html`Queue <strong>${o.queue}</strong> · ` : nothing}waited ${clock(waited)}</p>
        ${o.subject ? html`<p><strong>${o.subject}</strong></p>` : nothing}
        ${o.preview ? html`<blockquote>${o.preview}</blockquote>` : nothing}
        ${contextLines(o.context).length ? html`<dl class="facts context" data-testid="offer-context">${contextLines(o.context).map(([k, v]) => html`
          <dt>${k}</dt><dd>${v}</dd>`)}</dl>` : nothing}
        ${o.routing ? html`<p class="muted small" data-testid="offer-routing">Routed by ${routingReason(o.routing)}</p>` : nothing}
        ${o.transfer ? html`<p class="transfer" data-testid="offer-transfer">Transferred by ${o.transfer.by}${o.transfer.note
          ? html`: <em>${o.transfer.note}</em>` : nothing}</p>` : nothing}
        <footer>
          <button class="go" @click=${() => this.accept(o.interactionId)} title="Alt+A">Accept <kbd>Alt+A</kbd></button>
          <button @click=${() => this.decline(o.interactionId)} title="Alt+D">Decline <kbd>Alt+D</kbd></button>
        </footer>
      </article>`;
  }
}

customElements.define('sb-agent-console', AgentConsole);
