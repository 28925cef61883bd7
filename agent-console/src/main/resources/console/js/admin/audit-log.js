// <sb-audit-log>: who did what, newest first, filtered by actor, action (a prefix ending in '.' finds a family such
// as "agent."), record and time; "Older" pages back.
import { LitElement, html, nothing } from 'lit';
import { when } from '../format.js';

class AuditLog extends LitElement {
  static properties = {
    api: { attribute: false },
    items: { state: true },
    next: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.items = [];
    this.next = null;
    this.error = '';
    this.query = new URLSearchParams();
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.fetch(false);
  }

  filter(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const q = new URLSearchParams();
    for (const key of ['actor', 'action', 'entityType', 'entityId']) {
      const v = String(f.get(key) || '').trim();
      if (v) {
        q.set(key, v);
      }
    }
    for (const key of ['from', 'to']) {
      const v = String(f.get(key) || '');
      if (v) {
        q.set(key, new Date(v).toISOString());
      }
    }
    this.query = q;
    this.fetch(false);
  }

  async fetch(more) {
    const q = new URLSearchParams(this.query);
    q.set('limit', '50');
    if (more && this.next) {
      q.set('before', String(this.next));
    }
    try {
      const page = await this.api.get(`/audit?${q}`);
      this.items = more ? [...this.items, ...page.items] : page.items;
      this.next = page.nextBefore;
      this.error = '';
    } catch (err) {
      this.error = err.field ? `${err.field}: ${err.message}` : err.message;
    }
  }

  render() {
    return html`
      <section class="card admin" data-testid="audit-log">
        <h2>Audit log</h2>
        <form class="search-form" @submit=${this.filter}>
          <label>Actor <input name="actor" placeholder="ada"></label>
          <label>Action <input name="action" placeholder="agent. or agent.disabled"></label>
          <label>Record type <input name="entityType" placeholder="agent, api-key, routing-rules"></label>
          <label>Record id <input name="entityId"></label>
          <label>From <input type="datetime-local" name="from"></label>
          <label>To <input type="datetime-local" name="to"></label>
          <button type="submit" class="go">Filter</button>
        </form>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <table class="data" data-testid="audit-entries">
          <thead><tr><th class="left">When</th><th class="left">Actor</th><th class="left">Action</th><th class="left">Record</th>
            <th class="left">Details</th></tr></thead>
          <tbody>${this.items.map((e) => html`<tr data-action=${e.action}>
            <td>${when(e.at)}</td><td class="left">${e.actor}</td><td class="left">${e.action}</td>
            <td class="left">${e.entityType}${e.entityId ? html` <code class="small">${e.entityId}</code>` : nothing}</td>
            <td class="left wrap"><code class="small">${e.details && Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</code></td>
          </tr>`)}</tbody>
        </table>
        ${this.items.length === 0 ? html`<p class="muted" data-testid="audit-empty">No entries.</p>` : nothing}
        ${this.next ? html`<button @click=${() => this.fetch(true)}>Older</button>` : nothing}
      </section>`;
  }
}

customElements.define('sb-audit-log', AuditLog);
