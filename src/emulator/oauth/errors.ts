/**
 * OAuth error answers and client authentication, shared by the OAuth endpoints. Errors use the OAuth shape
 * (`error`, `error_description`, `error_reason`), not FusionAuth's Errors body.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
import type { RequestContext } from "../context";
import { ApiError } from "../errors";
import type { Json } from "../state";

/** Throws an OAuth error answer. */
export function oauthError(status: number, error: string, reason: string, description: string): never {
  throw new ApiError(status, { error, error_description: description, error_reason: reason });
}

/** The client id and secret of a request: HTTP Basic first, else the form's `client_id` / `client_secret`. */
export function clientCredentials(ctx: RequestContext, form: Json): { clientId?: string; clientSecret?: string } {
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

/**
 * Checks the client's secret under its `clientAuthenticationPolicy`: a sent secret is always checked; one is
 * required under `Required`, and under `NotRequiredWhenUsingPKCE` unless the grant used PKCE.
 */
export function authenticateClient(app: Json, clientSecret: string | undefined, usedPkce: boolean): void {
  const o = app.oauthConfiguration;
  const required =
    o.clientAuthenticationPolicy === "Required" ||
    (o.clientAuthenticationPolicy === "NotRequiredWhenUsingPKCE" && !usedPkce);
  if (clientSecret !== undefined ? clientSecret !== o.clientSecret : required) {
    oauthError(401, "invalid_client", "invalid_client_authentication", "The client could not be authenticated.");
  }
}

/** Refuses a grant the application does not list in `oauthConfiguration.enabledGrants`. */
export function requireGrant(app: Json, grant: string): void {
  if (!(app.oauthConfiguration.enabledGrants ?? []).includes(grant)) {
    oauthError(400, "unauthorized_client", "grant_type_disabled", `The ${grant} grant is not enabled for this client.`);
  }
}

/** A space-separated `scope` parameter as a list, without duplicates. */
export function scopesOf(scope: unknown): string[] {
  return typeof scope === "string" ? [...new Set(scope.split(" ").filter((s) => s !== ""))] : [];
}
