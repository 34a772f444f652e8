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

/** The handlers of one collection: what every route of it does, from the request to the answer. */
class Handlers<C extends RecordCollection> {
  constructor(private readonly spec: CollectionSpec<C>) {}

  private records(ctx: RequestContext): Record<string, Stored<C>> {
    return ctx.emu.state[this.spec.collection] as Record<string, Stored<C>>;
  }

  private show(record: Stored<C>): Json {
    return this.spec.present?.(record) ?? record;
  }

  private answer(record: Stored<C>): Reply {
    return ok({ [this.spec.wrapper]: this.show(record) });
  }

  private id(ctx: RequestContext): string {
    return ctx.params[this.spec.idParam] as string;
  }

  private checkTypes(ctx: RequestContext, op: "create" | "update", first: boolean): void {
    const { type, wrapper, createTypes, typesFirst } = this.spec;
    if (type === undefined || (typesFirst?.includes(op) === true) !== first) return;
    assertJsonTypes(ctx.body, { [wrapper]: type, ...(op === "create" ? createTypes : {}) });
  }

  /** The visible record under the path's id, or the 404. */
  private found(ctx: RequestContext): Stored<C> {
    const record = this.records(ctx)[this.id(ctx)];
    if (record === undefined || this.spec.visible?.(ctx, record) === false) return notFound();
    return record;
  }

  private store(ctx: RequestContext, record: Stored<C>, key: string): Reply {
    this.records(ctx)[key] = record;
    return this.answer(record);
  }

  private page(ctx: RequestContext, select: (ctx: RequestContext, c: Json) => Stored<C>[], criteria: Json): Reply {
    const c = criteria ?? {};
    const all = select(ctx, c);
    const start = Number(c.startRow ?? 0);
    const page = all.slice(start, start + Number(c.numberOfResults ?? 25));
    return ok({ [`${this.spec.wrapper}s`]: page.map((r) => this.show(r)), total: all.length });
  }

  create(ctx: RequestContext, build: Build<C>): Reply {
    const { spec } = this;
    this.checkTypes(ctx, "create", true);
    const key = ctx.params[spec.idParam] ?? randomUUID();
    if (this.records(ctx)[key] !== undefined)
      fieldError(spec.idParam, "duplicate", `${spec.article ?? "A"} ${spec.label} with id [${key}] already exists.`);
    this.checkTypes(ctx, "create", false);
    return this.store(ctx, build(ctx, ctx.body?.[spec.wrapper], key, undefined), key);
  }

  list(ctx: RequestContext, listed: ((ctx: RequestContext, r: Stored<C>) => boolean) | undefined): Reply {
    const records = Object.values(this.records(ctx)).filter(
      (r) => this.spec.visible?.(ctx, r) !== false && listed?.(ctx, r) !== false,
    );
    return ok({ [`${this.spec.wrapper}s`]: records.map((r) => this.show(r)) });
  }

  search(ctx: RequestContext, select: (ctx: RequestContext, c: Json) => Stored<C>[]): Reply {
    assertJsonTypes(ctx.body, SEARCH);
    return this.page(ctx, select, ctx.body?.search);
  }

  searchByQuery(ctx: RequestContext, select: (ctx: RequestContext, c: Json) => Stored<C>[], query: readonly string[]) {
    return this.page(ctx, select, Object.fromEntries(query.map((k) => [k, queryParam(ctx, k)])));
  }

  retrieve(ctx: RequestContext): Reply {
    return this.answer(this.found(ctx));
  }

  update(ctx: RequestContext): Reply {
    const shortcut = this.spec.shortcut?.(ctx, () => this.found(ctx));
    if (shortcut !== undefined) return this.answer(shortcut);
    this.checkTypes(ctx, "update", true);
    const existing = this.found(ctx);
    this.checkTypes(ctx, "update", false);
    return this.store(ctx, this.spec.build(ctx, ctx.body?.[this.spec.wrapper], this.id(ctx), existing), this.id(ctx));
  }

  patch(ctx: RequestContext, type: JsonType): Reply {
    const existing = this.found(ctx);
    const merged = patchedObject(ctx, this.spec.wrapper, existing as Json, type);
    return this.store(ctx, this.spec.build(ctx, merged, this.id(ctx), existing), this.id(ctx));
  }

  remove(ctx: RequestContext): Reply {
    const record = this.found(ctx);
    if (this.spec.remove !== undefined) return this.spec.remove(ctx, record);
    delete this.records(ctx)[this.id(ctx)];
    return ok();
  }
}

/** The routes of `spec`. */
export function collectionRoutes<C extends RecordCollection>(spec: CollectionSpec<C>): Route[] {
  const h = new Handlers(spec);
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
  for (const { path, build } of spec.creators ?? [{ path: spec.endpoint, build: spec.build }]) {
    route("POST", path, "create", (ctx) => h.create(ctx, build));
    route("POST", `${path}/{${spec.idParam}}`, "create", (ctx) => h.create(ctx, build), path);
  }
  const { list, search, type } = spec;
  if (list !== undefined) route("GET", spec.endpoint, "list", (ctx) => h.list(ctx, list.listed));
  if (search !== undefined) {
    const path = `${spec.endpoint}/search`;
    route("POST", path, "search", (ctx) => h.search(ctx, search.select));
    const { query } = search;
    if (query !== undefined) route("GET", path, "search", (ctx) => h.searchByQuery(ctx, search.select, query));
  }
  const one = `${spec.endpoint}/{${spec.idParam}}`;
  route("GET", one, "retrieve", (ctx) => h.retrieve(ctx), spec.endpoint);
  route("PUT", one, "update", (ctx) => h.update(ctx), spec.endpoint);
  if (type !== undefined && spec.patch !== false)
    route("PATCH", one, "patch", (ctx) => h.patch(ctx, type), spec.endpoint);
  route("DELETE", one, "delete", (ctx) => h.remove(ctx), spec.endpoint);
  return routes;
}
