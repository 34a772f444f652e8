/**
 * Route table and matching. Templates use `{param}` segments; literal segments win over parameters
 * (`/api/tenant/search` before `/api/tenant/{tenantId}`).
 */
import type { Route } from "./context";
import { applicationRoutes } from "./routes/applications";
import { authorizeRoutes } from "./routes/authorize";
import { keyRoutes } from "./routes/keys";
import { loginRoutes } from "./routes/login";
import { oauthRoutes } from "./routes/oauth";
import { tenantRoutes } from "./routes/tenants";
import { userRoutes } from "./routes/users";
import { wellKnownRoutes } from "./routes/well-known";

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
  literals: number;
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const segments = route.template.split("/").filter((s) => s !== "");
  const pattern = segments
    .map((s) => {
      const m = /^\{(\w+)\}$/.exec(s);
      if (m) {
        names.push(m[1] as string);
        return "/([^/]+)";
      }
      return `/${s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return { route, regex: new RegExp(`^${pattern}/?$`), names, literals: segments.length - names.length };
}

/** Every API route the emulator serves. */
export const ROUTES: Route[] = [
  ...keyRoutes,
  ...tenantRoutes,
  ...applicationRoutes,
  ...userRoutes,
  ...loginRoutes,
  ...oauthRoutes,
  ...authorizeRoutes,
  ...wellKnownRoutes,
];

const COMPILED = ROUTES.map(compile).sort((a, b) => b.literals - a.literals);

export type MatchResult =
  /** `params` are the raw (percent-encoded) path segments. */
  | { kind: "route"; route: Route; params: Record<string, string> }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

export function matchRoute(method: string, path: string): MatchResult {
  let pathMatched = false;
  for (const c of COMPILED) {
    const m = c.regex.exec(path);
    if (m === null) continue;
    pathMatched = true;
    if (c.route.method !== method) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      // Still percent-encoded: the server decodes and checks them, so a bad encoding is a 400, not a throw here.
      params[n] = m[i + 1] as string;
    });
    return { kind: "route", route: c.route, params };
  }
  return pathMatched ? { kind: "method-not-allowed" } : { kind: "not-found" };
}
