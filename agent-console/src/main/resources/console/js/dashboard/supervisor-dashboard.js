// <sb-dashboard>: the supervisor's live view. Every second the hub pushes a `dashboard` frame (docs/
// dashboard.md defines each figure): per queue waiting, longest wait, service level today and last 30 min,
// ASA, abandon rate, offered/answered/abandoned, handled by channel and live Erlang C staffing; agents by
// state with time in state and load against capacity; charts of waiting and service level over time.
// Actions: force an agent's state, move a waiting interaction to another queue, watch a chat read-only (in a
// panel beside the figures, never at the page's bottom), and read and dismiss messages the channels set aside
// (unreadable email, stray bounces). The queue figures and the staffing come first, in two tables that fit a
// 1366-px screen; agents whose console is closed are marked absent and not counted in their state.
import { LitElement, html, nothing } from 'lit';
import { clock, percent, CHANNEL_LABELS } from '../format.js';
import './trend-chart.js';
import './watch-panel.js';

const FORCE_STATES = [['available', 'Available'], ['break', 'Break'], ['offline', 'Offline']];
/** How a state reads in a sentence ("Alice is now on break"). */
const STATE_PHRASES = { available: 'available', busy: 'busy', break: 'on break', offline: 'offline', after_call_work: 'in after-call work' };

class SupervisorDashboard extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    snapshot: { state: true },
    history: { state: true },
    waitingList: { state: true },
    workingList: { state: true },
    watching: { state: true },
    notice: { state: true },
    quarantine: { state: true },
  };

  constructor() {
    super();
    this.snapshot = null;
    this.history = {};
    this.waitingList = [];
    this.workingList = [];
    this.quarantine = [];
    this.watching = null;
    this.notice = '';
    this.onFrame = (e) => this.frame(e.detail);
    this.onStatus = (e) => { if (e.detail.status === 'open') this.subscribe(); };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.socket.addEventListener('dashboard', this.onFrame);
    this.socket.addEventListener('status', this.onStatus);
    if (this.socket.status === 'open') {
      this.subscribe();
    }
    this.loadLists();
    this.listTimer = setInterval(() => this.loadLists(), 3000);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.socket.removeEventListener('dashboard', this.onFrame);
    this.socket.removeEventListener('status', this.onStatus);
    clearInterval(this.listTimer);
    this.socket.command('dashboard_unsubscribe').catch(() => {});
  }

  subscribe() {
    this.socket.command('dashboard_subscribe').catch((e) => { this.notice = `The live dashboard is not available: ${e.message}`; });
  }

  frame(f) {
    if (f.history) {
      const h = {};
      for (const [queue, points] of Object.entries(f.history.points || {})) {
        h[queue] = points.map((p) => ({ at: p.at, waiting: p.waiting, serviceLevel30m: p.serviceLevel30m }));
      }
      this.history = h;
      this.historyMinutes = f.history.minutes || 60;
    } else if (f.historySample) {
      const h = { ...this.history };
      const cutoff = Date.parse(f.historySample.at) - (this.historyMinutes || 60) * 60000;
      for (const [queue, v] of Object.entries(f.historySample.queues || {})) {
        h[queue] = [...(h[queue] || []), { at: f.historySample.at, ...v }].filter((p) => Date.parse(p.at) >= cutoff);
      }
      this.history = h;
    }
    this.snapshot = { ...f, agents: this.agentsAfter(f) };
  }

  // Most ticks carry only the agents that changed since the previous tick (agentsDelta); the whole list
  // comes on the first frame and every 5 s. After a missed tick the list stays as it was until the next whole one.
  agentsAfter(f) {
    if (!f.agentsDelta) {
      this.agentsTick = f.tick;
      return f.agents || [];
    }
    const before = this.snapshot?.agents || [];
    if (this.agentsTick == null || f.tick !== this.agentsTick + 1) {
      this.agentsTick = null;
      return before;
    }
    this.agentsTick = f.tick;
    const byId = new Map(before.map((a) => [a.id, a]));
    (f.agentsRemoved || []).forEach((id) => byId.delete(id));
    (f.agents || []).forEach((a) => byId.set(a.id, a));
    const key = (a) => a.username ?? `~${a.id}`;
    return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  async loadLists() {
    try {
      const [queued, offered, assigned] = await Promise.all([
        this.api.get('/interactions?state=queued&limit=100'),
        this.api.get('/interactions?state=offered&limit=100'),
        this.api.get('/interactions?state=assigned&limit=100'),
      ]);
      this.waitingList = [...queued.items, ...offered.items].sort((a, b) => (a.queuedAt || '').localeCompare(b.queuedAt || ''));
      this.workingList = assigned.items;
    } catch (e) {
      this.notice = `Interaction lists could not be read: ${e.message}`;
    }
    try {
      this.quarantine = (await this.api.get('/quarantine?limit=50')).items;
    } catch (e) {
      this.quarantine = [];
    }
  }

  async dismiss(item) {
    try {
      await this.api.post(`/quarantine/${item.id}/dismiss`);
      this.quarantine = this.quarantine.filter((q) => q.id !== item.id);
    } catch (e) {
      this.notice = `Could not dismiss: ${e.message}`;
    }
  }

  async downloadRaw(item) {
    try {
      const res = await fetch(`/api/v1/quarantine/${item.id}/raw`, { headers: { Authorization: `Bearer ${this.api.token}` } });
      if (!res.ok) {
        throw new Error(`the hub answered ${res.status}`);
      }
      const url = URL.createObjectURL(await res.blob());
      Object.assign(document.createElement('a'), { href: url, download: `message-${item.id}.eml` }).click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      this.notice = `Could not download: ${e.message}`;
    }
  }

  async force(agent, state) {
    const body = state === 'break' ? { state, reason: 'set by supervisor' } : { state };
    try {
      await this.api.put(`/agents/${agent.id}/state`, body);
      this.notice = `${agent.displayName} is now ${STATE_PHRASES[state] || state}.`;
    } catch (e) {
      this.notice = `Could not set ${agent.displayName}'s state: ${e.message}`;
    }
  }

  async move(interaction, queue) {
    if (!queue || queue === interaction.queue) {
      return;
    }
    try {
      await this.api.post(`/interactions/${interaction.id}/move`, { queue });
      this.notice = `Moved to ${queue}.`;
      this.loadLists();
    } catch (e) {
      this.notice = `Could not move: ${e.message}`;
    }
  }

  render() {
    const s = this.snapshot;
    if (!s) {
      return html`<p class="muted">${this.notice || 'Waiting for the hub…'}</p>`;
    }
    const now = Date.parse(s.at);
    return html`
      ${this.notice ? html`<div class="notice" role="status">${this.notice}
        <button class="link" @click=${() => { this.notice = ''; }}>dismiss</button></div>` : nothing}
      <div class="dash-grid ${this.watching ? 'with-watch' : ''}">
        <section class="card">
          <h2>Queues <span class="muted small">as of ${new Date(s.at).toLocaleTimeString()} · today = since midnight ${s.zone}</span></h2>
          ${this.renderQueues(s)}
          <h2 class="sub">Staffing <span class="muted small">Erlang C over the last ${s.windowMinutes} min: agents needed to meet each queue's target now</span></h2>
          ${this.renderStaffing(s)}
        </section>
        <section class="charts">
          <div class="card"><h2>Waiting</h2>
            <sb-trend-chart .series=${this.history} field="waiting" .queues=${s.queues.map((q) => q.id)}></sb-trend-chart></div>
          <div class="card"><h2>Service level, last 30 min</h2>
            <sb-trend-chart .series=${this.history} field="serviceLevel30m" percent .queues=${s.queues.map((q) => q.id)}></sb-trend-chart></div>
        </section>
        <section class="card">
          <h2>Agents <span class="totals" data-testid="agent-totals">${Object.entries(s.totals?.byState || {}).map(([k, n]) => html`<span class="badge state ${k}" data-state=${k}>${k.replaceAll('_', ' ')} ${n}</span>`)}
            ${s.totals?.absent ? html`<span class="badge state absent" data-state="absent" title="not offline, but the console is closed or not answering">absent ${s.totals.absent}</span>` : nothing}</span></h2>
          ${this.renderAgents(s)}
        </section>
        <section class="card">
          <h2>Waiting interactions</h2>
          ${this.renderWaiting(s, now)}
        </section>
        <section class="card">
          <h2>Being worked</h2>
          ${this.renderWorking(s)}
        </section>
        ${this.quarantine.length ? html`<section class="card" data-testid="quarantine">
          <h2>Messages set aside <span class="muted small">received but not taken in: read them, then dismiss</span></h2>
          ${this.renderQuarantine()}
        </section>` : nothing}
      </div>
      ${this.watching ? html`<aside class="card watch-drawer" aria-label="Watched conversation" data-testid="watch-panel">
        <sb-watch-panel .api=${this.api} .socket=${this.socket} .interactionId=${this.watching}
          @close=${() => { this.watching = null; }}></sb-watch-panel></aside>` : nothing}`;
  }

  renderQueues(s) {
    return html`
      <table class="data" data-testid="queues">
        <thead><tr>
          <th>Queue</th><th>Waiting</th><th>Longest wait</th><th>SL today</th><th>SL 30 min</th><th>ASA</th>
          <th>Abandon rate</th><th>Offered</th><th>Answered</th><th>Abandoned</th><th class="left">Handled by channel</th>
        </tr></thead>
        <tbody>${s.queues.map((q) => {
          const target = q.target?.percent ?? 80;
          const slClass = (v) => (v == null ? '' : v >= target ? 'good' : 'bad');
          return html`<tr data-queue=${q.id}>
            <td title=${`target ${q.target?.percent}% within ${q.target?.withinSeconds}s`}>${q.name}</td>
            <td data-field="waiting">${q.waiting}</td>
            <td>${q.longestWaitMs ? clock(q.longestWaitMs) : '–'}</td>
            <td class=${slClass(q.today.serviceLevel)}>${percent(q.today.serviceLevel)}</td>
            <td class=${slClass(q.last30m.serviceLevel)}>${percent(q.last30m.serviceLevel)}</td>
            <td>${q.today.asaMs == null ? '–' : clock(q.today.asaMs)}</td>
            <td>${percent(q.today.abandonRate)}</td>
            <td data-field="offered">${q.today.offered}</td>
            <td data-field="answered">${q.today.answered}</td>
            <td data-field="abandoned">${q.today.abandoned}</td>
            <td class="left">${Object.entries(q.handledByChannel || {}).map(([ch, n]) => `${CHANNEL_LABELS[ch] || ch} ${n}`).join(' · ') || '–'}</td>
          </tr>`;
        })}</tbody>
      </table>`;
  }

  // Erlang C per queue, in a table of its own so that every column fits a 1366-px screen beside the service figures.
  renderStaffing(s) {
    return html`
      <table class="data" data-testid="staffing">
        <thead><tr>
          <th>Queue</th><th title="arrivals per hour over the window">Arrivals/h</th><th title="average handle time">AHT</th><th>Erlangs</th>
          <th title="Erlang C: agents needed now to meet the target">Needed</th>
          <th title="agents serving the queue with their console open and not offline">Staffed</th>
          <th title="of those, available now">Available</th><th title="staffed − needed">Gap</th>
        </tr></thead>
        <tbody>${s.queues.map((q) => {
          const st = q.staffing || {};
          return html`<tr data-queue=${q.id}>
            <td>${q.name}</td>
            <td data-field="arrivals">${st.arrivalsPerHour == null ? '–' : Math.round(st.arrivalsPerHour * 10) / 10}</td>
            <td title=${st.ahtSource || ''}>${st.ahtSeconds == null ? '–' : clock(st.ahtSeconds * 1000)}</td>
            <td>${st.erlangs == null ? '–' : Math.round(st.erlangs * 100) / 100}</td>
            <td data-field="needed" title=${st.slotsNeeded == null ? '' : `${st.slotsNeeded} contacts at once ÷ ${Math.round(st.concurrency * 100) / 100} per agent`}>${st.agentsNeeded ?? '–'}</td>
            <td data-field="staffed">${st.staffed ?? '–'}</td>
            <td data-field="available">${st.available ?? '–'}</td>
            <td data-field="gap" class=${st.gap < 0 ? 'bad' : ''}>${st.gap ?? '–'}</td>
          </tr>`;
        })}</tbody>
      </table>`;
  }

  renderAgents(s) {
    return html`
      <table class="data" data-testid="agents">
        <thead><tr><th>Agent</th><th class="left">State</th><th>Time in state</th><th>Console</th>
          <th class="left">Load / capacity</th><th>Assigned</th><th class="left">Force state</th></tr></thead>
        <tbody>${s.agents.map((a) => html`<tr data-agent=${a.username}>
          <td>${a.displayName}</td>
          <td class="left"><span class="state ${a.present || a.state === 'offline' ? a.state : 'absent'}">${a.state.replaceAll('_', ' ')}${a.reason && a.state === 'break' ? ` (${a.reason})` : ''}</span>
            ${!a.present && a.state !== 'offline' ? html`<em class="muted small" data-testid="absent" title="the console is closed or not answering: no offers reach this agent">absent</em>` : nothing}</td>
          <td>${clock(a.since ? Math.max(0, Date.parse(s.at) - Date.parse(a.since)) : a.timeInStateMs)}</td>
          <td>${a.present ? 'connected' : '–'}</td>
          <td class="left">${Object.entries(a.capacity || {}).filter(([, n]) => n > 0).map(([ch, n]) => `${CHANNEL_LABELS[ch] || ch} ${a.load?.[ch] || 0}/${n}`).join(' · ')}</td>
          <td>${a.assigned}</td>
          <td class="left">${FORCE_STATES.filter(([st]) => st !== a.state).map(([st, label]) => html`
            <button @click=${() => this.force(a, st)}>${label}</button>`)}</td>
        </tr>`)}</tbody>
      </table>`;
  }

  renderWaiting(s, now) {
    if (!this.waitingList.length) {
      return html`<p class="muted" data-testid="waiting">Nobody is waiting.</p>`;
    }
    return html`
      <table class="data" data-testid="waiting">
        <thead><tr><th>Since</th><th class="left">Channel</th><th class="left">Queue</th><th class="left">Subject</th><th class="left">Move to</th></tr></thead>
        <tbody>${this.waitingList.map((i) => html`<tr>
          <td>${clock(now - Date.parse(i.queuedAt || i.createdAt))}</td>
          <td class="left"><span class="channel ${i.channel}">${CHANNEL_LABELS[i.channel]}</span></td>
          <td class="left">${i.queue}${i.state === 'offered' ? html` <em class="muted">offered</em>` : nothing}</td>
          <td class="left">${i.subject || ''}</td>
          <td class="left"><select @change=${(e) => this.move(i, e.target.value)}>
            <option value="">–</option>
            ${s.queues.filter((q) => q.id !== i.queue).map((q) => html`<option value=${q.id}>${q.name}</option>`)}
          </select></td>
        </tr>`)}</tbody>
      </table>`;
  }

  renderQuarantine() {
    return html`
      <table class="data">
        <thead><tr><th class="left">Received</th><th class="left">Where</th><th class="left">From</th><th class="left">Subject</th><th class="left">Why</th><th></th></tr></thead>
        <tbody>${this.quarantine.map((q) => html`<tr>
          <td class="left">${new Date(q.receivedAt).toLocaleString()}</td>
          <td class="left">${q.source}</td>
          <td class="left">${q.facts?.From || ''}</td>
          <td class="left">${q.facts?.Subject || ''}</td>
          <td class="left">${q.reason}</td>
          <td class="left"><button @click=${() => this.downloadRaw(q)}>Download</button>
            <button @click=${() => this.dismiss(q)}>Dismiss</button></td>
        </tr>`)}</tbody>
      </table>`;
  }

  renderWorking(s) {
    if (!this.workingList.length) {
      return html`<p class="muted" data-testid="working">No interaction is being worked.</p>`;
    }
    const names = new Map(s.agents.map((a) => [a.id, a.displayName]));
    return html`
      <table class="data" data-testid="working">
        <thead><tr><th class="left">Agent</th><th class="left">Channel</th><th class="left">Queue</th><th>Answered</th><th></th></tr></thead>
        <tbody>${this.workingList.map((i) => html`<tr>
          <td class="left">${names.get(i.agentId) || i.agentId}</td>
          <td class="left"><span class="channel ${i.channel}">${CHANNEL_LABELS[i.channel]}</span></td>
          <td class="left">${i.queue || ''}</td>
          <td>${i.answeredAt ? new Date(i.answeredAt).toLocaleTimeString() : ''}</td>
          <td><button @click=${() => { this.watching = i.id; }}>Watch</button></td>
        </tr>`)}</tbody>
      </table>`;
  }
}

customElements.define('sb-dashboard', SupervisorDashboard);
