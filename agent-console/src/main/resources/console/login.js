// Signs in against the hub's API and shows who the token belongs to. Text only: nothing from the
// server is ever inserted as HTML.
const form = document.getElementById('login');
const status = document.getElementById('status');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  status.textContent = 'Signing in…';
  try {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
    });
    const body = await res.json();
    if (!res.ok) {
      status.textContent = body.detail || body.title || `Sign-in failed (${res.status})`;
      return;
    }
    sessionStorage.setItem('switchboard.token', body.token);
    status.textContent = `Signed in as ${body.agent.username} (${body.agent.role}); session until ${new Date(body.expiresAt).toLocaleString()}.`;
  } catch (e) {
    status.textContent = `The hub did not answer: ${e.message}`;
  }
});
