// <sb-conversation-search>: finding a past (or current) conversation by customer, text, agent, channel and date.
// The hub applies the visibility rule (agents find the conversations they worked; supervisors every one); a
// result opens read-only with its messages, notes included (the staff view).
import { LitElement, html, nothing } from 'lit';
import { when, messageText, CHANNEL_LABELS } from '../format.js';

class ConversationSearch extends LitElement {
  static properties = {
    api: { attribute: false },
    user: { attribute: false },
    results: { state: true },
    error: { state: true },
    busy: { state: true },
    open: { state: true },
    agents: { state: true },
  };

  constructor() {
    super();
    this.results = null;
    this.error = '';
    this.busy = false;
    this.open = null;
    this.agents = [];
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    if (['supervisor', 'admin'].includes(this.user?.role)) {
      this.api.get('/agents').then((a) => { this.agents = a; }).catch(() => {});
    }
  }

  async search(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const params = new URLSearchParams();
    for (const key of ['customer', 'text', 'agentId', 'channel']) {
      const v = String(f.get(key) || '').trim();
      if (v) {
        params.set(key, v);
      }
    }
    // Dates are the agent's local days: from the start of "from" to the end of "to".
    const from = String(f.get('from') || '');
    const to = String(f.get('to') || '');
    if (from) {
      params.set('from', new Date(`${from}T00:00:00`).toISOString());
    }
    if (to) {
      const end = new Date(`${to}T00:00:00`);
      end.setDate(end.getDate() + 1);
      params.set('to', end.toISOString());
    }
    this.busy = true;
    this.error = '';
    this.open = null;
    try {
      this.results = (await this.api.get(`/conversations/search?${params}`)).items;
    } catch (err) {
      this.error = err.field ? `${err.field}: ${err.message}` : err.message;
    } finally {
      this.busy = false;
    }
  }

  async show(hit) {
    try {
      const d = await this.api.get(`/interactions/${hit.interactionId}`);
      this.open = { hit, messages: d.messages || [] };
    } catch (err) {
      this.error = `Could not open it: ${err.message}`;
    }
  }

  render() {
    return html`
      <section class="card search" data-testid="conversation-search">
        <h2>Find a conversation <span class="muted small">${['supervisor', 'admin'].includes(this.user?.role)
          ? 'every conversation' : 'the conversations you worked'}</span></h2>
        <form class="search-form" @submit=${this.search}>
          <label>Customer <input name="customer" placeholder="name, email or phone"></label>
          <label>Text <input name="text" placeholder="words in the conversation"></label>
          ${this.agents.length ? html`<label>Agent <select name="agentId"><option value="">anyone</option>
            ${this.agents.map((a) => html`<option value=${a.id}>${a.displayName}</option>`)}</select></label>` : nothing}
          <label>Channel <select name="channel"><option value="">any</option>
            ${Object.entries(CHANNEL_LABELS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select></label>
          <label>From <input type="date" name="from"></label>
          <label>To <input type="date" name="to"></label>
          <button type="submit" class="go" ?disabled=${this.busy}>Search</button>
        </form>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.results === null ? nothing : this.results.length === 0
          ? html`<p class="muted" data-testid="search-empty">Nothing found.</p>`
          : html`<table class="data" data-testid="search-results">
              <thead><tr><th class="left">When</th><th class="left">Customer</th><th class="left">Channel</th>
                <th class="left">Agent</th><th class="left">State</th><th class="left">Found</th><th></th></tr></thead>
              <tbody>${this.results.map((r) => html`<tr data-id=${r.interactionId}>
                <td class="left">${when(r.createdAt)}</td>
                <td class="left">${r.customerName}</td>
                <td class="left"><span class="channel ${r.channel}">${CHANNEL_LABELS[r.channel] || r.channel}</span></td>
                <td class="left">${r.agentName || '–'}</td>
                <td class="left">${r.state.replaceAll('_', ' ')}</td>
                <td class="left snippet">${r.subject ? html`<strong>${r.subject}</strong> ` : nothing}${r.snippet || ''}</td>
                <td><button @click=${() => this.show(r)}>Open</button></td>
              </tr>`)}</tbody></table>`}
        ${this.open ? html`<div class="search-open" data-testid="search-transcript">
          <h3>${this.open.hit.customerName} · ${CHANNEL_LABELS[this.open.hit.channel]} · ${when(this.open.hit.createdAt)}
            <button class="link" @click=${() => { this.open = null; }}>close</button></h3>
          <ol class="conversation">${this.open.messages.map((m) => html`
            <li class="msg ${m.private ? 'internal' : m.direction}"><div class="meta">${m.private ? 'note' : m.direction} · ${when(m.createdAt)}</div>
              <div class="body">${messageText(m.content)}</div></li>`)}</ol></div>` : nothing}
      </section>`;
  }
}

customElements.define('sb-conversation-search', ConversationSearch);
