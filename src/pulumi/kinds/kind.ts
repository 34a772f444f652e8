/**
 * A FusionAuth resource kind the kit manages, declared in one module (after aws-cdk's one file per resource and
 * pulumi-awsx's map from type to constructor): its provider, its Pulumi type, the FusionAuth endpoints it calls,
 * and, for a kind a stack declares on its own, how the program registers it and what it exports. Every list of
 * kinds (the providers, attach.js's map, the package's providers, the kit key's permissions, the program's
 * registration and outputs) is derived from kinds/registry.ts. docs/design.md has the recipe for a new kind.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DesiredState } from "../../stack/desired-state";

/**
 * What the program hands a kind that registers itself: the compiled stack (its declarations already checked, so
 * `validate`, `plan` and `up` reject the same mistakes before anything is applied) and its tenants.
 */
/** A resource's input properties, each a value or a Pulumi input of it. */
export type ResourceInputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

export interface RegisterContext {
  state: DesiredState;
  /** Each tenant's component by tenant key, for resources that must come after their tenant. */
  tenants: Readonly<Record<string, pulumi.Resource>>;
}

export interface ResourceKind<N extends string = string> {
  /**
   * The provider's name, as the trampolines in existing states carry it (providers/trampoline.ts): never change
   * it.
   */
  readonly name: N;
  /** The Pulumi type of its resources (`fusionauth:<type>`, part of every URN): never change it. */
  readonly type: string;
  /** Every FusionAuth endpoint and method its provider calls, as API key permissions (docs/least-privilege.md). */
  readonly permissions: Readonly<Record<string, readonly string[]>>;
  /** The dynamic provider, run in the provider process (attach.js, package-providers.ts). */
  readonly provider: pulumi.dynamic.ResourceProvider;
  /**
   * For a kind the program registers itself (not inside a tenant's component): registers the stack's resources
   * of the kind and returns the stack outputs it adds, or undefined when the stack declares none (so a stack
   * without the kind keeps exactly its outputs).
   */
  readonly register?: (ctx: RegisterContext) => Record<string, unknown> | undefined;
}

/** Declares a kind, keeping its literal name for the registry's types. */
export function defineKind<const N extends string>(kind: ResourceKind<N>): ResourceKind<N> {
  return kind;
}

/** The union of several permission lists: endpoints in first-seen order, methods in first-seen order. */
export function mergePermissions(
  lists: readonly Readonly<Record<string, readonly string[]>>[],
): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, string[]> = {};
  for (const list of lists)
    for (const [endpoint, methods] of Object.entries(list)) {
      const have = out[endpoint] ?? [];
      for (const m of methods) if (!have.includes(m)) have.push(m);
      out[endpoint] = have;
    }
  return out;
}
