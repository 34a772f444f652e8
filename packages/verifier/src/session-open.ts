/**
 * Opening a session: the stored state first (sealed, bound, its counter checked: a state that does not open is
 * lost), then the bundle, which must be signed by a pinned key, not older than the state's and for the
 * application the session is bound to. Never throws: what cannot be used becomes the session's `problem`.
 */
import type { SessionCore } from "./session-core";
import { emptyState } from "./session-state";
import { openSignedBundle, pinnedKeysByThumbprint, type SignedBundleFilesInput } from "./signed-bundle";
import { openStoredState, pinnedContext } from "./state-seal";

export async function openSession(
  core: SessionCore,
  bundle: Partial<SignedBundleFilesInput>,
  stored: unknown,
): Promise<void> {
  try {
    await open(core, bundle, stored);
  } catch (err) {
    // Input no check anticipated (a bundle that is not an object, a pinned key list that is not a list):
    // still an answer, never an exception.
    core.problem = { code: "bundle-invalid", message: `the session cannot open: ${String(err)}` };
  }
}

async function open(core: SessionCore, bundle: Partial<SignedBundleFilesInput>, stored: unknown): Promise<void> {
  core.pinned = await pinnedKeysByThumbprint(core.options.pinnedKeys);
  core.persister.pinnedCtx = pinnedContext(core.pinned.keys());
  const app = core.options.application;
  if (app !== undefined) core.binding = { tenant: app.tenant, application: app.id };
  await openState(core, stored);
  const opened = await openSignedBundle(bundle, core.pinned, core.current.bundleGeneration ?? undefined);
  if (!opened.ok) {
    core.problem = { code: opened.code, message: opened.message };
    return;
  }
  const foreign = core.foreignBundle(opened.signed);
  if (foreign !== undefined) {
    core.problem = { code: "bundle-application-mismatch", message: foreign };
    return;
  }
  core.signed = opened.signed;
  core.binding ??= { tenant: opened.signed.manifest.tenant, application: opened.signed.manifest.application };
  if (core.current.bundleGeneration !== opened.signed.builtAt) {
    core.current = { ...core.current, bundleGeneration: opened.signed.builtAt };
    await core.save();
  }
  await core.rebuildKeys();
}

/** Opens the stored state, or marks it lost (and starts from an empty state that needs a sign-in). */
async function openState(core: SessionCore, stored: unknown): Promise<void> {
  const r = await openStoredState(stored, {
    pinned: core.persister.pinnedCtx,
    key: core.options.deviceKey,
    counter: core.options.counter,
    binding: core.binding,
  });
  core.persister.counter = r.counter;
  if (!r.ok) {
    core.lost = { code: r.code, message: r.message };
    core.current = { ...emptyState(), signInRequired: true };
    return;
  }
  core.binding = { tenant: r.opened.tenant, application: r.opened.application };
  core.current = r.opened.state;
  if (r.opened.state.signInRequired === true)
    core.lost = { code: "sign-in-required", message: "no online sign-in since the device state started afresh" };
}
