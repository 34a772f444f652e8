/**
 * The one place where a rejected `ClientResponse` of @fusionauth/typescript-client becomes a kit error: with a
 * stable code, the resource it concerns, FusionAuth's field and message, and the HTTP status.
 *
 * The original rejection (the client's `ClientResponse`, or the network error) is kept as `cause`.
 *
 * @see https://fusionauth.io/docs/apis/errors
 */
import { type FusionAuthErrorCode, KitError } from "../lib/errors";

export type { FusionAuthErrorCode };

/** A FusionAuth call that failed; `cause` holds the client's rejected `ClientResponse` or the network error. */
export class FusionAuthError extends KitError {
  override readonly name = "FusionAuthError";
  declare readonly code: FusionAuthErrorCode;
  constructor(
    code: FusionAuthErrorCode,
    message: string,
    /** The HTTP status, or undefined when FusionAuth could not be reached. */
    readonly status: number | undefined,
    /** What the call was about, e.g. `tenant 6b3f… (field-ops)`. */
    readonly resource: string,
    /** FusionAuth's field errors, `field -> messages`. */
    readonly fields: Record<string, string[]>,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

interface RejectedResponse {
  statusCode?: number;
  exception?: unknown;
}

interface ErrorsBody {
  fieldErrors?: Record<string, { code?: string; message?: string }[]>;
  generalErrors?: { code?: string; message?: string }[];
}

function codeFor(status: number | undefined): FusionAuthErrorCode {
  if (status === undefined) return "KIT_FUSIONAUTH_UNREACHABLE";
  if (status === 401) return "KIT_FUSIONAUTH_UNAUTHORIZED";
  if (status === 404) return "KIT_FUSIONAUTH_NOT_FOUND";
  if (status === 409) return "KIT_FUSIONAUTH_CONFLICT";
  if (status >= 500 || status === 429) return "KIT_FUSIONAUTH_SERVER_ERROR";
  return "KIT_FUSIONAUTH_REJECTED";
}

/** The HTTP status of a rejection from the client, or undefined for a network failure. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err === "object" && err !== null && "statusCode" in err) {
    const s = (err as RejectedResponse).statusCode;
    return typeof s === "number" ? s : undefined;
  }
  if (err instanceof FusionAuthError) return err.status;
  return undefined;
}

/** Turns whatever the client rejected with into a FusionAuthError naming the resource and the action. */
export function toFusionAuthError(err: unknown, action: string, resource: string): FusionAuthError {
  if (err instanceof FusionAuthError) return err;
  const rejected = (typeof err === "object" && err !== null ? err : {}) as RejectedResponse;
  const status = typeof rejected.statusCode === "number" ? rejected.statusCode : undefined;
  const body = (
    typeof rejected.exception === "object" && rejected.exception !== null ? rejected.exception : {}
  ) as ErrorsBody & { message?: string };
  const fields: Record<string, string[]> = {};
  for (const [field, errors] of Object.entries(body.fieldErrors ?? {})) {
    fields[field] = errors.map((e) => e.message ?? e.code ?? "invalid");
  }
  const details = [
    ...Object.entries(fields).map(([f, msgs]) => `${f}: ${msgs.join("; ")}`),
    ...(body.generalErrors ?? []).map((e) => e.message ?? e.code ?? ""),
  ].filter((s) => s !== "");
  let why: string;
  if (status === undefined) {
    why = `FusionAuth could not be reached (${body.message ?? (err instanceof Error ? err.message : "no response")}); check the url in the stack config and that the server is up`;
  } else if (status === 401) {
    why = "FusionAuth refused the API key (401); check the apiKey secret in the stack config and its permissions";
  } else {
    why = `FusionAuth answered ${status}${details.length > 0 ? `: ${details.join(" | ")}` : ""}`;
  }
  return new FusionAuthError(codeFor(status), `${action} ${resource}: ${why}`, status, resource, fields, {
    cause: err,
  });
}
