// <sb-rules-editor>: the routing rules. The admin edits a draft of routing.yaml; as they type the hub checks it
// (every problem as routing.yaml:line) and diffs it against the running version. "Simulate" replays the last 7 days'
// real arrivals with the running rules and with the draft and shows both side by side; "Publish" makes the draft the
// running version (refused when someone published meanwhile); the versions list rolls back to an earlier one.
import { LitElement, html, nothing } from 'lit';
import { when } from '../format.js';

const CONTEXT = 2;

class RulesEditor extends LitElement {
  static properties = {
    api: { attribute: false },
    running: { state: true },
    draft: { state: true },
    check: { state: true },
    simulation: { state: true },
    versions: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
    confirmRollback: { state: true },
    versionDiff: { state: true },
  };

  constructor() {
    super();
    this.running = null;
    this.draft = '';
    this.check = null;
    this.simulation = null;
    this.versions = [];
    this.busy = '';
    this.error = '';
    this.notice = '';
    this.confirmRollback = null;
    this.versionDiff = null;
    this.timer = null;
    this.seq = 0;
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
    clearTimeout(this.timer);
  }

  async load() {
    try {
      this.running = await this.api.get('/routing/rules');
      this.draft = this.running.source;
      this.check = null;
      this.simulation = null;
      this.versionDiff = null;
      this.versions = await this.api.get('/routing/rules/versions?limit=20');
    } catch (err) {
      this.error = err.message;
    }
  }

  edited(e) {
    this.draft = e.target.value;
    this.simulation = null;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.validate(), 400);
  }

  async validate() {
    const seq = ++this.seq;
    try {
      const check = await this.api.post('/routing/rules/validate', { source: this.draft });
      if (seq === this.seq) {
        this.check = check;
        this.error = '';
      }
    } catch (err) {
      if (seq === this.seq) {
        this.check = null;
        this.error = err.field ? `${err.field}: ${err.message}` : err.message;
      }
    }
  }

  get changed() {
    return this.running && this.draft !== this.running.source;
  }

  async simulate() {
    this.busy = 'simulate';
    this.error = '';
    try {
      this.simulation = await this.api.post('/routing/rules/simulate', { source: this.draft, days: 7 });
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = '';
    }
  }

  async publish() {
    this.busy = 'publish';
    this.error = '';
    try {
      const r = await this.api.post('/routing/rules', { source: this.draft, baseVersion: this.running.version });
      await this.load();
      this.notice = `Version ${r.version} is running.`;
    } catch (err) {
      this.error = err.status === 409 ? `Not published: ${err.message}` : err.problem?.problems
        ? `Not published: ${err.problem.problems.length} problem(s)` : err.message;
    } finally {
      this.busy = '';
    }
  }

  /** What rolling back to {@code version} would change: the diff from the running version to it. */
  async compare(version) {
    try {
      const d = await this.api.get(`/routing/rules/diff?from=${this.running.version}&to=${version}`);
      this.versionDiff = { version, lines: d.lines };
    } catch (err) {
      this.error = err.message;
    }
  }

  async rollback(version) {
    this.busy = 'rollback';
    this.error = '';
    try {
      const r = await this.api.post(`/routing/rules/versions/${version}/rollback`, {});
      this.confirmRollback = null;
      await this.load();
      this.notice = `Rolled back: version ${version}'s rules run again as version ${r.version}.`;
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = '';
    }
  }

  render() {
    if (!this.running) {
      return html`<section class="card admin"><h2>Routing rules</h2>${this.error
        ? html`<p class="error" role="alert">${this.error}</p>` : html`<p class="muted">Loading…</p>`}</section>`;
    }
    const check = this.changed ? this.check : null;
    const valid = this.changed && check?.valid;
    return html`
      <section class="card admin" data-testid="rules-editor">
        <h2>Routing rules <span class="muted small" data-testid="running-version">running: version ${this.running.version}</span></h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        <div class="rules-grid">
          <div>
            <label for="rules-draft">Draft of routing.yaml</label>
            <textarea id="rules-draft" class="code" spellcheck="false" rows="24" .value=${this.draft} @input=${this.edited}></textarea>
            <div class="row">
              <span data-testid="rules-check" class=${!this.changed ? 'muted' : check == null ? 'muted' : check.valid ? 'good' : 'error'}>
                ${!this.changed ? 'No changes.' : check == null ? 'Checking…' : check.valid ? 'The draft is valid.'
                  : `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`}</span>
              <span class="spacer"></span>
              <button @click=${() => { this.draft = this.running.source; this.check = null; this.simulation = null; }} ?disabled=${!this.changed}>Discard</button>
              <button @click=${this.simulate} ?disabled=${!valid || this.busy}
                aria-busy=${this.busy === 'simulate' ? 'true' : 'false'}>${this.busy === 'simulate' ? 'Simulating…' : 'Simulate last 7 days'}</button>
              <button class="go" @click=${this.publish} ?disabled=${!valid || this.busy}>Publish</button>
            </div>
            ${check && !check.valid ? html`<ul class="problems" data-testid="rules-problems">${check.problems.map((p) => html`
              <li><code>${p.file}:${p.line}</code> ${p.key ? html`<strong>${p.key}</strong>: ` : nothing}${p.message}</li>`)}</ul>` : nothing}
          </div>
          <div>
            ${check ? this.renderDiff(check.diff, `Changes against version ${this.running.version}`, 'rules-diff') : nothing}
            ${this.versionDiff ? this.renderDiff(this.versionDiff.lines,
              `Rolling back to version ${this.versionDiff.version} would change`, 'version-diff') : nothing}
            ${this.simulation ? this.renderSimulation(this.simulation) : nothing}
          </div>
        </div>
        ${this.renderVersions()}
      </section>`;
  }

  renderDiff(lines, title, testId) {
    // Changed lines with a little context; "…" where unchanged lines are left out.
    const keep = new Set();
    lines.forEach((l, i) => {
      if (!l.startsWith('  ')) {
        for (let j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++) {
          keep.add(j);
        }
      }
    });
    const out = [];
    let gap = false;
    lines.forEach((l, i) => {
      if (keep.has(i)) {
        out.push(html`<div class=${l.startsWith('+ ') ? 'add' : l.startsWith('- ') ? 'del' : 'same'}>${l}</div>`);
        gap = false;
      } else if (!gap) {
        out.push(html`<div class="gap">…</div>`);
        gap = true;
      }
    });
    return html`<h3>${title}</h3>
      <pre class="diff" data-testid=${testId}>${keep.size ? out : html`<div class="same">no changes</div>`}</pre>`;
  }

  renderSimulation(s) {
    const byQueue = new Map();
    for (const q of s.running.queues) {
      byQueue.set(q.queue, { queue: q.queue, name: q.name, running: q });
    }
    for (const q of s.draft.queues) {
      byQueue.set(q.queue, { ...(byQueue.get(q.queue) || { queue: q.queue, name: q.name }), draft: q });
    }
    const rows = [...byQueue.values(), { queue: 'all', name: 'All queues', running: s.running.total, draft: s.draft.total }];
    const pair = (r, key, unit = '') => html`<td>${fmt(r.running?.[key], unit)}</td><td class=${diffClass(r.running?.[key], r.draft?.[key], key)}>${fmt(r.draft?.[key], unit)}</td>`;
    return html`
      <div class="simulation" data-testid="simulation">
        <h3>What-if: ${s.arrivals} arrivals of the last ${s.days} days, ${s.agents} agents</h3>
        <p class="muted small">${when(s.from)} – ${when(s.to)}${s.truncated ? ' (cut at 50,000 arrivals)' : ''}.
          ${s.changedQueue} arrival${s.changedQueue === 1 ? '' : 's'} would go to another queue${s.moves.length ? ': ' : '.'}
          ${s.moves.map((m) => `${m.count} from ${m.from} to ${m.to}`).join(', ')}</p>
        <table class="data" data-testid="simulation-table">
          <thead>
            <tr><th class="left" rowspan="2">Queue</th><th colspan="2">Offered</th><th colspan="2">Service level</th>
              <th colspan="2">ASA</th><th colspan="2">Abandoned</th></tr>
            <tr>${[1, 2, 3, 4].map(() => html`<th>running</th><th>draft</th>`)}</tr>
          </thead>
          <tbody>${rows.map((r) => html`<tr data-queue=${r.queue}>
            <td class="left">${r.name || r.queue}</td>
            ${pair(r, 'offered')}${pair(r, 'serviceLevel', '%')}${pair(r, 'averageSpeedOfAnswerSeconds', ' s')}${pair(r, 'abandoned')}
          </tr>`)}</tbody>
        </table>
      </div>`;
  }

  renderVersions() {
    return html`
      <h3>Versions</h3>
      <table class="data" data-testid="rules-versions">
        <thead><tr><th class="left">Version</th><th class="left">From</th><th class="left">By</th><th class="left">When</th><th></th></tr></thead>
        <tbody>${this.versions.map((v) => html`<tr data-version=${v.version}>
          <td>${v.version}${v.active ? html` <span class="badge">running</span>` : nothing}</td>
          <td class="left">${v.origin}</td><td class="left">${v.createdBy}</td><td class="left">${when(v.createdAt)}</td>
          <td>${v.active ? nothing : this.confirmRollback === v.version
            ? html`<button class="warn" @click=${() => this.rollback(v.version)} ?disabled=${this.busy}>Yes, roll back to ${v.version}</button>
                <button class="link" @click=${() => { this.confirmRollback = null; }}>cancel</button>`
            : html`<button class="link" @click=${() => this.compare(v.version)}>Compare</button>
                <button @click=${() => { this.confirmRollback = v.version; this.compare(v.version); }}>Roll back to this</button>`}</td>
        </tr>`)}</tbody>
      </table>`;
  }
}

function fmt(v, unit) {
  return v === null || v === undefined ? '–' : `${v}${unit}`;
}

/** Green when the draft does better than the running rules, red when worse. */
function diffClass(before, after, key) {
  if (before == null || after == null || before === after || key === 'offered') {
    return '';
  }
  const higherIsBetter = key === 'serviceLevel';
  return (after > before) === higherIsBetter ? 'good' : 'bad';
}

customElements.define('sb-rules-editor', RulesEditor);
