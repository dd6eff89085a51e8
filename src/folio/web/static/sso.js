// Single sign-on for the web app: a "Sign in with SSO" button on the sign-in view, and the
// page the identity provider sends the browser back to (/sso/callback). The flow id stays in
// this tab's sessionStorage, so a code and state from another browser's flow are refused.
const FLOW_KEY = "folio.sso.flow";
const HEADERS = { "Content-Type": "application/json", "X-Folio-CSRF": "1" };

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: HEADERS, credentials: "same-origin", body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error((data && (data.detail || data.title)) || `HTTP ${response.status}`);
  return data;
}

// The button: the provider is picked by the e-mail address typed in the sign-in form.
export function ssoButton(form, error) {
  const button = document.createElement("button");
  button.type = "button";
  button.id = "sso-sign-in";
  button.className = "secondary";
  button.textContent = "Sign in with SSO";
  button.addEventListener("click", async () => {
    error.textContent = "";
    const email = new FormData(form).get("email");
    // a link from an admin may name the provider: /login?provider=idp_…
    const providerId = new URLSearchParams(location.search).get("provider");
    if (!email && !providerId) {
      error.textContent = "Enter your e-mail address to find your organisation's sign-in.";
      return;
    }
    try {
      const flow = await post("/web/sso/start", providerId ? { provider_id: providerId } : { email });
      sessionStorage.setItem(FLOW_KEY, flow.flow_id);
      location.assign(flow.authorization_url);
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return button;
}

// Back from the provider: trade code and state for the session cookie, then open the app.
export async function finishSso(show) {
  const params = new URLSearchParams(location.search);
  const flowId = sessionStorage.getItem(FLOW_KEY);
  sessionStorage.removeItem(FLOW_KEY);
  if (params.get("error")) return show(params.get("error_description") || params.get("error"));
  if (!flowId || !params.get("code") || !params.get("state")) {
    return show("This sign-in was not started in this browser tab; start again.");
  }
  try {
    const session = await post("/web/sso/callback", {
      flow_id: flowId, code: params.get("code"), state: params.get("state"),
    });
    if (!session.access_token) return show("Your account waits for a team admin's approval.");
    location.replace("/");
  } catch (err) {
    show(err.message);
  }
  return undefined;
}

// Signing out ends the session and its cookie; an SSO session signs out at the provider too
// (RP-initiated logout): the answer names where to send the browser, or null.
export async function ssoSignOut(accessToken) {
  const response = await fetch("/web/sso/logout", {
    method: "POST", headers: { ...HEADERS, Authorization: `Bearer ${accessToken}` },
    credentials: "same-origin", body: "{}",
  });
  const data = response.ok ? await response.json().catch(() => null) : null;
  return data && data.end_session_url;
}
