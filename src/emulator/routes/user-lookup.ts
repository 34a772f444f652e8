/**
 * Users looked up the way apps and test suites do: by email, username or login id, and searched by ids.
 * @see https://fusionauth.io/docs/apis/users#retrieve-a-user
 * @see https://fusionauth.io/docs/apis/users#search-for-users
 */
import { ok, queryParam, type RequestContext, type Route } from "../context";
import { ApiError, fieldError, generalError, notFound } from "../errors";
import { assertJsonTypes } from "../json-types";
import type { Json, StoredUser } from "../state";

const LOGIN_ID_TYPES = ["email", "username", "phoneNumber"];

/** The single user of the scope whose `types` field equals `value` (case-insensitive). */
function findOne(ctx: RequestContext, value: string, types: string[]): Json {
  const wanted = value.toLowerCase();
  const matches = Object.values(ctx.emu.state.users).filter(
    (u: StoredUser) =>
      (ctx.tenantId === undefined || u.user.tenantId === ctx.tenantId) &&
      types.some((t) => typeof u.user[t] === "string" && u.user[t].toLowerCase() === wanted),
  );
  if (matches.length > 1)
    generalError(
      "[TenantIdRequired]",
      "A Tenant Id is required to complete this request. The loginId exists in more than one tenant; send the X-FusionAuth-TenantId header.",
    );
  return matches[0]?.user ?? notFound();
}

function notEmulated(feature: string): never {
  throw new ApiError(501, {
    generalErrors: [
      {
        code: "[NotImplemented]",
        message: `The FusionAuth emulator does not implement ${feature}. docs/emulator.md lists what it serves.`,
      },
    ],
  });
}

/** `GET /api/user?email=|username=|loginId=[&loginIdTypes=…]`. */
function retrieve(ctx: RequestContext) {
  for (const p of ["verificationId", "changePasswordId"])
    if (queryParam(ctx, p) !== undefined) notEmulated(`GET /api/user?${p}=`);
  const email = queryParam(ctx, "email");
  const username = queryParam(ctx, "username");
  const loginId = queryParam(ctx, "loginId");
  if (email !== undefined) return ok({ user: findOne(ctx, email, ["email"]) });
  if (username !== undefined) return ok({ user: findOne(ctx, username, ["username"]) });
  if (loginId !== undefined) {
    const asked = ctx.query.getAll("loginIdTypes").flatMap((t) => t.split(","));
    const bad = asked.filter((t) => !LOGIN_ID_TYPES.includes(t));
    if (bad.length > 0)
      fieldError(
        "loginIdTypes",
        "invalid",
        `The [loginIdTypes] must be among ${LOGIN_ID_TYPES.join(", ")}; got [${bad.join(", ")}].`,
      );
    return ok({ user: findOne(ctx, loginId, asked.length > 0 ? asked : ["email", "username"]) });
  }
  return fieldError("email", "blank", "You must specify one of the [email], [username] or [loginId] parameters.");
}

/** Users by ids, or every user of the scope for `queryString` `*`; other queries are not emulated. */
function search(
  ctx: RequestContext,
  criteria: { ids: string[]; queryString?: string; query?: unknown; numberOfResults?: number; startRow?: number },
) {
  if (criteria.query !== undefined) notEmulated("user search with `query` (Elasticsearch)");
  if (criteria.queryString !== undefined && criteria.queryString !== "*")
    notEmulated("user search with a `queryString` other than `*` (search by `ids` instead)");
  if (criteria.ids.length === 0 && criteria.queryString === undefined)
    fieldError("search", "blank", "You must specify [ids], [queryString] or [query].");
  const ids = new Set(criteria.ids.map((id) => id.toLowerCase()));
  const all = Object.values(ctx.emu.state.users)
    .map((u: StoredUser) => u.user)
    .filter((u: Json) => ctx.tenantId === undefined || u.tenantId === ctx.tenantId)
    .filter((u: Json) => criteria.queryString === "*" || ids.has(u.id))
    .sort((a: Json, b: Json) => a.insertInstant - b.insertInstant);
  const start = criteria.startRow ?? 0;
  return ok({ total: all.length, users: all.slice(start, start + (criteria.numberOfResults ?? 25)) });
}

const base = { kind: "read", auth: "apiKey" } as const;

export const userLookupRoutes: Route[] = [
  { ...base, method: "GET", template: "/api/user", endpoint: "/api/user", handle: retrieve },
  {
    ...base,
    method: "GET",
    template: "/api/user/search",
    endpoint: "/api/user/search",
    handle: (ctx) =>
      search(ctx, {
        ids: ctx.query
          .getAll("ids")
          .flatMap((v) => v.split(","))
          .filter((v) => v !== ""),
        queryString: queryParam(ctx, "queryString"),
        numberOfResults: Number(queryParam(ctx, "numberOfResults") ?? 25),
        startRow: Number(queryParam(ctx, "startRow") ?? 0),
      }),
  },
  {
    ...base,
    method: "POST",
    template: "/api/user/search",
    endpoint: "/api/user/search",
    handle: (ctx) => {
      assertJsonTypes(ctx.body, {
        search: {
          object: {
            ids: { array: "uuid" },
            queryString: "string",
            query: "string",
            numberOfResults: "integer",
            startRow: "integer",
          },
        },
      });
      const s = ctx.body?.search ?? {};
      return search(ctx, {
        ids: s.ids ?? [],
        queryString: s.queryString,
        query: s.query,
        numberOfResults: s.numberOfResults,
        startRow: s.startRow,
      });
    },
  },
];
