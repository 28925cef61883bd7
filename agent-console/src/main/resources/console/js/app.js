// <sb-app>: sign-in, then the agent console or (for supervisors and admins) the dashboard, chosen by the
// hash (#/console, #/dashboard). One WebSocket per tab, shared by both views.
import { LitElement, html, nothing } from 'lit';
import { Api, ApiError, currentSession, forgetSession, login } from './api.js';
import { AgentSocket } from './socket.js';
import { unlockAudio } from './notify.js';
import './agent/agent-console.js';
import './dashboard/supervisor-dashboard.js';
import './agent/conversation-search.js';
import './reports/reports-page.js';
import './admin/admin-workspace.js';

class SwitchboardApp extends LitElement {
  static properties = {
    session: { state: true },
    view: { state: true },
    hash: { state: true },
    connection: { state: true },
    loginError: { state: true },
    busy: { state: true },
  };

  constructor() {
    super();
    this.session = currentSession();
    this.view = viewFromHash();
    this.connection = 'closed';
    this.loginError = '';
    this.busy = false;
    this.hash = location.hash;
    this.onHash = () => { this.view = viewFromHash(); this.hash = location.hash; };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    if (this.session) {
      this.start();
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    this.socket?.close();
  }

  start() {
    this.api = new Api(this.session.token, () => this.signedOut('Your session ended. Please sign in again.'));
    this.socket = new AgentSocket(this.session.token);
    this.socket.addEventListener('status', (e) => { this.connection = e.detail.status; });
    this.socket.addEventListener('unauthenticated', () => this.signedOut('Your session ended. Please sign in again.'));
    this.socket.connect();
    // The display name (for canned responses' {{agent.name}}); the login answer has the username only.
    this.api.get(`/agents/${this.session.user.id}`).then((a) => {
      this.session = { ...this.session, user: { ...this.session.user, displayName: a.displayName } };
    }).catch(() => {});
  }

  signedOut(message) {
    this.socket?.close();
    this.socket = null;
    forgetSession();
    this.session = null;
    this.loginError = message || '';
  }

  async submitLogin(e) {
    e.preventDefault();
    // The sign-in click is the user gesture browsers want before a page may play sound: offers ring from now on.
    unlockAudio();
    const data = new FormData(e.target);
    this.busy = true;
    this.loginError = '';
    try {
      this.session = await login(String(data.get('username')), String(data.get('password')));
      this.start();
    } catch (err) {
      this.loginError = err instanceof ApiError && err.status === 401 ? 'Wrong username or password.' : err.message;
    } finally {
      this.busy = false;
    }
  }

  async logout() {
    // Signing out ends the agent's day: offline first (the hub also does so when the session ends), so no
    // offer waits for a console that is gone.
    await Promise.race([this.socket?.command('state', { state: 'offline' }).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await this.api?.logout();
    this.signedOut('');
  }

  isAdmin() {
    return this.session?.user?.role === 'admin';
  }

  isSupervisor() {
    return ['supervisor', 'admin'].includes(this.session?.user?.role);
  }

  render() {
    if (!this.session) {
      return html`
        <main class="login">
          <h1>Switchboard</h1>
          <form id="login" @submit=${this.submitLogin} autocomplete="on">
            <label>Username <input name="username" autocomplete="username" required autofocus></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit" ?disabled=${this.busy}>Sign in</button>
            <p class="error" role="alert">${this.loginError}</p>
          </form>
          <ul class="links">
            <li><a href="/api/v1/openapi.yaml">API description (OpenAPI)</a></li>
            <li><a href="/health">Health</a></li>
          </ul>
        </main>`;
    }
    // Supervisors and admins land on the dashboard; #/console takes them to their own console.
    // The admin workspace is for admins only (the hub refuses its calls to anyone else as well).
    const view = this.view === 'search' || this.view === 'reports' ? this.view
      : this.view === 'admin' ? (this.isAdmin() ? 'admin' : this.isSupervisor() ? 'dashboard' : 'console')
        : this.isSupervisor() ? (this.view || 'dashboard') : 'console';
    return html`
      <header class="topbar">
        <strong class="brand">Switchboard</strong>
        <nav>
          <a href="#/console" class=${view === 'console' ? 'active' : ''}>Console</a>
          ${this.isSupervisor() ? html`<a href="#/dashboard" class=${view === 'dashboard' ? 'active' : ''}>Dashboard</a>` : nothing}
          <a href="#/search" class=${view === 'search' ? 'active' : ''}>Search</a>
          <a href="#/reports" class=${view === 'reports' ? 'active' : ''}>Reports</a>
          ${this.isAdmin() ? html`<a href="#/admin" class=${view === 'admin' ? 'active' : ''}>Admin</a>` : nothing}
        </nav>
        <span class="connection ${this.connection}" data-testid="connection">${connectionLabel(this.connection)}</span>
        <span class="who">${this.session.user.username} · ${this.session.user.role}</span>
        <button class="link" @click=${this.logout}>Sign out</button>
      </header>
      ${view === 'dashboard'
        ? html`<sb-dashboard .api=${this.api} .socket=${this.socket}></sb-dashboard>`
        : nothing}
      ${view === 'reports' ? html`<sb-reports .api=${this.api} .user=${this.session.user}></sb-reports>` : nothing}
      ${view === 'admin' ? html`<sb-admin .api=${this.api} page=${adminPage()}></sb-admin>` : nothing}
      ${view === 'search' ? html`<sb-conversation-search .api=${this.api} .user=${this.session.user}></sb-conversation-search>` : nothing}
      <sb-agent-console .api=${this.api} .socket=${this.socket} .user=${this.session.user} ?hidden=${view !== 'console'}></sb-agent-console>`;
  }
}

/** The view the address asks for: 'dashboard', 'console', 'search', 'admin', or null (the role's own). */
function viewFromHash() {
  if (location.hash === '#/admin' || location.hash.startsWith('#/admin/')) {
    return 'admin';
  }
  return { '#/dashboard': 'dashboard', '#/console': 'console', '#/search': 'search', '#/reports': 'reports' }[location.hash] || null;
}

/** The admin workspace's page: #/admin/rules → 'rules'. */
function adminPage() {
  return location.hash.startsWith('#/admin/') ? location.hash.slice('#/admin/'.length) : 'staff';
}

function connectionLabel(status) {
  return { open: 'Connected', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' }[status] || status;
}

customElements.define('sb-app', SwitchboardApp);
