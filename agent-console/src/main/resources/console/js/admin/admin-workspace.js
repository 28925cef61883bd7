// <sb-admin>: the admin workspace (#/admin, admins only; the hub checks the role on every call). One page per
// concern, chosen by the hash (#/admin/staff, #/admin/rules ...): staff, queues, routing rules, console settings,
// API keys, webhooks and the audit log. Everything here goes through the same REST API integrations use.
import { LitElement, html } from 'lit';
import './staff-admin.js';
import './rules-editor.js';
import './settings-editor.js';
import './api-keys-admin.js';
import './webhooks-admin.js';
import './audit-log.js';

export const ADMIN_PAGES = [
  ['staff', 'Staff'],
  ['queues', 'Queues'],
  ['rules', 'Routing rules'],
  ['settings', 'Console settings'],
  ['keys', 'API keys'],
  ['webhooks', 'Webhooks'],
  ['audit', 'Audit log'],
];

class AdminWorkspace extends LitElement {
  static properties = {
    api: { attribute: false },
    page: {},
  };

  createRenderRoot() {
    return this;
  }

  render() {
    const page = ADMIN_PAGES.some(([k]) => k === this.page) ? this.page : 'staff';
    return html`
      <nav class="admin-nav" aria-label="Admin">
        ${ADMIN_PAGES.map(([k, label]) => html`<a href="#/admin/${k}" class=${k === page ? 'active' : ''}
          aria-current=${k === page ? 'page' : 'false'}>${label}</a>`)}
      </nav>
      ${this.renderPage(page)}`;
  }

  renderPage(page) {
    switch (page) {
      case 'queues': return html`<sb-queues-admin .api=${this.api}></sb-queues-admin>`;
      case 'rules': return html`<sb-rules-editor .api=${this.api}></sb-rules-editor>`;
      case 'settings': return html`<sb-settings-editor .api=${this.api}></sb-settings-editor>`;
      case 'keys': return html`<sb-api-keys-admin .api=${this.api}></sb-api-keys-admin>`;
      case 'webhooks': return html`<sb-webhooks-admin .api=${this.api}></sb-webhooks-admin>`;
      case 'audit': return html`<sb-audit-log .api=${this.api}></sb-audit-log>`;
      default: return html`<sb-staff-admin .api=${this.api}></sb-staff-admin>`;
    }
  }
}

customElements.define('sb-admin', AdminWorkspace);
