// <sb-api-keys-admin>: API keys for integrations. A new key's secret is shown once, right after creation (the hub
// keeps only its hash); revoking a key refuses it at once.
import { LitElement, html, nothing } from 'lit';
import { when } from '../format.js';

const SCOPES = [['inbound', 'post contacts (inbound)'], ['metrics', 'read /metrics']];

class ApiKeysAdmin extends LitElement {
  static properties = {
    api: { attribute: false },
    keys: { state: true },
    secret: { state: true },
    error: { state: true },
    confirming: { state: true },
  };

  constructor() {
    super();
    this.keys = [];
    this.secret = null;
    this.error = '';
    this.confirming = null;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.keys = await this.api.get('/api-keys');
    } catch (err) {
      this.error = err.message;
    }
  }

  async create(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const scopes = f.getAll('scope').map(String);
    this.error = '';
    try {
      const k = await this.api.post('/api-keys', { name: String(f.get('name')).trim(), scopes });
      this.secret = { name: k.name, value: k.secret };
      e.target.reset();
      await this.load();
    } catch (err) {
      this.error = err.field ? `${err.field}: ${err.message}` : err.message;
    }
  }

  async revoke(k) {
    try {
      await this.api.del(`/api-keys/${k.id}`);
      this.confirming = null;
      await this.load();
    } catch (err) {
      this.error = err.message;
    }
  }

  render() {
    return html`
      <section class="card admin" data-testid="api-keys-admin">
        <h2>API keys</h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <form class="admin-form" @submit=${this.create}>
          <label>Name <input name="name" required placeholder="crm-sync"></label>
          <fieldset><legend>Scopes</legend>${SCOPES.map(([v, label]) => html`
            <label class="inline"><input type="checkbox" name="scope" value=${v} ?checked=${v === 'inbound'}> ${label}</label>`)}</fieldset>
          <button type="submit" class="go">Create key</button>
        </form>
        ${this.secret ? html`<div class="notice secret" data-testid="api-key-secret" role="status">
          The secret of <strong>${this.secret.name}</strong>; copy it now, it is not shown again:
          <code>${this.secret.value}</code> <button class="link" @click=${() => { this.secret = null; }}>I have copied it</button></div>` : nothing}
        <table class="data" data-testid="api-keys">
          <thead><tr><th class="left">Name</th><th class="left">Scopes</th><th class="left">Created</th><th class="left">Last used</th>
            <th class="left">Status</th><th></th></tr></thead>
          <tbody>${this.keys.map((k) => html`<tr data-name=${k.name}>
            <td>${k.name}</td><td class="left">${k.scopes.join(', ')}</td><td class="left">${when(k.createdAt)} · ${k.createdBy}</td>
            <td class="left">${k.lastUsedAt ? when(k.lastUsedAt) : '–'}</td>
            <td class="left">${k.revokedAt ? html`<span class="badge">revoked ${when(k.revokedAt)}</span>` : 'active'}</td>
            <td>${k.revokedAt ? nothing : this.confirming === k.id
              ? html`<button class="warn" @click=${() => this.revoke(k)}>Yes, revoke</button>
                  <button class="link" @click=${() => { this.confirming = null; }}>cancel</button>`
              : html`<button @click=${() => { this.confirming = k.id; }}>Revoke</button>`}</td>
          </tr>`)}</tbody>
        </table>
      </section>`;
  }
}

customElements.define('sb-api-keys-admin', ApiKeysAdmin);
