// <sb-reports>: interval reports for supervisors (docs/reports.md): a range and a dimension, a table, a Chart.js
// chart of one figure, and a CSV export. Agents see only their own figures: the page offers them the agents
// report alone, and the hub refuses anything else (403) whatever the page asks.
import { LitElement, html, nothing } from 'lit';
import { Chart, BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip);

const COLORS = ['#1f6feb', '#1a7f37', '#b35900', '#8250df', '#c62828', '#0a7ea4', '#6b7280', '#9a6700'];

/** Columns shown per dimension: [field, heading, kind]; kind formats the value. */
const COLUMNS = {
  queues: [['offered', 'Offered', 'n'], ['answered', 'Answered', 'n'], ['abandoned', 'Abandoned', 'n'],
    ['serviceLevel', 'Service level', 'pct'], ['asaMs', 'ASA', 'ms'], ['ahtMs', 'AHT', 'ms'], ['transfers', 'Transfers', 'n'],
    ['fcrRate', 'FCR', 'pct'], ['csatAverage', 'CSAT', 'csat'], ['csatResponseRate', 'CSAT responses', 'pct']],
  channels: null, // as queues
  agents: [['answered', 'Answered', 'n'], ['handled', 'Handled', 'n'], ['ahtMs', 'AHT', 'ms'], ['transfers', 'Transfers', 'n'],
    ['occupancy', 'Occupancy', 'pct'], ['utilisation', 'Utilisation', 'pct'], ['csatAverage', 'CSAT', 'csat'],
    ['csatResponseRate', 'CSAT responses', 'pct']],
};
COLUMNS.channels = COLUMNS.queues;

/** Ranges offered, as [from, to) local dates. */
const RANGES = {
  'last-week': 'Last week (Mon–Sun)',
  'this-week': 'This week',
  yesterday: 'Yesterday',
  today: 'Today',
  'last-7': 'Last 7 days',
  'last-30': 'Last 30 days',
  'this-month': 'This month',
  'last-month': 'Last month',
  custom: 'Custom…',
};

function iso(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function addDays(d, n) {
  const x = new Date(d);
  x.setDate(x.getDate() + n);
  return x;
}

/** [from, to) as ISO dates for a named range, relative to `now`. */
export function rangeDates(name, now = new Date()) {
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const monday = addDays(today, -((today.getDay() + 6) % 7));
  switch (name) {
    case 'today': return [iso(today), iso(addDays(today, 1))];
    case 'yesterday': return [iso(addDays(today, -1)), iso(today)];
    case 'this-week': return [iso(monday), iso(addDays(monday, 7))];
    case 'last-7': return [iso(addDays(today, -6)), iso(addDays(today, 1))];
    case 'last-30': return [iso(addDays(today, -29)), iso(addDays(today, 1))];
    case 'this-month': return [iso(new Date(today.getFullYear(), today.getMonth(), 1)), iso(new Date(today.getFullYear(), today.getMonth() + 1, 1))];
    case 'last-month': return [iso(new Date(today.getFullYear(), today.getMonth() - 1, 1)), iso(new Date(today.getFullYear(), today.getMonth(), 1))];
    case 'last-week':
    default: return [iso(addDays(monday, -7)), iso(monday)];
  }
}

function format(kind, v) {
  if (v === null || v === undefined) {
    return '–';
  }
  switch (kind) {
    case 'pct': return `${v.toFixed(1)} %`;
    case 'ms': return v >= 60000 ? `${Math.floor(v / 60000)} min ${Math.round((v % 60000) / 1000)} s` : `${Math.round(v / 1000)} s`;
    case 'csat': return `${v.toFixed(2)} / 5`;
    default: return String(v);
  }
}

class ReportsPage extends LitElement {
  static properties = {
    api: { attribute: false },
    user: { attribute: false },
    range: { state: true },
    from: { state: true },
    to: { state: true },
    dimension: { state: true },
    interval: { state: true },
    metric: { state: true },
    report: { state: true },
    error: { state: true },
    loading: { state: true },
  };

  constructor() {
    super();
    this.range = 'last-week';
    [this.from, this.to] = rangeDates(this.range);
    this.dimension = 'queues';
    this.interval = 'day';
    this.metric = 'answered';
    this.report = null;
    this.error = '';
    this.loading = false;
  }

  createRenderRoot() {
    return this;
  }

  supervisor() {
    return ['supervisor', 'admin'].includes(this.user?.role);
  }

  connectedCallback() {
    super.connectedCallback();
    if (!this.supervisor()) {
      this.dimension = 'agents';
    }
    this.load();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = null;
  }

  query(extra = '') {
    const p = new URLSearchParams({ from: this.from, to: this.to, interval: this.interval });
    return `/reports/${this.dimension}?${p}${extra}`;
  }

  async load() {
    if (!this.api) {
      return;
    }
    this.loading = true;
    this.error = '';
    try {
      this.report = await this.api.get(this.query());
    } catch (e) {
      this.report = null;
      this.error = e.field ? `${e.field}: ${e.message}` : e.message;
    } finally {
      this.loading = false;
    }
  }

  async exportCsv() {
    this.error = '';
    try {
      const res = await fetch(`/api/v1${this.query('&format=csv&bom=true')}`, { headers: { Authorization: `Bearer ${this.api.token}` } });
      if (!res.ok) {
        const problem = await res.json().catch(() => ({}));
        throw new Error(problem.detail || `export failed (${res.status})`);
      }
      const blob = await res.blob();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `switchboard-${this.dimension}-${this.from}-to-${this.to}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (e) {
      this.error = e.message;
    }
  }

  pickRange(name) {
    this.range = name;
    if (name !== 'custom') {
      [this.from, this.to] = rangeDates(name);
      this.load();
    }
  }

  name(row) {
    return row.queue ?? row.channel ?? row.displayName ?? row.username ?? '';
  }

  updated() {
    this.drawChart();
  }

  drawChart() {
    const canvas = this.querySelector('canvas');
    if (!canvas) {
      this.chart?.destroy();
      this.chart = null;
      return;
    }
    if (!this.chart || this.chart.canvas !== canvas) {
      this.chart?.destroy();
      this.chart = new Chart(canvas, {
        type: 'bar',
        data: { labels: [], datasets: [] },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          scales: { y: { beginAtZero: true } }, plugins: { legend: { position: 'bottom' } } },
      });
    }
    const rows = this.report?.rows || [];
    const periods = [...new Set(rows.map((r) => r.periodStart))];
    const names = [...new Set(rows.map((r) => this.name(r)))];
    this.chart.data.labels = periods.map((p) => this.periodLabel(p));
    this.chart.data.datasets = names.map((n, i) => ({
      label: n,
      backgroundColor: COLORS[i % COLORS.length],
      data: periods.map((p) => rows.find((r) => r.periodStart === p && this.name(r) === n)?.[this.metric] ?? null),
    }));
    this.chart.update();
  }

  periodLabel(p) {
    // "2026-11-23T00:00+01:00": the date (and the time below a day), as the hub's zone has it.
    return this.interval === 'day' || this.interval === 'week' ? p.slice(0, 10) : p.slice(0, 16).replace('T', ' ');
  }

  render() {
    const columns = COLUMNS[this.dimension];
    const rows = this.report?.rows || [];
    return html`
      <main class="reports" aria-labelledby="reports-title">
        <h1 id="reports-title">Reports</h1>
        <form class="report-controls" @submit=${(e) => { e.preventDefault(); this.load(); }}>
          <label>Range
            <select data-testid="reports-range" .value=${this.range} @change=${(e) => this.pickRange(e.target.value)}>
              ${Object.entries(RANGES).map(([k, v]) => html`<option value=${k} ?selected=${k === this.range}>${v}</option>`)}
            </select>
          </label>
          <label>From <input type="date" data-testid="reports-from" .value=${this.from} required
            @change=${(e) => { this.from = e.target.value; this.range = 'custom'; }}></label>
          <label>To (excluded) <input type="date" data-testid="reports-to" .value=${this.to} required
            @change=${(e) => { this.to = e.target.value; this.range = 'custom'; }}></label>
          <label>By
            <select data-testid="reports-dimension" @change=${(e) => { this.dimension = e.target.value; this.load(); }}>
              ${this.supervisor()
                ? html`<option value="queues" ?selected=${this.dimension === 'queues'}>Queue</option>
                       <option value="agents" ?selected=${this.dimension === 'agents'}>Agent</option>
                       <option value="channels" ?selected=${this.dimension === 'channels'}>Channel</option>`
                : html`<option value="agents" selected>My figures</option>`}
            </select>
          </label>
          <label>Interval
            <select data-testid="reports-interval" @change=${(e) => { this.interval = e.target.value; this.load(); }}>
              ${[['day', 'Day'], ['week', 'Week'], ['hour', 'Hour'], ['15m', '15 minutes']].map(([k, v]) =>
                html`<option value=${k} ?selected=${k === this.interval}>${v}</option>`)}
            </select>
          </label>
          <button type="submit" data-testid="reports-load" ?disabled=${this.loading}>Show</button>
          <button type="button" data-testid="reports-export" @click=${this.exportCsv}>Export CSV</button>
        </form>
        <p class="error" role="alert" data-testid="reports-error">${this.error}</p>
        ${this.report ? html`<p class="report-meta">Times in ${this.report.zone}; ${rows.length} row${rows.length === 1 ? '' : 's'}.</p>` : nothing}
        <div class="report-chart">
          <label>Chart
            <select data-testid="reports-metric" @change=${(e) => { this.metric = e.target.value; }}>
              ${columns.map(([f, h]) => html`<option value=${f} ?selected=${f === this.metric}>${h}</option>`)}
            </select>
          </label>
          <div class="chart-box"><canvas data-testid="reports-chart" aria-label=${`${this.metric} per ${this.dimension}`}></canvas></div>
        </div>
        <table class="report-table" data-testid="reports-table">
          <thead><tr><th scope="col">Period</th><th scope="col">${{ queues: 'Queue', agents: 'Agent', channels: 'Channel' }[this.dimension]}</th>
            ${columns.map(([, h]) => html`<th scope="col">${h}</th>`)}</tr></thead>
          <tbody>
            ${rows.length === 0
              ? html`<tr><td colspan=${columns.length + 2}>${this.loading ? 'Loading…' : 'Nothing in this range.'}</td></tr>`
              : rows.map((r) => html`<tr data-testid="report-row">
                  <td>${this.periodLabel(r.periodStart)}</td><th scope="row">${this.name(r)}</th>
                  ${columns.map(([f, , kind]) => html`<td data-field=${f}>${format(kind, r[f])}</td>`)}
                </tr>`)}
          </tbody>
        </table>
      </main>`;
  }
}

customElements.define('sb-reports', ReportsPage);
