/**
 * The hosted login page of `/oauth2/authorize`: a minimal HTML form that posts the authorization request's
 * parameters back with `loginId` and `password`. Every value is escaped; the page loads nothing.
 */

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** The login form for an authorization request's parameters, with an error line when a sign-in failed. */
export function loginPage(params: Record<string, string>, appName: string, error?: string): string {
  const hidden = Object.entries(params)
    .filter(([k]) => k !== "loginId" && k !== "password")
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n    ");
  const loginId = escapeHtml(params.loginId ?? "");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in · ${escapeHtml(appName)}</title></head>
<body>
  <h1>Sign in to ${escapeHtml(appName)}</h1>
  <p>FusionAuth emulator: local test users only.</p>
  ${error === undefined ? "" : `<p role="alert" class="error">${escapeHtml(error)}</p>`}
  <form method="post" action="/oauth2/authorize">
    ${hidden}
    <label>Email or username <input name="loginId" autocomplete="username" value="${loginId}" required></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Sign in</button>
  </form>
</body>
</html>
`;
}

/** A small page for answers a browser shows (an invalid client or redirect URI, a signed-out session). */
export function messagePage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body>
</html>
`;
}
