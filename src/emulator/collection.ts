/**
 * A generic emulator collection: the create / list / retrieve / search / update / patch / delete routes of an API
 * whose objects are kept by id in one collection of the state and sent wrapped in one property
 * (`{"apiKey": {...}}`). A collection declares what differs (how a record is built from a request, who may see
 * it, how it is shown, what a delete does); the routes, their status codes and their error bodies are the same
 * for every collection, as FusionAuth's are: 200 with the wrapped object, 404 with an empty body for a missing
 * (or invisible) id, 400 `[duplicate]<idParam>` for a create under an id in use, 401 for a global-only operation
 * under a tenant scope (server.ts).
 * @see https://fusionauth.io/docs/apis/ (each API's "Create", "Retrieve", "Search", "Update" and "Delete" sections)
 */
import { randomUUID } from "node:crypto";
import { ok, queryParam, type Reply, type RequestContext, type Route } from "./context";
import type { RequestKind } from "./counters";
import { fieldError, notFound } from "./errors";
import { assertJsonTypes, type JsonType, SEARCH } from "./json-types";
import { patchedObject } from "./patch-request";
import type { EmulatorState, Json } from "./state";

type RecordCollection = {
  [K in keyof EmulatorState]: EmulatorState[K] extends Record<string, unknown> ? K : never;
}[keyof EmulatorState];

type Stored<C extends RecordCollection> = EmulatorState[C][string];

/** The operations a collection serves; `globalOnly` names those refused under a tenant scope. */
export type Operation = "create" | "list" | "retrieve" | "search" | "update" | "patch" | "delete";

/** Builds the record to store from the request's object, or throws ApiError (400) for invalid input. */
export type Build<C extends RecordCollection> = (
  ctx: RequestContext,
  input: Json,
  id: string,
  existing: Stored<C> | undefined,
) => Stored<C>;

export interface CollectionSpec<C extends RecordCollection> {
  /** The state's collection. */
  collection: C;
  /** The API's path (`/api/api-key`), also the endpoint an API key permission names. */
  endpoint: string;
  /** The property wrapping the object in requests and answers (`apiKey`). */
  wrapper: string;
  /** The path parameter of the id (`keyId`). */
  idParam: string;
  /** The object's name in messages (`API key`). */
  label: string;
  /** The label's article in messages (default `A`). */
  article?: "A" | "An";
  /** Operations refused to tenant-locked keys and with `X-FusionAuth-TenantId` (`true`: all of them). */
  globalOnly?: true | readonly Operation[];
  /** Checked before anything else on every route (throws ApiError to refuse). */
  guard?(ctx: RequestContext): void;
  /**
   * The wrapped object's JSON type: with it, create and update bodies are type-checked (with `createTypes` on
   * create) and `PATCH` is served (JSON Patch, JSON Merge Patch and the legacy merge: patch-request.ts) unless
   * `patch` is false.
   */
  type?: JsonType;
  patch?: false;
  /** Other top-level properties a create body may carry (`sourceTenantId`). */
  createTypes?: Record<string, JsonType>;
  /**
   * Which operations check the body's types before the id (the duplicate check on create, the lookup on
   * update) rather than after: FusionAuth's APIs differ, and the emulator keeps each one's order.
   */
  typesFirst?: readonly ("create" | "update")[];
  /** The record to store on create (POST at `endpoint`) and update (PUT, PATCH): `existing` is undefined on create. */
  build: Build<C>;
  /**
   * Creates at other paths than `endpoint` (`/api/key/generate`), each with its own build; none at `endpoint`,
   * and `build` serves updates only.
   */
  creators?: { path: string; build: Build<C> }[];
  /**
   * Answers a PUT instead of the update when it returns a record (the application's reactivation); `lookup` gives
   * the visible record or throws the 404.
   */
  shortcut?(ctx: RequestContext, lookup: () => Stored<C>): Stored<C> | undefined;
  /** Whether the request may see or change a record; an invisible record is a 404, as a missing one. */
  visible?(ctx: RequestContext, record: Stored<C>): boolean;
  /** What the API answers for a record (default: the record). */
  present?(record: Stored<C>): Json;
  /** `GET <endpoint>`: the visible records (as `<wrapper>s`) that `listed` keeps (default: all). */
  list?: { listed?(ctx: RequestContext, record: Stored<C>): boolean };
  /**
   * `POST <endpoint>/search` (and `GET` with `query`'s parameters): the records matching the criteria, in order;
   * the collection pages them (`startRow`, `numberOfResults`, 25 by default), answers them as `<wrapper>s` and
   * counts the `total`.
   */
  search?: { query?: readonly string[]; select(ctx: RequestContext, criteria: Json): Stored<C>[] };
  /** What a delete does to a visible record (default: removes it and answers 200). */
  remove?(ctx: RequestContext, record: Stored<C>): Reply;
}

/** The routes of `spec`. */
export function collectionRoutes<C extends RecordCollection>(spec: CollectionSpec<C>): Route[] {
  const records = (ctx: RequestContext) => ctx.emu.state[spec.collection] as Record<string, Stored<C>>;
  const show = (record: Stored<C>) => spec.present?.(record) ?? record;
  const answer = (record: Stored<C>) => ok({ [spec.wrapper]: show(record) });
  const id = (ctx: RequestContext) => ctx.params[spec.idParam] as string;
  const checkTypes = (ctx: RequestContext, extra: Record<string, JsonType> = {}) => {
    if (spec.type !== undefined) assertJsonTypes(ctx.body, { [spec.wrapper]: spec.type, ...extra });
  };
  const plural = `${spec.wrapper}s`;
  const found = (ctx: RequestContext) => {
    const record = records(ctx)[id(ctx)];
    if (record === undefined || spec.visible?.(ctx, record) === false) return notFound();
    return record;
  };
  const store = (ctx: RequestContext, record: Stored<C>, key: string) => {
    records(ctx)[key] = record;
    return answer(record);
  };
  const create = (build: Build<C>) => (ctx: RequestContext) => {
    const typesFirst = spec.typesFirst?.includes("create") === true;
    if (typesFirst) checkTypes(ctx, spec.createTypes);
    const key = ctx.params[spec.idParam] ?? randomUUID();
    if (records(ctx)[key] !== undefined)
      fieldError(spec.idParam, "duplicate", `${spec.article ?? "A"} ${spec.label} with id [${key}] already exists.`);
    if (!typesFirst) checkTypes(ctx, spec.createTypes);
    return store(ctx, build(ctx, ctx.body?.[spec.wrapper], key, undefined), key);
  };
  const update = (ctx: RequestContext) => {
    const typesFirst = spec.typesFirst?.includes("update") === true;
    if (typesFirst) checkTypes(ctx);
    const existing = found(ctx);
    if (!typesFirst) checkTypes(ctx);
    return store(ctx, spec.build(ctx, ctx.body?.[spec.wrapper], id(ctx), existing), id(ctx));
  };
  const search = (ctx: RequestContext, select: (ctx: RequestContext, c: Json) => Stored<C>[], criteria: Json) => {
    const c = criteria ?? {};
    const all = select(ctx, c);
    const start = Number(c.startRow ?? 0);
    const page = all.slice(start, start + Number(c.numberOfResults ?? 25));
    return ok({ [plural]: page.map(show), total: all.length });
  };
  const routes: Route[] = [];
  const route = (method: string, template: string, op: Operation, handle: Route["handle"], endpoint = template) => {
    const globalOnly = spec.globalOnly === true || spec.globalOnly?.includes(op) === true;
    const kind: RequestKind = op === "list" || op === "retrieve" || op === "search" ? "read" : "write";
    const guarded: Route["handle"] = (ctx) => {
      spec.guard?.(ctx);
      return handle(ctx);
    };
    routes.push({
      method,
      template,
      endpoint,
      kind,
      auth: "apiKey",
      ...(globalOnly ? { globalOnly } : {}),
      handle: guarded,
    });
  };
  const one = `${spec.endpoint}/{${spec.idParam}}`;
  for (const { path, build } of spec.creators ?? [{ path: spec.endpoint, build: spec.build }]) {
    route("POST", path, "create", create(build));
    route("POST", `${path}/{${spec.idParam}}`, "create", create(build), path);
  }
  const { list, search: searching } = spec;
  if (list !== undefined)
    route("GET", spec.endpoint, "list", (ctx) => {
      const visible = Object.values(records(ctx)).filter(
        (r) => spec.visible?.(ctx, r) !== false && list.listed?.(ctx, r) !== false,
      );
      return ok({ [plural]: visible.map(show) });
    });
  if (searching !== undefined) {
    const path = `${spec.endpoint}/search`;
    route("POST", path, "search", (ctx) => {
      assertJsonTypes(ctx.body, SEARCH);
      return search(ctx, searching.select, ctx.body?.search);
    });
    const { query } = searching;
    if (query !== undefined)
      route("GET", path, "search", (ctx) => {
        const criteria = Object.fromEntries(query.map((k) => [k, queryParam(ctx, k)]));
        return search(ctx, searching.select, criteria);
      });
  }
  route("GET", one, "retrieve", (ctx) => answer(found(ctx)), spec.endpoint);
  route(
    "PUT",
    one,
    "update",
    (ctx) => {
      if (spec.shortcut !== undefined) {
        const shortcut = spec.shortcut(ctx, () => found(ctx));
        if (shortcut !== undefined) return answer(shortcut);
      }
      return update(ctx);
    },
    spec.endpoint,
  );
  const { type } = spec;
  if (type !== undefined && spec.patch !== false)
    route(
      "PATCH",
      one,
      "patch",
      (ctx) => {
        const existing = found(ctx);
        const merged = patchedObject(ctx, spec.wrapper, existing as Json, type);
        return store(ctx, spec.build(ctx, merged, id(ctx), existing), id(ctx));
      },
      spec.endpoint,
    );
  route(
    "DELETE",
    one,
    "delete",
    (ctx) => {
      const record = found(ctx);
      if (spec.remove !== undefined) return spec.remove(ctx, record);
      delete records(ctx)[id(ctx)];
      return ok();
    },
    spec.endpoint,
  );
  return routes;
}
