/**
 * OAuth token endpoint, `refresh_token` grant only. Errors use the OAuth shape
 * (`error`, `error_description`, `error_reason`), not FusionAuth's Errors body.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#refresh-token-grant-request
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */

import { ok, type RequestContext, type Route } from "../context";
import { ApiError } from "../errors";
import type { Json } from "../state";
import { effectiveJwtConfig, findRefreshToken, issueAccessToken, useRefreshToken } from "../tokens";

function oauthError(status: number, error: string, reason: string, description: string): never {
  throw new ApiError(status, { error, error_description: description, error_reason: reason });
}

function clientCredentials(ctx: RequestContext, form: Json): { clientId?: string; clientSecret?: string } {
  const header = String(ctx.headers.authorization ?? "");
  if (header.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, i)),
        clientSecret: decodeURIComponent(decoded.slice(i + 1)),
      };
    } catch {
      return oauthError(401, "invalid_client", "invalid_client_id", "The client credentials are not valid encoding.");
    }
  }
  return { clientId: form.client_id || undefined, clientSecret: form.client_secret || undefined };
}

async function token(ctx: RequestContext) {
  const { state } = ctx.emu;
  const form: Json = ctx.body ?? {};
  if (!form.grant_type)
    oauthError(400, "invalid_request", "missing_grant_type", "The request is missing a required parameter: grant_type");
  if (form.grant_type !== "refresh_token") {
    oauthError(
      400,
      "unsupported_grant_type",
      "invalid_grant_type",
      `The grant type [${form.grant_type}] is not supported by this emulator.`,
    );
  }
  if (!form.refresh_token)
    oauthError(
      400,
      "invalid_request",
      "missing_refresh_token",
      "The request is missing a required parameter: refresh_token",
    );
  const { clientId, clientSecret } = clientCredentials(ctx, form);
  const found = findRefreshToken(state, form.refresh_token);
  const appId = clientId ?? found?.rt.applicationId;
  const app = appId ? state.applications[appId] : undefined;
  if (app === undefined) oauthError(401, "invalid_client", "invalid_client_id", "Invalid client_id.");
  const o = app.oauthConfiguration;
  // A sent secret is always checked; one is required only under the Required policy.
  if (clientSecret !== undefined ? clientSecret !== o.clientSecret : o.clientAuthenticationPolicy === "Required") {
    oauthError(401, "invalid_client", "invalid_client_authentication", "The client could not be authenticated.");
  }
  if (!(o.enabledGrants ?? []).includes("refresh_token")) {
    oauthError(
      400,
      "unauthorized_client",
      "grant_type_disabled",
      "The refresh_token grant is not enabled for this client.",
    );
  }
  if (found === undefined || found.rt.applicationId !== app.id) {
    oauthError(400, "invalid_grant", "refresh_token_not_found", "The refresh token is invalid.");
  }
  const outcome = useRefreshToken(ctx.emu, form.refresh_token);
  if (!outcome.ok) {
    const reason =
      outcome.reason === "expired"
        ? "refresh_token_expired"
        : outcome.reason === "reused"
          ? "refresh_token_reused"
          : "refresh_token_not_found";
    return oauthError(
      400,
      "invalid_grant",
      reason,
      `The refresh token is ${outcome.reason === "unknown" ? "invalid" : outcome.reason}.`,
    );
  }
  const { rt, user, tenant } = outcome;
  const cfg = effectiveJwtConfig(tenant, app);
  const expiresIn = form.expires_in ? Number(form.expires_in) : undefined;
  const registered = (user.registrations ?? []).some((r: Json) => r.applicationId === app.id);
  const at = await issueAccessToken(ctx.emu, {
    user,
    tenant,
    app,
    registered,
    authenticationType: "REFRESH_TOKEN",
    authTime: rt.authTime,
    refreshTokenId: rt.id,
    ttlSeconds: expiresIn !== undefined && expiresIn > 0 ? Math.min(expiresIn, cfg.timeToLiveInSeconds) : undefined,
  });
  const body: Json = {
    access_token: at.token,
    expires_in: at.ttl,
    token_type: "Bearer",
    userId: user.id,
    scope: "offline_access",
  };
  // Emulator choice: a one-time-use token's current value is returned; a reusable one is not echoed.
  if (cfg.refreshTokenUsagePolicy === "OneTimeUse")
    Object.assign(body, { refresh_token: rt.token, refresh_token_id: rt.id });
  return ok(body);
}

export const oauthRoutes: Route[] = [
  {
    method: "POST",
    template: "/oauth2/token",
    endpoint: "/oauth2/token",
    kind: "session",
    auth: "none",
    bodyFormat: "form",
    handle: token,
  },
];
