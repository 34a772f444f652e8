/**
 * OAuth token endpoint: the `authorization_code` (PKCE), `password` and `refresh_token` grants.
 * Errors use the OAuth shape (`error`, `error_description`, `error_reason`), not FusionAuth's Errors body.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#token
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */

import { ok, type RequestContext, type Route } from "../context";
import { oauthError } from "../oauth/errors";
import { authorizationCodeGrant, passwordGrant, refreshTokenGrant } from "../oauth/grants";
import type { Json } from "../state";

const GRANTS: Record<string, (ctx: RequestContext, form: Json) => Promise<Json>> = {
  authorization_code: authorizationCodeGrant,
  password: passwordGrant,
  refresh_token: refreshTokenGrant,
};

/** The grant types the token endpoint serves (the discovery document lists these). */
export const SUPPORTED_GRANTS = Object.keys(GRANTS);

async function token(ctx: RequestContext) {
  const form: Json = ctx.body ?? {};
  if (!form.grant_type)
    oauthError(400, "invalid_request", "missing_grant_type", "The request is missing a required parameter: grant_type");
  const grant = Object.hasOwn(GRANTS, form.grant_type) ? GRANTS[form.grant_type] : undefined;
  if (grant === undefined) {
    oauthError(
      400,
      "unsupported_grant_type",
      "invalid_grant_type",
      `The grant type [${form.grant_type}] is not supported by this emulator (it serves ${SUPPORTED_GRANTS.join(", ")}).`,
    );
  }
  return ok(await grant(ctx, form));
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
