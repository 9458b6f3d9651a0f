/**
 * The full-screen "Nueva asignación" alert: a loud, unmistakable interruption with vibration and a beep
 * (Web Audio, so no sound file to download). Browsers only play sound after the user has touched the
 * page, so `unlock()` is called from the first taps (login, "Iniciar turno").
 */
import { h, mount } from '/app/js/dom.js';
import { priorityOf } from './card.js';

let audio = null;

export function unlockSound() {
  try {
    audio ||= new (window.AudioContext || window.webkitAudioContext)();
    if (audio.state === 'suspended') audio.resume();
  } catch { /* no Web Audio: vibration and the screen still alert */ }
}

function beep() {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime;
  for (let i = 0; i < 3; i += 1) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.25, start + i * 0.5);
    gain.gain.setValueAtTime(0, start + i * 0.5 + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.5);
    osc.stop(start + i * 0.5 + 0.3);
  }
}

/** Show the alert for an assignment (AssignmentRead, maybe with its incident); `onView` after the tap. */
export function showAssignmentAlert(ctx, root, assignment, onView) {
  const incident = assignment?.incident;
  const priority = incident ? priorityOf(incident.priority) : null;
  const close = () => {
    root.hidden = true;
    mount(root);
    onView?.();
  };
  mount(root, h('div', { class: `alert-screen${priority === 1 ? ' prio-1' : ''}`, role: 'alertdialog', 'aria-labelledby': 'alert-title', 'aria-modal': 'true' },
    h('p', { id: 'alert-title', class: 'alert-title' }, ctx.t('alert.new')),
    incident && h('p', { class: 'alert-what' }, `P${priority} · ${incident.category?.name || ''}`),
    incident && h('p', { class: 'alert-code' }, incident.code || ''),
    assignment?.call_sign && h('p', { class: 'alert-unit' }, assignment.call_sign),
    h('button', { type: 'button', class: 'btn btn-huge btn-light', dataset: { testid: 'alert-view' }, onclick: close },
      ctx.t('alert.view'))));
  root.hidden = false;
  root.querySelector('button').focus();
  navigator.vibrate?.([600, 200, 600, 200, 600]);
  beep();
}
