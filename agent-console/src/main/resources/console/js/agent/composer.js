// <sb-composer>: answering the customer. Chat and social: one line (Enter sends, Shift+Enter breaks the
// line), typing shown to the customer where the channel has it (web chat). Email: to, cc, subject, reply /
// reply all, the quoted original, attachments (Ctrl+Enter sends). Both: canned responses ("/" then a
// shortcut, or the Canned button) and private notes, which are stored but never sent. What the agent is writing
// is kept per interaction in the tab's sessionStorage, so a reload does not lose it.
import { LitElement, html, nothing } from 'lit';
import { fill, matching, placeholderValues } from './canned.js';
import { when } from '../format.js';

const TYPING_CHANNELS = new Set(['chat']);

class Composer extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    user: { attribute: false },
    interaction: { attribute: false },
    customer: { attribute: false },
    settings: { attribute: false },
    messages: { attribute: false },
    readiness: { attribute: false },
    text: { state: true },
    note: { state: true },
    sending: { state: true },
    error: { state: true },
    cannedOpen: { state: true },
    to: { state: true },
    cc: { state: true },
    bcc: { state: true },
    subject: { state: true },
    attachments: { state: true },
    quote: { state: true },
  };

  constructor() {
    super();
    this.text = '';
    this.note = false;
    this.sending = false;
    this.error = '';
    this.cannedOpen = false;
    this.to = '';
    this.cc = '';
    this.bcc = '';
    this.subject = null;
    this.readiness = null;
    this.attachments = [];
    this.quote = false;
    this.typingOn = false;
  }

  createRenderRoot() {
    return this;
  }

  get channel() {
    return this.interaction?.channel;
  }

  /** The interaction's id (a full interaction has `id`, a tab's summary `interactionId`). */
  get interactionId() {
    return this.interaction?.id || this.interaction?.interactionId;
  }

  get isEmail() {
    return this.channel === 'email';
  }

  /** Whether replies cannot go out at all (the hub said so before the agent wrote anything). */
  get cannotSend() {
    return this.readiness?.state === 'unavailable';
  }

  /** The customer's last email, which a reply answers. */
  lastInbound() {
    return [...(this.messages || [])].reverse().find((m) => m.direction === 'inbound');
  }

  willUpdate(changed) {
    // A draft survives a reload of the page (this tab's sessionStorage, like the login): it comes back when the
    // interaction's workspace opens again.
    if (changed.has('interaction') && this.interactionId && this.draftFor !== this.interactionId) {
      this.draftFor = this.interactionId;
      const draft = readDraft(this.interactionId);
      if (draft && !this.text) {
        this.text = draft;
      }
    }
    if (changed.has('text') && this.draftFor) {
      writeDraft(this.draftFor, this.text);
    }
    if (this.isEmail && this.subject === null && (changed.has('messages') || changed.has('interaction'))) {
      const last = this.lastInbound();
      if (last) {
        this.reply(false);
      }
    }
  }

  /**
   * Fills To/Cc/Subject to answer the customer's last email. Reply all copies the original's other To and Cc
   * recipients, leaving out the customer and the mailbox the email was written to (its first To address,
   * which is this contact center's).
   */
  reply(all) {
    const last = this.lastInbound();
    const from = last?.email?.from?.address || last?.senderAddress || '';
    this.to = from;
    if (all && last?.email) {
      // Leave out the customer (now in To) and the centre's own mailboxes (console.yaml email.ownAddresses);
      // without that list, the first address the customer wrote to counts as ours.
      const own = (this.settings?.ownAddresses || []);
      const ours = own.length ? null : (last.email.to || [])[0]?.address;
      const skip = new Set([from, ours].filter(Boolean).map((a) => a.toLowerCase()));
      const isOwn = (a) => own.some((o) => (o.startsWith('@') ? a.endsWith(o) : a === o));
      const others = [...(last.email.to || []), ...(last.email.cc || [])].map((r) => r.address)
        .filter((a) => a && !skip.has(a.toLowerCase()) && !isOwn(a.toLowerCase()));
      this.cc = [...new Set(others)].join(', ');
    } else {
      this.cc = '';
    }
    const subject = last?.email?.subject || last?.subject || this.interaction?.subject || '';
    this.subject = subject && !/^re:/i.test(subject) ? `Re: ${subject}` : subject;
  }

  quoted() {
    const last = this.lastInbound();
    if (!last) {
      return '';
    }
    const lines = (last.text || '').split('\n').map((l) => `> ${l}`).join('\n');
    return `\n\nOn ${when(last.at)}, ${last.email?.from?.name || last.senderName || last.senderAddress || 'the customer'} wrote:\n${lines}`;
  }

  onInput(e) {
    this.text = e.target.value;
    this.cannedOpen = this.text.startsWith('/') && !this.text.includes(' ');
    this.typing(this.text.length > 0);
  }

  typing(on) {
    if (!TYPING_CHANNELS.has(this.channel) || this.note) {
      return;
    }
    clearTimeout(this.typingIdle);
    if (on) {
      const now = Date.now();
      if (!this.typingOn || now - this.typingSent > 3000) {
        this.typingOn = true;
        this.typingSent = now;
        this.socket.command('typing', { interactionId: this.interactionId, on: true }).catch(() => {});
      }
      this.typingIdle = setTimeout(() => this.typing(false), 4000);
    } else if (this.typingOn) {
      this.typingOn = false;
      this.socket.command('typing', { interactionId: this.interactionId, on: false }).catch(() => {});
    }
  }

  onKeyDown(e) {
    if (e.key === 'Enter' && !e.shiftKey && !this.isEmail && !this.cannedOpen) {
      e.preventDefault();
      this.send();
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.send();
    } else if (e.key === 'Enter' && this.cannedOpen) {
      e.preventDefault();
      const first = this.cannedMatches()[0];
      if (first) {
        this.useCanned(first);
      }
    } else if (e.key === 'Escape') {
      this.cannedOpen = false;
    }
  }

  cannedMatches() {
    const q = this.text.startsWith('/') ? this.text.slice(1) : '';
    return matching(this.settings?.cannedResponses, this.channel, q);
  }

  useCanned(r) {
    const values = placeholderValues({ customer: this.customer, agentName: this.user.displayName || this.user.username, interaction: this.interaction });
    const filled = fill(r.text, values);
    this.text = this.text.startsWith('/') ? filled : (this.text ? `${this.text}\n${filled}` : filled);
    this.cannedOpen = false;
    this.updateComplete.then(() => this.querySelector('textarea')?.focus());
  }

  async attach(e) {
    const files = [...e.target.files];
    e.target.value = '';
    for (const file of files) {
      try {
        const stored = await this.api.request('POST', `/attachments?name=${encodeURIComponent(file.name)}`, file,
          { raw: true, headers: { 'Content-Type': file.type || 'application/octet-stream' } });
        this.attachments = [...this.attachments, stored];
      } catch (err) {
        this.error = `${file.name}: ${err.message}`;
      }
    }
  }

  async send() {
    const body = this.text.trim();
    if (!body || this.sending || (this.cannotSend && !this.note)) {
      return;
    }
    this.sending = true;
    this.error = '';
    const id = this.interactionId;
    const request = { text: this.isEmail && this.quote && !this.note ? body + this.quoted() : body };
    if (this.note) {
      request.privateNote = true;
    } else if (this.isEmail) {
      request.to = splitAddresses(this.to);
      request.cc = splitAddresses(this.cc);
      if (splitAddresses(this.bcc).length) {
        request.bcc = splitAddresses(this.bcc);
      }
      if (this.subject) {
        request.subject = this.subject;
      }
      if (this.attachments.length) {
        request.attachments = this.attachments.map((a) => a.id);
      }
      const last = this.lastInbound();
      if (last) {
        request.inReplyTo = last.id;
      }
    }
    try {
      const stored = await this.api.post(`/interactions/${id}/messages`, request);
      this.typing(false);
      this.text = '';
      this.attachments = [];
      this.dispatchEvent(new CustomEvent('sent', { detail: stored }));
    } catch (e) {
      this.error = e.field ? `${e.field}: ${e.message}` : e.message;
    } finally {
      this.sending = false;
    }
  }

  render() {
    const canned = this.cannedOpen ? this.cannedMatches() : [];
    const r = this.readiness;
    return html`
      <form class="composer ${this.note ? 'note' : ''}" @submit=${(e) => { e.preventDefault(); this.send(); }}>
        ${r && r.state === 'unavailable' ? html`<p class="error" role="alert" data-testid="cannot-send">
          Replies cannot be sent from here: ${r.reason}. You can still write a private note.</p>` : nothing}
        ${r && r.state === 'degraded' ? html`<p class="warning" role="status" data-testid="send-degraded">
          Sending is delayed: ${r.reason}</p>` : nothing}
        ${this.isEmail && !this.note ? html`
          <div class="email-fields" data-testid="email-fields">
            <label>To <input name="to" .value=${this.to} @input=${(e) => { this.to = e.target.value; }}></label>
            <label>Cc <input name="cc" .value=${this.cc} @input=${(e) => { this.cc = e.target.value; }}></label>
            <label>Bcc <input name="bcc" .value=${this.bcc} @input=${(e) => { this.bcc = e.target.value; }}></label>
            <label>Subject <input name="subject" .value=${this.subject || ''} @input=${(e) => { this.subject = e.target.value; }}></label>
            <div class="row">
              <button type="button" @click=${() => this.reply(false)}>Reply</button>
              <button type="button" @click=${() => this.reply(true)}>Reply all</button>
              <label class="inline"><input type="checkbox" .checked=${this.quote} @change=${(e) => { this.quote = e.target.checked; }}> Quote original</label>
              <label class="button">Attach…<input type="file" multiple hidden @change=${this.attach}></label>
              ${this.attachments.map((a) => html`<span class="chip">${a.fileName}
                <button type="button" class="link" aria-label="remove ${a.fileName}"
                  @click=${() => { this.attachments = this.attachments.filter((x) => x.id !== a.id); }}>×</button></span>`)}
            </div>
          </div>` : nothing}
        ${canned.length ? html`
          <ul class="canned" role="listbox" aria-label="Canned responses">
            ${canned.map((r) => html`<li role="option"><button type="button" @click=${() => this.useCanned(r)}>
              <strong>${r.shortcut || ''}</strong> ${r.title}</button></li>`)}
          </ul>` : nothing}
        <textarea name="text" rows=${this.isEmail ? 8 : 3} data-testid="composer"
          placeholder=${this.note ? 'Private note (never sent to the customer)' : this.isEmail ? 'Write your reply… (Ctrl+Enter sends)' : 'Type a reply… (Enter sends, / for canned responses)'}
          .value=${this.text} @input=${this.onInput} @keydown=${this.onKeyDown}></textarea>
        <div class="row">
          <label class="inline"><input type="checkbox" name="note" .checked=${this.note}
            @change=${(e) => { this.note = e.target.checked; this.typing(false); }}> Private note</label>
          <button type="button" @click=${() => { this.cannedOpen = !this.cannedOpen; }}>Canned</button>
          <span class="spacer"></span>
          ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
          <button type="submit" class="go" ?disabled=${this.sending || !this.text.trim() || (this.cannotSend && !this.note)}
            data-testid="send">${this.note ? 'Save note' : 'Send'}</button>
        </div>
      </form>`;
  }
}

const DRAFT_KEY = 'switchboard.draft:';

function readDraft(interactionId) {
  try {
    return sessionStorage.getItem(DRAFT_KEY + interactionId) || '';
  } catch {
    return '';
  }
}

function writeDraft(interactionId, text) {
  try {
    if (text && text.trim()) {
      sessionStorage.setItem(DRAFT_KEY + interactionId, text);
    } else {
      sessionStorage.removeItem(DRAFT_KEY + interactionId);
    }
  } catch {
    // No storage (private mode): the draft lasts for this page.
  }
}

function splitAddresses(value) {
  return (value || '').split(/[,;]/).map((a) => a.trim()).filter(Boolean);
}

customElements.define('sb-composer', Composer);
