// <sb-settings-editor>: the console settings (config/console.yaml of the node that answers): wrap-up dispositions,
// canned responses, own email addresses. The admin edits the file's text; saving checks it first (problems with
// file:line), writes it only over the version read (a file changed meanwhile is refused) and puts it in force.
import { LitElement, html, nothing } from 'lit';

class SettingsEditor extends LitElement {
  static properties = {
    api: { attribute: false },
    file: { state: true },
    text: { state: true },
    settings: { state: true },
    problems: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.file = null;
    this.text = '';
    this.settings = null;
    this.problems = [];
    this.error = '';
    this.notice = '';
    this.busy = false;
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
      this.file = await this.api.get('/console/settings/source');
      this.text = this.file.source ?? '';
      this.settings = await this.api.get('/console/settings');
    } catch (err) {
      this.error = err.message;
    }
  }

  async save() {
    this.busy = true;
    this.error = '';
    this.notice = '';
    this.problems = [];
    try {
      await this.api.put('/console/settings/source', { source: this.text, baseSha256: this.file.sha256 });
      await this.load();
      this.notice = 'Saved: the new settings are in force on this node; connected consoles take them up at once.';
    } catch (err) {
      if (err.problem?.problems) {
        this.problems = err.problem.problems;
        this.error = 'Not saved: the settings in force stay.';
      } else {
        this.error = err.field ? `${err.field}: ${err.message}` : err.message;
      }
    } finally {
      this.busy = false;
    }
  }

  render() {
    const s = this.settings;
    return html`
      <section class="card admin" data-testid="settings-editor">
        <h2>Console settings <span class="muted small">${this.file?.file || ''}</span></h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <div class="rules-grid">
          <div>
            <label for="settings-text">console.yaml</label>
            <textarea id="settings-text" class="code" spellcheck="false" rows="22" .value=${this.text}
              @input=${(e) => { this.text = e.target.value; }}></textarea>
            <div class="row">
              <button class="go" @click=${this.save} ?disabled=${this.busy || !this.file || this.text === (this.file.source ?? '')}>Save and apply</button>
              <button @click=${this.load} ?disabled=${this.busy}>Reload from the hub</button>
            </div>
            ${this.problems.length ? html`<ul class="problems" data-testid="settings-problems">${this.problems.map((p) => html`
              <li><code>${p.file.split('/').pop()}:${p.line}</code> ${p.key ? html`<strong>${p.key}</strong>: ` : nothing}${p.message}</li>`)}</ul>` : nothing}
            <p class="muted small">Every hub node reads its own file: deploy the same file to the other nodes.</p>
          </div>
          <div>
            ${s ? html`
              <h3>Dispositions in force</h3>
              <ul data-testid="dispositions">${s.dispositions.map((d) => html`<li><code>${d.code}</code> ${d.label}</li>`)}</ul>
              <h3>Canned responses in force</h3>
              <ul data-testid="canned">${s.cannedResponses.map((c) => html`<li><code>${c.shortcut}</code> ${c.title}</li>`)}</ul>
              <p class="muted small">Wrap-up ${s.wrapUpRequired ? 'required' : 'optional'}, after-call work ${s.afterCallWorkSeconds} s
                (from the routing rules)${s.notesRequired ? ', notes required' : ''}.</p>` : nothing}
          </div>
        </div>
      </section>`;
  }
}

customElements.define('sb-settings-editor', SettingsEditor);
