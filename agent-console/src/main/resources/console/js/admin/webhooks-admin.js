// <sb-webhooks-admin>: outbound webhooks (docs/webhooks.md). An admin subscribes a URL to events (the signing
// secret is shown once, right after creation), sends a test ping, reads a subscription's delivery log, turns a
// subscription that was disabled after repeated failures on again, or deletes it.
import { LitElement, html, nothing } from 'lit';
import { when } from '../format.js';

const EVENTS = ['interaction.created', 'interaction.offered', 'interaction.assigned', 'interaction.ended',
  'message.received', 'message.sent', 'csat.answered', 'customer.merged'];
/** How often an open delivery log is read again (a ping's outcome arrives within seconds). */
const LOG_REFRESH_MS = 2000;

class WebhooksAdmin extends LitElement {
  static properties = {
    api: { attribute: false },
    hooks: { state: true },
    secret: { state: true },
    error: { state: true },
    notice: { state: true },
    confirming: { state: true },
    logOf: { state: true },
    log: { state: true },
  };

  constructor() {
    super();
    this.hooks = [];
    this.secret = null;
    this.error = '';
    this.notice = '';
    this.confirming = null;
    this.logOf = null;
    this.log = [];
    this.timer = null;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.timer = null;
  }

  async load() {
    try {
      this.hooks = (await this.api.get('/webhooks')).items;
    } catch (err) {
      this.error = err.message;
    }
  }

  async act(fn, notice = '') {
    this.error = '';
    this.notice = '';
    try {
      await fn();
      this.notice = notice;
      await this.load();
    } catch (err) {
      this.error = err.field ? `${err.field}: ${err.message}` : err.message;
    }
  }

  async create(e) {
    e.preventDefault();
    const form = e.target;
    const f = new FormData(form);
    const description = String(f.get('description') || '').trim();
    await this.act(async () => {
      const h = await this.api.post('/webhooks', {
        url: String(f.get('url')).trim(),
        events: f.getAll('event').map(String),
        ...(description ? { description } : {}),
      });
      this.secret = { url: h.url, value: h.secret };
      form.reset();
    });
  }

  ping(h) {
    return this.act(async () => {
      await this.api.post(`/webhooks/${h.id}/ping`);
      this.showLog(h.id);
    }, `Test ping queued for ${h.url}.`);
  }

  showLog(id) {
    this.logOf = id;
    this.log = [];
    clearInterval(this.timer);
    this.readLog();
    this.timer = setInterval(() => { this.readLog(); this.load(); }, LOG_REFRESH_MS);
  }

  hideLog() {
    clearInterval(this.timer);
    this.timer = null;
    this.logOf = null;
  }

  async readLog() {
    const id = this.logOf;
    if (!id) {
      return;
    }
    try {
      const page = await this.api.get(`/webhooks/${id}/deliveries?limit=20`);
      if (this.logOf === id) {
        this.log = page.items;
      }
    } catch (err) {
      this.error = err.message;
    }
  }

  render() {
    return html`
      <section class="card admin" data-testid="webhooks-admin">
        <h2>Webhooks</h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <form class="admin-form" @submit=${this.create}>
          <label>URL <input name="url" type="url" required placeholder="https://crm.example.com/hooks/switchboard"></label>
          <label>Description <input name="description" maxlength="200" placeholder="CRM sync"></label>
          <fieldset><legend>Events</legend>${EVENTS.map((ev) => html`
            <label class="inline"><input type="checkbox" name="event" value=${ev}> ${ev}</label>`)}</fieldset>
          <button type="submit" class="go">Subscribe</button>
        </form>
        ${this.secret ? html`<div class="notice secret" data-testid="webhook-secret" role="status">
          The signing secret of <strong>${this.secret.url}</strong>; copy it now, it is not shown again:
          <code>${this.secret.value}</code> <button class="link" @click=${() => { this.secret = null; }}>I have copied it</button></div>` : nothing}
        <table class="data" data-testid="webhooks">
          <thead><tr><th class="left">URL</th><th class="left">Events</th><th class="left">Status</th><th class="left">Created</th>
            <th></th></tr></thead>
          <tbody>${this.hooks.map((h) => html`<tr data-url=${h.url} data-testid="webhook">
            <td class="left">${h.url}${h.description ? html`<br><small>${h.description}</small>` : nothing}</td>
            <td class="left">${h.events.join(', ')}</td>
            <td class="left" data-field="status">${h.active
              ? (h.failuresInRow ? `active · ${h.failuresInRow} failed in a row` : 'active')
              : html`<span class="badge">disabled ${h.disabledAt ? when(h.disabledAt) : ''}</span> ${h.disabledReason || ''}`}</td>
            <td class="left">${when(h.createdAt)} · ${h.createdBy}</td>
            <td>
              ${h.active ? html`<button @click=${() => this.ping(h)}>Send test ping</button>`
                : html`<button @click=${() => this.act(() => this.api.post(`/webhooks/${h.id}/enable`), `Enabled ${h.url} again.`)}>Enable</button>`}
              <button @click=${() => (this.logOf === h.id ? this.hideLog() : this.showLog(h.id))}>${this.logOf === h.id ? 'Hide deliveries' : 'Deliveries'}</button>
              ${this.confirming === h.id
                ? html`<button class="warn" @click=${() => { this.confirming = null; if (this.logOf === h.id) { this.hideLog(); } return this.act(() => this.api.del(`/webhooks/${h.id}`)); }}>Yes, delete</button>
                  <button class="link" @click=${() => { this.confirming = null; }}>cancel</button>`
                : html`<button @click=${() => { this.confirming = h.id; }}>Delete</button>`}
            </td>
          </tr>`)}</tbody>
        </table>
        ${this.logOf ? html`
          <h3>Deliveries</h3>
          <table class="data" data-testid="webhook-deliveries">
            <thead><tr><th class="left">Event</th><th class="left">Status</th><th>Attempts</th><th>HTTP</th><th class="left">Error</th>
              <th class="left">Created</th></tr></thead>
            <tbody>${this.log.map((d) => html`<tr data-testid="webhook-delivery">
              <td class="left">${d.event}</td><td class="left" data-field="status">${d.status}</td><td>${d.attempts}</td>
              <td>${d.lastStatusCode ?? '–'}</td><td class="left">${d.lastError || ''}</td><td class="left">${when(d.createdAt)}</td>
            </tr>`)}</tbody>
          </table>` : nothing}
      </section>`;
  }
}

customElements.define('sb-webhooks-admin', WebhooksAdmin);
