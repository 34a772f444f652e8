/**
 * Dynamic providers for FusionAuth tenants and applications. Both hold a "managed shape" (the fields the kit
 * owns, see fusionauth/managed-fields.ts) and nothing else:
 * - `diff` compares only those fields, so server defaults never cause perpetual diffs, and a no-op `up` calls
 *   FusionAuth zero times;
 * - `update` reads the object, writes the managed fields into it and PUTs it whole, so fields the kit does not
 *   manage are kept (PATCH would append to arrays instead of replacing them);
 * - `read` (refresh) records what FusionAuth holds for those fields, so out-of-band edits show in the next diff;
 * - an adopted object (one that existed before, named by id in the stack) is never deleted: `delete` puts back
 *   the values the kit found when it adopted it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FusionAuthPort } from "../../fusionauth/client-port";
import { applyManaged, diffManaged, type JsonObject, pickManaged } from "../../fusionauth/managed-fields";
import { KitError } from "../../lib/errors";
import { type Configured, configurePort, portOf } from "./settings";

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

export interface ManagedObjectOutputs extends ManagedObjectInputs {
  /** For adopted objects: the managed fields as the kit found them, restored on delete. */
  original?: JsonObject;
}

type Obj = Record<string, unknown>;

interface Kind {
  retrieve(port: FusionAuthPort, id: string): Promise<Obj | undefined>;
  create(port: FusionAuthPort, inputs: ManagedObjectInputs, body: Obj): Promise<Obj>;
  update(port: FusionAuthPort, id: string, body: Obj): Promise<Obj>;
  remove(port: FusionAuthPort, id: string, label: string): Promise<void>;
}

function managedObjectProvider(
  kind: Kind,
): pulumi.dynamic.ResourceProvider<ManagedObjectInputs, ManagedObjectOutputs> & Configured {
  /** Writes the managed fields into the object when they differ; returns what FusionAuth now holds. */
  async function converge(port: FusionAuthPort, inputs: ManagedObjectInputs, current: Obj): Promise<Obj> {
    if (diffManaged(pickManaged(current, inputs.shape), inputs.shape).length === 0) return current;
    return kind.update(port, inputs.objectId, applyManaged(current, inputs.shape));
  }

  function outputs(inputs: ManagedObjectInputs, actual: Obj, original?: JsonObject): ManagedObjectOutputs {
    const out: ManagedObjectOutputs = { ...inputs, shape: pickManaged(actual, inputs.shape) };
    if (original !== undefined) out.original = original;
    return out;
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
      const changed = diffManaged(olds.shape, news.shape);
      return { changes: replaces.length > 0 || changed.length > 0, replaces, deleteBeforeReplace: true };
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
        return { id: inputs.objectId, outs: outputs(inputs, actual, original) };
      }
      const created = await kind.create(port, inputs, applyManaged({}, inputs.shape));
      const actual = await converge(port, inputs, created);
      return { id: inputs.objectId, outs: outputs(inputs, actual) };
    },

    async read(id, props) {
      if (props === undefined) return {};
      const actual = await kind.retrieve(portOf(this), id);
      if (actual === undefined) return {};
      return { id, props: outputs(props, actual, props.original) };
    },

    async update(id, olds, news) {
      const port = portOf(this);
      const current = await kind.retrieve(port, id);
      if (current === undefined) {
        throw new KitError(
          "KIT_PROVIDER_OBJECT_GONE",
          `${news.label}: ${id} no longer exists in FusionAuth; run \`pulumi refresh\` and then \`pulumi up\``,
        );
      }
      const actual = await converge(port, news, current);
      return { outs: outputs(news, actual, olds.original) };
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

export const tenantProvider = managedObjectProvider({
  retrieve: async (port, id) => (await port.retrieveTenant(id)) as Obj | undefined,
  create: async (port, inputs, body) => (await port.createTenant(inputs.objectId, body)).object as Obj,
  update: async (port, id, body) => (await port.updateTenant(id, body)) as Obj,
  remove: (port, id, label) => port.deleteTenant(id, label),
});

export const applicationProvider = managedObjectProvider({
  retrieve: async (port, id) => (await port.retrieveApplication(id)) as Obj | undefined,
  create: async (port, inputs, body) =>
    (await port.createApplication(inputs.objectId, inputs.tenantId ?? "", body)).object as Obj,
  update: async (port, id, body) => (await port.updateApplication(id, body)) as Obj,
  remove: (port, id, label) => port.deleteApplication(id, label),
});
