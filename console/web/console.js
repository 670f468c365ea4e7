// The console page: sign in, create and manage auth tokens, approve and revoke devices.
// Plain JavaScript served as is (no build step). A new token lives only in the DOM until the user dismisses it;
// it is never written to storage.
"use strict";

const $ = (id) => document.getElementById(id);
let refreshTimer = null;

// The console fills in the gateway's address when it serves the page; anything else (the file opened directly,
// an older console) falls back to the gateway's default address.
const DEFAULT_GATEWAY_URL = "http://127.0.0.1:6000";
function gatewayUrl() {
  const meta = document.querySelector('meta[name="metaapi-gateway-url"]');
  const url = meta ? meta.content.trim().replace(/\/+$/, "") : "";
  return url.startsWith("http://") ? url : DEFAULT_GATEWAY_URL;
}

// Every call sends X-Console-Request: browsers cannot add that header cross-site without a CORS preflight, which
// the console never grants, so a forged form post or fetch from another site is refused (CSRF).
async function api(method, path, body) {
  const options = { method, credentials: "same-origin", headers: { "X-Console-Request": "1" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error("The console cannot be reached. Is metaapi-console running?");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const message = data && data.message ? data.message : `The console answered ${response.status}.`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return data;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function say(message) {
  $("status").textContent = message;
}

// Times carry their zone (the browser's), so "14:05" is never ambiguous; the title holds the exact UTC time.
function when(ms) {
  if (ms === undefined || ms === null) return "—";
  const date = new Date(ms);
  // The year only when it is not this one, to keep the token table narrow; the tooltip has the full UTC time.
  const year = date.getFullYear() === new Date().getFullYear() ? undefined : "numeric";
  return date.toLocaleString(undefined, {
    year, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
}

function whenCell(row, label, ms) {
  const td = cell(row, label, when(ms));
  td.className = "when";
  if (ms !== undefined && ms !== null) td.title = new Date(ms).toISOString();
  return td;
}

// Deleted and replaced tokens stay in the console's history; the list shows them only when asked to.
function tokenQuery() {
  return $("show-old-tokens").checked ? "/api/v1/tokens" : "/api/v1/tokens?status=active,expired";
}

function badge(text) {
  const span = document.createElement("span");
  span.className = `badge ${text}`;
  span.textContent = text;
  return span;
}

// A short visible label; the accessible name says which row it acts on ("Revoke vm").
function button(label, subject, onClick, danger) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.setAttribute("aria-label", `${label} ${subject}`);
  if (danger) element.className = "danger";
  element.addEventListener("click", onClick);
  return element;
}

// The label names the column on a narrow window, where each row is laid out as a card.
function cell(row, label, content) {
  const td = document.createElement("td");
  td.dataset.label = label;
  if (content instanceof Node) td.append(content); else td.textContent = content;
  row.append(td);
  return td;
}

// Resolves true when the user confirms; a <dialog> keeps focus handling and Escape native.
function confirmAction(text, okLabel) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "cancel";
    dialog.showModal();
  });
}

function showView(signedIn) {
  $("sign-in-view").hidden = signedIn;
  $("app-view").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  if (refreshTimer) clearInterval(refreshTimer);
  // The periodic refresh waits while a confirmation is open, so the row it asks about stays in place.
  refreshTimer = signedIn
    ? setInterval(() => { if (!$("confirm-dialog").open) refresh().catch(() => {}); }, 3000)
    : null;
}

async function refresh() {
  const [account, tokens, devices] = await Promise.all([
    api("GET", "/api/v1/account"),
    api("GET", tokenQuery()),
    api("GET", "/api/v1/devices"),
  ]);
  renderAccount(account);
  renderTokens(tokens.tokens);
  renderDevices(devices.devices);
}

function renderAccount(account) {
  $("account-email").textContent = account.email;
  const state = $("account-state");
  state.className = `badge ${account.state}`;
  state.textContent = account.state;
  $("account-expires").textContent = account.expires_at ? when(account.expires_at) : "never";
  $("account-auto-approve").textContent = account.auto_approve_devices ? "approved automatically" : "wait for approval";
}

// Rebuilds a table body only when its rows changed, and gives focus back to the same button afterwards: a keyboard
// user must not lose their place every time the page refreshes.
const rendered = new Map();
function renderRows(body, rows, build) {
  const key = JSON.stringify(rows);
  if (rendered.get(body.id) === key) return;
  rendered.set(body.id, key);
  const focused = body.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
  body.replaceChildren();
  build();
  if (focused) {
    const again = [...body.querySelectorAll("button")].find((element) => element.getAttribute("aria-label") === focused);
    if (again) again.focus();
  }
}

function renderTokens(tokens) {
  renderRows($("tokens-body"), tokens, () => buildTokens(tokens));
}

function buildTokens(tokens) {
  const body = $("tokens-body");
  $("tokens-empty").hidden = tokens.length > 0;
  for (const token of tokens) {
    const row = document.createElement("tr");
    row.dataset.tokenId = token.id;
    cell(row, "Name", token.name).className = "name";
    cell(row, "Status", badge(token.status));
    cell(row, "Terminal", terminalOf(token)).className = "terminal";
    whenCell(row, "Created", token.created_at);
    if (token.expires_at) whenCell(row, "Expires", token.expires_at); else cell(row, "Expires", "never").className = "when";
    whenCell(row, "Last used", token.last_used_at);
    const actions = actionsCell(row);
    if (token.status === "active") {
      actions.append(button("Replace", token.name, () => replaceToken(token)));
      actions.append(button("Delete", token.name, () => deleteToken(token), true));
    }
    body.append(row);
  }
}

// The terminal the token is linked with, as its gateway reports it: platform, account and server, and whether it
// is online now (or when it was last seen).
function terminalOf(token) {
  const box = document.createElement("div");
  box.className = "linked";
  const terminal = token.terminal;
  if (!terminal) {
    box.textContent = "not linked yet";
    return box;
  }
  const { platform, login, server } = terminal.identity;
  const who = document.createElement("span");
  who.append(`${platform.toUpperCase()} ${login} `, badge(terminal.online ? "online" : "offline"));
  const where = document.createElement("span");
  where.className = "detail";
  where.textContent = ` @ ${server}`;
  box.append(who, where);
  if (!terminal.online) {
    const seen = document.createElement("span");
    seen.className = "detail";
    seen.textContent = ` last seen ${when(terminal.seen_at)}`;
    box.append(seen);
  }
  return box;
}

// The buttons sit in a flex box inside the cell: a flex <td> would stop being a table cell.
function actionsCell(row) {
  const box = document.createElement("div");
  box.className = "buttons";
  cell(row, "Actions", box).className = "actions";
  return box;
}

function renderDevices(devices) {
  renderRows($("devices-body"), devices, () => buildDevices(devices));
}

function buildDevices(devices) {
  const body = $("devices-body");
  $("devices-empty").hidden = devices.length > 0;
  for (const device of devices) {
    const row = document.createElement("tr");
    row.dataset.deviceId = device.id;
    cell(row, "Name", device.name).className = "name";
    cell(row, "Id", device.id).className = "id";
    cell(row, "Status", badge(device.status));
    whenCell(row, "Last seen", device.last_seen_at);
    const actions = actionsCell(row);
    if (device.status !== "approved") actions.append(button("Approve", device.name, () => deviceAction(device, "approve")));
    if (device.status !== "revoked") actions.append(button("Revoke", device.name, () => deviceAction(device, "revoke"), true));
    body.append(row);
  }
}

function showSecret(created) {
  const token = created.token;
  $("secret-token").textContent = token;
  $("secret-snippet").textContent =
    `EA input AuthToken = ${token}\n\n` +
    `curl -s ${gatewayUrl()}/rpc \\\n  -H 'Authorization: Bearer ${token}' \\\n` +
    `  -H 'Content-Type: application/json' \\\n` +
    `  -d '{"jsonrpc":"2.0","id":"account-1","method":"get_account_info","params":{}}'`;
  const view = $("secret-view");
  view.hidden = false;
  view.focus();
}

function hideSecret() {
  // Forget the secret: it must not linger in the page once the user has it.
  $("secret-token").textContent = "";
  $("secret-snippet").textContent = "";
  $("secret-view").hidden = true;
}

// A 401 while signed in means the session ended; while signing in it is the console's own verdict ("wrong email
// or password"), shown as it is.
async function run(action, success, signingIn = false) {
  showError("");
  try {
    await action();
    if (success) say(success);
  } catch (error) {
    if (error.status === 401 && !signingIn) {
      showView(false);
      showError("Your session ended. Sign in again.");
    } else {
      showError(error.message);
    }
  }
}

async function replaceToken(token) {
  if (!(await confirmAction(`Replace ${token.name}? The current token stops working at once.`, "Replace"))) return;
  await run(async () => {
    const created = await api("POST", `/api/v1/tokens/${encodeURIComponent(token.id)}/replace`);
    showSecret(created);
    await refresh();
  }, `${token.name} was replaced.`);
}

async function deleteToken(token) {
  if (!(await confirmAction(`Delete ${token.name}? Terminals and clients using it lose access at once.`, "Delete"))) return;
  await run(async () => {
    await api("DELETE", `/api/v1/tokens/${encodeURIComponent(token.id)}`);
    await refresh();
  }, `${token.name} was deleted.`);
}

async function deviceAction(device, action) {
  if (action === "revoke" && !(await confirmAction(`Revoke ${device.name}? Its gateway loses access at once.`, "Revoke"))) return;
  await run(async () => {
    await api("POST", `/api/v1/devices/${encodeURIComponent(device.id)}/${action}`);
    await refresh();
  }, `${device.name} was ${action === "approve" ? "approved" : "revoked"}.`);
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(async () => {
    await api("POST", "/api/v1/session", { email: $("email").value, password: $("password").value });
    $("password").value = "";
    showView(true);
    await refresh();
  }, "Signed in.", true);
});

$("show-old-tokens").addEventListener("change", () => run(refresh));
$("expiry-zone").textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";

$("sign-out").addEventListener("click", () => run(async () => {
  await api("DELETE", "/api/v1/session");
  hideSecret();
  showView(false);
}, "Signed out."));

$("create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("token-name").value.trim();
  const expiry = $("token-expiry").value;
  const body = { name };
  if (expiry) body.expires_at = new Date(expiry).getTime();
  run(async () => {
    const created = await api("POST", "/api/v1/tokens", body);
    $("create-form").reset();
    showSecret(created);
    await refresh();
  }, `Token ${name} created.`);
});

$("copy-token").addEventListener("click", () => run(async () => {
  await navigator.clipboard.writeText($("secret-token").textContent);
}, "Token copied to the clipboard."));

$("secret-done").addEventListener("click", hideSecret);

// On load: a valid session cookie shows the app, otherwise the sign-in form.
(async () => {
  try {
    await refresh();
    showView(true);
  } catch (error) {
    showView(false);
    if (error.status !== 401) showError(error.message);
  }
})();
