/**
 * Routes FusionAuth has and the emulator does not serve. Such a request gets one clear answer, **501** with
 * `{"generalErrors":[{"code":"[NotImplemented]","message":"…"}]}`, instead of what the emulator's own table
 * would make of it (a 404, an empty 405, or a `[couldNotConvert]` id error when the path happens to fit one of
 * its `{id}` templates, as `/api/user/search` once fitted `/api/user/{userId}`).
 */
import type { Reply } from "./context";
import { FUSIONAUTH_ROUTES } from "./fusionauth-routes.generated";

interface Template {
  method: string;
  template: string;
  regex: RegExp;
  literals: number;
}

function compile(route: string): Template {
  const [method, template] = route.split(" ") as [string, string];
  const segments = template.split("/").filter((s) => s !== "");
  const params = segments.filter((s) => /^\{\w+\}$/.test(s)).length;
  const pattern = segments
    .map((s) => (/^\{\w+\}$/.test(s) ? "/[^/]+" : `/${s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")}`))
    .join("");
  return { method, template, regex: new RegExp(`^${pattern}/?$`), literals: segments.length - params };
}

const TEMPLATES = FUSIONAUTH_ROUTES.map(compile).sort((a, b) => b.literals - a.literals);

/** FusionAuth's most specific route for this request, with its count of literal segments; undefined when none. */
export function fusionAuthRoute(method: string, path: string): { template: string; literals: number } | undefined {
  const t = TEMPLATES.find((c) => c.method === method && c.regex.test(path));
  return t === undefined ? undefined : { template: t.template, literals: t.literals };
}

/** The 501 answer for a FusionAuth route the emulator does not serve. */
export function notImplemented(method: string, template: string): Reply {
  return {
    status: 501,
    body: {
      generalErrors: [
        {
          code: "[NotImplemented]",
          message: `The FusionAuth emulator does not implement ${method} ${template}. docs/emulator.md lists the routes it serves.`,
        },
      ],
    },
  };
}
