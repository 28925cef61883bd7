// Getting the agent's attention for a new offer when the console is in a background tab: a short tone
// (Web Audio, nothing to download) and a desktop notification (after the agent allowed them).

let audio;

/** Asks for notification permission; call from a user gesture (the browser ignores it otherwise). */
export function askPermission() {
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
  if (!audio && window.AudioContext) {
    audio = new AudioContext();
  }
}

function tone() {
  if (!audio) {
    return;
  }
  const now = audio.currentTime;
  [0, 0.18].forEach((offset, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = i === 0 ? 880 : 1175;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.16);
  });
}

/** Rings and shows a notification when the page is hidden; returns whether it did. */
export function offerArrived(title, body, onClick) {
  if (!document.hidden) {
    return false;
  }
  tone();
  if ('Notification' in window && Notification.permission === 'granted') {
    const n = new Notification(title, { body, tag: 'switchboard-offer', requireInteraction: true });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  }
  return true;
}
