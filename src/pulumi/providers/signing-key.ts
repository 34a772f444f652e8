/**
 * Dynamic provider for a FusionAuth signing key, generated inside FusionAuth (`POST /api/key/generate/{id}`), so
 * the private half never leaves it. FusionAuth can rename a key but not change its algorithm: that replaces it.
 *
 * @see https://fusionauth.io/docs/apis/keys
 */
import type * as pulumi from "@pulumi/pulumi";
import { KitError } from "../../lib/errors";
import { type Configured, configurePort, portOf } from "./settings";

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
    return { changes: replaces.length > 0 || olds.name !== news.name, replaces, deleteBeforeReplace: false };
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

  async update(id, _olds, news) {
    const key = await portOf(this).renameKey(id, news.name);
    return { outs: outputsOf(news, key) };
  },

  async delete(id, props) {
    await portOf(this).deleteKey(id, `signing key ${id} (${props.name})`);
  },
};
