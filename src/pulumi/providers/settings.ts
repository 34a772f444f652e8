/**
 * How a dynamic provider learns where FusionAuth is and which API key to use: from the stack config handed to
 * `configure` in the provider process (pulumi/pulumi#17697), at call time. Nothing here is captured when Pulumi
 * serializes the provider, so the API key never lands in the state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createFusionAuthPort, type FusionAuthPort } from "../../fusionauth/client-port";
import { KitError } from "../../lib/errors";
import { withLoopbackPort } from "../../stack/local-url";

export const CONFIG_NAMESPACE = "fusionauth-offline-kit";

/** Where the API key comes from when the stack config has none (the local stacks, a pipeline's environment). */
export const API_KEY_ENV = "FUSIONAUTH_API_KEY";

/** The stack's secret `apiKey` when it has one, else `FUSIONAUTH_API_KEY` from the environment. */
export function apiKeyOr(fromConfig: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
  const fromEnv = env[API_KEY_ENV];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

export interface Configured {
  port?: FusionAuthPort;
}

/** The body of every provider's `configure`. */
export function configurePort(target: Configured, req: pulumi.dynamic.ConfigureRequest): void {
  const url = req.config.get(`${CONFIG_NAMESPACE}:url`);
  const apiKey = apiKeyOr(req.config.get(`${CONFIG_NAMESPACE}:apiKey`));
  if (url === undefined || apiKey === undefined) {
    throw new KitError(
      "KIT_PROVIDER_NOT_CONFIGURED",
      `the stack config needs ${CONFIG_NAMESPACE}:url and the secret ${CONFIG_NAMESPACE}:apiKey ` +
        `(pulumi config set --secret ${CONFIG_NAMESPACE}:apiKey ...), or ${API_KEY_ENV} in the environment`,
    );
  }
  // The same loopback-port rule as the program's desired state (FAKIT_EMULATOR_PORT moves a localhost URL).
  const raw = process.env.FAKIT_EMULATOR_PORT;
  const local = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
  target.port = createFusionAuthPort({ url: withLoopbackPort(url, local), apiKey });
}

/** The configured port, or a clear error if `configure` never ran. */
export function portOf(target: Configured): FusionAuthPort {
  if (target.port === undefined)
    throw new KitError("KIT_PROVIDER_NOT_CONFIGURED", "the FusionAuth provider was used before it was configured");
  return target.port;
}
