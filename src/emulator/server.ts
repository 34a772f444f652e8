/**
 * The HTTP server (node:http): admin routes, route matching, counters, faults, API-key authentication,
 * tenant scoping, path ids, then (only then) the body, handler dispatch and persistence, in that order.
 * Everything decided from the request line and headers comes before the body is read, so an unauthenticated
 * or oversized request costs no memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiKeySpec, findApiKey, isPermitted } from "./api-keys";
import type { ChangeTracker } from "./change-tracker";
import type { EmulatorContext, Reply, RequestContext, Route } from "./context";
import type { RequestCounters } from "./counters";
import { ApiError, ErrorCollector, idNotUuid } from "./errors";
import type { FaultInjector } from "./faults";
import { isUuid } from "./json-types";
import { PID_HEADER } from "./lifecycle";
import { dropForbiddenKeys } from "./merge";
import { notImplemented } from "./not-implemented";
import type { DataStore } from "./persistence";
import { matchRoute } from "./router";
import { ADMIN_PREFIX, type AdminDeps, handleAdmin } from "./routes/admin";

/** Request bodies above this get 413 (FusionAuth's own limit is not documented; 1 MiB holds any real object). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerDeps extends AdminDeps {
  onInternalError?: (e: unknown) => void;
  emu: EmulatorContext;
  apiKeys: ApiKeySpec[];
  admin: boolean;
  counters: RequestCounters;
  faults: FaultInjector;
  /** Base URL of the discovery document's endpoints (configuration, never the request's Host header). */
  publicUrl: string;
  /** The data file, when there is one, and the tracker that tells it which records a request touched. */
  persistence?: { store: DataStore; tracker: ChangeTracker };
}

class BodyTooLarge extends Error {}

function tooLarge(): ApiError {
  return new ApiError(
    413,
    new ErrorCollector()
      .general_("[RequestTooLarge]", `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes.`)
      .toBody(),
  );
}

/** Whether the request announces a body (that has not been read yet). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

/** Reads the body up to `limit` bytes; rejects with BodyTooLarge as soon as it is known to be larger. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer) => {
      total += c.length;
      if (total > limit) {
        // A chunked body with no declared length: stop buffering at the limit.
        req.off("data", onData);
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply, bodyUnread: boolean): void {
  // Names this process, so `fakit emulator stop` can tell its emulator from whatever else answers on the port.
  const headers: Record<string, string | number> = { ...reply.headers, [PID_HEADER]: process.pid };
  if (bodyUnread) {
    // The body was never read: close the connection instead of reading the rest to reuse it, and drain (not
    // buffer) what the client is still sending for a moment, so it sees this answer rather than a reset.
    headers.Connection = "close";
    res.once("finish", () => {
      req.resume();
      setTimeout(() => req.socket.destroy(), 1000).unref();
    });
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  // A string body is a page (the hosted login form), sent as the route's headers say; anything else is JSON.
  const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "Content-Type": "application/json;charset=UTF-8",
    ...headers,
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Deeper bodies are refused, as FusionAuth's JSON parser (Jackson) refuses them: merging, cloning and
 * serializing recurse, and this keeps them far from the stack limit whatever a 1 MiB body holds.
 */
const MAX_JSON_DEPTH = 1000;

/** Nesting depth of a parsed JSON value, without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

const invalidJson = (message: string) =>
  new ApiError(400, new ErrorCollector().general_("[invalidJSON]", message).toBody());

function parseBody(raw: string, contentType: string, format: "form" | undefined): unknown {
  const isForm = contentType.startsWith("application/x-www-form-urlencoded");
  if (format === "form" && !isForm) return undefined;
  if (raw.trim() === "") return undefined;
  if (isForm) {
    const form: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(raw)) if (dropForbiddenKeys(k, v) !== undefined) form[k] = v;
    return form;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw, dropForbiddenKeys);
  } catch {
    // The documented example of a 400 body.
    throw new ApiError(400, new ErrorCollector().general_("[invalid]", "Your JSON was invalid").toBody());
  }
  if (depthOf(body) > MAX_JSON_DEPTH)
    throw invalidJson(`Unable to parse JSON. The document nests deeper than ${MAX_JSON_DEPTH} levels.`);
  if (contentType.startsWith("application/json-patch+json")) return body;
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalidJson("Unable to parse JSON. The request body must be a JSON object.");
  return body;
}

/** Decodes the path ids; each must be a UUID (FusionAuth's 400 otherwise), returned in lower case. */
function pathIds(raw: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return idNotUuid(name, value);
    }
    if (!isUuid(decoded)) return idNotUuid(name, decoded);
    params[name] = decoded.toLowerCase();
  }
  return params;
}

/** The request's body reader and the way to answer it, shared by the steps of {@link handle}. */
interface Exchange {
  req: IncomingMessage;
  method: string;
  url: URL;
  contentType: string;
  /** Reads and parses the body once; a route that reads forms sets `format` first. */
  body(): Promise<unknown>;
  format: "form" | undefined;
  reply(r: Reply): void;
}

function exchangeOf(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, url: URL): Exchange {
  let bodyRead = false;
  const contentType = String(req.headers["content-type"] ?? "application/json").toLowerCase();
  const x: Exchange = {
    req,
    method: (req.method ?? "GET").toUpperCase(),
    url,
    contentType,
    format: undefined,
    body: async () => {
      bodyRead = true;
      try {
        return parseBody(await readBody(req, MAX_BODY_BYTES), contentType, x.format);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          bodyRead = false;
          throw tooLarge();
        }
        throw e;
      }
    },
    // The HTTP Date header tells the emulator clock's time, as a server's tells its own: devices read server
    // time from it, so a simulation that moves the clock moves the Date clients see.
    reply: (r) =>
      send(
        req,
        res,
        { ...r, headers: { Date: new Date(deps.clock.now()).toUTCString(), ...r.headers } },
        !bodyRead && hasBody(req),
      ),
  };
  return x;
}

async function handleAdminRequest(deps: ServerDeps, x: Exchange): Promise<void> {
  if (!deps.admin) return x.reply({ status: 404 });
  try {
    return x.reply(handleAdmin(deps, x.method, x.url.pathname, await x.body()));
  } catch (e) {
    if (e instanceof ApiError) return x.reply({ status: e.status, body: e.body });
    throw e;
  }
}

/** An injected fault's answer, when it answers in the route's place (undefined: the route runs). */
async function faultAnswer(
  fault: ReturnType<FaultInjector["decide"]>,
  x: Exchange,
): Promise<"dropped" | Reply | undefined> {
  if (fault === undefined) return undefined;
  if (fault.latencyMs > 0) await sleep(fault.latencyMs);
  if (fault.drop) {
    x.req.socket.destroy();
    return "dropped";
  }
  if (fault.status === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
  const faultBody =
    fault.status === 503
      ? { generalErrors: [{ code: "[ServiceUnavailable]", message: "Injected fault." }] }
      : undefined;
  return { status: fault.status, body: faultBody, headers };
}

/**
 * The request's context once its API key, tenant and path ids are checked, before the body is read.
 * @throws {ApiError} the refusal (401, or 400 for an unknown tenant or a bad id): nothing ran
 */
async function authorize(
  deps: ServerDeps,
  x: Exchange,
  route: Route,
  rawParams: Record<string, string>,
): Promise<RequestContext> {
  const { req, method } = x;
  const apiKey = findApiKey(deps.apiKeys, deps.emu.state, req.headers.authorization);
  const permitted = apiKey !== undefined && isPermitted(apiKey, route.endpoint, method);
  if (route.auth === "apiKey" && !permitted) throw new ApiError(401);
  const header = req.headers["x-fusionauth-tenantid"];
  const headerTenant = typeof header === "string" && header !== "" ? header : undefined;
  const keyTenant = permitted ? apiKey?.tenantId : undefined;
  if (headerTenant !== undefined && keyTenant !== undefined && headerTenant !== keyTenant) throw new ApiError(401);
  const tenantId = headerTenant ?? keyTenant;
  if (route.globalOnly && tenantId !== undefined) throw new ApiError(401);
  if (tenantId !== undefined && (!isUuid(tenantId) || deps.emu.state.tenants[tenantId] === undefined)) {
    throw new ApiError(
      400,
      new ErrorCollector().general_("[invalid]tenantId", `The tenant [${tenantId}] does not exist.`).toBody(),
    );
  }
  const params = pathIds(rawParams);
  return {
    emu: deps.emu,
    method,
    path: x.url.pathname,
    origin: deps.publicUrl,
    params,
    query: x.url.searchParams,
    headers: req.headers,
    body: await x.body(),
    contentType: x.contentType,
    tenantId,
    apiKey: permitted ? apiKey : undefined,
  };
}

/** Runs the route's handler (tracking what it changes when there is a data file) and makes its answer. */
async function run(deps: ServerDeps, route: Route, ctx: RequestContext): Promise<Reply> {
  const handler = async () => route.handle(ctx);
  const { persistence } = deps;
  let outcome: PromiseSettledResult<Reply>;
  if (persistence !== undefined && route.kind !== "read") {
    const tracked = await persistence.tracker.track(handler);
    outcome = tracked.outcome;
    // Before answering: a client that saw the answer finds the change after a crash (rejected requests too,
    // when they changed something, like a revoked reused refresh token; otherwise they write nothing).
    persistence.store.flush(tracked.touched);
  } else {
    outcome = await handler().then(
      (value): PromiseSettledResult<Reply> => ({ status: "fulfilled", value }),
      (reason): PromiseSettledResult<Reply> => ({ status: "rejected", reason }),
    );
  }
  if (outcome.status === "fulfilled") return outcome.value;
  if (outcome.reason instanceof ApiError) {
    const e = outcome.reason;
    return { status: e.status, body: e.body, headers: e.headers };
  }
  deps.onInternalError?.(outcome.reason);
  return { status: 500 };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://emulator");
  } catch {
    return send(req, res, { status: 400 }, hasBody(req));
  }
  const x = exchangeOf(deps, req, res, url);
  const { method } = x;
  const path = url.pathname;
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return handleAdminRequest(deps, x);

  const match = matchRoute(method, path);
  const template = match.kind === "route" ? match.route.template : undefined;
  if (match.kind === "route") deps.counters.record(method, match.route.template, match.route.kind);
  else deps.counters.recordUnmatched(method, path);

  const fault = deps.faults.decide(method, template, path);
  const faulted = await faultAnswer(fault, x);
  if (faulted === "dropped") return;
  if (faulted !== undefined) return x.reply(faulted);

  if (match.kind === "not-implemented") return x.reply(notImplemented(method, match.template));
  if (match.kind !== "route") return x.reply({ status: match.kind === "method-not-allowed" ? 405 : 404 });
  const { route } = match;
  x.format = route.bodyFormat;
  let ctx: RequestContext;
  try {
    ctx = await authorize(deps, x, route, match.params);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    // Refused before the handler ran: nothing changed, nothing to persist.
    return x.reply({ status: e.status, body: e.body, headers: e.headers });
  }
  const answer = await run(deps, route, ctx);
  if (fault?.loseResponse) {
    req.socket.destroy();
    return;
  }
  x.reply(answer);
}

export function createEmulatorServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((e) => {
      deps.onInternalError?.(e);
      if (!res.headersSent) send(req, res, { status: 500 }, false);
      else res.destroy();
    });
  });
}
