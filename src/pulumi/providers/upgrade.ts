/**
 * Moving a stack from one provider implementation to another (say, from providers serialized whole into the
 * state to trampolines): the engine's dynamic provider ignores a changed `__provider` in `diff`, and a resource
 * with no diff keeps its old outputs, where `delete` and `read` find their code. So a changed provider is
 * reported as a change, and `update` then carries the outputs over without calling FusionAuth: the state gets
 * the new provider, FusionAuth sees nothing.
 */

/** The key under which the engine stores a dynamic resource's serialized provider. */
const PROVIDER_KEY = "__provider";

/** Every trampoline, of any kit version, hands over to this file of the project it runs in. */
const TRAMPOLINE_MARK = "src/pulumi/providers/attach.js";

const isTrampoline = (provider: unknown) => typeof provider === "string" && provider.includes(TRAMPOLINE_MARK);

/**
 * True when this run's serialized provider differs from the one in the resource's state in a way that matters.
 * One trampoline replacing another does not: both load the current implementation at run time, so it is not
 * worth an update of every resource (the state takes the new one with the resource's next real change).
 */
export function providerChanged(olds: object, news: object): boolean {
  const before = (olds as Record<string, unknown>)[PROVIDER_KEY];
  const after = (news as Record<string, unknown>)[PROVIDER_KEY];
  return before !== after && !(isTrampoline(before) && isTrampoline(after));
}
