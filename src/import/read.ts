/**
 * The network edge of `fakit import`: reads a live FusionAuth's tenants, applications and keys with a read-only
 * API key (GET on /api/tenant, /api/application and /api/key; see docs/least-privilege.md), and trusts nothing
 * the server sends:
 * - a connection must open within the connect timeout, and all reads end within the total timeout;
 * - a response body is streamed and abandoned past {@link RESPONSE_LIMIT_BYTES}, so memory stays bounded;
 * - a redirect is followed only within the same origin (scheme, host and port): the API key is never sent to
 *   another server or port, and the refusal names both URLs;
 * - each body must be UTF-8 JSON of the shape {@link checkResponse} accepts, or the import stops naming each JSON
 *   path that is wrong.
 * Every failure is an {@link ImportError} whose message names the endpoint and what to do.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { IMPORT_API_KEY_PERMISSIONS } from "../fusionauth/least-privilege";
import { ImportError } from "./import-error";
import type { LiveApplication, LiveInstance, LiveKey, LiveTenant } from "./map";
import { checkResponse, type ImportEndpoint } from "./response-check";

export { IMPORT_API_KEY_PERMISSIONS };

/** The largest response body the import reads: 16 MiB, some 10,000 tenants or applications as FusionAuth sends them. */
export const RESPONSE_LIMIT_BYTES = 16 * 1024 * 1024;
/** The connection to FusionAuth must be open within this (or the total timeout, when shorter). */
export const CONNECT_TIMEOUT_SECONDS = 10;
/** All reads of one import end within this unless `--timeout` says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** Redirects followed within one origin, per endpoint. */
const MAX_REDIRECTS = 3;

export interface ReadLimits {
  /** The whole import's reads, in seconds. */
  timeoutSeconds: number;
}

interface Response {
  status: number;
  location?: string;
  body?: Buffer;
}

/** One GET, connection and body within the limits; resolves with the status and the body (of a 200) or location. */
function get(url: URL, apiKey: string, deadline: number, shown: string, base: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    const fail = (err: ImportError) => {
      clearTimeout(total);
      clearTimeout(connect);
      req.destroy();
      reject(err);
    };
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(url, {
      method: "GET",
      headers: { Authorization: apiKey, Accept: "application/json" },
      agent: false,
    });
    const total = setTimeout(
      () => fail(new ImportError("KIT_IMPORT_TIMEOUT", `${shown} did not finish within the timeout (--timeout)`)),
      Math.max(0, remaining),
    );
    const connectMs = Math.min(CONNECT_TIMEOUT_SECONDS * 1000, Math.max(0, remaining));
    const connect = setTimeout(
      () =>
        fail(
          new ImportError(
            "KIT_IMPORT_UNREACHABLE",
            `cannot reach FusionAuth at ${base} (${shown}: no connection within ${connectMs / 1000}s); check the URL and that it is up`,
          ),
        ),
      connectMs,
    );
    req.on("socket", (socket) => {
      if (!socket.connecting) clearTimeout(connect);
      socket.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connect));
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      fail(
        new ImportError(
          "KIT_IMPORT_UNREACHABLE",
          `cannot reach FusionAuth at ${base} (${shown}: ${err.code ?? err.message}); check the URL and that it is up`,
          { cause: err },
        ),
      );
    });
    req.on("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        clearTimeout(total);
        clearTimeout(connect);
        req.destroy();
        resolve({ status, ...(res.headers.location === undefined ? {} : { location: res.headers.location }) });
        return;
      }
      const tooLarge = () =>
        fail(
          new ImportError(
            "KIT_IMPORT_TOO_LARGE",
            `${shown} answered more than ${RESPONSE_LIMIT_BYTES / 1024 / 1024} MiB, the import's limit for one response; nothing read further`,
          ),
        );
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > RESPONSE_LIMIT_BYTES) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > RESPONSE_LIMIT_BYTES) return tooLarge();
        chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(total);
        resolve({ status, body: Buffer.concat(chunks, size) });
      });
      res.on("error", (err) =>
        fail(
          new ImportError("KIT_IMPORT_UNREACHABLE", `${shown}: the connection broke mid-response (${err.message})`, {
            cause: err,
          }),
        ),
      );
    });
    req.end();
  });
}

function parseBody(body: Buffer, shown: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch (err) {
    throw new ImportError("KIT_IMPORT_RESPONSE_INVALID", `${shown} answered text that is not UTF-8`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImportError("KIT_IMPORT_RESPONSE_INVALID", `${shown} answered something that is not JSON`, {
      cause: err,
    });
  }
}

/** The origin of a URL as a message shows it (scheme, host and port, the port always written). */
function originOf(u: URL): string {
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return `${u.protocol}//${u.hostname}:${port}`;
}

/** GET `endpoint` below `base`, following same-origin redirects only; the checked JSON body. */
async function read(base: string, endpoint: ImportEndpoint, apiKey: string, deadline: number): Promise<unknown> {
  let url = new URL(`${base}${endpoint}`);
  for (let hop = 0; ; hop++) {
    const shown = `GET ${url.href}`;
    const r = await get(url, apiKey, deadline, shown, base);
    if (r.status === 200) {
      const body = parseBody(r.body ?? Buffer.alloc(0), shown);
      const problems = checkResponse(endpoint, body);
      if (problems.length > 0)
        throw new ImportError(
          "KIT_IMPORT_RESPONSE_INVALID",
          `${shown} answered a response the import cannot use: ${problems.join("; ")}`,
        );
      return body;
    }
    if (r.status === 401 || r.status === 403)
      throw new ImportError(
        "KIT_IMPORT_FORBIDDEN",
        `FusionAuth at ${base} refused the API key for GET ${endpoint} (HTTP ${r.status}): the key is wrong, or lacks GET on ${endpoint}; the import needs GET on ${Object.keys(IMPORT_API_KEY_PERMISSIONS).join(", ")}`,
      );
    if (r.status >= 300 && r.status < 400 && r.location !== undefined) {
      let next: URL;
      try {
        next = new URL(r.location, url);
      } catch {
        throw new ImportError("KIT_IMPORT_REDIRECT", `${shown} redirected to something that is not a URL`);
      }
      if (originOf(next) !== originOf(url))
        throw new ImportError(
          "KIT_IMPORT_REDIRECT",
          `${shown} redirected to ${next.href}, another origin (${originOf(next)} instead of ${originOf(url)}): not followed, so the API key goes nowhere else; give --url the address FusionAuth answers at`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new ImportError("KIT_IMPORT_REDIRECT", `${shown}: more than ${MAX_REDIRECTS} redirects; not followed`);
      url = next;
      continue;
    }
    throw new ImportError("KIT_IMPORT_FAILED", `${shown} answered HTTP ${r.status}`);
  }
}

/**
 * Reads everything the import needs; throws {@link ImportError}. Only GET requests.
 * @param base the FusionAuth URL without credentials, query or trailing slash.
 */
export async function readLiveInstance(
  base: string,
  apiKey: string,
  limits: ReadLimits = { timeoutSeconds: DEFAULT_TIMEOUT_SECONDS },
): Promise<LiveInstance> {
  const deadline = Date.now() + limits.timeoutSeconds * 1000;
  const tenants = (await read(base, "/api/tenant", apiKey, deadline)) as { tenants?: LiveTenant[] };
  const applications = (await read(base, "/api/application", apiKey, deadline)) as {
    applications?: LiveApplication[];
  };
  const keys = (await read(base, "/api/key", apiKey, deadline)) as { keys?: LiveKey[] };
  return {
    url: base,
    tenants: tenants.tenants ?? [],
    applications: applications.applications ?? [],
    keys: keys.keys ?? [],
  };
}
