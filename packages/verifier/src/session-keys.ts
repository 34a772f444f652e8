/**
 * The session's verification keys: the bundle's keys merged with the JWKS fetched online (jwks-cache.ts), each
 * fetched key imported once and kept for the life of the session.
 */
import type { PublicJwk } from "./format";
import { mergeKeyList } from "./jwks-cache";
import { type BundleKey, importKey } from "./load-bundle";
import type { SessionState } from "./session-state";
import type { SignedBundle } from "./signed-bundle";

export class SessionKeys {
  /** The keys decisions verify with, by `kid`. */
  byKid: ReadonlyMap<string, BundleKey> = new Map();
  private readonly imported = new Map<string, BundleKey>();

  /** Imports every key not imported yet; false when one cannot be (nothing is replaced then). */
  async importAll(keys: readonly PublicJwk[]): Promise<boolean> {
    for (const jwk of keys) {
      const id = JSON.stringify(jwk);
      if (this.imported.has(id)) continue;
      try {
        this.imported.set(id, await importKey(jwk));
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Rebuilds {@link byKid} from the bundle and the JWKS held; unchanged when a fetched key cannot be imported. */
  async rebuild(signed: SignedBundle | undefined, fetched: SessionState["jwks"]): Promise<void> {
    if (signed === undefined) return;
    const { bundle, builtAt } = signed;
    const list = mergeKeyList(bundle.jwks.keys, builtAt, fetched);
    if (!(await this.importAll(list.filter((k) => !bundle.keys.has(k.kid))))) return;
    const keys = new Map<string, BundleKey>();
    for (const jwk of list) {
      const fromBundle = bundle.keys.get(jwk.kid);
      const entry =
        fromBundle !== undefined && JSON.stringify(fromBundle.jwk) === JSON.stringify(jwk)
          ? fromBundle
          : (this.imported.get(JSON.stringify(jwk)) ?? (await this.importOne(jwk)));
      if (entry !== undefined) keys.set(jwk.kid, entry);
    }
    this.byKid = keys;
  }

  private async importOne(jwk: PublicJwk): Promise<BundleKey | undefined> {
    return (await this.importAll([jwk])) ? this.imported.get(JSON.stringify(jwk)) : undefined;
  }
}
