// <sb-watch-panel>: a supervisor reads a live conversation without taking part (the hub's `watch` sends
// the interaction's message frames and `customer_left` to this socket; writing stays with the agent). The end
// of the chat shows (for a call also its state and the supervisor's Listen / Whisper / Barge): the customer leaving (at once, from the frame) and the interaction going to wrap-up or
// ending (its state, read again every few seconds).
import { LitElement, html, nothing } from 'lit';
import { when, messageText } from '../format.js';
import '../voice/call-controls.js';

const STATE_WORDS = {
  queued: 'waiting in the queue', offered: 'being offered', assigned: 'being worked', wrap_up: 'chat ended; the agent is wrapping up',
  ended: 'ended', abandoned: 'abandoned: the customer left before an agent answered',
};

class WatchPanel extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    interactionId: { attribute: false },
    messages: { state: true },
    error: { state: true },
    left: { state: true },
    state: { state: true },
    channel: { state: true },
  };

  constructor() {
    super();
    this.messages = new Map();
    this.error = '';
    this.left = null;
    this.state = null;
    this.onMessage = (e) => {
      if (e.detail.interactionId === this.interactionId) {
        const m = new Map(this.messages);
        m.set(e.detail.messageId, { id: e.detail.messageId, direction: e.detail.direction, text: e.detail.text, at: e.detail.at });
        this.messages = m;
      }
    };
    this.onLeft = (e) => {
      if (e.detail.interactionId === this.interactionId) {
        this.left = { at: e.detail.at, reason: e.detail.reason };
      }
    };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.socket.addEventListener('message', this.onMessage);
    this.socket.addEventListener('customer_left', this.onLeft);
    this.start();
    this.stateTimer = setInterval(() => this.readState(), 5000);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.socket.removeEventListener('message', this.onMessage);
    this.socket.removeEventListener('customer_left', this.onLeft);
    clearInterval(this.stateTimer);
    this.socket.command('unwatch', { interactionId: this.interactionId }).catch(() => {});
  }

  willUpdate(changed) {
    // Another interaction chosen while the panel is open: start over with it.
    if (changed.has('interactionId') && changed.get('interactionId') !== undefined) {
      this.socket.command('unwatch', { interactionId: changed.get('interactionId') }).catch(() => {});
      this.messages = new Map();
      this.left = null;
      this.state = null;
      this.start();
    }
  }

  async start() {
    const id = this.interactionId;
    try {
      await this.socket.command('watch', { interactionId: id });
      const d = await this.api.get(`/interactions/${id}`);
      if (id !== this.interactionId) {
        return;
      }
      const m = new Map();
      for (const x of d.messages) {
        m.set(x.id, { id: x.id, direction: x.private ? 'internal' : x.direction, text: messageText(x.content), at: x.createdAt });
      }
      for (const [mid, x] of this.messages) {
        m.set(mid, x);
      }
      this.messages = m;
      this.state = d.state;
      this.channel = d.channel;
      this.left = this.left || d.customerLeft || null;
    } catch (e) {
      this.error = e.message;
    }
  }

  async readState() {
    if (this.state === 'ended' || this.state === 'abandoned') {
      return;
    }
    try {
      const d = await this.api.get(`/interactions/${this.interactionId}`);
      this.state = d.state;
      this.left = this.left || d.customerLeft || null;
    } catch {
      // The next read tries again.
    }
  }

  updated(changed) {
    if (changed.has('messages')) {
      const list = this.querySelector('.conversation');
      if (list) {
        list.scrollTop = list.scrollHeight;
      }
    }
  }

  render() {
    const list = [...this.messages.values()].sort((a, b) => (a.at || '').localeCompare(b.at || ''));
    const over = this.state && this.state !== 'assigned' && this.state !== 'queued' && this.state !== 'offered';
    return html`
      <h2>Watching (read-only) ${this.state ? html`<span class="muted small" data-testid="watch-state">${STATE_WORDS[this.state] || this.state}</span>` : nothing}
        <button class="link" @click=${() => this.dispatchEvent(new CustomEvent('close'))}>stop</button></h2>
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      ${this.channel === 'voice' ? html`<sb-call-controls .api=${this.api} .socket=${this.socket} .interactionId=${this.interactionId}
        .mode=${'supervisor'}></sb-call-controls>` : nothing}
      <ol class="conversation" data-testid="watch">
        ${list.map((m) => html`<li class="msg ${m.direction}"><div class="meta">${m.direction} · ${when(m.at)}</div><div class="body">${m.text}</div></li>`)}
      </ol>
      ${this.left || over ? html`<p class="left-banner" data-testid="watch-ended">${this.left
        ? html`The customer left the chat at ${when(this.left.at)}${this.left.reason ? ` (${this.left.reason})` : ''}.` : nothing}
        ${over ? html` ${this.state === 'wrap_up' ? 'The agent is wrapping up.' : this.state === 'ended' ? 'The interaction has ended.' : STATE_WORDS[this.state]}` : nothing}</p>` : nothing}`;
  }
}

customElements.define('sb-watch-panel', WatchPanel);
