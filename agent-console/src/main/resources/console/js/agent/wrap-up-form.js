// <sb-wrap-up-form>: the disposition code (from config/console.yaml) and notes that end an interaction;
// the agent is free again only after it (when the hub requires wrap-up).
import { LitElement, html, nothing } from 'lit';

class WrapUpForm extends LitElement {
  static properties = {
    api: { attribute: false },
    interactionId: { attribute: false },
    settings: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.error = '';
    this.busy = false;
  }

  createRenderRoot() {
    return this;
  }

  async submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const notes = String(f.get('notes') || '').trim();
    if (this.settings?.notesRequired && !notes) {
      this.error = 'Notes are required.';
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      await this.api.post(`/interactions/${this.interactionId}/wrap-up`, { disposition: f.get('disposition'), notes: notes || null });
      this.dispatchEvent(new CustomEvent('wrapped-up'));
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const dispositions = this.settings?.dispositions || [];
    return html`
      <form class="wrap-up" @submit=${this.submit} data-testid="wrap-up">
        <h3>Wrap-up</h3>
        <label>Disposition
          <select name="disposition" required>
            <option value="">Choose…</option>
            ${dispositions.map((d) => html`<option value=${d.code}>${d.label}</option>`)}
          </select>
        </label>
        <label>Notes${this.settings?.notesRequired ? ' (required)' : ''} <textarea name="notes" rows="3"></textarea></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button type="submit" class="go" ?disabled=${this.busy}>Finish wrap-up</button>
      </form>`;
  }
}

customElements.define('sb-wrap-up-form', WrapUpForm);
