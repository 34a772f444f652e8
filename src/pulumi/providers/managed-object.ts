/**
 * The dynamic provider of FusionAuth objects the kit manages in part (tenants and applications, declared in
 * kinds/). Each holds a "managed shape" (the fields the kit
 * owns, see fusionauth/managed-fields.ts) and nothing else:
 * - `diff` compares only those fields, so server defaults never cause perpetual diffs, and a no-op `up` calls
 *   FusionAuth zero times;
 * - `update` reads the object, writes the managed fields into it and PUTs it whole, so fields the kit does not
 *   manage are kept (PATCH would append to arrays instead of replacing them);
 * - the outputs record what FusionAuth holds for those fields only where it differs from the desired shape (an
 *   out-of-band edit found by `read`); when it holds exactly the desired shape, they keep its digest instead of
 *   a second copy of what the inputs already store (the state of 100 applications: about 80 KB less);
 * - `read` (refresh) records what FusionAuth holds for those fields, so out-of-band edits show in the next diff;
 * - an adopted object (one that existed before, named by id in the stack) is never deleted: `delete` puts back
 *   the values the kit found when it adopted it.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { FusionAuthPort } from "../../fusionauth/client-port";
import { applyManaged, diffManaged, type JsonObject, pickManaged, unionLayouts } from "../../fusionauth/managed-fields";
import { KitError } from "../../lib/errors";
import { type Configured, configurePort, portOf } from "./settings";
import { providerChanged } from "./upgrade";

export interface ManagedObjectInputs {
  /** The FusionAuth id (deterministic for objects the kit creates, given for adopted ones). */
  objectId: string;
  /** Human label for messages, e.g. `tenant field-ops`. */
  label: string;
  /** The tenant an application belongs to (applications only). */
  tenantId?: string;
  /** True when the object existed before the kit and must be released, not deleted. */
  adopt: boolean;
  shape: JsonObject;
}

export interface ManagedObjectOutputs extends Omit<ManagedObjectInputs, "shape"> {
  /**
   * What FusionAuth held for the managed fields, when it differed from the desired shape or after a refresh
   * found a change. States written before the digest also hold it here.
   */
  shape?: JsonObject;
  /** When FusionAuth held exactly the desired shape: that shape's digest ({@link shapeDigest}). */
  shapeDigest?: string;
  /** For adopted objects: the managed fields as the kit found them, restored on delete. */
  original?: JsonObject;
}

/** A shape's fingerprint: SHA-256 of its JSON with every object's keys sorted. */
export function shapeDigest(shape: JsonObject): string {
  return createHash("sha256")
    .update(JSON.stringify(pickManaged(shape, shape)))
    .digest("base64url");
}

/** True when the outputs say FusionAuth may hold something other than `desired` for the managed fields. */
function differs(recorded: ManagedObjectOutputs, desired: JsonObject): boolean {
  if (recorded.shape !== undefined) return diffManaged(recorded.shape, desired).length > 0;
  return recorded.shapeDigest !== shapeDigest(desired);
}

/** The outputs for what FusionAuth holds (`actual`) against the desired shape. */
function outputsOf(inputs: ManagedObjectInputs, actual: unknown, original?: JsonObject): ManagedObjectOutputs {
  const { shape, ...meta } = inputs;
  const observed = pickManaged(actual, shape);
  const out: ManagedObjectOutputs =
    diffManaged(observed, shape).length === 0
      ? { ...meta, shapeDigest: shapeDigest(shape) }
      : { ...meta, shape: observed };
  if (original !== undefined) out.original = original;
  return out;
}

/**
 * What `read` records: the digest again when FusionAuth still holds a shape with that digest in one of the
 * kind's layouts, else every managed field FusionAuth holds (the next diff compares those with the desired shape).
 */
function refreshed(
  recorded: ManagedObjectOutputs,
  actual: unknown,
  layouts: readonly JsonObject[],
): ManagedObjectOutputs {
  const { shape, shapeDigest: digest, ...meta } = recorded;
  if (shape !== undefined) return { ...meta, shape: pickManaged(actual, shape) };
  for (const layout of layouts)
    if (shapeDigest(pickManaged(actual, layout)) === digest) return { ...meta, shapeDigest: digest };
  return { ...meta, shape: pickManaged(actual, unionLayouts(layouts)) };
}

type Obj = Record<string, unknown>;

/** How a managed-object kind reads, creates, updates and deletes its objects (its client-port calls). */
export interface ManagedKind {
  /** The layouts of this kind's managed shapes (MANAGED_LAYOUTS of fusionauth/objects.ts). */
  layouts: readonly JsonObject[];
  retrieve(port: FusionAuthPort, id: string): Promise<Obj | undefined>;
  create(port: FusionAuthPort, inputs: ManagedObjectInputs, body: Obj): Promise<Obj>;
  update(port: FusionAuthPort, id: string, body: Obj): Promise<Obj>;
  remove(port: FusionAuthPort, id: string, label: string): Promise<void>;
}

/** The dynamic provider of a managed-object kind (kinds/tenant.ts, kinds/application.ts). */
export function managedObjectProvider(
  kind: ManagedKind,
): pulumi.dynamic.ResourceProvider<ManagedObjectInputs, ManagedObjectOutputs> & Configured {
  /** Writes the managed fields into the object when they differ; returns what FusionAuth now holds. */
  async function converge(port: FusionAuthPort, inputs: ManagedObjectInputs, current: Obj): Promise<Obj> {
    if (diffManaged(pickManaged(current, inputs.shape), inputs.shape).length === 0) return current;
    return kind.update(port, inputs.objectId, applyManaged(current, inputs.shape));
  }

  return {
    async configure(req) {
      configurePort(this, req);
    },

    async diff(_id, olds, news) {
      const replaces: string[] = [];
      if (olds.objectId !== news.objectId) replaces.push("objectId");
      if ((olds.tenantId ?? "") !== (news.tenantId ?? "")) replaces.push("tenantId");
      if (olds.adopt !== news.adopt) replaces.push("adopt");
      const changes = replaces.length > 0 || differs(olds, news.shape) || providerChanged(olds, news);
      return { changes, replaces, deleteBeforeReplace: true };
    },

    async create(inputs) {
      const port = portOf(this);
      if (inputs.adopt) {
        const existing = await kind.retrieve(port, inputs.objectId);
        if (existing === undefined) {
          throw new KitError(
            "KIT_PROVIDER_ADOPTED_MISSING",
            `${inputs.label}: the stack names id ${inputs.objectId} to adopt, but FusionAuth has no such object; ` +
              "remove the id to let the kit create it, or correct it",
          );
        }
        const original = pickManaged(existing, inputs.shape);
        const actual = await converge(port, inputs, existing);
        return { id: inputs.objectId, outs: outputsOf(inputs, actual, original) };
      }
      const created = await kind.create(port, inputs, applyManaged({}, inputs.shape));
      const actual = await converge(port, inputs, created);
      return { id: inputs.objectId, outs: outputsOf(inputs, actual) };
    },

    async read(id, props) {
      if (props === undefined) return {};
      const actual = await kind.retrieve(portOf(this), id);
      if (actual === undefined) return {};
      return { id, props: refreshed(props, actual, kind.layouts) };
    },

    async update(id, olds, news) {
      // Only the provider changed (see upgrade.ts): nothing to write, and the last read shape still holds.
      if (!differs(olds, news.shape)) return { outs: outputsOf(news, olds.shape ?? news.shape, olds.original) };
      const port = portOf(this);
      const current = await kind.retrieve(port, id);
      if (current === undefined) {
        throw new KitError(
          "KIT_PROVIDER_OBJECT_GONE",
          `${news.label}: ${id} no longer exists in FusionAuth; run \`pulumi refresh\` and then \`pulumi up\``,
        );
      }
      const actual = await converge(port, news, current);
      return { outs: outputsOf(news, actual, olds.original) };
    },

    async delete(id, props) {
      const port = portOf(this);
      if (!props.adopt) {
        await kind.remove(port, id, `${props.label} (${id})`);
        return;
      }
      // Release: put back what the kit found, so nothing points at keys the kit is about to delete.
      const current = await kind.retrieve(port, id);
      if (current !== undefined && props.original !== undefined) {
        await converge(port, { ...props, shape: props.original }, current);
      }
    },
  };
}
