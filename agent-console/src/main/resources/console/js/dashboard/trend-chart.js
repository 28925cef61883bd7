// <sb-trend-chart>: one line per queue over the dashboard's history (Chart.js from its WebJar).
import { LitElement, html } from 'lit';
import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const COLORS = ['#1f6feb', '#1a7f37', '#b35900', '#8250df', '#c62828', '#0a7ea4', '#6b7280'];

class TrendChart extends LitElement {
  static properties = {
    series: { attribute: false },
    queues: { attribute: false },
    field: { type: String },
    percent: { type: Boolean },
  };

  constructor() {
    super();
    this.series = {};
    this.queues = [];
    this.field = 'waiting';
    this.percent = false;
  }

  createRenderRoot() {
    return this;
  }

  render() {
    return html`<canvas aria-label=${`${this.field} over time`}></canvas>`;
  }

  firstUpdated() {
    this.chart = new Chart(this.querySelector('canvas'), {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: true,
        scales: {
          y: this.percent ? { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } : { beginAtZero: true, ticks: { precision: 0 } },
          x: { ticks: { maxTicksLimit: 8 } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    this.redraw();
  }

  updated(changed) {
    if (this.chart && (changed.has('series') || changed.has('queues'))) {
      this.redraw();
    }
  }

  redraw() {
    const times = [...new Set(Object.values(this.series || {}).flat().map((p) => p.at))].sort();
    this.chart.data.labels = times.map((t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    this.chart.data.datasets = (this.queues || []).map((q, i) => {
      const byTime = new Map((this.series?.[q] || []).map((p) => [p.at, p[this.field]]));
      return {
        label: q,
        data: times.map((t) => {
          const v = byTime.get(t);
          return v ?? null;
        }),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        pointRadius: 0,
        borderWidth: 2,
      };
    });
    this.chart.update('none');
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = null;
  }
}

customElements.define('sb-trend-chart', TrendChart);
