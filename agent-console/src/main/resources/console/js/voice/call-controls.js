// <sb-call-controls>: a voice call's state (ringing, talking, on hold, ended) with its running duration, and the
// controls the viewer may use: the agent's Hold / Resume / Hang up, a supervisor's Listen / Whisper / Barge (their own
// phone rings). State comes from the hub's `call_state` frames (docs/websocket.md), kept per call in `callStates` so
// a frame that arrives before the workspace opens (ringing, talking at the answer) is not lost.
import { LitElement, html, nothing } from 'lit';

/** The latest call_state frame of every call this console heard of, by interaction id. */
export const callStates = new Map();

const WORDS = { ringing: 'Ringing', talking: 'Talking', on_hold: 'On hold', ended: 'Call ended' };

/** Remembers a call_state frame; returns it. */
export function rememberCallState(frame) {
  callStates.set(frame.interactionId, frame);
  return frame;
}

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

class CallControls extends LitElement {
  static properties = {
    api: { attribute: false },
    socket: { attribute: false },
    interactionId: { attribute: false },
    /** 'agent' (hold, resume, hang up) or 'supervisor' (listen, whisper, barge). */
    mode: { attribute: false },
    call: { state: true },
    busy: { state: true },
    error: { state: true },
    note: { state: true },
  };

  constructor() {
    super();
    this.mode = 'agent';
    this.call = null;
    this.busy = false;
    this.error = '';
    this.note = '';
    this.onFrame = (e) => {
      if (e.detail.interactionId === this.interactionId) {
        this.call = rememberCallState(e.detail);
      }
    };
  }

  createRenderRoot() {
    return this;
  }

  connectedCallback() {
    super.connectedCallback();
    this.call = callStates.get(this.interactionId) || null;
    this.socket?.addEventListener('call_state', this.onFrame);
    // The duration counts on the hub's clock (socket.now() corrects for this machine's clock).
    this.tick = setInterval(() => this.requestUpdate(), 1000);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.socket?.removeEventListener('call_state', this.onFrame);
    clearInterval(this.tick);
  }

  now() {
    return this.socket?.now ? this.socket.now() : Date.now();
  }

  async act(action) {
    this.busy = true;
    this.error = '';
    try {
      await this.api.post(`/interactions/${this.interactionId}/call/${action}`, {});
      this.note = action === 'listen' || action === 'whisper' || action === 'barge' ? 'Your phone rings: answer it to join.' : '';
    } catch (e) {
      this.error = `Could not ${action}: ${e.message}`;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const c = this.call;
    const state = c?.state;
    const talked = c?.talkingSince && state !== 'ended' ? duration((this.now() - Date.parse(c.talkingSince)) / 1000) : null;
    // A supervisor who starts watching mid-call has heard no frame yet: the hub refuses (409) what the call cannot do.
    const live = state === 'talking' || state === 'on_hold' || (this.mode === 'supervisor' && !state);
    return html`
      <div class="call-controls" data-testid="call-controls">
        <p><span class="call-state ${state || 'unknown'}" data-testid="call-state">${state ? WORDS[state] || state : 'No call state yet'}</span>
          ${talked ? html` <span class="muted" data-testid="call-duration">${talked}</span>` : nothing}
          ${c?.recording ? html` <span class="badge" title=${c.recording} data-testid="call-recording">recorded</span>` : nothing}</p>
        ${this.mode === 'agent' ? html`
          ${state === 'talking' ? html`<button ?disabled=${this.busy} @click=${() => this.act('hold')} data-testid="call-hold">Hold</button>` : nothing}
          ${state === 'on_hold' ? html`<button ?disabled=${this.busy} @click=${() => this.act('resume')} data-testid="call-resume">Resume</button>` : nothing}
          ${state !== 'ended' ? html`<button class="warn" ?disabled=${this.busy} @click=${() => this.act('hangup')} data-testid="call-hangup">Hang up</button>` : nothing}` : html`
          ${live ? html`
            <button ?disabled=${this.busy} @click=${() => this.act('listen')} data-testid="call-listen">Listen</button>
            <button ?disabled=${this.busy} @click=${() => this.act('whisper')} data-testid="call-whisper">Whisper</button>
            <button ?disabled=${this.busy} @click=${() => this.act('barge')} data-testid="call-barge">Barge</button>` : nothing}`}
        ${this.note ? html`<p class="muted small" role="status">${this.note}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert" data-testid="call-error">${this.error}</p>` : nothing}
      </div>`;
  }
}

customElements.define('sb-call-controls', CallControls);
