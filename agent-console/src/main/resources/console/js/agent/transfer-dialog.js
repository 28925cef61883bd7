// <sb-transfer-dialog>: hands the interaction to another queue or a colleague, with a note the next agent
// reads (stored as a private note, never sent to the customer).
import { LitElement, html, nothing } from 'lit';

class TransferDialog extends LitElement {
  static properties = {
    api: { attribute: false },
    interactionId: { attribute: false },
    currentQueue: { attribute: false },
    user: { attribute: false },
    target: { state: true },
    queues: { state: true },
    agents: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.target = 'queue';
    this.queues = [];
    this.agents = [];
    this.error = '';
    this.busy = false;
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.api.get('/queues').then((q) => { this.queues = q; }).catch((e) => { this.error = e.message; });
    this.api.get('/directory/agents').then((a) => { this.agents = a.filter((x) => x.id !== this.user.id && (x.role || 'agent') === 'agent'); })
      .catch(() => { this.agents = []; });
  }

  async submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = {};
    if (this.target === 'queue') {
      body.queue = f.get('queue');
    } else {
      body.agentId = f.get('agentId');
    }
    const note = String(f.get('note') || '').trim();
    if (note) {
      body.note = note;
    }
    this.busy = true;
    this.error = '';
    try {
      await this.api.post(`/interactions/${this.interactionId}/transfer`, body);
      const to = this.target === 'queue' ? `queue ${body.queue}` : (this.agents.find((a) => a.id === body.agentId)?.displayName || 'a colleague');
      this.dispatchEvent(new CustomEvent('transferred', { detail: `Transferred to ${to}.` }));
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`
      <form class="dialog" @submit=${this.submit} data-testid="transfer-dialog" @keydown=${(e) => { if (e.key === 'Escape') this.cancel(); }}>
        <h3>Transfer</h3>
        <div class="row">
          <label class="inline"><input type="radio" name="target" value="queue" .checked=${this.target === 'queue'}
            @change=${() => { this.target = 'queue'; }}> To a queue</label>
          <label class="inline"><input type="radio" name="target" value="agent" .checked=${this.target === 'agent'}
            @change=${() => { this.target = 'agent'; }}> To a colleague</label>
        </div>
        ${this.target === 'queue' ? html`
          <label>Queue <select name="queue" required>
            ${this.queues.map((q) => html`<option value=${q.id} ?selected=${q.id === this.defaultQueue()}>${q.name}${q.id === this.currentQueue ? ' (current)' : ''}</option>`)}
          </select></label>` : html`
          <label>Colleague <select name="agentId" required>
            ${this.agents.map((a) => html`<option value=${a.id}>${a.displayName} · ${a.state}${a.present ? '' : ' (console closed)'}</option>`)}
          </select></label>`}
        <label>Note for the next agent <textarea name="note" rows="3" maxlength="2000"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div class="row">
          <button type="submit" class="go" ?disabled=${this.busy}>Transfer</button>
          <button type="button" @click=${this.cancel}>Cancel</button>
        </div>
      </form>`;
  }

  /** The first queue other than the interaction's own. */
  defaultQueue() {
    return this.queues.find((q) => q.id !== this.currentQueue)?.id;
  }

  cancel() {
    this.dispatchEvent(new CustomEvent('cancel'));
  }
}

customElements.define('sb-transfer-dialog', TransferDialog);
