// Small formatting helpers shared by the console and the dashboard.

/** 75000 → "1:15"; 3_725_000 → "1:02:05". Negative values count as 0. */
export function clock(ms) {
  const total = Math.max(0, Math.floor((ms ?? 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** An ISO time as the agent's local time of day (with the date when it is not today). */
export function when(iso) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A percentage the hub computed (0–100, or null when nothing counts) as text. */
export function percent(value) {
  return value == null || Number.isNaN(value) ? '–' : `${Math.round(value * 10) / 10}%`;
}

export const CHANNEL_LABELS = { chat: 'Chat', email: 'Email', social: 'Social', voice: 'Voice' };

/** A message's content as one line or block of text. */
export function messageText(content) {
  if (!content) {
    return '';
  }
  switch (content.type) {
    case 'text': return content.text;
    case 'media': return `[${content.mediaType}${content.fileName ? ` ${content.fileName}` : ''}]${content.caption ? ` ${content.caption}` : ''}`;
    case 'location': return `[location ${content.label || ''} ${content.latitude}, ${content.longitude}]`;
    case 'contact': return `[contact card${content.name ? ` ${content.name}` : ''}${[...(content.phones || []), ...(content.emails || [])].map((x) => ` ${x}`).join('')}]`;
    default: return `[${content.providerType || content.type} message]`;
  }
}

/** The first name of a display name ("Maria Rossi" → "Maria"). */
export function firstName(name) {
  return (name || '').trim().split(/\s+/)[0] || '';
}

const CONTEXT_LABELS = {
  'prechat.name': 'Name given', 'prechat.email': 'Email given', topic: 'Topic', page: 'Came from', language: 'Language',
  'voice.callbackNumber': 'Callback to', 'voice.callback': 'Callback', 'voice.customerNumber': 'Customer number',
  'voice.afterHours': 'Called after hours',
};

/**
 * What the customer told us before an agent answered, from the interaction's attributes: the pre-chat answers,
 * the page the chat started on, the language, and the IVR answers of a call (ivr.*), as [label, value] pairs.
 * Channel bookkeeping (mailbox ids and the like) is left out.
 */
export function contextLines(attributes) {
  const out = [];
  for (const [key, label] of Object.entries(CONTEXT_LABELS)) {
    if (attributes?.[key]) {
      out.push([label, String(attributes[key])]);
    }
  }
  for (const [key, value] of Object.entries(attributes || {})) {
    if (/^(ivr|prechat)[._]/i.test(key) && !(key in CONTEXT_LABELS) && value) {
      out.push([key.replace(/^ivr[._]/i, 'IVR ').replace(/^prechat[._]/i, '').replaceAll('_', ' '), String(value)]);
    }
  }
  return out;
}

/** Why routing sent it here, in one line: the rule, the queue, the priority and the skills it asked for. */
export function routingReason(r) {
  if (!r) {
    return '';
  }
  const skills = (r.requirements || []).map((s) => `${s.skill} ≥ ${s.min}`).join(', ');
  return [r.rule ? `rule “${r.rule}”` : 'no rule matched', r.queue ? `queue ${r.queue}` : '',
    r.priority ? `priority ${r.priority}` : '', skills ? `skills ${skills}` : '', r.transferred ? 'transferred' : '']
    .filter(Boolean).join(' · ');
}
