/**
 * The authorization endpoint with its hosted login page, userinfo and logout: what native sign-in libraries
 * (AppAuth, expo-auth-session, openid-client) call around the token endpoint.
 *
 * `GET /oauth2/authorize` checks the request and shows the login form; `POST /oauth2/authorize` with the same
 * parameters plus `loginId` and `password` signs in and redirects to `redirect_uri` with `code` and `state`
 * (tests post it directly, no browser needed). An unknown client or a redirect URI the application does not
 * authorize is answered here (400), never redirected; other errors go back to the redirect URI.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#authorize
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
import type { Reply, RequestContext, Route } from "../context";
import { issueCode } from "../oauth/codes";
import { scopesOf } from "../oauth/errors";
import { loginPage, messagePage } from "../oauth/login-page";
import type { Json } from "../state";
import { checkPassword, findByLoginId } from "../user-model";
import { validateAccessToken } from "./login";

const HTML = { "Content-Type": "text/html;charset=UTF-8", "Cache-Control": "no-store" };

const html = (status: number, body: string): Reply => ({ status, body, headers: HTML });

/** The request's parameters: the query of a GET, the form of a POST. */
function paramsOf(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  if (ctx.method === "GET") for (const [k, v] of ctx.query) out[k] = v;
  else for (const [k, v] of Object.entries((ctx.body ?? {}) as Record<string, unknown>)) out[k] = String(v);
  return out;
}

function redirect(uri: string, params: Record<string, string | undefined>): Reply {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), "Cache-Control": "no-store" } };
}

type Checked = { ok: true; app: Json; tenant: Json; redirectUri: string } | { ok: false; reply: Reply };

/** Checks the authorization request; errors that cannot be trusted to a redirect URI are answered in place. */
function check(ctx: RequestContext, p: Record<string, string>): Checked {
  const { state } = ctx.emu;
  const app: Json | undefined = p.client_id ? state.applications[p.client_id] : undefined;
  if (app === undefined || app.active === false)
    return { ok: false, reply: html(400, messagePage("invalid_client", "The client_id is missing or unknown.")) };
  const allowed: string[] = app.oauthConfiguration.authorizedRedirectURLs ?? [];
  if (!p.redirect_uri || !allowed.includes(p.redirect_uri)) {
    return {
      ok: false,
      reply: html(
        400,
        messagePage(
          "invalid_redirect_uri",
          `The redirect_uri is not one of the application's authorized redirect URLs.`,
        ),
      ),
    };
  }
  const back = (error: string, reason: string, description: string): Checked => ({
    ok: false,
    reply: redirect(p.redirect_uri as string, {
      error,
      error_reason: reason,
      error_description: description,
      state: p.state,
    }),
  });
  if (p.response_type !== "code")
    return back("unsupported_response_type", "invalid_response_type", "This emulator serves response_type=code only.");
  if (!(app.oauthConfiguration.enabledGrants ?? []).includes("authorization_code"))
    return back(
      "unauthorized_client",
      "grant_type_disabled",
      "The authorization_code grant is not enabled for this client.",
    );
  if (p.code_challenge !== undefined && p.code_challenge !== "") {
    if ((p.code_challenge_method ?? "plain") !== "S256")
      return back("invalid_request", "invalid_pkce_code_challenge_method", "code_challenge_method must be S256.");
  } else if (app.oauthConfiguration.proofKeyForCodeExchangePolicy === "Required") {
    return back("invalid_request", "missing_code_challenge", "The application requires PKCE: send code_challenge.");
  }
  return { ok: true, app, tenant: state.tenants[app.tenantId], redirectUri: p.redirect_uri };
}

function showForm(ctx: RequestContext): Reply {
  const p = paramsOf(ctx);
  const checked = check(ctx, p);
  return checked.ok ? html(200, loginPage(p, checked.app.name)) : checked.reply;
}

function signIn(ctx: RequestContext): Reply {
  const p = paramsOf(ctx);
  const checked = check(ctx, p);
  if (!checked.ok) return checked.reply;
  const { app, tenant, redirectUri } = checked;
  const [stored] = p.loginId ? findByLoginId(ctx.emu.state, app.tenantId, p.loginId) : [];
  if (stored === undefined || !p.password || !checkPassword(stored, p.password))
    return html(200, loginPage(p, app.name, "Invalid login credentials."));
  if (stored.user.active === false) return html(200, loginPage(p, app.name, "Your account has been locked."));
  const now = ctx.emu.clock.now();
  stored.user.lastLoginInstant = now;
  const registered = (stored.user.registrations ?? []).some((r: Json) => r.applicationId === app.id);
  const code = issueCode(ctx.emu, tenant, {
    clientId: app.oauthConfiguration.clientId,
    userId: stored.user.id,
    redirectUri,
    scopes: scopesOf(p.scope),
    nonce: p.nonce || undefined,
    codeChallenge: p.code_challenge || undefined,
    codeChallengeMethod: p.code_challenge ? "S256" : undefined,
    authTime: Math.floor(now / 1000),
  });
  return redirect(redirectUri, {
    code,
    locale: "en",
    state: p.state,
    userState: registered ? "Authenticated" : "AuthenticatedNotRegistered",
  });
}

/** OpenID claims of the access token's user. */
async function userinfo(ctx: RequestContext): Promise<Reply> {
  const header = String(ctx.headers.authorization ?? "");
  const token = header.startsWith("Bearer ") ? header.slice(7) : (ctx.body?.access_token as string | undefined);
  const claims = token ? await validateAccessToken(ctx, token) : undefined;
  const user = claims === undefined ? undefined : ctx.emu.state.users[claims.sub]?.user;
  if (claims === undefined || user === undefined) {
    return {
      status: 401,
      body: { error: "invalid_token", error_description: "The access token is missing, invalid or expired." },
      headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
    };
  }
  const body: Json = { sub: user.id, tid: user.tenantId };
  if (user.email !== undefined) Object.assign(body, { email: user.email, email_verified: user.verified !== false });
  if (user.username !== undefined) body.preferred_username = user.username;
  if (user.firstName !== undefined) body.given_name = user.firstName;
  if (user.lastName !== undefined) body.family_name = user.lastName;
  if (claims.applicationId !== undefined)
    Object.assign(body, { applicationId: claims.applicationId, roles: claims.roles });
  return { status: 200, body };
}

/**
 * Ends the (stateless) browser session: redirects to `post_logout_redirect_uri` when the client authorizes it
 * (an authorized redirect URL or its `logoutURL`), else shows a signed-out page. Refresh tokens stay valid, as
 * in FusionAuth; revoke them with `DELETE /api/jwt/refresh`.
 */
function logout(ctx: RequestContext): Reply {
  const p = paramsOf(ctx);
  const app: Json | undefined = p.client_id ? ctx.emu.state.applications[p.client_id] : undefined;
  const target = p.post_logout_redirect_uri;
  const allowed = [...(app?.oauthConfiguration?.authorizedRedirectURLs ?? []), app?.oauthConfiguration?.logoutURL];
  if (target !== undefined && allowed.includes(target)) return redirect(target, { state: p.state });
  return html(200, messagePage("Signed out", "You are signed out."));
}

const base = { endpoint: "/oauth2/authorize", auth: "none", kind: "read" } as const;

export const authorizeRoutes: Route[] = [
  { ...base, method: "GET", template: "/oauth2/authorize", handle: showForm },
  // A sign-in changes the user's lastLoginInstant: a write.
  { ...base, method: "POST", template: "/oauth2/authorize", kind: "write", bodyFormat: "form", handle: signIn },
  { ...base, method: "GET", template: "/oauth2/userinfo", endpoint: "/oauth2/userinfo", handle: userinfo },
  {
    ...base,
    method: "POST",
    template: "/oauth2/userinfo",
    endpoint: "/oauth2/userinfo",
    bodyFormat: "form",
    handle: userinfo,
  },
  { ...base, method: "GET", template: "/oauth2/logout", endpoint: "/oauth2/logout", handle: logout },
  {
    ...base,
    method: "POST",
    template: "/oauth2/logout",
    endpoint: "/oauth2/logout",
    bodyFormat: "form",
    handle: logout,
  },
];
