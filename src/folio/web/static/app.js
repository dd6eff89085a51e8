// Folio web app: a plain ES module over the REST API (/api/v1) and its WebSocket.
// The DOM is built with textContent only, so uploaded text is never parsed as HTML.
import { h } from "./dom.js";
import { EditError, fieldEditor, fieldText } from "./review.js";
import { finishSso, ssoButton, ssoSignOut } from "./sso.js";

const API = "/api/v1";
const main = document.getElementById("main");
const STATUSES = ["queued", "processing", "completed", "failed", "cancelled"];
const FINAL = ["completed", "failed", "cancelled"];
const DOCUMENT_TYPES = [
  "invoice", "receipt", "contract", "resume", "bank_statement", "payslip", "tax_form",
  "id_document", "medical_record", "letter", "sale_deed", "purchase_order", "utility_bill",
  "form", "report", "other",
];
const COMPLIANCE = ["gdpr", "hipaa", "sox", "pci_dss"];
const BROWSER_IMAGES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"];
let accessToken = null;
let refreshTimer = null;

function render(title, ...nodes) {
  document.title = `${title} · Folio`;
  main.replaceChildren(...nodes);
}

function percent(value) {
  return `${Math.round(value * 100)}%`;
}

// ---------- session and API ----------
class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function sessionCall(path, body, withToken = false) {
  const headers = { "Content-Type": "application/json", "X-Folio-CSRF": "1" };
  if (withToken) headers.Authorization = `Bearer ${accessToken}`;
  const response = await fetch(`/web/session${path}`, {
    method: "POST", headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function keep(session) {
  accessToken = session.access_token;
  clearTimeout(refreshTimer);
  const seconds = Math.max(10, (session.expires_in || 300) - 30);
  refreshTimer = setTimeout(() => refresh().catch(() => location.assign("/login")), seconds * 1000);
}

let refreshing = null;

function refresh() {
  // one at a time: a second use of the same refresh token would end the session
  refreshing ??= sessionCall("/refresh").then(keep).finally(() => { refreshing = null; });
  return refreshing;
}

const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function api(path, { method = "GET", json, body, raw = false } = {}) {
  const headers = {};
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const send = () => fetch(API + path, {
    method, body, headers: { ...headers, Authorization: `Bearer ${accessToken}` },
  });
  let response = await send();
  if (response.status === 401) {
    await refresh();
    response = await send();
  }
  if (response.status === 429) {
    // the team's plan allows so many calls a minute: wait as told (up to 10 s), then once more
    await pause(Math.min(Number(response.headers.get("Retry-After")) || 2, 10) * 1000);
    response = await send();
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

async function download(path, filename, options = {}) {
  const blob = await (await api(path, { ...options, raw: true })).blob();
  const link = h("a", { href: URL.createObjectURL(blob), download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// ---------- live events: one socket per page, shared by the view and the bell ----------
const listeners = new Set();
const liveLabels = new Set();
let live = false;

function setLive(on) {
  live = on;
  document.body.dataset.live = on ? "1" : "0";
  for (const el of liveLabels) {
    el.textContent = on ? "Live updates on" : "Live updates reconnecting…";
    el.dataset.state = on ? "live" : "off";
  }
}

function onEvents(listener, statusEl) {
  listeners.add(listener);
  if (statusEl) {
    liveLabels.add(statusEl);
    if (live) setLive(true);
  }
}

function connectEvents() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${API}/ws`);
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "auth", payload: { token: accessToken } }));
    socket.send(JSON.stringify({ type: "subscribe", payload: { channel: "team" } }));
  });
  socket.addEventListener("message", (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "subscribed") setLive(true);
    else if (data.type === "event") listeners.forEach((listener) => listener(data.payload));
  });
  socket.addEventListener("close", () => {
    setLive(false);
    setTimeout(connectEvents, 2000);
  });
}

// ---------- sign in ----------
function errorLine(id) {
  return h("p", { class: "error", role: "alert", id });
}

function loginView() {
  const error = errorLine("login-error");
  const form = h("form", { id: "login-form" },
    h("label", {}, "E-mail",
      h("input", { type: "email", name: "email", autocomplete: "username", required: true })),
    h("label", {}, "Password",
      h("input", { type: "password", name: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    try {
      const result = await sessionCall("", { email: data.get("email"), password: data.get("password") });
      if (result.mfa_required) mfaView(result.mfa_token);
      else location.assign("/");
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Sign in", h("article", { class: "narrow" }, h("h1", {}, "Sign in"), form,
    ssoButton(form, error), error,
    h("p", { class: "muted" },
      "The first administrator's e-mail and password are printed by folio serve when it first starts."),
    h("p", {}, h("a", { href: "/forgot-password" }, "Forgot your password?"))));
}

function mfaView(mfaToken) {
  const error = errorLine("mfa-error");
  const form = h("form", { id: "mfa-form" },
    h("label", {}, "Authentication code",
      h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6 })),
    h("button", { type: "submit" }, "Verify"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await sessionCall("/mfa", { mfa_token: mfaToken, code: new FormData(form).get("code") });
      location.assign("/");
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Sign in", h("article", { class: "narrow" }, h("h1", {}, "Two-step sign-in"),
    h("p", {}, "Enter the code from your authenticator app, or a recovery code."), form, error));
}

async function signOut() {
  let providerSignOut = null;
  try {
    providerSignOut = await ssoSignOut(accessToken);
  } finally {
    location.assign(providerSignOut || "/login");
  }
}

// ---------- password reset (signed out) ----------
async function anonymousPost(path, json) {
  const response = await fetch(API + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(json),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function forgotView() {
  const message = h("p", { role: "status", id: "forgot-status" });
  const form = h("form", { id: "forgot-form" },
    h("label", {}, "E-mail", h("input", { type: "email", name: "email", autocomplete: "username", required: true })),
    h("button", { type: "submit" }, "Send a reset link"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await anonymousPost("/auth/password/forgot", { email: new FormData(form).get("email") });
      message.textContent = result.message;
    } catch (err) {
      message.textContent = err.message;
    }
  });
  render("Reset your password", h("article", { class: "narrow" }, h("h1", {}, "Reset your password"),
    h("p", {}, "We e-mail you a link to choose a new password."), form, message,
    h("p", {}, h("a", { href: "/login" }, "Back to sign in"))));
}

function newPasswordFields() {
  return [
    h("label", {}, "New password", h("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true, minlength: 12 })),
    h("label", {}, "New password again", h("input", { type: "password", name: "confirm", autocomplete: "new-password", required: true, minlength: 12 })),
  ];
}

function samePasswords(form, error) {
  const data = new FormData(form);
  if (data.get("new_password") === data.get("confirm")) return true;
  error.textContent = "The two new passwords differ.";
  return false;
}

function resetView() {
  const token = new URLSearchParams(location.search).get("token") || "";
  const error = errorLine("reset-error");
  const done = h("p", { role: "status", id: "reset-status" });
  const form = h("form", { id: "reset-form" }, ...newPasswordFields(), h("button", { type: "submit" }, "Set the new password"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!samePasswords(form, error)) return;
    try {
      await anonymousPost("/auth/password/reset", { token, new_password: new FormData(form).get("new_password") });
      form.hidden = true;
      done.replaceChildren("Your password is changed and every session ended. ", h("a", { href: "/login" }, "Sign in"));
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Choose a new password", h("article", { class: "narrow" }, h("h1", {}, "Choose a new password"), form, error, done));
}

function verifyEmailView() {
  const token = new URLSearchParams(location.search).get("token") || "";
  const status = h("p", { role: "status", id: "verify-status" }, "Checking the link…");
  render("Verify your e-mail", h("article", { class: "narrow" }, h("h1", {}, "Verify your e-mail"), status));
  anonymousPost("/auth/verify-email", { token })
    .then(() => status.replaceChildren("Your e-mail address is verified. ", h("a", { href: "/" }, "Continue")))
    .catch((err) => { status.textContent = err.message; });
}

function sessionsBlock(message) {
  const body = h("tbody", { id: "sessions-body" });
  const load = async () => {
    const sessions = await api("/auth/sessions");
    body.replaceChildren(...sessions.map((s) => h("tr", { dataset: { sessionId: s.id, current: String(s.current) } },
      h("td", {}, s.user_agent || "unknown client", s.current ? " (this one)" : ""), h("td", {}, s.ip || "—"),
      h("td", {}, new Date(s.last_seen_at).toLocaleString()),
      h("td", {}, s.current ? "" : h("button", { type: "button", class: "secondary outline", "aria-label": `Sign out session ${s.id}`,
        onclick: async () => {
          try {
            await api(`/auth/sessions/${s.id}`, { method: "DELETE" });
            await load();
          } catch (err) {
            message.textContent = err.message;
          }
        } }, "Sign out")))));
  };
  load().catch((err) => { message.textContent = err.message; });
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Signed-in sessions" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Client", "Address", "Last seen", "Action"].map((c) => h("th", { scope: "col" }, c)))), body));
}

function mfaBlock(me) {
  const area = h("div", { id: "mfa" });
  const error = errorLine("mfa-setup-error");
  const setup = async () => {
    try {
      const started = await api("/auth/mfa/enable", { method: "POST" });
      const form = h("form", { id: "mfa-verify-form" },
        h("p", {}, "Add this key to your authenticator app (or open the link on your phone), then enter the code it shows."),
        h("p", { class: "key-once", id: "mfa-secret" }, started.secret),
        h("p", {}, h("a", { href: started.otpauth_uri }, "Open in an authenticator app")),
        h("label", {}, "Code from the app", h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6 })),
        h("button", { type: "submit" }, "Turn on two-step sign-in"));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const codes = await api("/auth/mfa/verify", { method: "POST", json: { code: new FormData(form).get("code") } });
          area.replaceChildren(h("p", { role: "status", id: "mfa-status" }, "Two-step sign-in is on. Keep these recovery codes somewhere safe; each works once:"),
            h("ul", { id: "recovery-codes", class: "key-once" }, codes.recovery_codes.map((c) => h("li", {}, c))));
        } catch (err) {
          error.textContent = err.message;
        }
      });
      area.replaceChildren(form, error);
    } catch (err) {
      error.textContent = err.message;
    }
  };
  if (me.mfa_enabled) {
    const form = h("form", { id: "mfa-disable-form" },
      h("label", {}, "Password", h("input", { type: "password", name: "password", autocomplete: "current-password", required: true })),
      h("label", {}, "Code from the app (or a recovery code)", h("input", { name: "code", autocomplete: "one-time-code", required: true, minlength: 6 })),
      h("button", { type: "submit", class: "secondary" }, "Turn off two-step sign-in"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      try {
        await api("/auth/mfa/disable", { method: "POST", json: { password: data.get("password"), code: data.get("code") } });
        area.replaceChildren(h("p", { role: "status", id: "mfa-status" }, "Two-step sign-in is off."));
      } catch (err) {
        error.textContent = err.message;
      }
    });
    area.replaceChildren(h("p", {}, "Two-step sign-in is on."), form, error);
  } else {
    area.replaceChildren(h("p", {}, "Two-step sign-in is off."),
      h("button", { type: "button", onclick: setup }, "Set up two-step sign-in"), error);
  }
  return area;
}

// ---------- account: profile and password ----------
async function accountView() {
  const me = await api("/auth/me");
  const profileStatus = h("p", { role: "status", id: "profile-status" });
  const profile = h("form", { id: "profile-form" },
    h("label", {}, "Name", h("input", { name: "name", value: me.name || "", maxlength: 200, autocomplete: "name" })),
    h("button", { type: "submit" }, "Save profile"));
  profile.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const saved = await api("/auth/me", { method: "PATCH", json: { name: new FormData(profile).get("name") } });
      profileStatus.textContent = `Saved: ${saved.name}`;
    } catch (err) {
      profileStatus.textContent = err.message;
    }
  });
  const error = errorLine("password-error");
  const passwordStatus = h("p", { role: "status", id: "password-status" });
  const sessionsMessage = h("p", { role: "status" });
  const password = h("form", { id: "password-form" },
    h("label", {}, "Current password", h("input", { type: "password", name: "current_password", autocomplete: "current-password", required: true })),
    ...newPasswordFields(), h("button", { type: "submit" }, "Change password"));
  password.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    passwordStatus.textContent = "";
    if (!samePasswords(password, error)) return;
    const data = new FormData(password);
    try {
      await api("/auth/password/change", { method: "POST",
        json: { current_password: data.get("current_password"), new_password: data.get("new_password") } });
      password.reset();
      passwordStatus.textContent = "Password changed; your other sessions were signed out.";
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Your account", h("h1", {}, "Your account"),
    h("dl", { id: "profile" }, h("dt", {}, "E-mail"), h("dd", {}, me.email, me.email_verified ? " (verified)" : " (not verified)"),
      h("dt", {}, "Two-step sign-in"), h("dd", {}, me.mfa_enabled ? "on" : "off"),
      h("dt", {}, "Member since"), h("dd", {}, new Date(me.created_at).toLocaleDateString())),
    h("section", { "aria-labelledby": "profile-title" }, h("h2", { id: "profile-title" }, "Profile"), profile, profileStatus),
    h("section", { "aria-labelledby": "password-title" }, h("h2", { id: "password-title" }, "Password"), password, error, passwordStatus),
    h("section", { "aria-labelledby": "mfa-title" }, h("h2", { id: "mfa-title" }, "Two-step sign-in"), mfaBlock(me)),
    h("section", { "aria-labelledby": "sessions-title" }, h("h2", { id: "sessions-title" }, "Where you are signed in"),
      sessionsMessage, sessionsBlock(sessionsMessage)));
}

// ---------- team: members, invitations, roles ----------
const BUILT_IN_ROLES = ["owner", "admin", "member", "viewer"];

function roleSelect(name, label, current, roles) {
  return h("select", { name, "aria-label": label },
    [...BUILT_IN_ROLES.map((r) => [r, r]), ...roles.map((r) => [r.id, `${r.name} (custom)`])]
      .map(([value, text]) => h("option", { value, selected: value === current }, text)));
}

function membersTable(team, roles, me, message) {
  const body = h("tbody", { id: "members-body" });
  const load = async () => {
    const members = await api(`/teams/${team.id}/members`);
    body.replaceChildren(...members.map((m) => {
      const select = roleSelect("role", `Role of ${m.email}`, m.role, roles);
      select.addEventListener("change", async () => {
        try {
          await api(`/teams/${team.id}/members/${m.user_id}`, { method: "PATCH", json: { role: select.value } });
          message.textContent = `${m.email} is now ${select.selectedOptions[0].textContent}.`;
        } catch (err) {
          message.textContent = err.message;
          select.value = m.role;
        }
      });
      const remove = m.user_id === me.id ? "" : h("button", { type: "button", class: "secondary outline", "aria-label": `Remove ${m.email}`,
        onclick: async () => {
          if (!window.confirm(`Remove ${m.email} from ${team.name}?`)) return;
          try {
            await api(`/teams/${team.id}/members/${m.user_id}`, { method: "DELETE" });
            await load();
          } catch (err) {
            message.textContent = err.message;
          }
        } }, "Remove");
      return h("tr", { dataset: { userId: m.user_id, role: m.role } }, h("td", {}, m.email), h("td", {}, m.name || "—"),
        h("td", {}, select), h("td", {}, m.status), h("td", {}, remove));
    }));
  };
  const table = h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Members" }, h("table", {},
    h("thead", {}, h("tr", {}, ["E-mail", "Name", "Role", "Status", "Action"].map((c) => h("th", { scope: "col" }, c)))), body));
  return { table, load };
}

function invitationsBlock(team, roles, message) {
  const body = h("tbody", { id: "invitations-body" });
  const load = async () => {
    const page = await api(`/teams/${team.id}/invitations`);
    const items = page.items || page;
    body.replaceChildren(...items.map((i) => h("tr", { dataset: { invitationId: i.id, status: i.status } },
      h("td", {}, i.email), h("td", {}, i.role), h("td", {}, i.status), h("td", {}, new Date(i.expires_at).toLocaleDateString()),
      h("td", {}, i.status === "pending" ? h("button", { type: "button", class: "secondary outline", "aria-label": `Revoke the invitation of ${i.email}`,
        onclick: async () => {
          try {
            await api(`/teams/${team.id}/invitations/${i.id}`, { method: "DELETE" });
            await load();
          } catch (err) {
            message.textContent = err.message;
          }
        } }, "Revoke") : ""))));
    if (!items.length) body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 5 }, "No invitations.")));
  };
  const form = h("form", { id: "invite-form", class: "filters" },
    h("label", {}, "E-mail to invite", h("input", { type: "email", name: "email", required: true })),
    h("label", {}, "Role", roleSelect("role", "Role of the invitee", "member", roles)),
    h("button", { type: "submit" }, "Invite"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api(`/teams/${team.id}/invitations`, { method: "POST", json: { email: data.get("email"), role: data.get("role") } });
      message.textContent = `Invitation e-mailed to ${data.get("email")}.`;
      form.reset();
      await load();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  const table = h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Invitations" }, h("table", {},
    h("thead", {}, h("tr", {}, ["E-mail", "Role", "Status", "Expires", "Action"].map((c) => h("th", { scope: "col" }, c)))), body));
  return { block: h("div", {}, form, table), load };
}

const PERMISSIONS = ["documents:read", "documents:write", "documents:delete", "keys:manage", "webhooks:manage",
  "team:manage", "audit:read", "analytics:read"];

function rolesBlock(team, roles, message, reload) {
  const form = h("form", { id: "role-form" },
    h("label", {}, "New role name", h("input", { name: "name", required: true, maxlength: 50 })),
    h("fieldset", {}, h("legend", {}, "Permissions"),
      PERMISSIONS.map((p) => h("label", {}, h("input", { type: "checkbox", name: "permissions", value: p }), ` ${p}`))),
    h("button", { type: "submit" }, "Create role"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api(`/teams/${team.id}/roles`, { method: "POST", json: { name: data.get("name"), permissions: data.getAll("permissions") } });
      message.textContent = `Role ${data.get("name")} created.`;
      await reload();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  return h("div", {},
    h("ul", { id: "roles" }, roles.map((r) => h("li", { dataset: { roleId: r.id } }, h("strong", {}, r.name), `: ${r.permissions.join(", ")}`,
      h("button", { type: "button", class: "secondary outline inline", "aria-label": `Delete role ${r.name}`, onclick: async () => {
        try {
          await api(`/teams/${team.id}/roles/${r.id}`, { method: "DELETE" });
          await reload();
        } catch (err) {
          message.textContent = err.message;
        }
      } }, "Delete"))),
    roles.length ? null : h("li", { class: "muted" }, "Only the built-in roles: owner, admin, member, viewer.")),
    form);
}

async function teamView() {
  const me = await api("/auth/me");
  const teams = (await api("/teams?limit=100")).items;
  const params = new URLSearchParams(location.search);
  const team = teams.find((t) => t.id === params.get("team")) || teams.find((t) => t.id === me.personal_team_id) || teams[0];
  if (!team) return notFound();
  const message = h("p", { role: "status", id: "team-status" });
  const roles = await api(`/teams/${team.id}/roles`).then((r) => r.items || r).catch(() => []);
  const members = membersTable(team, roles, me, message);
  const invitations = invitationsBlock(team, roles, message);
  const picker = teams.length > 1 ? h("form", { method: "get", action: "/team", class: "filters" },
    h("label", {}, "Team", h("select", { name: "team" }, teams.map((t) => h("option", { value: t.id, selected: t.id === team.id }, t.name)))),
    h("button", { type: "submit", class: "secondary" }, "Show")) : null;
  render("Team", h("hgroup", {}, h("h1", {}, team.name), h("p", {}, `Plan ${team.plan} · your role: ${team.role || "—"}`)), picker, message,
    h("section", { "aria-labelledby": "members-title" }, h("h2", { id: "members-title" }, "Members"), members.table),
    h("section", { "aria-labelledby": "invitations-title" }, h("h2", { id: "invitations-title" }, "Invitations"), invitations.block),
    h("section", { "aria-labelledby": "roles-title" }, h("h2", { id: "roles-title" }, "Custom roles"),
      rolesBlock(team, roles, message, () => teamView())));
  await Promise.all([members.load(), invitations.load().catch((err) => { message.textContent = err.message; })]);
}

async function acceptInvitationView() {
  const token = new URLSearchParams(location.search).get("token") || "";
  const message = h("p", { role: "status", id: "accept-status" });
  const accept = h("button", { type: "button", onclick: async () => {
    try {
      await api("/invitations/accept", { method: "POST", json: { token } });
      accept.hidden = true;
      message.replaceChildren("You joined the team. ", h("a", { href: "/team" }, "See the team"));
    } catch (err) {
      message.textContent = err.message;
    }
  } }, "Join the team");
  render("Invitation", h("article", { class: "narrow" }, h("h1", {}, "Join a team"),
    h("p", {}, "You were invited to a Folio team."), accept, message));
}

// ---------- documents list and upload ----------
function statusCell(status) {
  return h("span", { class: `status-${status}`, dataset: { status } }, status);
}

function documentRow(doc) {
  return h("tr", { dataset: { documentId: doc.id } },
    h("td", {}, h("a", { href: `/documents/${encodeURIComponent(doc.id)}` }, doc.filename)),
    h("td", { class: "status" }, statusCell(doc.status)),
    h("td", { class: "progress" }, `${doc.progress}%`),
    h("td", {}, doc.document_type || "—"),
    h("td", {}, doc.page_count ?? "—"),
    h("td", {}, doc.pii_detected === null ? "—" : doc.pii_detected ? "yes" : "no"),
    h("td", {}, new Date(doc.created_at).toLocaleString()));
}

function uploadForm(onUploaded) {
  const files = h("input", { type: "file", id: "file-input", name: "files", multiple: true });
  const zone = h("div", { class: "drop-zone", id: "drop-zone" },
    h("p", {}, "Drag and drop files here, or choose them:"),
    h("label", { for: "file-input" }, "Files to upload"), files);
  const select = (name, label, values) => h("label", {}, label,
    h("select", { name }, values.map((v) => h("option", { value: v }, v))));
  const options = h("details", {},
    h("summary", {}, "Processing options"),
    h("div", { class: "grid" },
      select("ocr", "OCR", ["auto", "force", "off"]),
      select("ocr_engine", "OCR engine", ["tesseract", "rapidocr"]),
      h("label", {}, "Extraction template (id or name)", h("input", { name: "template" }))),
    h("fieldset", {}, h("legend", {}, "Compliance packs"),
      COMPLIANCE.map((c) => h("label", {},
        h("input", { type: "checkbox", name: "compliance", value: c }), ` ${c.toUpperCase()}`))));
  const list = h("ul", { class: "uploads", id: "uploads", "aria-label": "Uploads" });
  const batchNote = h("p", { id: "batch-created", role: "status" });
  const asBatch = h("fieldset", { class: "grid" },
    h("label", {}, h("input", { type: "checkbox", role: "switch", name: "as_batch" }), " Upload the files as one batch"),
    h("label", {}, "Batch name (optional)", h("input", { name: "batch_name", maxlength: 200 })));
  const form = h("form", { id: "upload-form" }, zone, options, asBatch, batchNote,
    h("button", { type: "submit", id: "upload-button" }, "Start upload"), list);
  const optionsOf = () => {
    const data = new FormData(form);
    const chosen = { ocr: data.get("ocr"), ocr_engine: data.get("ocr_engine") };
    if (data.get("template")) chosen.template = data.get("template");
    const packs = data.getAll("compliance");
    if (packs.length) chosen.compliance_frameworks = packs;
    return chosen;
  };
  const start = (fileList) => {
    const data = new FormData(form);
    if (data.get("as_batch") && fileList.length) {
      uploadBatch([...fileList], optionsOf(), String(data.get("batch_name") || ""), list, batchNote, onUploaded);
    } else {
      [...fileList].forEach((f) => upload(f, optionsOf(), list, onUploaded));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    start(files.files);
    files.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    start(event.dataTransfer.files);
  });
  return form;
}

const uploadRows = new Map(); // document id -> upload row
const lastEvents = new Map(); // document id -> latest event data (may come before the id)

function showProgress(row, data) {
  if (!row) return;
  const status = data.status;
  row.dataset.status = status;
  row.querySelector("progress").value = status === "completed" ? 100 : data.progress ?? 0;
  const stage = data.stage ? ` · ${data.stage}` : "";
  const pages = data.pages_total ? ` · page ${data.pages_done}/${data.pages_total}` : "";
  row.querySelector(".upload-status").textContent = `${status}${status === "completed" ? "" : stage + pages}`;
}

function sendUpload(file, options) {
  const body = new FormData();
  body.append("file", file);
  body.append("options", JSON.stringify(options));
  return sendForm("/documents", body, file.onBytes);
}

function sendForm(path, body, onBytes) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `${API}${path}`);
    request.setRequestHeader("Authorization", `Bearer ${accessToken}`);
    request.responseType = "json";
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onBytes?.(Math.round((e.loaded / e.total) * 100));
    });
    request.addEventListener("load", () => resolve(request));
    request.addEventListener("error", () => reject(new Error("The upload failed (network).")));
    request.send(body);
  });
}

function uploadRow(list, filename) {
  const state = h("span", { class: "upload-status" }, "uploading");
  const bar = h("progress", { max: 100, value: 0, "aria-label": `Progress of ${filename}` });
  const row = h("li", { dataset: { filename, status: "uploading" } }, h("span", {}, filename), bar, state);
  list.append(row);
  return { row, state };
}

async function uploadBatch(files, options, name, list, note, onUploaded) {
  const rows = files.map((file) => uploadRow(list, file.name));
  const body = new FormData();
  files.forEach((file) => body.append("files", file));
  body.append("options", JSON.stringify(options));
  if (name) body.append("name", name);
  const onBytes = (p) => rows.forEach(({ state }) => { state.textContent = `uploading ${p}%`; });
  try {
    let request = await sendForm("/batches", body, onBytes);
    if (request.status === 401) {
      await refresh();
      request = await sendForm("/batches", body, onBytes);
    }
    if (request.status !== 202) throw new ApiError(request.status, request.response);
    const batch = request.response;
    const waiting = [...rows];
    for (const doc of batch.documents) {
      const index = waiting.findIndex(({ row }) => row.dataset.filename === doc.filename);
      const [{ row }] = waiting.splice(index >= 0 ? index : 0, 1);
      row.dataset.documentId = doc.id;
      uploadRows.set(doc.id, row);
      showProgress(row, lastEvents.get(doc.id) || doc);
      onUploaded(doc);
    }
    for (const rejected of batch.rejected) {
      const found = waiting.find(({ row }) => row.dataset.filename === rejected.filename) || waiting[0];
      if (!found) continue;
      waiting.splice(waiting.indexOf(found), 1);
      found.row.dataset.status = "failed";
      found.state.textContent = `refused: ${rejected.detail || rejected.code || "not accepted"}`;
    }
    note.replaceChildren("Batch created: ", h("a", { href: `/batches/${encodeURIComponent(batch.id)}` }, batch.name || batch.id));
  } catch (err) {
    rows.forEach(({ row, state }) => {
      row.dataset.status = "failed";
      state.textContent = `failed: ${err.message}`;
    });
  }
}

async function upload(file, options, list, onUploaded) {
  const { row, state } = uploadRow(list, file.name);
  file.onBytes = (p) => { state.textContent = `uploading ${p}%`; };
  try {
    let request = await sendUpload(file, options);
    if (request.status === 401) {
      await refresh();
      request = await sendUpload(file, options);
    }
    if (request.status !== 202) throw new ApiError(request.status, request.response);
    const doc = request.response;
    row.dataset.documentId = doc.id;
    uploadRows.set(doc.id, row);
    const seen = lastEvents.get(doc.id);
    showProgress(row, seen || doc);
    // processing may have ended before the upload's answer arrived
    onUploaded(seen && FINAL.includes(seen.status) ? await api(`/documents/${doc.id}`) : doc);
  } catch (err) {
    row.dataset.status = "failed";
    state.textContent = `failed: ${err.message}`;
    state.classList.add("error");
  }
}

const KINDS = ["pdf", "image", "docx", "xlsx", "pptx", "text", "html", "email"];
const FILTERS = ["type", "batch_id", "from", "to", "pii", "sort"];

function choice(name, label, options, params) {
  return h("label", {}, label, h("select", { name },
    options.map(([value, text]) => h("option", { value, selected: (params.get(name) || "") === value }, text))));
}

function nextDay(isoDate) {
  // "to" is inclusive: documents before the start of the next day (UTC)
  const day = new Date(`${isoDate}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
}

async function documentsView() {
  const params = new URLSearchParams(location.search);
  const liveLabel = h("p", { id: "live-status", class: "muted", dataset: { state: "off" } }, "Connecting live updates…");
  const body = h("tbody", { id: "documents-body" });
  const more = h("button", { type: "button", class: "secondary", id: "more", hidden: true }, "More documents");
  const addRow = (doc) => {
    body.querySelector("[data-empty]")?.remove();
    if (!body.querySelector(`tr[data-document-id="${CSS.escape(doc.id)}"]`)) body.prepend(documentRow(doc));
  };
  const batchChoice = choice("batch_id", "Batch", [["", "any"]], params);
  api("/batches?limit=100").then((page) => batchChoice.querySelector("select").append(
    ...page.items.map((b) => h("option", { value: b.id, selected: params.get("batch_id") === b.id }, b.name || b.id)))).catch(() => {});
  const search = h("form", { id: "search-form", class: "filters", method: "get", action: "/", role: "search" },
    h("label", {}, "Search the text",
      h("input", { type: "search", name: "q", value: params.get("q") || "" })),
    h("label", {}, "Status",
      h("select", { name: "status" }, h("option", { value: "" }, "any"),
        STATUSES.map((s) => h("option", { value: s, selected: params.get("status") === s }, s)))),
    h("button", { type: "submit" }, "Search"),
    h("details", { class: "more-filters", open: FILTERS.some((f) => params.get(f)) },
      h("summary", {}, "More filters and sorting"),
      h("div", { class: "filter-grid" },
        choice("type", "Type", [["", "any"], ...KINDS.map((k) => [k, `${k} file`]), ...DOCUMENT_TYPES.map((t) => [t, t])], params),
        batchChoice,
        h("label", {}, "Uploaded from", h("input", { type: "date", name: "from", value: params.get("from") || "" })),
        h("label", {}, "Uploaded to", h("input", { type: "date", name: "to", value: params.get("to") || "" })),
        choice("pii", "Personal data", [["", "any"], ["true", "found"], ["false", "none found"]], params),
        choice("sort", "Order", [["newest", "newest first"], ["oldest", "oldest first"]], params))));
  render("Documents",
    h("h1", {}, "Documents"),
    h("section", { "aria-labelledby": "upload-title" }, h("h2", { id: "upload-title" }, "Upload"),
      uploadForm(addRow), liveLabel),
    h("section", { "aria-labelledby": "list-title" }, h("h2", { id: "list-title" }, "Your documents"), search,
      h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-labelledby": "list-title" }, h("table", {},
        h("thead", {}, h("tr", {}, ["File", "Status", "Progress", "Type", "Pages", "PII", "Uploaded"]
          .map((c) => h("th", { scope: "col" }, c)))), body)),
      more));
  onEvents((event) => {
    const data = event.data || {};
    if (!data.document_id) return;
    lastEvents.set(data.document_id, data);
    showProgress(uploadRows.get(data.document_id), data);
    const row = body.querySelector(`tr[data-document-id="${CSS.escape(data.document_id)}"]`);
    if (!row || !data.status) return;
    if (FINAL.includes(data.status)) {
      // the row's type, pages and PII are known now
      api(`/documents/${encodeURIComponent(data.document_id)}`)
        .then((doc) => row.replaceWith(documentRow(doc))).catch(() => {});
    } else {
      row.querySelector(".status").replaceChildren(statusCell(data.status));
      row.querySelector(".progress").textContent = `${data.progress ?? 0}%`;
    }
  }, liveLabel);
  let cursor = null;
  const load = async () => {
    const query = new URLSearchParams({ limit: "20" });
    for (const key of ["q", "status", "type", "batch_id", "pii", "sort"]) if (params.get(key)) query.set(key, params.get(key));
    if (params.get("from")) query.set("created_after", `${params.get("from")}T00:00:00Z`);
    if (params.get("to")) query.set("created_before", nextDay(params.get("to")));
    if (cursor) query.set("cursor", cursor);
    const page = await api(`/documents?${query}`);
    page.items.forEach((doc) => body.append(documentRow(doc)));
    if (!body.children.length) {
      body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 7 }, "No documents yet.")));
    }
    cursor = page.next_cursor;
    more.hidden = !page.has_more;
  };
  more.addEventListener("click", load);
  await load();
}

// ---------- one document ----------
const BOX_NAMES = { pii: "PII", entity: "Entity", field: "Field" };

function boxButton(kind, item, page, onPick) {
  const [x0, y0, x1, y1] = item.bbox;
  const label = kind === "word" ? item.text : `${BOX_NAMES[kind]} ${item.type}: ${item.text}`;
  const button = h("button", {
    type: "button", class: `box ${kind}`, title: label, "aria-label": label,
    tabindex: kind === "word" ? -1 : 0,
    dataset: { kind, type: item.type || "word", text: item.text },
  });
  // CSSOM positions are allowed by the CSP (no style attribute is parsed from markup)
  Object.assign(button.style, {
    left: `${(x0 / page.width) * 100}%`, top: `${(y0 / page.height) * 100}%`,
    width: `${((x1 - x0) / page.width) * 100}%`, height: `${((y1 - y0) / page.height) * 100}%`,
  });
  button.addEventListener("click", () => onPick(button, kind, item));
  return button;
}

async function pageImages(doc, results) {
  if (doc.kind === "pdf") {
    const pdfjs = await import("/web/static/vendor/pdf.min.mjs");
    pdfjs.GlobalWorkerOptions.workerSrc = "/web/static/vendor/pdf.worker.min.mjs";
    const bytes = await (await api(`/documents/${doc.id}/file`, { raw: true })).arrayBuffer();
    const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
    return results.pages.map((page) => async () => {
      const pdfPage = await pdf.getPage(page.number);
      const viewport = pdfPage.getViewport({ scale: 1.5 });
      const canvas = h("canvas", { width: Math.floor(viewport.width), height: Math.floor(viewport.height),
        role: "img", "aria-label": `Page ${page.number} of ${doc.filename}` });
      await pdfPage.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
      return canvas;
    });
  }
  if (doc.kind === "image" && BROWSER_IMAGES.includes(doc.mime_type) && results.pages.length === 1) {
    const blob = await (await api(`/documents/${doc.id}/file`, { raw: true })).blob();
    const url = URL.createObjectURL(blob);
    return [async () => h("img", { src: url, alt: `Page 1 of ${doc.filename}` })];
  }
  return results.pages.map((page) => async () => {
    const blank = h("div", { class: "blank", role: "img", "aria-label": `Page ${page.number} (no preview)` });
    blank.style.aspectRatio = `${page.width} / ${page.height}`;
    return blank;
  });
}

function detailsPanel() {
  const panel = h("section", { id: "box-details", "aria-live": "polite", "aria-labelledby": "details-title" },
    h("h2", { id: "details-title" }, "Selected"), h("p", { class: "muted" }, "Select a box on the page."));
  const show = (kind, item) => {
    const rows = [["Kind", kind], ["Type", item.type || "word"], ["Value", item.text]];
    if (item.normalized) rows.push(["Normalized", item.normalized]);
    if (item.confidence !== null && item.confidence !== undefined) {
      rows.push(["Confidence", kind === "word" ? `${Math.round(item.confidence)}%` : percent(item.confidence)]);
    }
    if (item.context) rows.push(["Context", item.context]);
    panel.replaceChildren(h("h2", { id: "details-title" }, "Selected"),
      h("dl", {}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { field: k.toLowerCase() } }, v)])));
  };
  return { panel, show };
}

async function viewer(doc, results, intelligence) {
  const { panel, show } = detailsPanel();
  let selected = null;
  const pick = (button, kind, item) => {
    selected?.classList.remove("selected");
    selected = button;
    button.classList.add("selected");
    show(kind, item);
  };
  const container = h("div", { class: "viewer hide-word", id: "viewer" });
  const toggles = h("fieldset", { class: "toggles" }, h("legend", {}, "Show boxes"),
    [["word", "Words", false], ["entity", "Entities", true], ["pii", "PII", true], ["field", "Fields", true]].map(([kind, label, on]) =>
      h("label", {}, h("input", {
        type: "checkbox", role: "switch", checked: on, name: `show-${kind}`,
        onchange: (e) => container.classList.toggle(`hide-${kind}`, !e.target.checked),
      }), ` ${label}`)));
  const images = await pageImages(doc, results).catch(() => null);
  const pii = intelligence?.pii?.entities || [];
  const entities = (intelligence?.entities || []).filter(
    (e) => !pii.some((p) => p.page === e.page && p.start === e.start && p.end === e.end));
  const overlays = new Map();
  for (const [index, page] of results.pages.entries()) {
    const overlay = h("div", { class: "overlay" });
    overlays.set(page.number, { overlay, page });
    for (const word of page.words || []) overlay.append(boxButton("word", word, page, pick));
    for (const [kind, list] of [["entity", entities], ["pii", pii]]) {
      list.filter((e) => e.page === page.number && e.bbox)
        .forEach((e) => overlay.append(boxButton(kind, e, page, pick)));
    }
    const figure = h("figure", { class: "page", dataset: { page: page.number } });
    container.append(figure);
    const image = images ? await images[index]().catch(() => null) : null;
    figure.append(image || h("div", { class: "blank", role: "img", "aria-label": `Page ${page.number}` }), overlay);
  }
  const setFields = (extraction) => {
    container.querySelectorAll(".box.field").forEach((box) => box.remove());
    for (const [name, field] of Object.entries(extraction?.fields || {})) {
      const target = overlays.get(field.page);
      if (!field.bbox || !target) continue;
      const item = { bbox: field.bbox, type: name, text: fieldText(field.value), confidence: field.confidence, normalized: field.raw };
      target.overlay.append(boxButton("field", item, target.page, pick));
    }
  };
  return { toggles, container, panel, setFields };
}

function classificationSection(doc, classification) {
  const current = h("p", { id: "current-type" },
    classification ? `${classification.document_type} (${percent(classification.confidence)}, ${classification.method})` : "not classified");
  const alternatives = classification?.alternatives?.length
    ? h("p", { class: "muted" }, "Alternatives: ",
      classification.alternatives.map((a) => `${a.document_type} ${percent(a.confidence)}`).join(", "))
    : null;
  const types = [...new Set([classification?.document_type, ...DOCUMENT_TYPES].filter(Boolean))];
  const message = h("p", { role: "status", id: "classification-status" });
  const form = h("form", { id: "classification-form" },
    h("label", {}, "Correct the type",
      h("select", { name: "document_type" },
        types.map((t) => h("option", { value: t, selected: t === classification?.document_type }, t)))),
    h("button", { type: "submit" }, "Save type"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const type = new FormData(form).get("document_type");
    try {
      await api(`/documents/${doc.id}/classification`, { method: "PUT", json: { document_type: type } });
      current.textContent = `${type} (set by you)`;
      message.textContent = "Saved; the label also trains your team's classifier.";
    } catch (err) {
      message.textContent = err.message;
    }
  });
  return h("section", { "aria-labelledby": "class-title" },
    h("h2", { id: "class-title" }, "Classification"), current, alternatives, form, message);
}

function findingsSection(intelligence) {
  const security = intelligence?.security;
  const threats = security?.threats || [];
  const compliance = intelligence?.compliance || [];
  return h("section", { "aria-labelledby": "findings-title" },
    h("h2", { id: "findings-title" }, "Findings"),
    h("p", {}, `Security risk: ${security?.risk_level || "not scanned"}`),
    threats.length ? h("ul", {}, threats.map((t) => h("li", {}, `${t.severity} · ${t.code}: ${t.description}`))) : null,
    compliance.length
      ? h("ul", { id: "compliance" }, compliance.map((f) => h("li", {},
        `${f.framework.toUpperCase()} · ${f.severity} · ${f.description}`,
        f.evidence.length ? h("ul", {}, f.evidence.map((e) => h("li", {}, `${e.label}: ${e.text}`))) : null)))
      : h("p", { class: "muted" }, "No compliance findings."));
}

function summarySection(intelligence) {
  const summary = intelligence?.summary;
  return h("section", { "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, "Summary"),
    summary ? h("p", { id: "summary" }, summary.text) : h("p", { class: "muted" }, "No summary."));
}

function downloadsSection(doc) {
  const message = h("p", { role: "status" });
  const act = (label, run) => h("button", { type: "button", class: "secondary", onclick: async () => {
    message.textContent = `${label}…`;
    try {
      await run();
      message.textContent = "";
    } catch (err) {
      message.textContent = err.message;
    }
  } }, label);
  const stem = doc.filename.replace(/\.[^.]+$/, "");
  return h("section", { "aria-labelledby": "dl-title" }, h("h2", { id: "dl-title" }, "Download"),
    h("div", { class: "actions" },
      act("Original", () => download(`/documents/${doc.id}/file`, doc.filename)),
      act("Searchable PDF", () => download(`/documents/${doc.id}/searchable-pdf`, `${stem}.searchable.pdf`))),
    h("p", {}, h("a", { href: `/tickets?document=${encodeURIComponent(doc.id)}` }, "Report a problem with this document")),
    message);
}


// ---------- more of a document: Markdown, insights, recommendations, versions, redaction ----------
function insightsSection(intelligence) {
  const insights = intelligence?.insights || [];
  return h("section", { "aria-labelledby": "insights-title" }, h("h2", { id: "insights-title" }, "Insights"),
    insights.length
      ? h("ul", { id: "insights" }, insights.map((i) => h("li", { dataset: { type: i.type } },
        h("strong", {}, i.title), ` · ${i.importance} · ${percent(i.confidence)}`, h("br"), i.description,
        i.value ? ` (${i.value})` : "")))
      : h("p", { class: "muted" }, "No insights."));
}

function recommendationItem(rec, reload) {
  const message = h("small", { role: "status" });
  const act = (label, run) => h("button", { type: "button", class: "secondary outline", "aria-label": `${label}: ${rec.title}`,
    onclick: async () => {
      try {
        await run();
        await reload();
      } catch (err) {
        message.textContent = err.message;
      }
    } }, label);
  const review = (verdict) => () => api(`/recommendation-actions/${rec.action_id}/${verdict}`, { method: "POST", json: {} });
  const buttons = [];
  if (rec.action && ["open", "rejected", "failed"].includes(rec.status)) {
    buttons.push(act("Propose", () => api(`/recommendations/${rec.id}/implement`, { method: "POST", json: {} })));
  }
  if (rec.status === "pending_review" && rec.action_id) buttons.push(act("Approve", review("approve")), act("Reject", review("reject")));
  return h("li", { dataset: { recommendationId: rec.id, status: rec.status } },
    h("strong", {}, rec.title), ` · ${rec.priority} priority · `, h("span", { class: "rec-status" }, rec.status),
    h("br"), rec.description, buttons.length ? h("div", { class: "actions" }, buttons) : null, message);
}

function recommendationsSection(doc) {
  const list = h("ul", { id: "recommendations" });
  const load = async () => {
    const page = await api(`/documents/${doc.id}/recommendations?limit=50`);
    list.replaceChildren(...page.items.map((rec) => recommendationItem(rec, load)));
    if (!page.items.length) list.append(h("li", { class: "muted", dataset: { empty: "1" } }, "No recommendations."));
  };
  load().catch((err) => list.replaceChildren(h("li", { class: "error" }, err.message)));
  return h("section", { "aria-labelledby": "rec-title" }, h("h2", { id: "rec-title" }, "Recommendations"),
    h("p", { class: "muted" }, "Proposing creates an action (such as a redaction) that a reviewer approves or rejects."), list);
}

function versionsSection(doc) {
  const body = h("tbody", { id: "versions-body" });
  const message = h("p", { role: "status", id: "reprocess-status" });
  api(`/documents/${doc.id}/versions`).then((versions) => body.replaceChildren(...versions.items.map((v) =>
    h("tr", { dataset: { version: v.version } },
      h("td", {}, `v${v.version}${v.latest ? " (latest)" : ""}`), h("td", {}, v.document_type || "—"),
      h("td", {}, v.ocr?.engine || v.options?.ocr_engine || "—"),
      h("td", {}, new Date(v.created_at).toLocaleString()))))).catch((err) => { message.textContent = err.message; });
  const form = h("form", { id: "reprocess-form", class: "actions" },
    h("label", {}, "OCR", h("select", { name: "ocr" }, ["auto", "force", "off"].map((v) => h("option", { value: v }, v)))),
    h("label", {}, "OCR engine", h("select", { name: "ocr_engine" }, ["auto", "tesseract", "rapidocr"].map((v) => h("option", { value: v }, v)))),
    h("button", { type: "submit" }, "Reprocess"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    let posted = false;
    // listening before the request: a quick run can finish before its answer arrives
    onEvents((e) => {
      if (posted && e.data?.document_id === doc.id && FINAL.includes(e.data.status)) location.reload();
    });
    try {
      posted = true;
      await api(`/documents/${doc.id}/reprocess`, { method: "POST",
        json: { options: { ocr: data.get("ocr"), ocr_engine: data.get("ocr_engine") } } });
      message.textContent = "Queued again; this page reloads when it is done.";
    } catch (err) {
      posted = false;
      message.textContent = err.message;
    }
  });
  return h("section", { "aria-labelledby": "versions-title" }, h("h2", { id: "versions-title" }, "Versions"),
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Versions" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Version", "Type", "OCR", "Made"].map((c) => h("th", { scope: "col" }, c)))), body)),
    form, message);
}

function redactionSection(doc, intelligence, container) {
  // the boxes come from the same PII the page shows; they are drawn before anything runs
  const pii = intelligence?.pii?.entities || [];
  const types = [...new Set(pii.map((p) => p.type))].sort();
  const summary = h("p", { id: "redaction-preview", role: "status" }, "Choose what to black out to preview it.");
  const message = h("p", { role: "status" });
  const chosen = () => [...form.querySelectorAll("input[name=redact]:checked")].map((i) => i.value);
  const preview = () => {
    const picked = new Set(chosen());
    let count = 0;
    container.querySelectorAll(".box.pii").forEach((box) => {
      const on = picked.has(box.dataset.type);
      box.classList.toggle("redact-preview", on);
      count += on ? 1 : 0;
    });
    container.classList.toggle("previewing", picked.size > 0);
    summary.dataset.boxes = String(count);
    summary.textContent = picked.size ? `${count} box(es) will be blacked out (shown black on the page).`
      : "Choose what to black out to preview it.";
    run.disabled = picked.size === 0;
  };
  const run = h("button", { type: "submit", disabled: true }, "Write the redacted PDF");
  const form = h("form", { id: "redaction-form" },
    h("fieldset", {}, h("legend", {}, "Personal data to black out"),
      types.map((t) => h("label", {}, h("input", { type: "checkbox", name: "redact", value: t, onchange: preview }), ` ${t}`))),
    summary, run);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "Redacting…";
    try {
      const redaction = await api(`/documents/${doc.id}/redactions`, { method: "POST", json: { entity_types: chosen() } });
      await download(`/redactions/${redaction.id}/file`, `${doc.filename.replace(/\.[^.]+$/, "")}.redacted.pdf`);
      message.textContent = "Done.";
    } catch (err) {
      message.textContent = err.message;
    }
  });
  return h("section", { "aria-labelledby": "redact-title" }, h("h2", { id: "redact-title" }, "Redact"),
    types.length ? form : h("p", { class: "muted" }, "No personal data was found to redact."), message);
}

async function markdownOf(doc) {
  const response = await api(`/documents/${doc.id}/markdown`, { raw: true });
  return response.text();
}

function textSection(doc, results) {
  const markdown = h("pre", { class: "page-text", id: "markdown", tabindex: 0, "aria-label": "Markdown" }, "Loading…");
  markdownOf(doc).then((text) => { markdown.textContent = text; }).catch((err) => { markdown.textContent = err.message; });
  return h("section", { "aria-labelledby": "text-title", class: "wide" }, h("h2", { id: "text-title" }, "Text and Markdown"),
    h("div", { class: "side-by-side" },
      h("div", {}, h("h3", {}, "Text"), results.pages.map((page) => h("details", { open: page.number === 1 },
        h("summary", {}, `Page ${page.number}`),
        h("pre", { class: "page-text", tabindex: 0, "aria-label": `Text of page ${page.number}` }, page.text)))),
      h("div", {}, h("h3", {}, "Markdown"), markdown)));
}

// ---------- extraction review ----------
function fieldRow(doc, extraction, name, field, spec, onSaved) {
  const note = h("small", { class: "field-note", role: "status" });
  const save = async () => {
    note.classList.remove("error");
    let value;
    try {
      value = editor.value();
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      note.textContent = err.message;
      note.classList.add("error");
      return;
    }
    note.textContent = "Saving…";
    try {
      await api(`/documents/${doc.id}/extractions/${extraction.id}/corrections`,
        { method: "POST", json: { field: name, value } });
      note.textContent = "Saved as a correction.";
      await onSaved();
    } catch (err) {
      note.textContent = err.message;
      note.classList.add("error");
      if (err.status === 422) editor.showErrors(err.problem);
    }
  };
  const editor = fieldEditor(name, field, spec, save);
  const review = field.needs_review;
  return h("tr", { class: review ? "needs-review" : "", dataset: { field: name, review: String(review), method: field.method || "" } },
    h("th", { scope: "row" }, name, review ? h("span", { class: "review-flag" }, " · check") : null,
      h("small", { class: "field-how" }, `${field.method || field.missing_reason || "not found"} · `,
        h("span", { class: "field-confidence" }, percent(field.confidence || 0)))),
    editorCells(editor, note, h("button", { type: "button", class: "secondary outline", "aria-label": `Save ${name}`, onclick: save }, "Save")));
}

// a list or object editor takes the value and action columns: the page is half the width
function editorCells(editor, note, button) {
  if (editor.wide) return h("td", { colspan: 2 }, editor.node, h("div", { class: "actions" }, button), note);
  return [h("td", {}, editor.node, note), h("td", {}, button)];
}

// The fields as the template version that made the extraction defines them (null: unknown)
async function templateFields(extraction) {
  try {
    const versions = await api(`/templates/${encodeURIComponent(extraction.template_id || extraction.template_name)}/versions`);
    const version = versions.find((v) => v.version === extraction.template_version) || versions[0];
    return new Map((version?.fields || []).map((spec) => [spec.name, spec]));
  } catch (err) {
    if (err.status === 404) return new Map();
    throw err;
  }
}

function ruleName(rule) {
  return rule.name || `${rule.kind} ${[rule.field, ...(rule.fields || [])].filter(Boolean).join(", ")}`;
}

function validationList(report) {
  return h("ul", { id: "validation-results" }, report.results.map((r) => h("li", { dataset: { status: r.status } },
    `${r.status === "pass" ? "✓" : r.status === "fail" ? "✗" : "–"} ${ruleName(r.rule)}`, r.message ? `: ${r.message}` : "")));
}

function exportControls(doc, extraction) {
  const format = h("select", { name: "export-format", "aria-label": "Export format" },
    [["xlsx", "Excel"], ["csv", "CSV"], ["json", "JSON"]].map(([v, l]) => h("option", { value: v }, l)));
  const message = h("p", { role: "status", id: "export-status" });
  const scope = doc.batch_id ? "this batch" : `every document's ${extraction.template_name} results`;
  const run = async () => {
    const query = new URLSearchParams({ template: extraction.template_id || extraction.template_name, format: format.value });
    if (doc.batch_id) query.set("batch_ids", doc.batch_id);
    message.textContent = "Exporting…";
    try {
      await download(`/exports/extractions?${query}`, `${extraction.template_name}-export.${format.value}`);
      message.textContent = "";
    } catch (err) {
      message.textContent = err.message;
    }
  };
  return h("div", {}, h("div", { class: "actions" }, format,
    h("button", { type: "button", class: "secondary", onclick: run }, `Export ${scope}`)), message);
}

function applyTemplateForm(doc, onApplied) {
  const select = h("select", { name: "template", "aria-label": "Template to apply" });
  const message = h("p", { role: "status" });
  api("/templates?limit=100").then((page) => select.replaceChildren(
    ...page.items.map((t) => h("option", { value: t.id }, t.builtin ? `${t.name} (built-in)` : t.name)))).catch(() => {});
  const form = h("form", { id: "apply-template", class: "actions" }, select, h("button", { type: "submit" }, "Extract fields"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "Extracting…";
    try {
      await api(`/templates/${encodeURIComponent(select.value)}/apply`, { method: "POST", json: { document_ids: [doc.id] } });
      message.textContent = "";
      await onApplied();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  return h("div", {}, form, message);
}

function reviewSection(doc, onFields) {
  const section = h("section", { id: "extraction", "aria-labelledby": "extraction-title" });
  const load = async () => {
    const page = await api(`/documents/${doc.id}/extractions?limit=1`);
    const extraction = page.items[0];
    const title = h("h2", { id: "extraction-title" }, "Extracted fields");
    onFields(extraction);
    if (!extraction) {
      section.replaceChildren(title, h("p", { class: "muted" }, "No template has been applied yet."), applyTemplateForm(doc, load));
      return;
    }
    const specs = await templateFields(extraction);
    const results = h("div", { id: "validation", "aria-live": "polite" },
      extraction.validation ? validationList(extraction.validation) : null);
    const validate = h("button", { type: "button", class: "secondary", id: "run-validation", onclick: async () => {
      try {
        const report = await api(`/documents/${doc.id}/validate`,
          { method: "POST", json: { template_id: extraction.template_id || extraction.template_name } });
        results.replaceChildren(h("p", { id: "validation-summary", dataset: { passed: String(report.passed) } },
          report.passed ? "All rules pass." : `${report.failed} rule(s) fail.`), validationList(report));
      } catch (err) {
        results.replaceChildren(h("p", { class: "error" }, err.message));
      }
    } }, "Run validation");
    section.replaceChildren(title,
      h("p", { class: "muted" }, `${extraction.template_name} v${extraction.template_version} · `,
        extraction.review.length ? `${extraction.review.length} field(s) to check` : "nothing to check"),
      h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Extracted fields" }, h("table", { id: "fields-table" },
        h("thead", {}, h("tr", {}, ["Field (how · confidence)", "Value", "Action"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, Object.entries(extraction.fields).map(([name, field]) => fieldRow(doc, extraction, name, field, specs.get(name), load))))),
      h("div", { class: "actions" }, validate), results, exportControls(doc, extraction));
  };
  load().catch((err) => section.replaceChildren(h("h2", { id: "extraction-title" }, "Extracted fields"), h("p", { class: "error" }, err.message)));
  return section;
}

async function documentView(id) {
  let doc;
  try {
    doc = await api(`/documents/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404 || err.status === 422) return notFound();
    throw err;
  }
  const heading = h("hgroup", {}, h("h1", {}, doc.filename),
    h("p", {}, `${doc.status} · ${doc.page_count ?? "?"} page(s) · ${doc.language || "language unknown"}`));
  if (doc.status !== "completed") {
    const live = h("p", { id: "live-status", class: "muted" }, "Waiting for processing…");
    render(doc.filename, heading, h("p", { role: "status" }, `This document is ${doc.status}.`), live);
    if (doc.status === "queued" || doc.status === "processing") {
      onEvents((event) => {
        if (event.data?.document_id === doc.id && ["completed", "failed"].includes(event.data.status)) location.reload();
      }, live);
    }
    return;
  }
  const results = await api(`/documents/${doc.id}/results`);
  const intelligence = results.intelligence;
  const { toggles, container, panel, setFields } = await viewer(doc, results, intelligence);
  render(doc.filename, heading,
    h("div", { class: "doc-grid" },
      h("section", { "aria-labelledby": "pages-title" }, h("h2", { id: "pages-title" }, "Pages"), toggles, container),
      h("div", {}, panel, reviewSection(doc, setFields), classificationSection(doc, intelligence?.classification),
        findingsSection(intelligence), summarySection(intelligence), insightsSection(intelligence),
        recommendationsSection(doc), redactionSection(doc, intelligence, container), versionsSection(doc),
        downloadsSection(doc))),
    textSection(doc, results));
}

// ---------- API keys ----------
function cidrLines(text) {
  const lines = String(text || "").split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.length ? lines : null; // none: the key works from any address
}

function allowListField(id, label, current) {
  const error = h("small", { class: "error", id: `${id}-error`, role: "alert" });
  const area = h("textarea", { id, name: "allowed_ips", rows: 3, "aria-describedby": `${id}-help ${id}-error`,
    placeholder: "203.0.113.0/24\n2001:db8::/48" }, (current || []).join("\n"));
  const show = (message) => {
    error.textContent = message || "";
    if (message) area.setAttribute("aria-invalid", "true");
    else area.removeAttribute("aria-invalid");
  };
  const node = h("div", { class: "allow-list" }, h("label", { for: id }, label), area,
    h("small", { id: `${id}-help`, class: "muted" }, "One address or CIDR range a line (IPv4 or IPv6). Empty: any address."), error);
  return { node, area, show };
}

// a 422 about the allow-list goes under the field; anything else to the page's error line
function showKeyError(err, field, pageError) {
  const aboutIps = err.status === 422 && (err.problem?.errors || []).some((e) => /allowed_ips/.test(e.field || ""));
  if (aboutIps) field.show(err.message);
  else pageError.textContent = err.message;
}

function allowListEditor(key, onSaved) {
  const field = allowListField(`ips-${key.id}`, `Allowed IP addresses for ${key.name}`, key.allowed_ips);
  const pageError = h("p", { class: "error", role: "alert" });
  const row = h("tr", { class: "key-edit", dataset: { editKey: key.id } });
  const form = h("form", {}, field.node, h("div", { class: "actions" },
    h("button", { type: "submit" }, "Save allow-list"),
    h("button", { type: "button", class: "secondary outline", onclick: () => row.remove() }, "Cancel")), pageError);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    field.show("");
    try {
      await api(`/keys/${key.id}`, { method: "PATCH", json: { allowed_ips: cidrLines(field.area.value) } });
      await onSaved();
    } catch (err) {
      showKeyError(err, field, pageError);
    }
  });
  row.append(h("td", { colspan: 6 }, form));
  return row;
}

function keyRow(key, actions) {
  const ips = key.allowed_ips;
  return h("tr", { dataset: { keyId: key.id, status: key.status } },
    h("td", {}, key.name), h("td", {}, h("code", {}, key.masked_key)), h("td", { class: "key-status" }, key.status),
    h("td", { class: "key-ips" }, ips ? h("ul", { class: "plain" }, ips.map((cidr) => h("li", {}, h("code", {}, cidr)))) : "any address"),
    h("td", {}, key.last_used_at ? new Date(key.last_used_at).toLocaleString() : "never"),
    h("td", {}, h("div", { class: "actions" }, actions)));
}

async function keysView() {
  const body = h("tbody", { id: "keys-body" });
  const created = h("div", { id: "created-key", "aria-live": "polite" });
  const error = errorLine("keys-error");
  const showOnce = (secret) => created.replaceChildren(h("article", {},
    h("p", {}, h("strong", {}, "Copy this key now: it is shown only once.")),
    h("p", { class: "key-once", id: "new-key" }, secret)));
  const act = (text, label, onclick) => h("button", { type: "button", class: "secondary outline", "aria-label": label, onclick }, text);
  const guarded = (work) => async () => {
    try {
      await work();
    } catch (err) {
      error.textContent = err.message;
    }
  };
  const load = async () => {
    const page = await api("/keys?limit=100");
    body.replaceChildren(...page.items.map((key) => {
      const live = ["active", "inactive"].includes(key.status);
      const edit = live ? h("button", { type: "button", class: "secondary outline", "aria-label": `Edit the allow-list of ${key.name}`,
        onclick: (event) => {
          body.querySelector(`tr[data-edit-key="${key.id}"]`)?.remove();
          const editor = allowListEditor(key, load);
          event.currentTarget.closest("tr").after(editor);
          editor.querySelector("textarea").focus();
        } }, "Allow-list") : "";
      return keyRow(key, [
        key.is_active ? act("Rotate", `Rotate ${key.name}`, guarded(async () => {
          if (!window.confirm(`Replace the key "${key.name}"? The old one keeps working for a day.`)) return;
          const rotated = await api(`/keys/${key.id}/rotate`, { method: "POST", json: {} });
          showOnce(rotated.key);
          await load();
        })) : "",
        edit,
        h("a", { href: `/usage?key=${encodeURIComponent(key.id)}`, "aria-label": `Usage of ${key.name}` }, "Usage"),
        key.is_active ? act("Revoke", `Revoke ${key.name}`, guarded(async () => {
          if (!window.confirm(`Revoke the key "${key.name}"? Programs using it stop working.`)) return;
          await api(`/keys/${key.id}`, { method: "DELETE" });
          await load();
        })) : ""]);
    }));
    if (!page.items.length) body.append(h("tr", {}, h("td", { colspan: 6 }, "No API keys yet.")));
  };
  const ips = allowListField("new-key-ips", "Allowed IP addresses (optional)", null);
  const form = h("form", { id: "key-form" },
    h("label", {}, "Key name", h("input", { name: "name", required: true, maxlength: 100 })),
    ips.node, h("button", { type: "submit" }, "Create key"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    ips.show("");
    try {
      const json = { name: new FormData(form).get("name") };
      const allowed = cidrLines(ips.area.value);
      if (allowed) json.allowed_ips = allowed;
      const key = await api("/keys", { method: "POST", json });
      showOnce(key.key);
      form.reset();
      await load();
    } catch (err) {
      showKeyError(err, ips, error);
    }
  });
  render("API keys", h("h1", {}, "API keys"),
    h("p", {}, "Keys let programs use the API as you, in your team."), form, error, created,
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Your API keys" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Name", "Key", "Status", "Allowed from", "Last used", "Action"].map((c) => h("th", { scope: "col" }, c)))),
      body)));
  await load();
}

// ---------- batches ----------
function batchProgress(totals) {
  return h("progress", { max: totals.total || 1, value: totals.processed,
    "aria-label": `${totals.processed} of ${totals.total} processed` });
}

function successRate(totals) {
  return totals.success_rate === null ? "—" : percent(totals.success_rate);
}

async function batchesView() {
  const body = h("tbody", { id: "batches-body" });
  render("Batches", h("h1", {}, "Batches"),
    h("p", {}, "Batches are uploaded through the API (POST /api/v1/batches) or the SDK."),
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Your batches" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Batch", "Status", "Progress", "Completed", "Failed", "Success rate", "Created"]
        .map((c) => h("th", { scope: "col" }, c)))), body)));
  const page = await api("/batches?limit=50");
  body.replaceChildren(...page.items.map((batch) => h("tr", { dataset: { batchId: batch.id, status: batch.status } },
    h("td", {}, h("a", { href: `/batches/${encodeURIComponent(batch.id)}` }, batch.name || batch.id)),
    h("td", {}, batch.status), h("td", {}, batchProgress(batch.totals)),
    h("td", {}, batch.totals.completed), h("td", {}, batch.totals.failed),
    h("td", {}, successRate(batch.totals)), h("td", {}, new Date(batch.created_at).toLocaleString()))));
  if (!page.items.length) body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 7 }, "No batches yet.")));
}

async function batchView(id) {
  let batch;
  try {
    batch = await api(`/batches/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404 || err.status === 422) return notFound();
    throw err;
  }
  const { totals } = batch;
  const message = h("p", { role: "status", id: "batch-message" });
  const retry = totals.failed + totals.cancelled > 0
    ? h("button", { type: "button", onclick: async () => {
      try {
        const result = await api(`/batches/${batch.id}/retry-failed`, { method: "POST" });
        message.textContent = `${result.affected} document(s) queued again.`;
      } catch (err) {
        message.textContent = err.message;
      }
    } }, "Retry failed")
    : null;
  const fetchZip = (label, path, filename) => h("button", { type: "button", class: "secondary", onclick: async () => {
    message.textContent = `${label}…`;
    try {
      await download(path, filename);
      message.textContent = "";
    } catch (err) {
      message.textContent = err.message;
    }
  } }, label);
  const downloads = h("div", { class: "actions" },
    fetchZip("Download results (ZIP)", `/batches/${batch.id}/results-archive`, `${batch.id}-results.zip`),
    totals.failed > 0 ? fetchZip("Download failed originals (ZIP)", `/batches/${batch.id}/failed-originals`, `${batch.id}-failed.zip`) : null,
    retry);
  render(batch.name || batch.id, h("hgroup", {}, h("h1", {}, batch.name || batch.id),
    h("p", {}, `${batch.status} · ${totals.processed} of ${totals.total} processed · success rate ${successRate(totals)}`)),
  batchProgress(totals), downloads, message,
  h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Documents of the batch" }, h("table", {},
    h("thead", {}, h("tr", {}, ["File", "Status", "Error", "Time"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", { id: "batch-documents" }, (batch.documents || []).map((d) => h("tr", { dataset: { documentId: d.id } },
      h("td", {}, h("a", { href: `/documents/${encodeURIComponent(d.id)}` }, d.filename)),
      h("td", {}, statusCell(d.status)), h("td", {}, d.error_code || ""),
      h("td", {}, d.processing_time_ms === null ? "—" : `${(d.processing_time_ms / 1000).toFixed(1)} s`)))))));
}

// ---------- notifications ----------
const NOTIFYING = /^(document\.failed|document\.shared|batch\.completed|team\.|system\.)/;

async function updateBell() {
  const page = await api("/notifications?read=false&limit=100");
  const count = page.has_more ? "100+" : String(page.items.length);
  const badge = document.getElementById("unread-count");
  badge.textContent = count;
  badge.dataset.count = count;
  document.getElementById("nav-bell").setAttribute("aria-label", `Notifications, ${count} unread`);
}

let bellTimer = null;

function watchBell() {
  onEvents((event) => {
    if (!NOTIFYING.test(event.type)) return;
    // the notification is written when the event is handled: look shortly after, once
    clearTimeout(bellTimer);
    bellTimer = setTimeout(() => updateBell().catch(() => {}), 1500);
  });
  return updateBell();
}

async function notificationsView() {
  const list = h("ul", { id: "notifications" });
  const load = async () => {
    const page = await api("/notifications?limit=50");
    list.replaceChildren(...page.items.map((n) => h("li", { class: n.read ? "muted" : "", dataset: { read: String(n.read) } },
      h("strong", {}, n.title), ` · ${new Date(n.created_at).toLocaleString()}`, h("br"), n.body)));
    if (!page.items.length) list.append(h("li", { dataset: { empty: "1" } }, "No notifications."));
  };
  const readAll = h("button", { type: "button", class: "secondary", onclick: async () => {
    await api("/notifications/read-all", { method: "POST" });
    await load();
    await updateBell();
  } }, "Mark all as read");
  onEvents((event) => {
    if (NOTIFYING.test(event.type)) setTimeout(() => load().catch(() => {}), 700);
  });
  render("Notifications", h("h1", {}, "Notifications"), readAll, list, await preferencesSection());
  await load();
}

const CATEGORIES = [["documents", "A document failed"], ["batches", "A batch finished"],
  ["team", "Team changes"], ["system", "System messages"]];

async function preferencesSection() {
  const prefs = await api("/notifications/preferences");
  const status = h("p", { role: "status", id: "preferences-status" });
  const form = h("form", { id: "preferences-form" },
    h("label", {}, h("input", { type: "checkbox", role: "switch", name: "email_enabled", checked: prefs.email_enabled }), " E-mail me too"),
    h("fieldset", {}, h("legend", {}, "Notify me when"),
      CATEGORIES.map(([value, label]) => h("label", {},
        h("input", { type: "checkbox", name: "categories", value, checked: prefs.categories.includes(value) }), ` ${label}`))),
    h("label", {}, "E-mails", h("select", { name: "digest_frequency" },
      [["none", "one per notification"], ["daily", "a daily digest"], ["weekly", "a weekly digest"]]
        .map(([value, label]) => h("option", { value, selected: prefs.digest_frequency === value }, label)))),
    h("button", { type: "submit" }, "Save preferences"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api("/notifications/preferences", { method: "PUT", json: {
        email_enabled: data.get("email_enabled") === "on", categories: data.getAll("categories"),
        digest_frequency: data.get("digest_frequency") } });
      status.textContent = "Saved.";
    } catch (err) {
      status.textContent = err.message;
    }
  });
  return h("section", { "aria-labelledby": "preferences-title" }, h("h2", { id: "preferences-title" }, "Preferences"), form, status);
}

// ---------- webhooks ----------
function deliveriesTable(webhook) {
  const body = h("tbody", {});
  const load = async () => {
    const page = await api(`/webhooks/${webhook.id}/deliveries?limit=20`);
    body.replaceChildren(...page.items.map((d) => h("tr", { dataset: { deliveryId: d.id, status: d.status } },
      h("td", {}, d.event_type), h("td", {}, d.status), h("td", {}, d.attempts),
      h("td", {}, d.last_status_code ?? d.last_error ?? "—"),
      h("td", {}, h("button", { type: "button", class: "secondary outline", "aria-label": `Redeliver ${d.event_type}`,
        onclick: async () => {
          await api(`/webhooks/${webhook.id}/deliveries/${d.id}/redeliver`, { method: "POST" });
          await load();
        } }, "Redeliver")))));
    if (!page.items.length) body.append(h("tr", {}, h("td", { colspan: 5 }, "No deliveries yet.")));
  };
  const table = h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": `Deliveries to ${webhook.url}` },
    h("table", {}, h("thead", {}, h("tr", {}, ["Event", "Status", "Attempts", "Last answer", "Action"]
      .map((c) => h("th", { scope: "col" }, c)))), body));
  return { table, load };
}

function webhookItem(webhook, reload) {
  const result = h("p", { role: "status", class: "webhook-result" });
  const { table, load } = deliveriesTable(webhook);
  const log = h("details", { ontoggle: (e) => e.target.open && load().catch((err) => { result.textContent = err.message; }) },
    h("summary", {}, "Delivery log"), table);
  return h("article", { dataset: { webhookId: webhook.id } },
    h("header", {}, h("strong", {}, webhook.url), " · ",
      webhook.is_active ? "active" : `disabled (${webhook.disabled_reason || "failures"})`),
    h("p", {}, webhook.event_types.length ? `Events: ${webhook.event_types.join(", ")}` : "Every event"),
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: async () => {
        result.textContent = "Sending…";
        try {
          const test = await api(`/webhooks/${webhook.id}/test`, { method: "POST" });
          result.textContent = test.ok ? `Delivered: HTTP ${test.status_code} in ${test.latency_ms} ms`
            : `Failed: ${test.error || `HTTP ${test.status_code}`}`;
          result.dataset.ok = String(test.ok);
        } catch (err) {
          result.textContent = err.message;
        }
      } }, "Send a test event"),
      h("button", { type: "button", class: "secondary outline", onclick: async () => {
        if (!window.confirm(`Delete the webhook to ${webhook.url}?`)) return;
        await api(`/webhooks/${webhook.id}`, { method: "DELETE" });
        await reload();
      } }, "Delete")),
    result, webhookEditor(webhook, reload, result), log);
}

function webhookEditor(webhook, reload, result) {
  const form = h("form", { class: "webhook-edit" },
    h("label", {}, "Endpoint URL", h("input", { type: "url", name: "url", required: true, value: webhook.url })),
    h("label", {}, "Events (comma-separated; empty for all)", h("input", { name: "event_types", value: webhook.event_types.join(", ") })),
    h("label", {}, h("input", { type: "checkbox", role: "switch", name: "is_active", checked: webhook.is_active }), " Active"),
    h("button", { type: "submit" }, "Save changes"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const types = String(data.get("event_types") || "").split(",").map((t) => t.trim()).filter(Boolean);
    try {
      await api(`/webhooks/${webhook.id}`, { method: "PATCH",
        json: { url: data.get("url"), event_types: types, is_active: data.get("is_active") === "on" } });
      await reload();
    } catch (err) {
      result.textContent = err.message;
    }
  });
  return h("details", {}, h("summary", {}, "Edit"), form);
}

async function webhooksView() {
  const list = h("div", { id: "webhooks" });
  const created = h("div", { id: "created-webhook", "aria-live": "polite" });
  const error = errorLine("webhook-error");
  const load = async () => {
    const page = await api("/webhooks?limit=100");
    list.replaceChildren(...page.items.map((w) => webhookItem(w, load)));
    if (!page.items.length) list.append(h("p", { dataset: { empty: "1" } }, "No webhooks yet."));
  };
  const form = h("form", { id: "webhook-form" },
    h("div", { class: "grid" },
      h("label", {}, "Endpoint URL", h("input", { type: "url", name: "url", required: true })),
      h("label", {}, "Events (comma-separated; empty for all)",
        h("input", { name: "event_types", placeholder: "document.processed, batch.*" }))),
    h("button", { type: "submit" }, "Add webhook"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    const types = String(data.get("event_types") || "").split(",").map((t) => t.trim()).filter(Boolean);
    try {
      const webhook = await api("/webhooks", { method: "POST", json: { url: data.get("url"), event_types: types } });
      created.replaceChildren(h("article", {},
        h("p", {}, h("strong", {}, "Signing secret, shown only once:")),
        h("p", { class: "key-once", id: "webhook-secret" }, webhook.secret)));
      form.reset();
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Webhooks", h("h1", {}, "Webhooks"),
    h("p", {}, "Folio posts signed events (Standard Webhooks) to these endpoints."), form, error, created, list);
  await load();
}

// ---------- image datasets: projects, crawls, images, builds ----------
async function projectsView() {
  const body = h("tbody", { id: "projects-body" });
  const error = errorLine("project-error");
  const load = async () => {
    const page = await api("/projects?limit=100");
    body.replaceChildren(...page.items.map((p) => h("tr", { dataset: { projectId: p.id } },
      h("td", {}, h("a", { href: `/datasets/${encodeURIComponent(p.id)}` }, p.name)), h("td", {}, p.description || ""),
      h("td", {}, p.job_count), h("td", {}, p.image_count), h("td", {}, p.dataset_count))));
    if (!page.items.length) body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 5 }, "No projects yet.")));
  };
  const form = h("form", { id: "project-form", class: "filters" },
    h("label", {}, "Project name", h("input", { name: "name", required: true, maxlength: 200 })),
    h("label", {}, "Description", h("input", { name: "description", maxlength: 2000 })),
    h("button", { type: "submit" }, "Create project"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api("/projects", { method: "POST", json: { name: data.get("name"), description: data.get("description") || null } });
      form.reset();
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  render("Image datasets", h("h1", {}, "Image datasets"),
    h("p", {}, "A project collects images by crawling sites, URL lists or open image libraries, and builds datasets from them."),
    form, error,
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Projects" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Project", "Description", "Crawls", "Images kept", "Datasets"].map((c) => h("th", { scope: "col" }, c)))),
      body)));
  await load();
}

function crawlForm(project, onCreated) {
  const error = errorLine("crawl-error");
  const form = h("form", { id: "crawl-form" },
    h("div", { class: "grid" },
      h("label", {}, "Start pages or sitemaps (one URL a line)", h("textarea", { name: "seeds", rows: 2 })),
      h("label", {}, "Or keywords for Openverse and Wikimedia (comma-separated)", h("input", { name: "keywords" }))),
    h("div", { class: "grid" },
      h("label", {}, "Most images", h("input", { type: "number", name: "max_images", min: 1, max: 10000, value: 100 })),
      h("label", {}, "Link depth", h("input", { type: "number", name: "max_depth", min: 0, max: 5, value: 1 })),
      h("label", {}, "Label", h("input", { name: "label", maxlength: 100 }))),
    h("button", { type: "submit" }, "Start crawl"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const data = new FormData(form);
    const lines = (name, separator) => String(data.get(name) || "").split(separator).map((s) => s.trim()).filter(Boolean);
    try {
      await api("/crawl-jobs", { method: "POST", json: {
        project_id: project.id, seeds: lines("seeds", "\n"), keywords: lines("keywords", ","),
        max_images: Number(data.get("max_images")), max_depth: Number(data.get("max_depth")),
        labels: data.get("label") ? [data.get("label")] : [], start: true } });
      form.reset();
      await onCreated();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  return h("div", {}, form, error);
}

const CRAWL_DONE = {
  start: "Crawl resumed: it skips the images it already has.",
  stop: "Crawl stopped: downloads in flight finish, the rest waits for Resume.",
  retry: "Failed parts of the crawl run again.",
};

function crawlActions(job, onChanged, message) {
  const act = (label, verb) => {
    const button = h("button", { type: "button", class: "secondary outline", "aria-label": `${label} crawl ${job.id}`,
      onclick: async () => {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        try {
          await api(`/crawl-jobs/${job.id}/${verb}`, { method: "POST" });
          message.textContent = CRAWL_DONE[verb];
          await onChanged();
        } catch (err) {
          message.textContent = err.message;
          button.disabled = false;
          button.removeAttribute("aria-busy");
        }
      } }, label);
    return button;
  };
  if (job.status === "running") return act("Stop", "stop");
  if (job.status === "stopped" || job.status === "paused") return act("Resume", "start");
  if (job.status === "pending") return act("Start", "start");
  if (job.status === "failed" || job.errors.length) return act("Retry failed", "retry");
  return "";
}

function crawlRow(job, onChanged, message) {
  const done = job.images_valid + job.images_failed + job.images_duplicate;
  return h("tr", { dataset: { jobId: job.id, status: job.status } },
    h("td", {}, job.name || (job.seeds[0] || job.keywords.join(", ") || job.id)), h("td", { class: "crawl-status" }, job.status),
    h("td", {}, h("progress", { max: Math.max(job.max_images, 1), value: Math.min(done, job.max_images),
      "aria-label": `${done} of at most ${job.max_images} images` })),
    h("td", {}, job.images_valid), h("td", {}, job.images_failed), h("td", {}, job.images_duplicate),
    h("td", {}, job.errors.length ? job.errors.map((e) => `${e.code}: ${e.message}`).join("; ") : (job.error_message || "")),
    h("td", {}, crawlActions(job, onChanged, message)));
}

async function objectUrl(path) {
  return URL.createObjectURL(await (await api(path, { raw: true })).blob());
}

function imageCard(image) {
  const img = h("img", { alt: image.alt_text || image.title || `Image from ${new URL(image.source_url).host}`, loading: "lazy" });
  objectUrl(`/images/${image.id}/thumbnail`).then((url) => { img.src = url; }).catch(() => {});
  return h("figure", { class: "thumb", dataset: { imageId: image.id } }, img,
    h("figcaption", {}, `${image.width}×${image.height}`, image.label ? ` · ${image.label}` : "", image.license ? ` · ${image.license}` : ""));
}

function datasetsBlock(project, message) {
  const body = h("tbody", { id: "datasets-body" });
  const load = async () => {
    const page = await api(`/projects/${project.id}/datasets?limit=50`);
    body.replaceChildren(...page.items.map((d) => h("tr", { dataset: { datasetId: d.id, status: d.status } },
      h("td", {}, d.format), h("td", {}, d.status), h("td", {}, d.image_count),
      h("td", {}, Object.entries(d.split_counts).map(([k, v]) => `${k} ${v}`).join(", ")),
      h("td", {}, d.status === "ready" ? h("button", { type: "button", class: "secondary outline", "aria-label": `Download dataset ${d.id}`,
        onclick: () => download(`/datasets/${d.id}/download`, `${d.id}.${d.format === "zip" ? "zip" : d.format === "parquet" ? "parquet" : "tar"}`)
          .catch((err) => { message.textContent = err.message; }) }, "Download") : (d.error_message || "")))));
    if (!page.items.length) body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 5 }, "No datasets yet.")));
    return page.items;
  };
  const format = h("select", { name: "format", "aria-label": "Dataset format" },
    [["zip", "ZIP (images and manifest)"], ["webdataset", "WebDataset"], ["parquet", "Parquet manifest"]].map(([v, l]) => h("option", { value: v }, l)));
  const build = h("button", { type: "button", onclick: async () => {
    try {
      await api(`/projects/${project.id}/datasets`, { method: "POST", json: { format: format.value } });
      message.textContent = "Building the dataset…";
      for (let i = 0; i < 60; i += 1) {
        const items = await load();
        if (!items.some((d) => d.status === "pending" || d.status === "building")) break;
        await pause(1000);
      }
      message.textContent = "";
    } catch (err) {
      message.textContent = err.message;
    }
  } }, "Build dataset");
  return { block: h("div", {}, h("div", { class: "actions" }, format, build),
    h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Datasets" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Format", "Status", "Images", "Splits", "Action"].map((c) => h("th", { scope: "col" }, c)))), body))), load };
}

async function projectView(id) {
  let project;
  try {
    project = await api(`/projects/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404 || err.status === 422) return notFound();
    throw err;
  }
  const message = h("p", { role: "status", id: "project-status" });
  const jobs = h("tbody", { id: "crawls-body" });
  const kept = h("div", { class: "thumbs", id: "kept-images" });
  const rejected = h("ul", { id: "rejected-images" });
  const datasets = datasetsBlock(project, message);
  const load = async () => {
    const [jobPage, keptPage, rejectedPage] = await Promise.all([
      api(`/crawl-jobs?project_id=${project.id}&limit=50`),
      api(`/images?project_id=${project.id}&is_valid=true&is_duplicate=false&limit=60`),
      api(`/images?project_id=${project.id}&is_valid=false&limit=100`)]);
    jobs.replaceChildren(...jobPage.items.map((job) => crawlRow(job, watch, message)));
    if (!jobPage.items.length) jobs.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 8 }, "No crawls yet.")));
    kept.replaceChildren(...keptPage.items.map(imageCard));
    if (!keptPage.items.length) kept.append(h("p", { class: "muted" }, "No images kept yet."));
    rejected.replaceChildren(...rejectedPage.items.map((i) => h("li", { dataset: { reason: i.rejection_reason || "" } },
      h("code", {}, i.rejection_reason || "rejected"), ` ${i.source_url}`, i.rejection_message ? ` — ${i.rejection_message}` : "")));
    if (!rejectedPage.items.length) rejected.append(h("li", { class: "muted" }, "None rejected."));
    return jobPage.items;
  };
  const watch = async () => {
    // a crawl reports its images as it goes: look again until every job has ended
    for (let i = 0; i < 120; i += 1) {
      const items = await load();
      if (!items.some((j) => j.status === "running" || j.status === "pending")) return;
      await pause(1500);
    }
  };
  const remove = h("button", { type: "button", class: "secondary outline", onclick: async () => {
    if (!window.confirm(`Delete the project "${project.name}" with its crawls, images and datasets?`)) return;
    try {
      await api(`/projects/${project.id}`, { method: "DELETE" });
      location.assign("/datasets");
    } catch (err) {
      message.textContent = err.message;
    }
  } }, "Delete project");
  render(project.name, h("hgroup", {}, h("h1", {}, project.name), h("p", {}, project.description || "Image project")), message,
    h("section", { "aria-labelledby": "crawl-title" }, h("h2", { id: "crawl-title" }, "Crawls"), crawlForm(project, watch),
      h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Crawls" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Crawl", "Status", "Progress", "Kept", "Failed", "Duplicates", "Errors", "Action"].map((c) => h("th", { scope: "col" }, c)))),
        jobs))),
    h("section", { "aria-labelledby": "kept-title" }, h("h2", { id: "kept-title" }, "Kept images"), kept),
    h("section", { "aria-labelledby": "rejected-title" }, h("h2", { id: "rejected-title" }, "Rejected images and why"), rejected),
    h("section", { "aria-labelledby": "datasets-title" }, h("h2", { id: "datasets-title" }, "Datasets"), datasets.block),
    h("div", { class: "actions" }, remove));
  await Promise.all([watch(), datasets.load()]);
}

// ---------- tickets ----------
const TICKET_STATUSES = ["open", "in_progress", "resolved", "closed"];

function ticketRow(ticket, message) {
  const select = h("select", { name: "status", "aria-label": `Status of ticket ${ticket.id}` },
    TICKET_STATUSES.map((s) => h("option", { value: s, selected: s === ticket.status }, s.replace("_", " "))));
  select.addEventListener("change", async () => {
    try {
      const saved = await api(`/tickets/${ticket.id}/status`, { method: "PATCH", json: { status: select.value } });
      row.dataset.status = saved.status;
      message.textContent = `Ticket moved to ${saved.status.replace("_", " ")}.`;
    } catch (err) {
      select.value = ticket.status;
      message.textContent = err.message;
    }
  });
  const about = ticket.document_id ? h("a", { href: `/documents/${encodeURIComponent(ticket.document_id)}` }, "document")
    : ticket.batch_id ? h("a", { href: `/batches/${encodeURIComponent(ticket.batch_id)}` }, "batch") : "—";
  const row = h("tr", { dataset: { ticketId: ticket.id, status: ticket.status } },
    h("td", {}, ticket.error_type), h("td", { class: "ticket-text" }, ticket.description), h("td", {}, ticket.user_name),
    h("td", {}, about), h("td", {}, select), h("td", {}, new Date(ticket.created_at).toLocaleString()));
  return row;
}

async function ticketsView() {
  const params = new URLSearchParams(location.search);
  const body = h("tbody", { id: "tickets-body" });
  const message = h("p", { role: "status", id: "tickets-status" });
  const load = async () => {
    const page = await api("/tickets?limit=100");
    body.replaceChildren(...page.items.map((t) => ticketRow(t, message)));
    if (!page.items.length) body.append(h("tr", { dataset: { empty: "1" } }, h("td", { colspan: 6 }, "No tickets.")));
  };
  const form = h("form", { id: "ticket-form" },
    h("div", { class: "grid" },
      h("label", {}, "Your name", h("input", { name: "user_name", required: true, maxlength: 200, autocomplete: "name" })),
      h("label", {}, "Kind of problem", h("select", { name: "error_type" },
        ["OCR Failure", "Wrong classification", "Wrong field value", "Processing failed", "Other"].map((v) => h("option", { value: v }, v))))),
    h("label", {}, "What happened", h("textarea", { name: "description", required: true, maxlength: 10000, rows: 3 })),
    h("input", { type: "hidden", name: "document_id", value: params.get("document") || "" }),
    h("button", { type: "submit" }, "Report the problem"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.document_id) delete data.document_id;
    try {
      await api("/tickets", { method: "POST", json: data });
      message.textContent = "Reported. Thank you.";
      form.reset();
      await load();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  render("Tickets", h("h1", {}, "Tickets"),
    h("section", { "aria-labelledby": "new-ticket-title" }, h("h2", { id: "new-ticket-title" }, "Report a problem"),
      params.get("document") ? h("p", { class: "muted" }, "About the document you came from.") : null, form, message),
    h("section", { "aria-labelledby": "tickets-title" }, h("h2", { id: "tickets-title" }, "Your team's tickets"),
      h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-labelledby": "tickets-title" }, h("table", {},
        h("thead", {}, h("tr", {}, ["Problem", "Description", "Reported by", "About", "Status", "When"].map((c) => h("th", { scope: "col" }, c)))),
        body))));
  await load();
}

// ---------- usage ----------
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  el.append(...children);
  return el;
}

function dailyChart(days, title) {
  // one bar per day: requests, the errors inside it darker; sizes through attributes, not styles
  const width = 600;
  const height = 160;
  const top = Math.max(1, ...days.map((d) => d.requests));
  const step = width / Math.max(days.length, 1);
  const bars = days.flatMap((d, i) => {
    const total = (d.requests / top) * (height - 20);
    const errors = (d.errors / top) * (height - 20);
    return [
      svg("rect", { class: "bar", x: i * step + 1, y: height - total, width: Math.max(step - 2, 1), height: total,
        "data-date": d.date, "data-requests": d.requests }, svg("title", {}, `${d.date}: ${d.requests} requests, ${d.errors} errors`)),
      svg("rect", { class: "bar-errors", x: i * step + 1, y: height - errors, width: Math.max(step - 2, 1), height: errors }),
    ];
  });
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "chart" },
    svg("title", {}, title), ...bars);
}

function quotaRow(label, quota, format = (n) => n.toLocaleString()) {
  return h("div", { class: "quota", dataset: { quota: label } },
    h("p", {}, h("strong", {}, label), ": ", format(quota.used),
      quota.limit === null ? " (unlimited)" : ` of ${format(quota.limit)}`),
    quota.limit === null ? null
      : h("meter", { min: 0, max: quota.limit, value: quota.used, high: quota.limit * 0.8,
        "aria-label": `${label}: ${quota.used} of ${quota.limit}` }));
}

function seriesChart(points, field, title) {
  // one bar per period; heights through SVG attributes (the CSP allows no style attributes)
  const width = 600;
  const height = 120;
  const top = Math.max(1, ...points.map((p) => p[field] || 0));
  const step = width / Math.max(points.length, 1);
  const bars = points.map((p, i) => {
    const value = p[field] || 0;
    const size = (value / top) * (height - 10);
    return svg("rect", { class: "bar", x: i * step + 1, y: height - size, width: Math.max(step - 2, 1), height: size,
      "data-period": p.period, "data-value": value }, svg("title", {}, `${p.period}: ${value}`));
  });
  const total = points.reduce((sum, p) => sum + (p[field] || 0), 0);
  return h("figure", { class: "series", dataset: { series: field } },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}: ${total} in all`, class: "chart" },
      svg("title", {}, title), ...bars),
    h("figcaption", {}, `${title}: ${total.toLocaleString()} in all`));
}

function latencyTable(report) {
  const ms = (v) => (v === null ? "—" : `${Math.round(v)} ms`);
  const rows = [["All requests", report.overall], ...report.routes.slice(0, 10).map((r) => [r.route, r])];
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": "Latency" }, h("table", { id: "latency" },
    h("thead", {}, h("tr", {}, ["Route", "Requests", "p50", "p95", "p99"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([name, p]) => h("tr", {}, h("td", {}, name), h("td", {}, p.count),
      h("td", {}, ms(p.p50_ms)), h("td", {}, ms(p.p95_ms)), h("td", {}, ms(p.p99_ms)))))));
}

function teamUsageSection() {
  const charts = h("div", { id: "team-usage", "aria-live": "polite" });
  const period = h("select", { name: "period", "aria-label": "Period" },
    [["7d", "last 7 days"], ["30d", "last 30 days"], ["90d", "last 90 days"]].map(([v, l]) => h("option", { value: v, selected: v === "30d" }, l)));
  const load = async () => {
    try {
      const granularity = period.value === "90d" ? "week" : "day";
      const [usage, performance] = await Promise.all([
        api(`/analytics/usage?period=${period.value}&granularity=${granularity}`),
        api(`/analytics/performance?period=${period.value}`)]);
      charts.replaceChildren(h("div", { class: "series-grid" },
        seriesChart(usage.series, "documents", "Documents processed"), seriesChart(usage.series, "pages", "Pages"),
        seriesChart(usage.series, "api_calls", "API calls"), seriesChart(usage.series, "api_errors", "API errors")),
      h("h3", {}, "Latency"), latencyTable(performance));
    } catch (err) {
      charts.replaceChildren(h("p", { class: "muted" }, err.status === 403 ? "Your role may not read the team's analytics." : err.message));
    }
  };
  period.addEventListener("change", load);
  load();
  return h("section", { "aria-labelledby": "team-usage-title" }, h("h2", { id: "team-usage-title" }, "Your team over time"), period, charts);
}

async function usageView() {
  const usage = await api("/usage/current");
  const keys = (await api("/keys?limit=100")).items;
  const chart = h("div", { id: "key-usage", "aria-live": "polite" });
  const showKey = async (id) => {
    const data = await api(`/keys/${encodeURIComponent(id)}/usage`);
    chart.replaceChildren(
      h("p", {}, `${data.requests} requests, ${data.errors} errors from ${data.start} to ${data.end}` +
        (data.avg_response_time_ms === null ? "" : `, ${Math.round(data.avg_response_time_ms)} ms on average`)),
      dailyChart(data.daily_usage, "Requests per day"),
      data.top_endpoints.length ? h("ul", {}, data.top_endpoints.map((e) => h("li", {}, `${e.endpoint}: ${e.count}`))) : null);
  };
  const select = h("select", { name: "key", onchange: (e) => showKey(e.target.value) },
    keys.map((k) => h("option", { value: k.id }, `${k.name} (${k.status})`)));
  const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
  render("Usage", h("h1", {}, "Usage"),
    h("section", { "aria-labelledby": "quota-title" },
      h("h2", { id: "quota-title" }, `This month (plan ${usage.plan})`),
      quotaRow("API calls", usage.api_calls), quotaRow("Documents processed", usage.documents_processed),
      quotaRow("Storage", usage.storage_bytes, mib),
      h("p", { class: "muted" }, `Resets ${new Date(usage.resets_at).toLocaleString()}.`)),
    teamUsageSection(),
    h("section", { "aria-labelledby": "key-usage-title" }, h("h2", { id: "key-usage-title" }, "API key usage"),
      keys.length ? h("label", {}, "API key", select) : h("p", {}, "No API keys yet."), chart));
  const wanted = new URLSearchParams(location.search).get("key");
  const active = keys.find((k) => k.id === wanted) || keys.find((k) => k.is_active) || keys[0];
  if (active) {
    select.value = active.id;
    await showKey(active.id);
  }
}

function notFound() {
  render("Not found", h("h1", {}, "Not found"),
    h("p", {}, "There is no such page, or it is not shared with you."), h("p", {}, h("a", { href: "/" }, "Back to your documents")));
}

// ---------- start ----------
const ROUTES = [
  [/^\/$/, documentsView],
  [/^\/keys$/, keysView],
  [/^\/batches$/, batchesView],
  [/^\/batches\/([^/]+)$/, (id) => batchView(decodeURIComponent(id))],
  [/^\/notifications$/, notificationsView],
  [/^\/webhooks$/, webhooksView],
  [/^\/usage$/, usageView],
  [/^\/account$/, accountView],
  [/^\/team$/, teamView],
  [/^\/tickets$/, ticketsView],
  [/^\/datasets$/, projectsView],
  [/^\/datasets\/([^/]+)$/, (id) => projectView(decodeURIComponent(id))],
  [/^\/invitations\/accept$/, acceptInvitationView],
  [/^\/documents\/([^/]+)$/, (id) => documentView(decodeURIComponent(id))],
];

const NEXT_KEY = "folio-after-sign-in";

async function start() {
  if (location.pathname === "/login") return loginView();
  if (location.pathname === "/sso/callback") {
    return finishSso((message) => render("Sign in", h("article", { class: "narrow" },
      h("p", { class: "error", role: "alert" }, message), h("a", { href: "/login" }, "Back to sign-in"))));
  }
  if (location.pathname === "/forgot-password") return forgotView();
  if (location.pathname === "/reset-password") return resetView();
  if (location.pathname === "/verify-email") return verifyEmailView();
  try {
    await refresh();
  } catch {
    // back to this page after signing in (an e-mailed invitation link, a bookmarked document)
    if (location.pathname !== "/") sessionStorage.setItem(NEXT_KEY, location.pathname + location.search);
    return location.replace("/login");
  }
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  if (next && next.startsWith("/") && !next.startsWith("//") && location.pathname === "/") return location.replace(next);
  const me = await api("/auth/me");
  document.getElementById("nav-user").textContent = me.email;
  document.getElementById("nav-links").hidden = false;
  document.getElementById("sign-out").addEventListener("click", signOut);
  connectEvents();
  watchBell().catch(() => {});
  for (const [pattern, view] of ROUTES) {
    const match = location.pathname.match(pattern);
    if (match) return view(...match.slice(1));
  }
  return notFound();
}

start().catch((err) => {
  render("Error", h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, err.message));
}).finally(() => document.body.dataset.ready = "1");
