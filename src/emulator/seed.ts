/**
 * The state of a fresh emulator, like a fresh FusionAuth: the three OIDC shadow HMAC keys, the HS256
 * "Default signing key", one RSA key pair, the `Default` tenant and the `FusionAuth` application.
 * @see https://fusionauth.io/docs/get-started/core-concepts/limitations (default entities)
 */
import { randomBytes } from "node:crypto";
import { buildApplication, FUSIONAUTH_APP_ID } from "./application-model";
import { SHADOW_KEY_IDS } from "./jwt-configuration";
import { generateKey } from "./key-model";
import { type EmulatorState, STATE_VERSION } from "./state";
import {
  DEFAULT_ISSUER,
  DEFAULT_RSA_KEY_ID,
  DEFAULT_SIGNING_KEY_ID,
  DEFAULT_TENANT_ID,
  defaultTenant,
} from "./tenant-model";

const SHADOW_NAMES = ["SHA-256", "SHA-384", "SHA-512"];

export function freshState(now: number): EmulatorState {
  const state: EmulatorState = {
    version: STATE_VERSION,
    keys: {},
    tenants: {},
    applications: {},
    users: {},
    refreshTokens: {},
    apiKeys: {},
  };
  SHADOW_KEY_IDS.forEach((id, i) => {
    state.keys[id] = {
      id,
      algorithm: `HS${SHADOW_NAMES[i]?.slice(4)}`,
      type: "HMAC",
      name: `OpenID Connect compliant HMAC using ${SHADOW_NAMES[i]}`,
      kid: randomBytes(5).toString("hex"),
      insertInstant: now,
      lastUpdateInstant: now,
    };
  });
  state.keys[DEFAULT_SIGNING_KEY_ID] = generateKey(
    { algorithm: "HS256", name: "Default signing key" },
    DEFAULT_SIGNING_KEY_ID,
    state,
    now,
    DEFAULT_ISSUER,
  );
  state.keys[DEFAULT_RSA_KEY_ID] = generateKey(
    { algorithm: "RS256", name: "Default RSA signing key", length: 2048 },
    DEFAULT_RSA_KEY_ID,
    state,
    now,
    DEFAULT_ISSUER,
  );
  state.tenants[DEFAULT_TENANT_ID] = defaultTenant(state, now);
  state.applications[FUSIONAUTH_APP_ID] = buildApplication(
    {
      name: "FusionAuth",
      oauthConfiguration: {
        authorizedRedirectURLs: ["/admin/login"],
        enabledGrants: ["authorization_code", "refresh_token"],
      },
    },
    FUSIONAUTH_APP_ID,
    DEFAULT_TENANT_ID,
    undefined,
    state,
    now,
  );
  return state;
}
