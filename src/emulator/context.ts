/**
 * Types shared by the server and the route handlers.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeySpec } from "./api-keys";
import type { EmulatorClock } from "./clock";
import type { RequestKind } from "./counters";
import type { EmulatorState, Json } from "./state";

/** How `PATCH` with `application/json` treats arrays: FusionAuth appends to most lists (see docs/emulator.md). */
export type PatchArrayPolicy = "append" | "replace";

export interface EmulatorContext {
  state: EmulatorState;
  clock: EmulatorClock;
  patchArrays: PatchArrayPolicy;
}

export interface RequestContext {
  emu: EmulatorContext;
  method: string;
  path: string;
  /** Base URL of the emulator's endpoints in discovery documents: configured, never taken from the request. */
  origin: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when none) or, for form posts, the form fields as an object. */
  body: Json;
  contentType: string;
  /** Effective tenant from `X-FusionAuth-TenantId` or a tenant-locked API key. */
  tenantId?: string;
  /** The API key that authenticated the request, when one did. */
  apiKey?: ApiKeySpec;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * `apiKey`: a valid, permitted API key is required (401 otherwise). `none`: anonymous. `optional`: the handler
 * decides (login, which needs a key only when the application requires authentication).
 */
export type RouteAuth = "apiKey" | "none" | "optional";

export interface Route {
  method: string;
  /** Path template with `{param}` segments, as counted and as matched by fault rules. */
  template: string;
  /** The FusionAuth API endpoint an API key permission names (`/api/tenant`). */
  endpoint: string;
  kind: RequestKind;
  auth: RouteAuth;
  /**
   * `form`: the route reads only `application/x-www-form-urlencoded` parameters (the OAuth endpoints); another
   * body is ignored, as a servlet's request parameters ignore a JSON body.
   */
  bodyFormat?: "form";
  /** Refused (401) to tenant-locked API keys and with `X-FusionAuth-TenantId` (keys, tenant search). */
  globalOnly?: boolean;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

/** A query parameter, treating the TS client's stringified `undefined`/`null` and blanks as absent. */
export function queryParam(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.query.get(name);
  if (v === null || v === "" || v === "undefined" || v === "null") return undefined;
  return v;
}

export const ok = (body?: unknown): Reply => ({ status: 200, body });
