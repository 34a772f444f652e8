/**
 * What a trampoline's functions capture, said where it is made, so that the program's host can keep its
 * serialized text between runs instead of serializing it at every run (src/toolchain/hosts/serialized-providers.js,
 * which reads the same process-wide registry; a test checks the two agree). Outside that host (under mocks, in a
 * program using the installed package) nothing reads it.
 */
export const SERIALIZABLE_REGISTRY = Symbol.for("fusionauth-offline-kit.serializable-providers");

/** Records that every value `provider`'s functions capture is described by `captured`. */
export function describeProvider(provider: object, captured: Record<string, string>): void {
  const g = globalThis as { [SERIALIZABLE_REGISTRY]?: WeakMap<object, string> };
  g[SERIALIZABLE_REGISTRY] ??= new WeakMap();
  g[SERIALIZABLE_REGISTRY].set(provider, JSON.stringify(captured));
}
