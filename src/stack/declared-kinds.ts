/**
 * The kinds a stack declares outside its tenants, by the name the desired state holds them under: a new one is
 * its module (a {@link DeclaredKind}) and one line here; compile and the desired state's type follow.
 */
import { apiKeys } from "./api-keys";
import type { DeclaredContext, DeclaredKind } from "./declared-kind";

export const DECLARED_KINDS = { apiKeys } as const;

type Compiled<K> = K extends DeclaredKind<unknown, infer C> ? C : never;

/** The compiled declarations of every declared kind, each in the stack's order (empty when none). */
export type DeclaredObjects = { [N in keyof typeof DECLARED_KINDS]: Compiled<(typeof DECLARED_KINDS)[N]>[] };

/**
 * Every declared kind compiled from the stack's `config`.
 * @param pointerOf the JSON pointer of the `index`th declaration under a config key, optionally of a member.
 */
export function compileDeclared(
  config: Readonly<Record<string, unknown>>,
  namespace: string,
  ctx: Omit<DeclaredContext, "pointer"> & {
    pointerOf: (configKey: string, index: number, member?: string) => string;
  },
): DeclaredObjects {
  const out: Record<string, unknown[]> = {};
  for (const [name, kind] of Object.entries(DECLARED_KINDS) as [string, DeclaredKind<unknown, unknown>][]) {
    const key = `${namespace}${kind.config}`;
    out[name] = kind.compile(config[key] as unknown[] | undefined, {
      tenants: ctx.tenants,
      error: ctx.error,
      pointer: (index, member) => ctx.pointerOf(key, index, member),
    });
  }
  return out as DeclaredObjects;
}
