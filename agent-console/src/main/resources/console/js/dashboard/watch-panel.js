// <sb-watch-panel>: a supervisor reads a live conversation without taking part (the hub's `watch` sends
// the interaction's message frames to this socket; writing stays with the agent).
import { LitElement, html, nothing } from 'lit';
import { when, messageText } from '../format.js';

class WatchPanel extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    interactionId: { attribute: false },
    messages: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.messages = new Map();
    this.error = '';
    this.onMessage = (e) => {
      if (e.detail.interactionId === this.interactionId) {
        const m = new Map(this.messages);
        m.set(e.detail.messageId, { id: e.detail.messageId, direction: e.detail.direction, text: e.detail.text, at: e.detail.at });
        this.messages = m;
      }
    };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.socket.addEventListener('message', this.onMessage);
    this.start();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.socket.removeEventListener('message', this.onMessage);
    this.socket.command('unwatch', { interactionId: this.interactionId }).catch(() => {});
  }

  async start() {
    try {
      await this.socket.command('watch', { interactionId: this.interactionId });
      const d = await this.api.get(`/interactions/${this.interactionId}`);
      const m = new Map();
      for (const x of d.messages) {
        m.set(x.id, { id: x.id, direction: x.private ? 'internal' : x.direction, text: messageText(x.content), at: x.createdAt });
      }
      for (const [id, x] of this.messages) {
        m.set(id, x);
      }
      this.messages = m;
    } catch (e) {
      this.error = e.message;
    }
  }

  render() {
    const list = [...this.messages.values()].sort((a, b) => (a.at || '').localeCompare(b.at || ''));
    return html`
      <h2>Watching (read-only) <button class="link" @click=${() => this.dispatchEvent(new CustomEvent('close'))}>stop</button></h2>
      ${this.error ? html`<p class="error">${this.error}</p>` : nothing}
      <ol class="conversation" data-testid="watch">
        ${list.map((m) => html`<li class="msg ${m.direction}"><div class="meta">${m.direction} · ${when(m.at)}</div><div class="body">${m.text}</div></li>`)}
      </ol>`;
  }
}

customElements.define('sb-watch-panel', WatchPanel);
