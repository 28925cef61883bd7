// Canned responses: the placeholders of config/console.yaml filled for one interaction (docs/console.md
// lists them; the hub refuses unknown placeholders when it loads the file).
import { firstName } from '../format.js';

/** The values of every placeholder for this interaction. */
export function placeholderValues({ customer, agentName, interaction }) {
  return {
    'customer.firstName': firstName(customer?.displayName) || 'there',
    'customer.name': customer?.displayName || '',
    'agent.name': agentName || '',
    queue: interaction?.queue || '',
    'interaction.subject': interaction?.subject || '',
  };
}

/** The text with each {{placeholder}} replaced; an unknown one is left as written. */
export function fill(text, values) {
  return text.replace(/\{\{\s*([A-Za-z.]+)\s*\}\}/g, (whole, key) => (key in values ? values[key] : whole));
}

/** The responses for a channel matching what the agent typed after "/" (shortcut or title). */
export function matching(responses, channel, query) {
  const q = (query || '').toLowerCase();
  return (responses || [])
    .filter((r) => !r.channels || r.channels.length === 0 || r.channels.includes(channel))
    .filter((r) => !q || (r.shortcut || '').toLowerCase().includes(q) || r.title.toLowerCase().includes(q));
}
