/**
 * Route table and matching. Templates use `{param}` segments; literal segments win over parameters
 * (`/api/tenant/search` before `/api/tenant/{tenantId}`).
 */
import type { Route } from "./context";
import { fusionAuthRoute } from "./not-implemented";
import { apiKeyRoutes } from "./routes/api-keys";
import { applicationRoutes } from "./routes/applications";
import { authorizeRoutes } from "./routes/authorize";
import { keyRoutes } from "./routes/keys";
import { loginRoutes } from "./routes/login";
import { oauthRoutes } from "./routes/oauth";
import { tenantRoutes } from "./routes/tenants";
import { userLookupRoutes } from "./routes/user-lookup";
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
  ...apiKeyRoutes,
  ...userRoutes,
  ...userLookupRoutes,
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
  | { kind: "not-found" }
  /** A route FusionAuth has (`template`) that the emulator does not serve: 501, never a misleading answer. */
  | { kind: "not-implemented"; template: string };

export function matchRoute(method: string, path: string): MatchResult {
  const own = matchOwnRoute(method, path);
  const theirs = fusionAuthRoute(method, path);
  // FusionAuth's route is more specific than the emulator's match (or there is none): the emulator lacks it.
  if (theirs !== undefined && (own.kind !== "route" || theirs.literals > literalsOf(own.route.template)))
    return { kind: "not-implemented", template: theirs.template };
  return own;
}

const literalsOf = (template: string) => template.split("/").filter((s) => s !== "" && !/^\{\w+\}$/.test(s)).length;

function matchOwnRoute(method: string, path: string): MatchResult {
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
