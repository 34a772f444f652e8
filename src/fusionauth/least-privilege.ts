/**
 * Every FusionAuth endpoint and method the kit calls (the Pulumi program and providers, `fakit bundle`,
 * `fakit plan --live`), as FusionAuth API key permissions. Create the kit's API key with exactly these.
 * `GET /.well-known/jwks.json` needs no key. The end-to-end tests run with a key restricted to this list.
 * @see https://fusionauth.io/docs/apis/api-keys
 */
export const KIT_API_KEY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // Observe key creation times and records; rename a key to record its rotation; delete retired keys.
  "/api/key": ["GET", "PUT", "DELETE"],
  // Signing keys are generated inside FusionAuth: the private half never leaves it.
  "/api/key/generate": ["POST"],
  "/api/tenant": ["GET", "POST", "PUT", "DELETE"],
  "/api/application": ["GET", "POST", "PUT", "DELETE"],
};
