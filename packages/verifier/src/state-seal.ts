/**
 * The sealed device state: what the session hands to `persist` and reads back. The state is authenticated with
 * the platform-kept {@link DeviceKey} and bound to the tenant, the application and the app's pinned bundle keys,
 * and it carries a counter a second store outside backups can hold. An edited, foreign or restored state does
 * not open; the session then treats it as lost (docs/offline-verifier.md, "The device threat model").
 *
 * Format (a port writes and reads the same bytes):
 *   `fakit-state-1.` BASE64URL(payload) `.` BASE64URL(tag)
 *   payload = UTF-8 JSON `{"application": <id>, "counter": <n>, "state": <SessionState>, "tenant": <id>}`
 *   tag     = mac(UTF-8 of `fakit-state-1.` BASE64URL(payload) `|` <pinned>)
 *   pinned  = the RFC 7638 thumbprints of the pinned bundle keys, sorted, joined with `,`
 * A MAC, not encryption: the state holds no token and no key, only times, public keys and the PIN's salt and
 * device-bound check; what protects it is that nothing but this app on this device can produce a valid tag.
 */
import { fromBase64url, fromUtf8, toBase64url, utf8 } from "./crypto/bytes";
import type { CounterStore, DeviceKey } from "./device-key";
import { sameBytes } from "./device-key";
import type { Bundle } from "./load-bundle";
import type { ReasonCode } from "./reasons";
import { parseSessionState, type SessionState } from "./session-state";

export const SEALED_STATE_PREFIX = "fakit-state-1";
/** A sealed state longer than this is refused unread (the session writes well under 2,048 bytes). */
export const MAX_SEALED_STATE_CHARS = 65_536;

/** What a state is bound to besides the device key. */
export interface StateBinding {
  tenant: string;
  application: string;
}

export interface OpenedState extends StateBinding {
  counter: number;
  state: SessionState;
}

/** The `pinned` part of the MAC input: sorted thumbprints, joined with `,`. */
export function pinnedContext(thumbprints: Iterable<string>): string {
  return [...thumbprints].sort().join(",");
}

async function tagOf(body: string, pinned: string, key: DeviceKey): Promise<Uint8Array> {
  return key.mac(utf8(`${body}|${pinned}`));
}

/**
 * Seals a state for `binding` at `counter` (the session does it at every save; a port's tests use it).
 * @example
 * const sealed = await sealState(state, { tenant: "acme", application: appId }, 7, pinnedContext(kids), deviceKey);
 */
export async function sealState(
  state: SessionState,
  binding: StateBinding,
  counter: number,
  pinned: string,
  key: DeviceKey,
): Promise<string> {
  const payload = JSON.stringify({
    application: binding.application,
    counter,
    state,
    tenant: binding.tenant,
  });
  const body = `${SEALED_STATE_PREFIX}.${toBase64url(utf8(payload))}`;
  return `${body}.${toBase64url(await tagOf(body, pinned, key))}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The stored value as the sealed string: the string itself, or its JSON text (an app that stringified it). */
function sealedText(stored: unknown): string | undefined {
  if (typeof stored !== "string") return undefined;
  if (stored.startsWith('"') && stored.length <= MAX_SEALED_STATE_CHARS + 2) {
    try {
      const inner: unknown = JSON.parse(stored);
      return typeof inner === "string" ? inner : undefined;
    } catch {
      return undefined;
    }
  }
  return stored;
}

const SHAPE = new RegExp(`^${SEALED_STATE_PREFIX.replace(/-/g, "\\-")}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{22,}$`);

/** The payload of a sealed string, not authenticated; `undefined` when it is not one. */
function payloadOf(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(fromUtf8(fromBase64url(text.split(".")[1] as string)));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens a stored state: the tag must verify under `key` for `pinned`, and the payload must be a state this
 * verifier wrote. Never throws: anything else is a problem, which the session treats as a lost state.
 * @example
 * const r = await openSealedState(stored, pinnedContext(kids), deviceKey);
 * if (r.ok) console.log(r.opened.counter);
 */
export async function openSealedState(
  stored: unknown,
  pinned: string,
  key: DeviceKey,
): Promise<{ ok: true; opened: OpenedState } | { ok: false; problem: string }> {
  const text = sealedText(stored);
  if (text === undefined || text.length > MAX_SEALED_STATE_CHARS || !SHAPE.test(text))
    return { ok: false, problem: "the stored device state is not a sealed state (written unsealed, or edited)" };
  const cut = text.lastIndexOf(".");
  const body = text.slice(0, cut);
  let tag: Uint8Array;
  try {
    tag = fromBase64url(text.slice(cut + 1));
  } catch {
    return { ok: false, problem: "the stored device state's seal is not base64url" };
  }
  let expected: Uint8Array;
  try {
    expected = await tagOf(body, pinned, key);
  } catch (err) {
    return { ok: false, problem: `the device key cannot check the stored state (${String(err)})` };
  }
  if (!sameBytes(tag, expected))
    return {
      ok: false,
      problem:
        "the stored device state's seal does not verify: it was edited, or sealed by another device or for other pinned keys",
    };
  const p = payloadOf(text);
  const counter = p?.counter;
  if (
    p === undefined ||
    typeof p.tenant !== "string" ||
    typeof p.application !== "string" ||
    typeof counter !== "number" ||
    !Number.isSafeInteger(counter) ||
    counter < 0
  )
    return { ok: false, problem: "the sealed device state has no tenant, application or counter" };
  const parsed = parseSessionState(p.state ?? "");
  if (parsed.state === undefined) return { ok: false, problem: parsed.problem as string };
  return { ok: true, opened: { tenant: p.tenant, application: p.application, counter, state: parsed.state } };
}

/**
 * Reads a sealed state WITHOUT checking its seal: for support tools and tests that look at what a session
 * stored. Never decide anything from it.
 * @example
 * inspectSealedState(await storage.get("fakit-session"))?.state?.lastCheckIn;
 */
export function inspectSealedState(stored: unknown): Partial<OpenedState> | undefined {
  const text = sealedText(stored);
  if (text === undefined || !SHAPE.test(text)) return undefined;
  const p = payloadOf(text);
  return p === undefined ? undefined : (p as Partial<OpenedState>);
}

/** Why a stored state is lost: unusable (`state-invalid`), or none at all (`sign-in-required`). */
export type LostCode = Extract<ReasonCode, "state-invalid" | "sign-in-required">;

export type StoredStateResult = { counter: number } & (
  | { ok: true; opened: OpenedState }
  | { ok: false; code: LostCode; message: string }
);

/**
 * The counter rule: a state sealed at `stateCounter` is an older, restored copy when the counter store holds a
 * later counter (`held`; `undefined` without a counter store, which cannot tell). The simulator applies the same.
 */
export function isRestoredCopy(stateCounter: number, held: number | undefined): boolean {
  return held !== undefined && stateCounter < held;
}

/**
 * Opens what the app's storage holds, as the session does at start-up: the seal, then the counter store (a
 * state older than the counter it holds is a restored copy; a missing state it says was written, a deleted one),
 * then the binding the app expects. `counter` is the counter the next save must exceed. Never throws.
 */
export async function openStoredState(
  stored: unknown,
  options: { pinned: string; key: DeviceKey; counter?: CounterStore; binding?: StateBinding },
): Promise<StoredStateResult> {
  let held: number | undefined;
  try {
    held = await options.counter?.read();
  } catch (err) {
    return {
      ok: false,
      code: "state-invalid",
      message: `the counter store cannot be read (${String(err)})`,
      counter: 0,
    };
  }
  if (held !== undefined && !(Number.isSafeInteger(held) && held >= 0))
    return { ok: false, code: "state-invalid", message: "the counter store holds no counter", counter: 0 };
  const counter = held ?? 0;
  const lost = (code: LostCode, message: string): StoredStateResult => ({ ok: false, code, message, counter });
  if (stored === undefined || stored === null)
    return held !== undefined && held > 0
      ? lost("state-invalid", `the stored device state is gone, but the counter store says state ${held} was written`)
      : lost("sign-in-required", "no device state yet: sign in online to start the offline session");
  const r = await openSealedState(stored, options.pinned, options.key);
  if (!r.ok) return lost("state-invalid", r.problem);
  const { opened } = r;
  if (isRestoredCopy(opened.counter, held))
    return lost(
      "state-invalid",
      `the stored device state is an older copy (state ${opened.counter}; the counter store holds ${held})`,
    );
  const b = options.binding;
  if (b !== undefined && (b.tenant !== opened.tenant || b.application !== opened.application))
    return lost(
      "state-invalid",
      `the stored device state is for application ${JSON.stringify(opened.application)} of tenant ${JSON.stringify(opened.tenant)}`,
    );
  return { ok: true, opened, counter: Math.max(opened.counter, counter) };
}

/**
 * The state with its fetched JWKS narrowed to this application's keys: those the bundle lists (in `jwks.json`
 * or `policy.json`'s `keys[]`) and those of tokens received online. FusionAuth's JWKS is global; other tenants'
 * keys would only fill the app's secure storage (expo-secure-store stops at 2,048 bytes).
 */
export function ownKeysOnly(state: SessionState, bundle: Bundle): SessionState {
  const jwks = state.jwks;
  if (jwks === null) return state;
  const own = new Set([
    ...bundle.jwks.keys.map((k) => k.kid),
    ...bundle.policy.keys.map((k) => k.kid),
    ...(state.keysSeenOnline ?? []),
  ]);
  const keys = jwks.keys.filter((k) => own.has(k.kid));
  return keys.length === jwks.keys.length ? state : { ...state, jwks: { ...jwks, keys } };
}
