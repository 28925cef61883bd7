// Getting the agent's attention for a new offer: a short tone for every offer (Web Audio, nothing to
// download), in front or in the background, at the volume the agent chose (or muted; kept in localStorage,
// so it survives a reload and the next sign-in on this browser), and a desktop notification when the console
// is in a background tab (after the agent allowed them).
//
// Browsers start audio only after a user gesture. The sign-in click unlocks it (`unlockAudio`, called from the
// login form's submit); after a reload, which restores the session without a click, the first click or key
// anywhere unlocks it, and until then the console shows that the sound is waiting for one (`soundState`).

const STORAGE_KEY = 'switchboard.sound';
const listeners = new Set();
let audio;

/** The agent's sound setting: volume 0..100 and muted. */
export function soundSetting() {
  try {
    const s = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    const volume = Number.isFinite(s.volume) ? Math.min(100, Math.max(0, Math.round(s.volume))) : 70;
    return { volume, muted: s.muted === true };
  } catch {
    return { volume: 70, muted: false };
  }
}

/** Changes and keeps the sound setting; returns the new one. */
export function setSound(change) {
  const next = { ...soundSetting(), ...change };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Private mode without storage: the setting lasts for this page.
  }
  notify();
  return soundSetting();
}

/** 'off' (no Web Audio), 'locked' (waiting for a click or key), 'ready'. */
export function soundState() {
  if (!window.AudioContext) {
    return 'off';
  }
  return audio && audio.state === 'running' ? 'ready' : 'locked';
}

/** Calls `fn` whenever the sound state or setting changes; returns a function that stops it. */
export function onSoundChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function notify() {
  listeners.forEach((fn) => {
    try {
      fn();
    } catch {
      // A listener's failure is not the sound's.
    }
  });
}

/** Creates or resumes the audio context; effective when called from a user gesture (click, key). */
export function unlockAudio() {
  if (!window.AudioContext) {
    return;
  }
  if (!audio) {
    audio = new AudioContext();
    audio.onstatechange = notify;
  }
  if (audio.state !== 'running') {
    audio.resume().then(notify, () => {});
  }
  notify();
}

// After a reload the session is restored without a click: the first gesture anywhere unlocks the sound.
for (const type of ['pointerdown', 'keydown']) {
  document.addEventListener(type, () => {
    if (soundState() === 'locked') {
      unlockAudio();
    }
  }, { capture: true });
}

/** Asks for notification permission; call from a user gesture (the browser ignores it otherwise). */
export function askPermission() {
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
  unlockAudio();
}

/** Plays the offer tone at the agent's volume (nothing when muted or audio is not unlocked); returns whether it did. */
export function tone() {
  const { volume, muted } = soundSetting();
  if (!audio || muted || volume === 0) {
    return false;
  }
  const peak = 0.5 * (volume / 100);
  const now = audio.currentTime;
  [0, 0.18].forEach((offset, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = i === 0 ? 880 : 1175;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(Math.max(0.0002, peak), now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.16);
  });
  return true;
}

/** Rings for every offer; also shows a desktop notification when the page is hidden. */
export function offerArrived(title, body, onClick) {
  tone();
  if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
    const n = new Notification(title, { body, tag: 'switchboard-offer', requireInteraction: true });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  }
}
