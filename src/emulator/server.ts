/**
 * The HTTP server (node:http): admin routes, route matching, counters, faults, API-key authentication,
 * tenant scoping, body parsing, handler dispatch and persistence, in that order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiKeySpec, findApiKey, isPermitted } from "./api-keys";
import type { EmulatorContext, Reply, RequestContext } from "./context";
import type { RequestCounters } from "./counters";
import { ApiError, ErrorCollector } from "./errors";
import type { FaultInjector } from "./faults";
import { matchRoute } from "./router";
import { ADMIN_PREFIX, type AdminDeps, handleAdmin } from "./routes/admin";

export interface ServerDeps extends AdminDeps {
  onInternalError?: (e: unknown) => void;
  emu: EmulatorContext;
  apiKeys: ApiKeySpec[];
  admin: boolean;
  counters: RequestCounters;
  faults: FaultInjector;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...headers,
    "Content-Type": "application/json;charset=UTF-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function parseBody(raw: string, contentType: string): unknown {
  if (raw.trim() === "") return undefined;
  if (contentType.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw);
  } catch {
    // The documented example of a 400 body.
    throw new ApiError(400, new ErrorCollector().general_("[invalid]", "Your JSON was invalid").toBody());
  }
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://emulator");
  const path = url.pathname;
  const raw = await readBody(req);
  const contentType = String(req.headers["content-type"] ?? "application/json").toLowerCase();

  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) {
    if (!deps.admin) return send(res, { status: 404 });
    try {
      return send(res, handleAdmin(deps, method, path, parseBody(raw, contentType)));
    } catch (e) {
      if (e instanceof ApiError) return send(res, { status: e.status, body: e.body });
      throw e;
    }
  }

  const match = matchRoute(method, path);
  const template = match.kind === "route" ? match.route.template : undefined;
  if (match.kind === "route") deps.counters.record(method, match.route.template, match.route.kind);
  else deps.counters.recordUnmatched(method, path);

  const fault = deps.faults.decide(method, template, path);
  if (fault !== undefined) {
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.drop) {
      req.socket.destroy();
      return;
    }
    if (fault.status !== undefined) {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
      const body =
        fault.status === 503
          ? { generalErrors: [{ code: "[ServiceUnavailable]", message: "Injected fault." }] }
          : undefined;
      return send(res, { status: fault.status, body, headers });
    }
  }

  if (match.kind !== "route") return send(res, { status: match.kind === "method-not-allowed" ? 405 : 404 });
  const { route } = match;
  let reply: Reply;
  try {
    const apiKey = findApiKey(deps.apiKeys, req.headers.authorization);
    const permitted = apiKey !== undefined && isPermitted(apiKey, route.endpoint, method);
    if (route.auth === "apiKey" && !permitted) throw new ApiError(401);
    const header = req.headers["x-fusionauth-tenantid"];
    const headerTenant = typeof header === "string" && header !== "" ? header : undefined;
    const keyTenant = permitted ? apiKey?.tenantId : undefined;
    if (headerTenant !== undefined && keyTenant !== undefined && headerTenant !== keyTenant) throw new ApiError(401);
    const tenantId = headerTenant ?? keyTenant;
    if (route.globalOnly && tenantId !== undefined) throw new ApiError(401);
    if (tenantId !== undefined && (!UUID.test(tenantId) || deps.emu.state.tenants[tenantId] === undefined)) {
      throw new ApiError(
        400,
        new ErrorCollector().general_("[invalid]tenantId", `The tenant [${tenantId}] does not exist.`).toBody(),
      );
    }
    const ctx: RequestContext = {
      emu: deps.emu,
      method,
      path,
      origin: `http://${req.headers.host ?? "localhost"}`,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      body: parseBody(raw, contentType),
      contentType,
      tenantId,
      apiKey: permitted ? apiKey : undefined,
    };
    reply = await route.handle(ctx);
  } catch (e) {
    if (!(e instanceof ApiError)) {
      reply = { status: 500 };
      deps.onInternalError?.(e);
    } else reply = { status: e.status, body: e.body, headers: e.headers };
  }
  if (route.kind !== "read") deps.emu.persist();
  if (fault?.loseResponse) {
    req.socket.destroy();
    return;
  }
  send(res, reply);
}

export function createEmulatorServer(deps: ServerDeps & { onInternalError?: (e: unknown) => void }): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((e) => {
      deps.onInternalError?.(e);
      if (!res.headersSent) send(res, { status: 500 });
      else res.destroy();
    });
  });
}
