// <sb-staff-admin>: members of staff. Create one (username, name, role, first password), and for each: role,
// skills with proficiency 1–5, capacity per channel, display name, phone endpoint (voice), reset the password,
// end every session, disable or enable. <sb-queues-admin>: the queues, which the routing rules define.
import { LitElement, html, nothing } from 'lit';
import { CHANNEL_LABELS, when } from '../format.js';

const ROLES = ['agent', 'supervisor', 'admin'];
const CHANNELS = ['voice', 'chat', 'email', 'social'];

class StaffAdmin extends LitElement {
  static properties = {
    api: { attribute: false },
    staff: { state: true },
    editing: { state: true },
    draft: { state: true },
    error: { state: true },
    notice: { state: true },
    creating: { state: true },
    queues: { state: true },
  };

  constructor() {
    super();
    this.staff = [];
    this.editing = null;
    this.draft = null;
    this.error = '';
    this.notice = '';
    this.creating = false;
    this.queues = [];
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
      this.staff = await this.api.get('/agents');
      if (!this.queues.length) {
        this.queues = await this.api.get('/queues');
      }
    } catch (err) {
      this.error = err.message;
    }
  }

  fail(err) {
    this.notice = '';
    this.error = err.field ? `${err.field}: ${err.message}` : err.message;
  }

  done(text) {
    this.error = '';
    this.notice = text;
  }

  async create(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      const a = await this.api.post('/agents', {
        username: String(f.get('username')).trim(), displayName: String(f.get('displayName')).trim(),
        role: f.get('role'), password: String(f.get('password')),
      });
      e.target.reset();
      this.creating = false;
      this.done(`${a.displayName} (${a.username}) was created.`);
      await this.load();
      this.edit(a);
    } catch (err) {
      this.fail(err);
    }
  }

  async edit(a) {
    this.editing = a.id;
    this.draft = {
      displayName: a.displayName || '',
      role: a.role,
      skills: Object.entries(a.skills || {}).map(([skill, level]) => ({ skill, level })),
      capacity: { ...a.capacity },
      phone: '',
      password: '',
      // Queue membership (routing profiles): only when the hub has it (agents then carry `queues`; [] = every queue).
      memberOf: Array.isArray(a.queues) ? [...a.queues] : null,
      memberWas: Array.isArray(a.queues) ? [...a.queues] : null,
    };
    this.updateComplete.then(() => this.querySelector('[data-testid=staff-editor]')?.scrollIntoView({ block: 'nearest' }));
    try {
      const p = await this.api.get(`/agents/${a.id}/phone`);
      this.draft = { ...this.draft, phone: p.endpoint || '', phoneWas: p.endpoint || '' };
    } catch {
      // No phone endpoint readable: the field stays empty.
    }
  }

  get current() {
    return this.staff.find((a) => a.id === this.editing);
  }

  setDraft(patch) {
    this.draft = { ...this.draft, ...patch };
  }

  setSkill(i, patch) {
    const skills = this.draft.skills.map((s, j) => (j === i ? { ...s, ...patch } : s));
    this.setDraft({ skills });
  }

  async saveProfile() {
    const a = this.current;
    const skills = {};
    for (const s of this.draft.skills) {
      if (s.skill.trim()) {
        skills[s.skill.trim()] = Number(s.level);
      }
    }
    const capacity = {};
    for (const ch of CHANNELS) {
      if (this.draft.capacity[ch] !== undefined && this.draft.capacity[ch] !== '') {
        capacity[ch] = Number(this.draft.capacity[ch]);
      }
    }
    try {
      await this.api.put(`/agents/${a.id}/profile`, { displayName: this.draft.displayName.trim(), skills, capacity });
      if (this.draft.role !== a.role) {
        await this.api.put(`/agents/${a.id}/role`, { role: this.draft.role });
      }
      const member = this.draft.memberOf;
      if (member && JSON.stringify([...member].sort()) !== JSON.stringify([...this.draft.memberWas].sort())) {
        await this.api.put(`/agents/${a.id}/queues`, { queues: member });
        this.setDraft({ memberWas: [...member] });
      }
      const phone = this.draft.phone.trim();
      if (phone !== (this.draft.phoneWas || '')) {
        await this.api.put(`/agents/${a.id}/phone`, { endpoint: phone || null });
        this.setDraft({ phoneWas: phone });
      }
      this.done(`${this.draft.displayName} was saved.`);
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  async resetPassword() {
    const a = this.current;
    try {
      await this.api.put(`/agents/${a.id}/password`, { password: this.draft.password });
      this.setDraft({ password: '' });
      this.done(`The password of ${a.username} was reset; their sessions ended.`);
    } catch (err) {
      this.fail(err);
    }
  }

  async setActive(a, active) {
    try {
      await this.api.post(`/agents/${a.id}/${active ? 'enable' : 'disable'}`, {});
      this.done(`${a.username} is ${active ? 'enabled' : 'disabled'}.`);
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  async endSessions(a) {
    try {
      await this.api.del(`/agents/${a.id}/sessions`);
      this.done(`Every session of ${a.username} ended.`);
    } catch (err) {
      this.fail(err);
    }
  }

  render() {
    return html`
      <section class="card admin" data-testid="staff-admin">
        <h2>Staff <button class="link" @click=${() => { this.creating = !this.creating; }}>${this.creating ? 'cancel' : 'New member of staff'}</button></h2>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        ${this.creating ? html`
          <form class="admin-form" data-testid="new-staff" @submit=${this.create}>
            <label>Username <input name="username" required autocomplete="off"></label>
            <label>Display name <input name="displayName" required></label>
            <label>Role <select name="role">${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select></label>
            <label>First password <input name="password" type="password" required autocomplete="new-password"
              placeholder="12+ characters, not a common one"></label>
            <button type="submit" class="go">Create</button>
          </form>` : nothing}
        <table class="data" data-testid="staff">
          <thead><tr><th class="left">Username</th><th class="left">Name</th><th class="left">Role</th><th class="left">Skills</th>
            <th class="left">Capacity</th><th class="left">Queues</th><th class="left">Status</th><th></th></tr></thead>
          <tbody>${this.staff.map((a) => html`
            <tr data-username=${a.username} class=${a.id === this.editing ? 'selected' : ''}>
              <td>${a.username}</td><td class="left">${a.displayName}</td><td class="left">${a.role}</td>
              <td class="left wrap">${Object.entries(a.skills || {}).map(([k, v]) => `${k} ${v}`).join(', ') || '–'}</td>
              <td class="left wrap">${CHANNELS.filter((c) => a.capacity?.[c] !== undefined).map((c) => `${CHANNEL_LABELS[c]} ${a.capacity[c]}`).join(', ')}</td>
              <td class="left wrap">${!Array.isArray(a.queues) ? '–' : a.queues.length ? a.queues.join(', ') : 'all'}</td>
              <td class="left">${a.active ? 'active' : html`<span class="badge">disabled</span>`}</td>
              <td><button @click=${() => this.edit(a)}>Edit</button></td>
            </tr>`)}</tbody>
        </table>
        ${this.current && this.draft ? this.renderEditor(this.current) : nothing}
      </section>`;
  }

  renderEditor(a) {
    const d = this.draft;
    return html`
      <div class="admin-editor" data-testid="staff-editor">
        <h3>${a.username} <span class="muted small">since ${when(a.createdAt)}</span></h3>
        <div class="admin-cols">
          <div>
            <label>Display name <input .value=${d.displayName} @input=${(e) => this.setDraft({ displayName: e.target.value })}></label>
            <label>Role <select @change=${(e) => this.setDraft({ role: e.target.value })}>
              ${ROLES.map((r) => html`<option value=${r} ?selected=${r === d.role}>${r}</option>`)}</select></label>
            <label>Phone endpoint <input .value=${d.phone} placeholder="PJSIP/1001" @input=${(e) => this.setDraft({ phone: e.target.value })}></label>
            <fieldset><legend>Capacity per channel</legend>
              ${CHANNELS.map((c) => html`<label class="inline">${CHANNEL_LABELS[c]}
                <input type="number" min="0" max="50" class="num" aria-label="Capacity ${CHANNEL_LABELS[c]}"
                  .value=${d.capacity[c] ?? ''} @input=${(e) => this.setDraft({ capacity: { ...d.capacity, [c]: e.target.value } })}></label>`)}
            </fieldset>
          </div>
          <div>
            <fieldset data-testid="skills"><legend>Skills (proficiency 1 basic – 5 expert)</legend>
              ${d.skills.map((s, i) => html`<div class="row">
                <input aria-label="Skill" .value=${s.skill} @input=${(e) => this.setSkill(i, { skill: e.target.value })}>
                <select aria-label="Proficiency of ${s.skill || 'the new skill'}" @change=${(e) => this.setSkill(i, { level: e.target.value })}>
                  ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n} ?selected=${Number(s.level) === n}>${n}</option>`)}</select>
                <button class="link" @click=${() => this.setDraft({ skills: d.skills.filter((_, j) => j !== i) })}>remove</button>
              </div>`)}
              <button class="link" @click=${() => this.setDraft({ skills: [...d.skills, { skill: '', level: 3 }] })}>Add a skill</button>
            </fieldset>
            ${d.memberOf ? html`<fieldset data-testid="queue-membership"><legend>Queues (none ticked: every queue)</legend>
              ${this.queues.map((q) => html`<label class="inline"><input type="checkbox" .checked=${d.memberOf.includes(q.id)}
                @change=${(e) => this.setDraft({ memberOf: e.target.checked ? [...d.memberOf, q.id] : d.memberOf.filter((x) => x !== q.id) })}>
                ${q.name}</label>`)}
            </fieldset>` : nothing}
          </div>
        </div>
        <div class="row">
          <button class="go" @click=${this.saveProfile}>Save</button>
          <button @click=${() => { this.editing = null; }}>Close</button>
        </div>
        <div class="row">
          <label class="inline">New password <input type="password" autocomplete="new-password" .value=${d.password}
            @input=${(e) => this.setDraft({ password: e.target.value })}></label>
          <button @click=${this.resetPassword} ?disabled=${!d.password}>Reset password</button>
          <button @click=${() => this.endSessions(a)}>End all sessions</button>
          ${a.active
            ? html`<button class="warn" @click=${() => this.setActive(a, false)}>Disable account</button>`
            : html`<button @click=${() => this.setActive(a, true)}>Enable account</button>`}
        </div>
      </div>`;
  }
}

class QueuesAdmin extends LitElement {
  static properties = {
    api: { attribute: false },
    queues: { state: true },
    error: { state: true },
  };

  constructor() {
    super();
    this.queues = [];
    this.error = '';
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
      const queues = await this.api.get('/queues');
      this.queues = queues;
      // Who serves each queue (routing profiles): assigned agents, and those who serve every queue.
      const members = await Promise.all(queues.map((q) => this.api.get(`/queues/${encodeURIComponent(q.id)}/members`)
        .then((m) => m.members).catch(() => null)));
      this.queues = queues.map((q, i) => ({ ...q, members: members[i] }));
    } catch (err) {
      this.error = err.message;
    }
  }

  render() {
    return html`
      <section class="card admin" data-testid="queues-admin">
        <h2>Queues</h2>
        <p class="muted">Queues, their service-level targets and maximum waits are part of the routing rules, versioned
          with them: change them on the <a href="#/admin/rules">Routing rules</a> page (simulate, publish, roll back).</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <table class="data">
          <thead><tr><th class="left">Queue</th><th class="left">Name</th><th>Service level</th><th>Max wait</th>
            <th class="left">Served by</th></tr></thead>
          <tbody>${this.queues.map((q) => html`<tr data-queue=${q.id}><td>${q.id}</td><td class="left">${q.name}</td>
            <td>${q.serviceLevelPercent}% within ${q.serviceLevelSeconds} s</td><td>${Math.round(q.maxWaitSeconds / 60)} min</td>
            <td class="left wrap">${servedBy(q.members)}</td></tr>`)}</tbody>
        </table>
      </section>`;
  }
}

/** "Alice Agent, Bob Berger (+3 serving every queue)": who is assigned to a queue, and who serves all of them. */
function servedBy(members) {
  if (!members) {
    return '–';
  }
  const assigned = members.filter((m) => m.assigned).map((m) => m.displayName || m.username);
  const everyQueue = members.length - assigned.length;
  const all = everyQueue ? `${everyQueue} serving every queue` : '';
  return assigned.length ? `${assigned.join(', ')}${all ? ` (+${all})` : ''}` : all || 'nobody';
}

customElements.define('sb-staff-admin', StaffAdmin);
customElements.define('sb-queues-admin', QueuesAdmin);
