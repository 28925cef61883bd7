// <sb-interaction-workspace>: one interaction the agent works. The conversation (live: message frames are
// merged by message id), the composer for the channel (chat/social line with typing, or email with
// reply/reply-all/quote/attachments), canned responses, private notes, transfer, end and wrap-up, and the
// customer 360 beside it. Voice interactions show the caller, the IVR path and the call's state with its controls
// (<sb-call-controls>: hold, resume, hang up; Transfer is the header's).
import { LitElement, html, nothing } from 'lit';
import { when, messageText, contextLines, routingReason, CHANNEL_LABELS } from '../format.js';
import './composer.js';
import './customer-panel.js';
import './transfer-dialog.js';
import './wrap-up-form.js';
import '../voice/call-controls.js';

class InteractionWorkspace extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    user: { attribute: false },
    summary: { attribute: false },
    settings: { attribute: false },
    detail: { state: true },
    messages: { state: true },
    customer: { state: true },
    customerTyping: { state: true },
    phase: { state: true },
    error: { state: true },
    transferring: { state: true },
    left: { state: true },
  };

  constructor() {
    super();
    this.detail = null;
    this.messages = new Map();
    this.customer = null;
    this.customerTyping = false;
    this.phase = 'working';
    this.error = '';
    this.transferring = false;
    this.left = null;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  get id() {
    return this.summary.interactionId;
  }

  willUpdate(changed) {
    // A workspace belongs to one interaction for its whole life (the console keys them by id). Should it ever
    // be handed another, it starts over rather than show one customer's conversation under another's tab.
    if (changed.has('summary') && this.loadedId && this.loadedId !== this.id) {
      this.detail = null;
      this.messages = new Map();
      this.customer = null;
      this.customerTyping = false;
      this.phase = 'working';
      this.error = '';
      this.transferring = false;
      this.left = null;
      this.load();
    }
  }

  async load() {
    const id = this.id;
    this.loadedId = id;
    try {
      const detail = await this.api.get(`/interactions/${id}`);
      if (id !== this.id) {
        return;
      }
      this.detail = detail;
      const merged = new Map();
      for (const m of detail.messages || []) {
        merged.set(m.id, fromApi(m));
      }
      for (const [id, m] of this.messages) {
        merged.set(id, { ...merged.get(id), ...m });
      }
      this.messages = merged;
      if (detail.state === 'wrap_up' || this.summary.state === 'wrap_up') {
        this.phase = 'wrap-up';
      }
      if (detail.customerLeft) {
        this.left = detail.customerLeft;
        this.dispatchEvent(new CustomEvent('customer-left', { detail: detail.customerLeft }));
      }
      this.customer = await this.api.get(`/customers/${detail.customerId}`);
      this.dispatchEvent(new CustomEvent('customer-known', { detail: this.customer.displayName }));
    } catch (e) {
      this.error = `Could not load the interaction: ${e.message}`;
    }
  }

  // Called by the console for frames of this interaction.
  messageArrived(f) {
    // A frame carries the text only: an email's headers, quoted text and files come with the full interaction.
    if (f.direction === 'inbound' && (this.detail?.channel || this.summary.channel) === 'email' && !this.messages.has(f.messageId)) {
      this.load();
    }
    const m = new Map(this.messages);
    const existing = m.get(f.messageId);
    m.set(f.messageId, { ...(existing || {}), ...fromFrame(f), status: later(existing?.status, f.status) });
    this.messages = m;
    if (f.direction === 'inbound') {
      this.customerTyping = false;
    }
  }

  // The hub's answer to a POST: the stored message (its frame may have come first; status never goes back).
  messageStored(apiMessage) {
    const stored = fromApi(apiMessage);
    const existing = this.messages.get(stored.id);
    const m = new Map(this.messages);
    m.set(stored.id, existing ? { ...stored, ...existing, status: later(existing.status, stored.status) } : stored);
    this.messages = m;
  }

  statusChanged(f) {
    const existing = this.messages.get(f.messageId);
    const m = new Map(this.messages);
    m.set(f.messageId, { ...(existing || { id: f.messageId, direction: 'outbound', text: '' }),
      status: later(existing?.status, f.status), reason: f.reason || null,
      providerMessageId: f.providerMessageId || existing?.providerMessageId || null });
    this.messages = m;
  }

  // The hub's customer_left frame: nobody reads replies any more (the hub refuses them); notes and wrap-up remain.
  customerLeft(f) {
    this.left = { at: f.at, reason: f.reason };
    this.customerTyping = false;
    if (this.detail) {
      this.detail = { ...this.detail, customerLeft: this.left,
        reply: { state: 'unavailable', reason: `the customer left (${f.reason || 'ended the contact'}); they will not see replies` } };
    }
  }

  typingChanged(f) {
    if (f.from !== 'customer') {
      return;
    }
    this.customerTyping = !!f.on;
    clearTimeout(this.typingTimer);
    if (f.on) {
      this.typingTimer = setTimeout(() => { this.customerTyping = false; }, 8000);
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

  async end() {
    this.error = '';
    try {
      const r = await this.api.post(`/interactions/${this.id}/end`);
      if (r.state === 'wrap_up') {
        this.phase = 'wrap-up';
      } else {
        this.close('Interaction ended.');
      }
    } catch (e) {
      this.error = `Could not end: ${e.message}`;
    }
  }

  close(message) {
    this.dispatchEvent(new CustomEvent('interaction-closed', { detail: { message } }));
  }

  sorted() {
    return [...this.messages.values()].sort((a, b) => (a.at || '').localeCompare(b.at || ''));
  }

  render() {
    const d = this.detail;
    const channel = d?.channel || this.summary.channel;
    return html`
      <div class="workspace">
        <section class="thread" aria-label="Conversation">
          <header class="thread-head">
            <span class="channel ${channel}">${CHANNEL_LABELS[channel] || channel}</span>
            <strong>${this.customer?.displayName || this.summary.customerName || ''}</strong>
            ${d?.queue ? html`<span class="badge">${d.queue}</span>` : nothing}
            ${d?.subject ? html`<span class="subject">${d.subject}</span>` : nothing}
            <span class="spacer"></span>
            ${this.phase === 'working' ? html`
              <button @click=${() => { this.transferring = true; }} data-testid="transfer">Transfer…</button>
              <button class="warn" @click=${this.end} data-testid="end">End</button>` : nothing}
          </header>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${this.left ? html`<p class="left-banner" role="status" data-testid="customer-left">
            <strong>${this.customer?.displayName || this.summary.customerName || 'The customer'} left the ${channel === 'voice' ? 'call' : 'chat'}</strong>
            at ${when(this.left.at)}${this.left.reason ? html` (${this.left.reason})` : nothing}. Replies will not reach them:
            write a private note if needed, then End and wrap up.</p>` : nothing}
          ${channel === 'voice' ? this.renderVoice() : nothing}
          ${this.renderContext()}
          <ol class="conversation" data-testid="conversation">
            ${this.sorted().map((m) => this.renderMessage(m))}
          </ol>
          ${this.customerTyping ? html`<p class="typing" data-testid="customer-typing">${this.customer?.displayName || 'The customer'} is typing…</p>` : nothing}
          ${this.phase === 'working' && channel !== 'voice' ? html`
            <sb-composer .api=${this.api} .socket=${this.socket} .user=${this.user} .interaction=${d || this.summary}
              .customer=${this.customer} .settings=${this.settings} .messages=${this.sorted()} .readiness=${d?.reply || null}
              @sent=${(e) => this.messageStored(e.detail)}></sb-composer>` : nothing}
          ${this.phase === 'wrap-up' ? html`
            <sb-wrap-up-form .api=${this.api} .interactionId=${this.id} .settings=${this.settings}
              @wrapped-up=${() => this.close('Wrapped up.')}></sb-wrap-up-form>` : nothing}
          ${this.transferring ? html`
            <sb-transfer-dialog .api=${this.api} .interactionId=${this.id} .currentQueue=${d?.queue} .user=${this.user}
              @cancel=${() => { this.transferring = false; }}
              @transferred=${(e) => { this.transferring = false; this.close(e.detail); }}></sb-transfer-dialog>` : nothing}
        </section>
        <sb-customer-panel .api=${this.api} .customer=${this.customer} .interactionId=${this.id}
          @customer-changed=${(e) => { this.customer = e.detail; }}></sb-customer-panel>
      </div>`;
  }

  // What the customer said before an agent answered (pre-chat, the page, IVR) and why routing sent it here.
  renderContext() {
    const lines = contextLines(this.detail?.attributes).filter(([k]) => this.channel() !== 'voice' || !k.startsWith('IVR'));
    const reason = routingReason(this.detail?.routing);
    if (!lines.length && !reason) {
      return nothing;
    }
    return html`
      <details class="context" data-testid="context" open>
        <summary>Context</summary>
        ${lines.length ? html`<dl class="facts">${lines.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>` : nothing}
        ${reason ? html`<p class="muted small" data-testid="routing-reason">Routed by ${reason}</p>` : nothing}
      </details>`;
  }

  channel() {
    return this.detail?.channel || this.summary.channel;
  }

  renderVoice() {
    const a = this.detail?.attributes || {};
    const caller = this.customer?.identities?.find((i) => i.kind === 'phone')?.value;
    const path = Object.entries(a).filter(([k]) => k.startsWith('ivr')).map(([k, v]) => `${k}: ${v}`);
    return html`
      <div class="voice">
        <p>Caller <strong>${caller || 'unknown number'}</strong></p>
        ${path.length ? html`<p>IVR: ${path.join(' → ')}</p>` : html`<p class="muted">No IVR path recorded.</p>`}
        ${this.phase === 'working' ? html`<sb-call-controls .api=${this.api} .socket=${this.socket} .interactionId=${this.id}
          .mode=${'agent'}></sb-call-controls>` : nothing}
      </div>`;
  }

  renderMessage(m) {
    const who = m.direction === 'inbound' ? (m.senderName || this.customer?.displayName || 'Customer')
      : m.direction === 'internal' ? 'Private note' : (m.agentId === this.user.id ? 'You' : 'Agent');
    return html`
      <li class="msg ${m.direction}" data-testid="message" data-direction=${m.direction}>
        <div class="meta">
          <span>${who}</span>
          <time datetime=${m.at || ''}>${when(m.at)}</time>
          ${m.direction === 'outbound' ? html`<span class="status ${m.status}" title=${m.reason || ''}>${statusLabel(m)}</span>` : nothing}
          ${m.direction === 'outbound' && m.providerMessageId ? html`<span class="muted small" data-testid="provider-message-id"
            title="the provider's id of this message, to quote to the provider's support">${m.providerMessageId}</span>` : nothing}
        </div>
        ${m.subject ? html`<div class="subject">${m.subject}</div>` : nothing}
        ${m.email ? html`<div class="muted small" data-testid="email-headers">${[
          m.email.from ? `From ${recipient(m.email.from)}` : '',
          m.email.to?.length ? `To ${m.email.to.map(recipient).join(', ')}` : '',
          m.email.cc?.length ? `Cc ${m.email.cc.map(recipient).join(', ')}` : '',
          m.email.bcc?.length ? `Bcc ${m.email.bcc.map(recipient).join(', ')}` : '',
        ].filter(Boolean).join(' · ')}</div>` : nothing}
        <div class="body">${m.text}</div>
        ${m.content?.type === 'contact' && m.direction === 'inbound' ? this.renderContactCard(m.content) : nothing}
        ${m.email?.quoted ? html`<details class="quoted" data-testid="quoted"><summary>Quoted text</summary>
          <div class="body muted">${m.email.quoted}</div></details>` : nothing}
        ${(m.attachments || []).length ? html`<ul class="attachments">${m.attachments.map((a) => html`
          <li><a href="#" @click=${(e) => { e.preventDefault(); this.download(a); }}>${a.fileName} (${Math.ceil(a.sizeBytes / 1024)} KiB)</a></li>`)}</ul>` : nothing}
        ${(m.email?.omitted || []).length ? html`<ul class="attachments omitted" data-testid="omitted">${m.email.omitted.map((o) => html`
          <li>${o.fileName} (${Math.ceil(o.sizeBytes / 1024)} KiB) — ${o.reason}</li>`)}</ul>` : nothing}
      </li>`;
  }

  /**
   * A contact card the customer shared: each phone number or email the customer record does not have yet gets an
   * action to add it to the customer (POST /customers/{id}/identities), so the next call from it finds them.
   */
  renderContactCard(card) {
    const known = new Set((this.customer?.identities || []).map((i) => i.value));
    const entries = [...(card.phones || []).map((v) => ['phone', v]), ...(card.emails || []).map((v) => ['email', v])];
    return html`<ul class="contact-card" data-testid="contact-card">${entries.map(([kind, value]) => {
      const digits = kind === 'phone' ? `+${value.replace(/[^0-9]/g, '')}` : value.toLowerCase();
      return html`<li>${kind} ${value}
        ${known.has(digits) ? html`<span class="muted small">(on the customer)</span>`
          : this.customer ? html`<button class="small" data-testid="link-identity" @click=${() => this.linkIdentity(kind, value)}>
              Add to ${this.customer.displayName}</button>` : nothing}</li>`;
    })}</ul>`;
  }

  async linkIdentity(kind, value) {
    try {
      await this.api.post(`/customers/${this.customer.id}/identities`, { kind, value });
      this.customer = await this.api.get(`/customers/${this.customer.id}`);
      this.error = '';
    } catch (e) {
      this.error = `Could not add ${value}: ${e.message}`;
    }
  }

  async download(a) {
    try {
      const res = await fetch(`/api/v1/attachments/${a.id}`, { headers: { Authorization: `Bearer ${this.api.token}` } });
      if (!res.ok) {
        throw new Error(`the hub answered ${res.status}`);
      }
      const url = URL.createObjectURL(await res.blob());
      const link = Object.assign(document.createElement('a'), { href: url, download: a.fileName });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      this.error = `Could not download ${a.fileName}: ${e.message}`;
    }
  }
}

/** An email recipient as "Name <address>" (or the address alone). */
function recipient(r) {
  return r?.name ? `${r.name} <${r.address}>` : (r?.address || '');
}

const STATUS_RANK = { received: 0, queued: 1, sent: 2, delivered: 3, read: 4, failed: 5 };

/** Delivery statuses only move forward (frames and HTTP answers can cross). */
function later(a, b) {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return (STATUS_RANK[b] ?? 0) >= (STATUS_RANK[a] ?? 0) ? b : a;
}

function statusLabel(m) {
  return { queued: 'sending', sent: '✓ sent', delivered: '✓✓ delivered', read: '✓✓ read', failed: `failed${m.reason ? `: ${m.reason}` : ''}` }[m.status] || m.status || '';
}

/** A message as GET /interactions/{id} returns it. */
export function fromApi(m) {
  return {
    id: m.id,
    direction: m.private ? 'internal' : m.direction,
    text: messageText(m.content),
    content: m.content || null,
    at: m.createdAt,
    status: m.status,
    reason: m.statusReason,
    agentId: m.agentId,
    senderName: m.senderName,
    senderAddress: m.senderAddress,
    subject: m.subject,
    email: m.email || null,
    attachments: m.attachments || [],
  };
}

/** A message as the socket's `message` frame carries it. */
function fromFrame(f) {
  return {
    id: f.messageId, direction: f.direction, text: f.text, at: f.at, status: f.status, agentId: f.agentId,
    reason: f.reason || null, ...(f.content ? { content: f.content } : {}),
    ...(f.providerMessageId ? { providerMessageId: f.providerMessageId } : {}),
  };
}

customElements.define('sb-interaction-workspace', InteractionWorkspace);
