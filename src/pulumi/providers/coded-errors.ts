/**
 * Kit errors out of the dynamic providers in the form the CLI prints them, `CODE message` (src/cli/exit-status.ts,
 * docs/errors.md). Pulumi hands the engine a provider error's message only, so without this `pulumi up` would
 * show what went wrong but not the code the docs and runbooks are indexed by.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isKitError } from "../../lib/errors";

/** The methods the provider process calls (configure first). */
const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"] as const;

/** `CODE message` for a kit error (once: a message already led by its code is kept); any other error's message. */
export function codedMessage(err: unknown): string {
  if (!isKitError(err)) return err instanceof Error ? err.message : String(err);
  return err.message.startsWith(`${err.code} `) ? err.message : `${err.code} ${err.message}`;
}

/** A kit error as the engine should see it: its code leads the message; the error itself is the `cause`. */
function coded(err: unknown): unknown {
  if (!isKitError(err)) return err; // a kit bug: left as it is, stack and all
  const out = new Error(codedMessage(err), { cause: err }) as Error & { code: string };
  out.code = err.code;
  // Pulumi prints the message; a stack trace would not help with a mistake the message explains.
  out.stack = undefined;
  return out;
}

/**
 * The provider with each method's kit errors in `CODE message` form. Methods run with `this` the returned
 * object, as the provider process binds them (attach.js, package-providers.ts), so `configure` sets its state there.
 */
export function withKitCodes<P extends pulumi.dynamic.ResourceProvider>(provider: P): P {
  const wrapped: Record<string, unknown> = { ...(provider as object) };
  for (const name of METHODS) {
    const method = provider[name] as ((...args: unknown[]) => unknown) | undefined;
    if (method === undefined) continue;
    wrapped[name] = async function (this: unknown, ...args: unknown[]) {
      try {
        return await method.apply(this, args);
      } catch (err) {
        throw coded(err);
      }
    };
  }
  return wrapped as P;
}
