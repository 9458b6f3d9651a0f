/**
 * The login screen. Dispatchers, supervisors, analysts, admins and clerks (department staff, who work the
 * participation inbox only) go on to the console; officers are sent to the field app (their session is
 * closed again at once).
 */
const CONSOLE_ROLES = new Set(['dispatcher', 'supervisor', 'analyst', 'admin', 'clerk']);

export function createLogin({ session, t, onSignedIn }) {
  const screen = document.getElementById('login');
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  const officer = document.getElementById('officer-notice');
  const username = document.getElementById('login-username');
  const password = document.getElementById('login-password');

  function show(messageKey) {
    screen.hidden = false;
    form.hidden = false;
    officer.hidden = true;
    error.textContent = messageKey ? t(messageKey) : '';
    password.value = '';
    (username.value ? password : username).focus();
  }

  /** Returns true when the user may use the console; otherwise shows the officer notice. */
  async function admit(user) {
    if (CONSOLE_ROLES.has(user?.role)) {
      screen.hidden = true;
      onSignedIn(user);
      return true;
    }
    await session.logout();
    screen.hidden = false;
    form.hidden = true;
    officer.hidden = false;
    officer.querySelector('a').focus();
    return false;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!username.value.trim() || !password.value) { error.textContent = t('login.missing'); return; }
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    try {
      await admit(await session.login(username.value.trim(), password.value));
    } catch (err) {
      if (err.status === 401) error.textContent = t('login.invalid');
      else if (err.status === 429) error.textContent = err.detail || t('login.throttled');
      else if (err.status === 0) error.textContent = t('error.network');
      else error.textContent = err.detail || t('error.generic');
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  document.getElementById('officer-back').addEventListener('click', () => show());

  return { show, admit };
}
