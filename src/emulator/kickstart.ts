/**
 * FusionAuth Kickstart files (`kickstart.json`): `variables`, `apiKeys` and `requests` to the API, applied in
 * order, as a real FusionAuth applies one on its first start. Variables are written `#{name}` anywhere in a
 * string; `#{UUID()}` is a fresh id and `#{ENV.NAME}` an environment variable. A request's `tenantId` is sent as
 * `X-FusionAuth-TenantId`; requests use the first API key. Reading and substitution are pure; only
 * {@link runKickstart} does I/O (HTTP), so it applies a file to any FusionAuth, emulated or real.
 * @see https://fusionauth.io/docs/get-started/download-and-install/development/kickstart
 */

import { randomUUID } from "node:crypto";
import { isPlainObject as isObj } from "../lib/plain-object";
import type { ApiKeySpec } from "./api-keys";
import { EmulatorError } from "./errors";

export interface KickstartRequest {
  method: string;
  url: string;
  tenantId?: string;
  body?: unknown;
}

export interface Kickstart {
  /** Where it came from, for messages. */
  source: string;
  apiKeys: ApiKeySpec[];
  requests: KickstartRequest[];
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function invalid(source: string, where: string, problem: string): never {
  throw new EmulatorError("KIT_EMULATOR_KICKSTART_INVALID", `${source}: ${where}: ${problem}`);
}

/** Replaces `#{…}` in every string of `value`. */
function substitute(value: unknown, resolve: (name: string, where: string) => string, where: string): unknown {
  if (typeof value === "string")
    return value.replace(/#\{([^}]+)\}/g, (_, name: string) => resolve(name.trim(), where));
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, resolve, `${where}[${i}]`));
  if (isObj(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, resolve, `${where}.${k}`);
    return out;
  }
  return value;
}

/** Parses and checks a Kickstart document, substituting its variables. Throws KIT_EMULATOR_KICKSTART_INVALID. */
export function parseKickstart(text: string, source: string, env: Record<string, string | undefined>): Kickstart {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return invalid(source, "JSON", `${(e as Error).message}; fix the file's JSON syntax`);
  }
  if (!isObj(doc)) return invalid(source, "document", "a Kickstart file is a JSON object with `requests`");
  for (const k of Object.keys(doc))
    if (!["variables", "apiKeys", "requests", "licenseId"].includes(k))
      invalid(source, k, "unknown top-level field (expected variables, apiKeys, requests)");
  const raw = doc.variables ?? {};
  if (!isObj(raw)) return invalid(source, "variables", "must be an object of name → string");
  const variables: Record<string, string> = {};
  const builtin = (name: string, where: string): string => {
    if (name === "UUID()") return randomUUID();
    if (name.startsWith("ENV.")) {
      const v = env[name.slice(4)];
      if (v === undefined) invalid(source, where, `environment variable ${name.slice(4)} is not set`);
      return v;
    }
    if (Object.hasOwn(variables, name)) return variables[name] as string;
    return invalid(source, where, `unknown variable #{${name}}; define it under "variables"`);
  };
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v !== "string") invalid(source, `variables.${name}`, "must be a string");
    variables[name] = substitute(v, builtin, `variables.${name}`) as string;
  }
  const keys = doc.apiKeys ?? [];
  if (!Array.isArray(keys)) return invalid(source, "apiKeys", "must be a list of {key, description}");
  const apiKeys = (substitute(keys, builtin, "apiKeys") as unknown[]).map((k, i): ApiKeySpec => {
    if (!isObj(k) || typeof k.key !== "string" || k.key === "")
      return invalid(source, `apiKeys[${i}].key`, "must be a non-empty string");
    const spec: ApiKeySpec = { key: k.key };
    if (typeof k.tenantId === "string") spec.tenantId = k.tenantId.toLowerCase();
    if (isObj(k.permissions)) spec.permissions = k.permissions as ApiKeySpec["permissions"];
    return spec;
  });
  const reqs = doc.requests ?? [];
  if (!Array.isArray(reqs)) return invalid(source, "requests", "must be a list of {method, url, body}");
  const requests = (substitute(reqs, builtin, "requests") as unknown[]).map((r, i): KickstartRequest => {
    const at = `requests[${i}]`;
    if (!isObj(r)) return invalid(source, at, "must be an object {method, url, body}");
    const method = typeof r.method === "string" ? r.method.toUpperCase() : "";
    if (!METHODS.includes(method)) invalid(source, `${at}.method`, `must be one of ${METHODS.join(", ")}`);
    if (typeof r.url !== "string" || !r.url.startsWith("/"))
      invalid(source, `${at}.url`, "must be a path starting with /");
    if (r.tenantId !== undefined && typeof r.tenantId !== "string")
      invalid(source, `${at}.tenantId`, "must be a string");
    return { method, url: r.url, tenantId: r.tenantId as string | undefined, body: r.body };
  });
  if (requests.length > 0 && apiKeys.length === 0)
    invalid(source, "apiKeys", "requests need an API key: list one under apiKeys");
  return { source, apiKeys, requests };
}

export interface KickstartOptions {
  /**
   * Count a request refused only because its object exists (every error code `[duplicate]…`) as already
   * applied, so a file can be applied again to a FusionAuth that has it (`npm start` does). FusionAuth's own
   * first start has no such mode: off by default.
   */
  duplicatesAreApplied?: boolean;
}

function onlyDuplicates(body: unknown): boolean {
  if (!isObj(body)) return false;
  const entries = [
    ...Object.values(isObj(body.fieldErrors) ? body.fieldErrors : {}).flat(),
    ...(Array.isArray(body.generalErrors) ? body.generalErrors : []),
  ] as { code?: unknown }[];
  return entries.length > 0 && entries.every((e) => typeof e.code === "string" && e.code.startsWith("[duplicate]"));
}

/**
 * Sends the requests in order; stops at the first that fails, with KIT_EMULATOR_KICKSTART_FAILED naming its
 * index, method, URL and the answer. Returns how many were applied and how many were already there.
 */
export async function runKickstart(
  baseUrl: string,
  ks: Kickstart,
  options: KickstartOptions = {},
): Promise<{ applied: number; present: number }> {
  const key = ks.apiKeys[0]?.key as string;
  let applied = 0;
  let present = 0;
  for (const [i, r] of ks.requests.entries()) {
    const headers: Record<string, string> = { Authorization: key };
    if (r.tenantId !== undefined) headers["X-FusionAuth-TenantId"] = r.tenantId;
    if (r.body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(`${baseUrl}${r.url}`, {
      method: r.method,
      headers,
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
    });
    const text = await res.text();
    if (res.ok) {
      applied++;
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (options.duplicatesAreApplied === true && res.status === 400 && onlyDuplicates(body)) {
      present++;
      continue;
    }
    throw new EmulatorError(
      "KIT_EMULATOR_KICKSTART_FAILED",
      `${ks.source}: requests[${i}] ${r.method} ${r.url} failed: HTTP ${res.status}${text === "" ? " (empty body)" : ` ${text.slice(0, 2000)}`}`,
    );
  }
  return { applied, present };
}

/** A user a Kickstart file creates with a password and registers to an application: who can sign in where. */
export interface KickstartTestUser {
  loginId: string;
  password: string;
  tenantId?: string;
  applicationId: string;
}

/** The users of `POST /api/user/registration` requests that carry a password: what `npm start` prints. */
export function testUsersOf(ks: Kickstart): KickstartTestUser[] {
  return ks.requests.flatMap((r) => {
    const body = isObj(r.body) ? r.body : {};
    const user = isObj(body.user) ? body.user : {};
    const reg = isObj(body.registration) ? body.registration : {};
    const loginId = typeof user.email === "string" ? user.email : user.username;
    if (!r.url.startsWith("/api/user/registration") || typeof loginId !== "string") return [];
    if (typeof user.password !== "string" || typeof reg.applicationId !== "string") return [];
    return [{ loginId, password: user.password, tenantId: r.tenantId, applicationId: reg.applicationId }];
  });
}
