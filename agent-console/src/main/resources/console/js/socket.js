// The console's end of the agent WebSocket protocol v1 (docs/websocket.md): authenticates with the login
// token, pings at the rate the hub asks for, matches replies to commands by `ref`, reconnects with backoff
// and lets the hub's snapshot bring the console up to date after every (re)connect.
//
// Events (CustomEvent, the frame in `detail`): one per server frame type (`hello`, `snapshot`, `offer`,
// `offer_withdrawn`, `assigned`, `state`, `message`, `message_status`, `dashboard`, ...), plus
// `status` ({status: 'connecting'|'open'|'reconnecting'|'closed', code, reason}) and `unauthenticated`.

const FATAL_CLOSES = new Set([4400, 4401]);

export class AgentSocket extends EventTarget {
  constructor(token, url = defaultUrl()) {
    super();
    this.token = token;
    this.url = url;
    this.status = 'closed';
    this.pending = new Map();
    this.nextRef = 1;
    this.attempt = 0;
    this.clockOffsetMs = 0;
    this.stopped = false;
  }

  /** The hub's clock now, as epoch millis (for countdowns that match the hub's expiresAt). */
  now() {
    return Date.now() + this.clockOffsetMs;
  }

  connect() {
    this.stopped = false;
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.send({ type: 'auth', token: this.token, v: 1, ref: 'auth' });
    };
    ws.onmessage = (e) => this.onFrame(e.data);
    ws.onclose = (e) => this.onClose(ws, e.code, e.reason);
    ws.onerror = () => {};
  }

  /** Closes for good (logout, page leaving). */
  close() {
    this.stopped = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.ws?.close(1000, 'console closed');
    this.setStatus('closed');
  }

  /**
   * Sends a command; resolves with the `ok`/`pong` frame, rejects with an Error carrying the hub's error
   * frame (`code`, `field`) or a timeout.
   */
  command(type, fields = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.status !== 'open') {
      return Promise.reject(Object.assign(new Error('not connected to the hub'), { code: 'not-connected' }));
    }
    const ref = `c${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(Object.assign(new Error(`the hub did not answer ${type}`), { code: 'timeout' }));
      }, 10000);
      this.pending.set(ref, { resolve, reject, timer });
      this.send({ ...fields, type, ref });
    });
  }

  send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
    }
  }

  onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'hello') {
      this.attempt = 0;
      this.clockOffsetMs = Date.parse(frame.serverTime) - Date.now();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), Math.max(1, frame.heartbeatSeconds || 2) * 1000);
      this.setStatus('open');
    }
    if (frame.ref !== undefined && this.pending.has(frame.ref) && frame.type !== 'snapshot' && frame.type !== 'hello') {
      const p = this.pending.get(frame.ref);
      this.pending.delete(frame.ref);
      clearTimeout(p.timer);
      if (frame.type === 'error') {
        p.reject(Object.assign(new Error(frame.message), { code: frame.code, field: frame.field }));
      } else {
        p.resolve(frame);
      }
    }
    this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
  }

  onClose(ws, code, reason) {
    if (ws !== this.ws) {
      return;
    }
    clearInterval(this.pingTimer);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(Object.assign(new Error('connection to the hub lost'), { code: 'not-connected' }));
    }
    this.pending.clear();
    if (this.stopped) {
      return;
    }
    if (FATAL_CLOSES.has(code)) {
      this.setStatus('closed', code, reason);
      if (code === 4401) {
        this.dispatchEvent(new CustomEvent('unauthenticated', { detail: { code, reason } }));
      }
      return;
    }
    this.attempt += 1;
    const delay = Math.min(10000, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() * 0.5);
    this.setStatus('reconnecting', code, reason);
    this.retryTimer = setTimeout(() => this.connect(), code === 1001 ? 0 : delay);
  }

  setStatus(status, code, reason) {
    this.status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: { status, code, reason } }));
  }
}

function defaultUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`;
}
