/**
 * A generic emulator collection: the create / retrieve / update / delete routes of an API whose objects are kept
 * by id in one collection of the state and sent wrapped in one property (`{"apiKey": {...}}`). A collection
 * declares what differs (how a record is built from a request, who may see it, how it is shown); the routes,
 * their status codes and their error bodies are the same for every collection, as FusionAuth's are: 200 with the
 * wrapped object, 404 with an empty body for a missing (or invisible) id, 400 `[duplicate]<idParam>` for a
 * create under an id in use.
 * @see https://fusionauth.io/docs/apis/ (each API's "Create", "Retrieve", "Update" and "Delete" sections)
 */
import { randomUUID } from "node:crypto";
import { ok, type RequestContext, type Route } from "./context";
import type { RequestKind } from "./counters";
import { fieldError, notFound } from "./errors";
import type { EmulatorState, Json } from "./state";

type RecordCollection = {
  [K in keyof EmulatorState]: EmulatorState[K] extends Record<string, unknown> ? K : never;
}[keyof EmulatorState];

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
  /** Checked before anything else on every route (throws ApiError to refuse). */
  guard?(ctx: RequestContext): void;
  /**
   * The record to store from the request's object, or throws ApiError (400) for invalid input: `existing` is the
   * stored record on update, undefined on create.
   */
  build(
    ctx: RequestContext,
    input: Json,
    id: string,
    existing: EmulatorState[C][string] | undefined,
  ): EmulatorState[C][string];
  /** Whether the request may see or change a record; an invisible record is a 404, as a missing one. */
  visible?(ctx: RequestContext, record: EmulatorState[C][string]): boolean;
  /** What the API answers for a record (default: the record). */
  present?(record: EmulatorState[C][string]): Json;
}

/** The create, retrieve, update and delete routes of `spec`. */
export function collectionRoutes<C extends RecordCollection>(spec: CollectionSpec<C>): Route[] {
  const records = (ctx: RequestContext) => ctx.emu.state[spec.collection] as Record<string, EmulatorState[C][string]>;
  const answer = (record: EmulatorState[C][string]) => ok({ [spec.wrapper]: spec.present?.(record) ?? record });
  const found = (ctx: RequestContext) => {
    spec.guard?.(ctx);
    const record = records(ctx)[ctx.params[spec.idParam] as string];
    if (record === undefined || spec.visible?.(ctx, record) === false) return notFound();
    return record;
  };
  const create = (ctx: RequestContext) => {
    spec.guard?.(ctx);
    const id = ctx.params[spec.idParam] ?? randomUUID();
    if (records(ctx)[id] !== undefined)
      fieldError(spec.idParam, "duplicate", `A ${spec.label} with id [${id}] already exists.`);
    const record = spec.build(ctx, ctx.body?.[spec.wrapper], id, undefined);
    records(ctx)[id] = record;
    return answer(record);
  };
  const route = (method: string, template: string, kind: RequestKind, handle: Route["handle"]): Route => ({
    method,
    template,
    endpoint: spec.endpoint,
    kind,
    auth: "apiKey",
    handle,
  });
  const one = `${spec.endpoint}/{${spec.idParam}}`;
  return [
    route("POST", spec.endpoint, "write", create),
    route("POST", one, "write", create),
    route("GET", one, "read", (ctx) => answer(found(ctx))),
    route("PUT", one, "write", (ctx) => {
      const existing = found(ctx);
      const id = ctx.params[spec.idParam] as string;
      const record = spec.build(ctx, ctx.body?.[spec.wrapper], id, existing);
      records(ctx)[id] = record;
      return answer(record);
    }),
    route("DELETE", one, "write", (ctx) => {
      found(ctx);
      delete records(ctx)[ctx.params[spec.idParam] as string];
      return ok();
    }),
  ];
}
