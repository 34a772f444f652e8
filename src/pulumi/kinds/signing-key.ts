/**
 * The signing key kind: a FusionAuth signing key, generated inside FusionAuth (`POST /api/key/generate/{id}`), so
 * the private half never leaves it. FusionAuth can rename a key but not change its algorithm: that replaces it.
 * A tenant's component registers its keys (components/tenant.ts); ids are `keyId` (fusionauth/ids.ts).
 *
 * @see https://fusionauth.io/docs/apis/keys
 */
import * as pulumi from "@pulumi/pulumi";
import { KitError } from "../../lib/errors";
import { providerFor } from "../providers/active";
import { type Configured, configurePort, portOf } from "../providers/settings";
import { providerChanged } from "../providers/upgrade";
import { defineKind, type ResourceInputs } from "./kind";

export interface SigningKeyInputs {
  keyId: string;
  name: string;
  algorithm: string;
  length?: number;
}

export interface SigningKeyOutputs extends SigningKeyInputs {
  kid: string;
  /** When FusionAuth created the key, epoch ms: the rotation's lead gate counts from here. */
  insertInstant: number;
}

function outputsOf(
  inputs: SigningKeyInputs,
  key: { kid?: string; insertInstant?: number; name?: string },
): SigningKeyOutputs {
  const out: SigningKeyOutputs = {
    keyId: inputs.keyId,
    name: key.name ?? inputs.name,
    algorithm: inputs.algorithm,
    kid: key.kid ?? "",
    insertInstant: key.insertInstant ?? 0,
  };
  if (inputs.length !== undefined) out.length = inputs.length;
  return out;
}

export const signingKeyProvider: pulumi.dynamic.ResourceProvider<SigningKeyInputs, SigningKeyOutputs> & Configured = {
  async configure(req) {
    configurePort(this, req);
  },

  async diff(_id, olds, news) {
    const replaces = (["keyId", "algorithm", "length"] as const).filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.name !== news.name || providerChanged(olds, news);
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const port = portOf(this);
    const { object: key } = await port.generateKey(inputs.keyId, {
      algorithm: inputs.algorithm,
      name: inputs.name,
      ...(inputs.length !== undefined ? { length: inputs.length } : {}),
    });
    if (key.algorithm !== inputs.algorithm) {
      throw new KitError(
        "KIT_PROVIDER_KEY_ALGORITHM_CONFLICT",
        `signing key ${inputs.keyId} (${inputs.name}) already exists in FusionAuth with algorithm ${key.algorithm}, ` +
          `not ${inputs.algorithm}; delete it or change the tenant's key settings`,
      );
    }
    const named = key.name === inputs.name ? key : await port.renameKey(inputs.keyId, inputs.name);
    return { id: inputs.keyId, outs: outputsOf(inputs, named) };
  },

  async read(id, props) {
    const key = await portOf(this).retrieveKey(id);
    if (key === undefined || props === undefined) return {};
    return { id, props: outputsOf(props, key) };
  },

  async update(id, olds, news) {
    // Only the provider changed (see upgrade.ts): the key is as it was.
    if (olds.name === news.name) return { outs: outputsOf(news, olds) };
    const key = await portOf(this).renameKey(id, news.name);
    return { outs: outputsOf(news, key) };
  },

  async delete(id, props) {
    await portOf(this).deleteKey(id, `signing key ${id} (${props.name})`);
  },
};

export const signingKeyKind = defineKind({
  name: "signingKey",
  type: "SigningKey",
  permissions: {
    // Observe key creation times and records; rename a key to record its rotation; delete retired keys.
    "/api/key": ["GET", "PUT", "DELETE"],
    // Signing keys are generated inside FusionAuth: the private half never leaves it.
    "/api/key/generate": ["POST"],
  },
  provider: signingKeyProvider,
});

/** A signing key generated inside FusionAuth. */
export class SigningKey extends pulumi.dynamic.Resource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly kid: pulumi.Output<string>;
  declare readonly algorithm: pulumi.Output<string>;
  /** Creation time in FusionAuth, epoch ms. */
  declare readonly insertInstant: pulumi.Output<number>;

  constructor(name: string, args: ResourceInputs<SigningKeyInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor(signingKeyKind.name),
      name,
      { ...args, kid: undefined, insertInstant: undefined },
      opts,
      "fusionauth",
      signingKeyKind.type,
    );
  }
}
