/**
 * Moving a stack from one provider implementation to another (say, from providers serialized whole into the
 * state to trampolines): the engine's dynamic provider ignores a changed `__provider` in `diff`, and a resource
 * with no diff keeps its old outputs, where `delete` and `read` find their code. So a changed provider is
 * reported as a change, and `update` then carries the outputs over without calling FusionAuth: the state gets
 * the new provider, FusionAuth sees nothing.
 */

/** The key under which the engine stores a dynamic resource's serialized provider. */
const PROVIDER_KEY = "__provider";

/** True when this run's serialized provider differs from the one in the resource's state. */
export function providerChanged(olds: object, news: object): boolean {
  return (olds as Record<string, unknown>)[PROVIDER_KEY] !== (news as Record<string, unknown>)[PROVIDER_KEY];
}
