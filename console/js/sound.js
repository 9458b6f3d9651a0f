/**
 * Short alert tones made with Web Audio (no sound files to load). Browsers only allow sound after the
 * page has been used, so the audio context is unlocked on the first click or key press (login counts).
 */
let context = null;

export function unlockAudio() {
  try {
    context ||= new AudioContext();
    if (context.state === 'suspended') context.resume();
  } catch { /* no audio on this desk: the visual alerts remain */ }
}

function tone(freq, start, length) {
  const osc = context.createOscillator();
  const gain = context.createGain();
  osc.type = 'square';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  osc.connect(gain).connect(context.destination);
  osc.start(start);
  osc.stop(start + length + 0.02);
}

/** A new P1: two short high beeps. */
export function beepP1() {
  if (!context || context.state !== 'running') return;
  const now = context.currentTime;
  tone(1046, now, 0.18);
  tone(1046, now + 0.28, 0.18);
}

/** A unit's panic button: a falling two-tone alarm (repeated by the caller until attended). */
export function alarm() {
  if (!context || context.state !== 'running') return;
  const now = context.currentTime;
  for (let i = 0; i < 3; i += 1) {
    tone(1320, now + i * 0.5, 0.22);
    tone(880, now + i * 0.5 + 0.25, 0.22);
  }
}

for (const type of ['pointerdown', 'keydown']) addEventListener(type, unlockAudio, { capture: true, passive: true });
