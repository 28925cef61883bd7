// <sb-customer-panel>: the customer 360 beside an interaction. Profile (tier, language, notes, attributes)
// with editing (optimistic: the version read is sent back; a concurrent change is reported and reloaded),
// identities with linking a new one, open conversations, the whole history across channels (paged), and
// merging a duplicate record into this one.
import { LitElement, html, nothing } from 'lit';
import { when, messageText, CHANNEL_LABELS } from '../format.js';

class CustomerPanel extends LitElement {
  static properties = {
    api: { attribute: false },
    customer: { attribute: false },
    interactionId: { attribute: false },
    history: { state: true },
    nextCursor: { state: true },
    editing: { state: true },
    linking: { state: true },
    merging: { state: true },
    candidates: { state: true },
    expanded: { state: true },
    error: { state: true },
    rights: { state: true },
    kpis: { state: true },
  };

  constructor() {
    super();
    this.history = [];
    this.nextCursor = null;
    this.editing = false;
    this.linking = false;
    this.merging = false;
    this.candidates = [];
    this.expanded = new Set();
    this.error = '';
    this.loadedFor = null;
    // What this staff member may do beyond editing names, languages and notes (security.rights): until the hub has
    // said, none of those controls are shown. The hub refuses them anyway.
    this.rights = new Set();
  }

  connectedCallback() {
    super.connectedCallback();
    this.api?.me().then((me) => { this.rights = new Set(me.rights || []); }).catch(() => {});
  }

  may(right) {
    return this.rights.has(right);
  }

  createRenderRoot() {
    return this;
  }

  willUpdate(changed) {
    if (changed.has('customer') && this.customer && this.loadedFor !== this.customer.id) {
      this.loadedFor = this.customer.id;
      this.history = [];
      this.nextCursor = null;
      this.kpis = null;
      this.loadHistory();
      this.loadKpis();
    }
  }

  /** The customer's figures (docs/reports.md): contacts per channel over 90 days, repeats, preferred channel, last CSAT. */
  async loadKpis() {
    try {
      this.kpis = await this.api.get(`/customers/${this.customer.id}/kpis`);
    } catch (e) {
      this.kpis = { failed: e.message };
    }
  }

  async loadHistory(cursor) {
    try {
      const page = await this.api.get(`/customers/${this.customer.id}/history?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      this.history = cursor ? [...this.history, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
    } catch (e) {
      this.error = `History could not be loaded: ${e.message}`;
    }
  }

  changed(customer) {
    this.dispatchEvent(new CustomEvent('customer-changed', { detail: customer }));
  }

  async reload() {
    this.changed(await this.api.get(`/customers/${this.customer.id}`));
  }

  async save(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { version: this.customer.version };
    for (const key of ['displayName', 'tier', 'language', 'notes']) {
      if (!f.has(key)) {
        continue; // not offered to this staff member (the tier without the editTier right)
      }
      const value = String(f.get(key) ?? '').trim();
      const before = this.customer[key] ?? '';
      if (value !== before) {
        body[key] = value === '' && key !== 'displayName' ? null : value;
      }
    }
    this.error = '';
    try {
      const updated = await this.api.patch(`/customers/${this.customer.id}`, body);
      this.editing = false;
      this.changed(updated);
    } catch (err) {
      if (err.status === 409) {
        this.error = 'Someone else changed this customer meanwhile; their version is shown now. Edit again if needed.';
        this.editing = false;
        await this.reload();
      } else {
        this.error = err.field ? `${err.field}: ${err.message}` : err.message;
      }
    }
  }

  async link(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    this.error = '';
    try {
      await this.api.post(`/customers/${this.customer.id}/identities`, { kind: f.get('kind'), value: String(f.get('value')).trim() });
      this.linking = false;
      await this.reload();
    } catch (err) {
      this.error = err.message;
    }
  }

  async search(e) {
    e.preventDefault();
    const q = String(new FormData(e.target).get('q')).trim();
    if (!q) {
      return;
    }
    const param = q.includes('@') ? 'email' : /^[+\d][\d\s()/-]{4,}$/.test(q) ? 'phone' : 'q';
    try {
      const found = await this.api.get(`/customers?${param}=${encodeURIComponent(q)}&limit=10`);
      this.candidates = found.items.filter((c) => c.id !== this.customer.id);
      this.error = this.candidates.length ? '' : 'No other customer found.';
    } catch (err) {
      this.error = err.message;
    }
  }

  async merge(other) {
    if (!window.confirm(`Merge "${other.displayName}" into "${this.customer.displayName}"? Their identities and history move here; a supervisor can undo it.`)) {
      return;
    }
    try {
      await this.api.post(`/customers/${this.customer.id}/merge`, { mergedCustomerId: other.id });
      this.merging = false;
      this.candidates = [];
      this.loadedFor = null;
      await this.reload();
    } catch (err) {
      this.error = err.message;
    }
  }

  toggle(id) {
    const s = new Set(this.expanded);
    s.has(id) ? s.delete(id) : s.add(id);
    this.expanded = s;
  }

  render() {
    const c = this.customer;
    if (!c) {
      return html`<aside class="customer"><p class="muted">Loading the customer…</p></aside>`;
    }
    const open = this.history.filter((h) => h.id !== this.interactionId && !['ended', 'abandoned'].includes(h.state));
    const attributes = Object.entries(c.attributes || {});
    return html`
      <aside class="customer" aria-label="Customer" data-testid="customer-panel">
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.editing ? this.renderEdit(c) : html`
          <header>
            <h2>${c.displayName}</h2>
            <button class="link" @click=${() => { this.editing = true; }}>Edit</button>
          </header>
          <dl class="facts" data-testid="customer-facts">
            <dt>Tier</dt><dd>${c.tier || '–'}</dd>
            <dt>Language</dt><dd>${c.language || '–'}</dd>
            ${attributes.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
          </dl>
          ${c.notes ? html`<p class="notes">${c.notes}</p>` : nothing}`}
        ${this.renderKpis()}
        <h3>Identities</h3>
        <ul class="identities">
          ${(c.identities || []).map((i) => html`<li><span class="badge">${i.kind}${i.provider ? `/${i.provider}` : ''}</span> ${i.value}</li>`)}
        </ul>
        ${this.linking && this.may('editIdentities') ? html`
          <form class="inline-form" @submit=${this.link}>
            <select name="kind"><option value="email">email</option><option value="phone">phone</option></select>
            <input name="value" required placeholder="address or number">
            <button type="submit">Link</button>
            <button type="button" class="link" @click=${() => { this.linking = false; }}>Cancel</button>
          </form>` : html`
          ${this.may('editIdentities') ? html`<button class="link" @click=${() => { this.linking = true; }}>Link an identity</button>` : nothing}
          ${this.may('mergeCustomers') ? html`<button class="link" @click=${() => { this.merging = !this.merging; }}>Merge a duplicate…</button>` : nothing}`}
        ${this.merging && this.may('mergeCustomers') ? html`
          <form class="inline-form" @submit=${this.search}>
            <input name="q" placeholder="name, email or phone of the duplicate" required>
            <button type="submit">Search</button>
          </form>
          <ul class="candidates">${this.candidates.map((o) => html`
            <li>${o.displayName} <span class="muted">${(o.identities || []).map((i) => i.value).join(', ')}</span>
              <button @click=${() => this.merge(o)}>Merge into this customer</button></li>`)}</ul>` : nothing}
        ${open.length ? html`<h3>Open conversations</h3>
          <ul class="history">${open.map((h) => this.renderHistoryItem(h))}</ul>` : nothing}
        <h3>History</h3>
        <ul class="history" data-testid="history">
          ${this.history.filter((h) => h.id !== this.interactionId).map((h) => this.renderHistoryItem(h))}
        </ul>
        ${this.nextCursor ? html`<button class="link" @click=${() => this.loadHistory(this.nextCursor)}>Older…</button>` : nothing}
      </aside>`;
  }

  renderKpis() {
    const k = this.kpis;
    const channels = Object.entries(k?.contactsByChannel || {});
    const csat = k?.lastCsat;
    return html`
      <section class="kpis" data-testid="customer-kpis" aria-labelledby="kpis-title">
        <h3 id="kpis-title">Last ${k?.days ?? 90} days
          <button class="link" data-testid="kpi-refresh" aria-label="Refresh the customer's figures" @click=${() => this.loadKpis()}>↻</button></h3>
        ${!k ? html`<p class="muted small">Loading…</p>` : k.failed ? html`<p class="muted small">Figures unavailable: ${k.failed}</p>` : html`
          <dl class="facts">
            <dt>Contacts</dt>
            <dd data-testid="kpi-contacts">${k.contacts}${channels.length
              ? html` <span class="muted">(${channels.map(([ch, n]) => `${CHANNEL_LABELS[ch] || ch} ${n}`).join(' · ')})</span>` : nothing}</dd>
            <dt>Preferred channel</dt>
            <dd data-testid="kpi-preferred">${k.preferredChannel ? CHANNEL_LABELS[k.preferredChannel] || k.preferredChannel : '–'}</dd>
            <dt>Repeat contacts</dt>
            <dd data-testid="kpi-repeats" title=${`contacts in the same queue within ${k.repeatWindowDays} days of an earlier one`}>${k.repeatContacts}</dd>
            <dt>Last CSAT</dt>
            <dd data-testid="kpi-csat">${csat ? html`<span class="stars" aria-label=${`${csat.rating} of 5`}>${'★'.repeat(csat.rating)}${'☆'.repeat(5 - csat.rating)}</span>
              ${csat.rating}/5 <span class="muted small">${when(csat.answeredAt)}</span>
              ${csat.comment ? html`<q class="small">${csat.comment}</q>` : nothing}` : '–'}</dd>
          </dl>`}
      </section>`;
  }

  renderEdit(c) {
    return html`
      <form class="edit" @submit=${this.save}>
        <label>Name <input name="displayName" required .value=${c.displayName}></label>
        ${this.may('editTier') ? html`<label>Tier <input name="tier" .value=${c.tier || ''}></label>` : nothing}
        <label>Language <input name="language" .value=${c.language || ''} placeholder="e.g. en, de-AT"></label>
        <label>Notes <textarea name="notes" rows="3" .value=${c.notes || ''}></textarea></label>
        <div class="row"><button type="submit" class="go">Save</button>
          <button type="button" class="link" @click=${() => { this.editing = false; }}>Cancel</button></div>
      </form>`;
  }

  renderHistoryItem(h) {
    const open = this.expanded.has(h.id);
    return html`
      <li class="history-item">
        <button class="link" @click=${() => this.toggle(h.id)} aria-expanded=${open}>
          <span class="channel ${h.channel}">${CHANNEL_LABELS[h.channel] || h.channel}</span>
          ${when(h.createdAt)} · ${h.state}${h.queue ? ` · ${h.queue}` : ''}${h.disposition ? ` · ${h.disposition}` : ''}
        </button>
        ${h.subject ? html`<div class="subject">${h.subject}</div>` : nothing}
        ${open ? html`<ol class="conversation small">${(h.messages || []).map((m) => html`
          <li class="msg ${m.private ? 'internal' : m.direction}"><div class="meta">${when(m.createdAt)}</div>
            <div class="body">${messageText(m.content)}</div></li>`)}</ol>`
          : html`<div class="muted small">${(h.messages || [])[0] ? messageText(h.messages[0].content).slice(0, 120) : ''}</div>`}
      </li>`;
  }
}

customElements.define('sb-customer-panel', CustomerPanel);
