/**
 * The deferred first rotation of an adopted tenant (`keys.adopted`, written by `fakit import`): the key the
 * tenant signs with at import time is the kit's current generation for one rotation period, so the first `up`
 * after the import creates nothing. Pure; {@link planRotation} asks it before anything else.
 *
 * The lead rule is untouched: from the first run at or after `rotateFrom` the kit creates its generations as for
 * any adopted tenant, and the adopted key keeps signing until the first of them has been published for the lead.
 * So no key signs before devices could have fetched it; the deferral only moves when the kit starts publishing.
 */
import { formatInstant } from "../lib/instant";

/** A tenant's compiled `keys.adopted`. */
export interface AdoptedKeyDeclaration {
  /** FusionAuth id of the key the tenant signs with (lower case). */
  id: string;
  /** No kit key is created before this time (seconds since the Unix epoch). */
  rotateFrom: number;
}

/** The run defers: nothing is created, the adopted key signs. */
export interface DeferredRotation {
  adoptedId: string;
  rotateFrom: number;
  /** Earliest time a kit key can sign: the first generation created at `rotateFrom`, published for the lead. */
  kitSignsFrom: number;
  message: string;
}

/** `keys.adopted` is declared and `rotateFrom` not reached, yet the run rotates as for any adopted tenant. */
export interface IgnoredDeferral {
  message: string;
}

/** What {@link decideDeferral} reads of one run: the declaration, the time and what FusionAuth holds. */
export interface DeferralFacts {
  declared: AdoptedKeyDeclaration | undefined;
  at: number;
  /** Id of the tenant's own key when it signs now (no kit key signs), as observed in FusionAuth. */
  adoptedSigningId: string | undefined;
  /** How many keys of its own the kit holds for the tenant (any generation, revoked ones included). */
  kitKeys: number;
  /** When the first kit generation created at `from` could sign (its slot, and the lead after `from`). */
  kitSignsFrom: (from: number) => number;
}

/**
 * Whether the run defers the tenant's first rotation: only while `at < rotateFrom`, the tenant still signs with
 * the declared key and the kit holds no key of its own. Otherwise, before `rotateFrom`, says why the declaration
 * is ignored (the program and `plan` warn with it); from `rotateFrom` on the declaration has done its job.
 */
export function decideDeferral(f: DeferralFacts): { deferred?: DeferredRotation; ignored?: IgnoredDeferral } {
  const d = f.declared;
  if (d === undefined || f.at >= d.rotateFrom) return {};
  if (f.kitKeys > 0) {
    return {
      ignored: {
        message: `keys.adopted is ignored: the kit already holds keys of its own for this tenant, so its schedule rules; delete keys.adopted`,
      },
    };
  }
  if (f.adoptedSigningId?.toLowerCase() !== d.id) {
    const now = f.adoptedSigningId === undefined ? "no key a device can verify" : `key ${f.adoptedSigningId}`;
    return {
      ignored: {
        message: `keys.adopted is ignored: the tenant signs with ${now}, not the declared adopted key ${d.id} (changed in FusionAuth since the import?); the kit publishes its own keys now, as for any adopted tenant; correct keys.adopted.id or delete the block`,
      },
    };
  }
  const kitSignsFrom = f.kitSignsFrom(d.rotateFrom);
  return {
    deferred: {
      adoptedId: d.id,
      rotateFrom: d.rotateFrom,
      kitSignsFrom,
      message: `adopted key ${d.id} signs until at least ${formatInstant(kitSignsFrom)}; kit keys published from ${formatInstant(d.rotateFrom)} (keys.adopted.rotateFrom)`,
    },
  };
}
