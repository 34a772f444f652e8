/**
 * `fakit import` behind the CLI: a live FusionAuth's tenants, applications and keys turned into a stack file.
 * Each tenant is matched to the preset whose FusionAuth-held settings differ from it in the fewest fields; the
 * differences become overrides (so `up` keeps today's behaviour), floor breaches become waivers to review, the
 * existing ids are adopted and the tenant's current signing key is written as `keys.adopted`: the kit's current
 * generation for one rotation period, so that `up` right after the import creates no key. Pure: the live objects and the policy sources come in, YAML text and a report go out.
 *
 * @see https://fusionauth.io/docs/apis/tenants
 * @see https://fusionauth.io/docs/apis/applications
 */
import { type Diagnostic, hasErrors } from "../diagnostics/diagnostic";
import type { PolicySchemas } from "../diagnostics/schema-check";
import { type ParsedDocument, parseYamlSource } from "../diagnostics/yaml-source";
import { PROJECT_NAME } from "../fusionauth/ids";
import { diffManaged } from "../fusionauth/managed-fields";
import { applicationShape, asJson, type KeyRefs, tenantShape } from "../fusionauth/objects";
import { formatDuration } from "../lib/duration";
import { formatInstant } from "../lib/instant";
import { writeStackYaml } from "../lib/yaml-writer";
import { POLICY_FIELDS } from "../policy/fields";
import type { EffectivePolicy } from "../policy/types";
import { compileStack } from "../stack/compile";
import type { DesiredState } from "../stack/desired-state";
import { planStackRotation } from "../stack/rotation";
import { assignKeys, byNameThenId } from "./keys";

/** The parts of a FusionAuth tenant the import reads (`GET /api/tenant`). */
export interface LiveTenant {
  id: string;
  name: string;
  issuer?: string;
  jwtConfiguration?: LiveJwtConfiguration & {
    refreshTokenRevocationPolicy?: {
      onLoginPrevented?: boolean;
      onPasswordChanged?: boolean;
      onMultiFactorEnable?: boolean;
      onOneTimeTokenReuse?: boolean;
    };
  };
  [field: string]: unknown;
}

interface LiveJwtConfiguration {
  enabled?: boolean;
  timeToLiveInSeconds?: number;
  refreshTokenTimeToLiveInMinutes?: number;
  refreshTokenExpirationPolicy?: string;
  refreshTokenSlidingWindowConfiguration?: { maximumTimeToLiveInMinutes?: number };
  refreshTokenUsagePolicy?: string;
  refreshTokenOneTimeUseConfiguration?: { gracePeriodInSeconds?: number };
  accessTokenKeyId?: string;
  idTokenKeyId?: string;
  accessTokenVerificationKeyIds?: string[];
  idTokenVerificationKeyIds?: string[];
}

/** The parts of a FusionAuth application the import reads (`GET /api/application`). */
export interface LiveApplication {
  id: string;
  tenantId: string;
  name: string;
  oauthConfiguration?: { authorizedRedirectURLs?: string[] };
  jwtConfiguration?: LiveJwtConfiguration;
  [field: string]: unknown;
}

/** The parts of a FusionAuth key the import reads (`GET /api/key`). */
export interface LiveKey {
  id: string;
  kid?: string;
  algorithm?: string;
  name?: string;
}

export interface LiveInstance {
  url: string;
  tenants: LiveTenant[];
  applications: LiveApplication[];
  keys: LiveKey[];
}

export interface PolicySourcesInput {
  presets: readonly ParsedDocument[];
  levels: ParsedDocument;
  schemas: PolicySchemas;
  /** Each valid preset's own effective policy, by name. */
  presetPolicies: ReadonlyMap<string, EffectivePolicy>;
}

/** What choosing the preset without an override would change: `live` is today's value, `preset` the preset's. */
export interface DroppedOverride {
  where: string;
  path: string;
  live: string;
  preset: string;
}

export interface ImportResult {
  /** The stack file's text; absent when the import cannot be expressed (see `diagnostics`). */
  yaml?: string;
  state?: DesiredState;
  /** Per tenant: its key, FusionAuth name and the preset chosen. */
  matches: { where: string; preset: string; overrides: number; waivers: number }[];
  /** What `up` of the written stack will still change in FusionAuth (kit conventions no setting expresses). */
  upChanges: string[];
  ifPresetOnly: DroppedOverride[];
  /** Per tenant written with `keys.adopted`: its signing key and the deferral the schedule derives from it. */
  adoptedKeys: AdoptedKeyReport[];
  notes: string[];
  diagnostics: Diagnostic[];
}

/** A tenant's adopted signing key: it signs until at least `signsUntil`; the kit publishes from `rotateFrom`. */
export interface AdoptedKeyReport {
  tenant: string;
  keyId: string;
  kid?: string;
  rotateFrom: number;
  signsUntil: number;
}

/** FusionAuth's own admin application: never part of a stack. */
const FUSIONAUTH_ADMIN_APP_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32";
const NS = `${PROJECT_NAME}:`;
const DEVICE_ALGORITHMS = new Set(["ES256", "ES384", "ES512", "Ed25519", "RS256", "RS384", "RS512"]);

/**
 * The settings FusionAuth holds for a tenant (or an application's own JWT configuration), by preset path, as
 * values a stack file can carry. Missing fields are left out; an algorithm only from a key a device can verify.
 */
export function liveSettings(
  jwt: LiveJwtConfiguration | undefined,
  revoke: NonNullable<LiveTenant["jwtConfiguration"]>["refreshTokenRevocationPolicy"] | undefined,
  keys: readonly LiveKey[],
): Map<string, string | boolean> {
  const out = new Map<string, string | boolean>();
  const set = (path: string, v: string | boolean | undefined) => {
    if (v !== undefined) out.set(path, v);
  };
  const dur = (s: number | undefined) => (s === undefined ? undefined : formatDuration(s));
  const minutes = (m: number | undefined) => (m === undefined ? undefined : formatDuration(m * 60));
  set("accessToken.ttl", dur(jwt?.timeToLiveInSeconds));
  const alg = keys.find((k) => k.id === jwt?.accessTokenKeyId)?.algorithm;
  if (alg !== undefined && DEVICE_ALGORITHMS.has(alg)) set("accessToken.algorithm", alg);
  set("refreshToken.lifetime", minutes(jwt?.refreshTokenTimeToLiveInMinutes));
  set("refreshToken.expiration", jwt?.refreshTokenExpirationPolicy);
  if (jwt?.refreshTokenExpirationPolicy === "SlidingWindowWithMaximumLifetime")
    set(
      "refreshToken.maximumLifetime",
      minutes(jwt.refreshTokenSlidingWindowConfiguration?.maximumTimeToLiveInMinutes),
    );
  set("refreshToken.usage", jwt?.refreshTokenUsagePolicy);
  set("refreshToken.oneTimeUseGracePeriod", dur(jwt?.refreshTokenOneTimeUseConfiguration?.gracePeriodInSeconds));
  set("refreshToken.revokeOn.loginPrevented", revoke?.onLoginPrevented);
  set("refreshToken.revokeOn.passwordChange", revoke?.onPasswordChanged);
  set("refreshToken.revokeOn.multiFactorEnable", revoke?.onMultiFactorEnable);
  set("refreshToken.revokeOn.oneTimeTokenReuse", revoke?.onOneTimeTokenReuse);
  return out;
}

/** A policy's value at a preset path, in the same form as {@link liveSettings}. */
function policyValue(policy: EffectivePolicy, path: string): string | boolean {
  const field = POLICY_FIELDS.find((f) => f.path === path);
  if (field === undefined) throw new Error(`unknown policy field ${path}`);
  const v = field.get(policy);
  return field.kind === "duration" || field.kind === "minutes" ? formatDuration(v as number) : (v as string | boolean);
}

/** The settings where `live` differs from `policy`, as [path, live value, policy value]. */
function differences(
  live: Map<string, string | boolean>,
  policy: EffectivePolicy,
): [string, string | boolean, string | boolean][] {
  return [...live]
    .map(([path, v]): [string, string | boolean, string | boolean] => [path, v, policyValue(policy, path)])
    .filter(([, a, b]) => a !== b);
}

/**
 * The preset whose settings differ from `live` in the fewest fields. Ties go to the preset whose floors the live
 * values break least (`breaches`, when given: fewer waivers to review), then by name, for a stable result.
 */
export function closestPreset(
  live: Map<string, string | boolean>,
  presets: ReadonlyMap<string, EffectivePolicy>,
  breaches: (preset: string) => number = () => 0,
): string {
  const byDistance = [...presets].map(([name, policy]) => ({ name, distance: differences(live, policy).length }));
  const nearest = Math.min(...byDistance.map((c) => c.distance));
  const ranked = byDistance
    .filter((c) => c.distance === nearest)
    .map((c) => ({ ...c, breaches: breaches(c.name) }))
    .sort((a, b) => a.breaches - b.breaches || a.name.localeCompare(b.name));
  const best = ranked[0];
  if (best === undefined) throw new Error("no valid preset to match against");
  return best.name;
}

/** `{a: {b: 1}}` from `[["a.b", 1]]`: overrides as a stack file writes them. */
function nest(entries: [string, string | boolean][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of entries) {
    const parts = path.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

interface DraftApp {
  key: string;
  live: LiveApplication;
  overrides: [string, string | boolean][];
  waivers: { rule: string; reason: string }[];
}
interface DraftTenant {
  key: string;
  live: LiveTenant;
  preset: string;
  overrides: [string, string | boolean][];
  waivers: { rule: string; reason: string }[];
  apps: DraftApp[];
  /** `keys.adopted`, for a tenant signing with a key a device can verify. */
  adoptedKey?: { id: string; rotateFrom: number };
}

/** What `fakit import` is given: the live instance, the policy sources and the operator's choices. */
export interface ImportStackInput {
  stackName: string;
  live: LiveInstance;
  sources: PolicySourcesInput;
  now: number;
  /**
   * Keys of tenants to write even though `up` would change them (an HS* signing key, an issuer that is not an
   * http(s) URL). Left out by default, so that `up` of the written stack changes nothing FusionAuth holds.
   */
  includeTenants?: ReadonlySet<string>;
  /**
   * Keys, by FusionAuth id, that stack files of the project already give tenants and applications: kept, so an
   * import never renames what an operator knows (see ./keys.ts).
   */
  knownKeys?: ReadonlyMap<string, string>;
}

/** What the import reports besides the stack, gathered in the order it is found. */
interface ImportReport {
  notes: string[];
  ifPresetOnly: DroppedOverride[];
}

/**
 * Imports a live FusionAuth into the YAML of `stacks/Pulumi.<stackName>.yaml`.
 * @param now the import time (seconds since the Unix epoch): the date in the waivers' reasons and the start of
 *   each adopted key's period, given so the output is reproducible.
 */
export function importStack(input: ImportStackInput): ImportResult {
  const { live } = input;
  const report: ImportReport = { notes: [], ifPresetOnly: [] };
  const { notes, ifPresetOnly } = report;
  const admin = live.applications.find((a) => a.id === FUSIONAUTH_ADMIN_APP_ID);
  if (admin !== undefined)
    notes.push(
      `application "${admin.name}" (${admin.id}) is FusionAuth's own admin application: left out, the kit never manages it`,
    );
  const keyOf = assignKeys(live.tenants, input.knownKeys);
  const tenantKeys = new Set(keyOf.values());
  const drafts: DraftTenant[] = [];
  for (const t of [...live.tenants].sort(byNameThenId)) {
    const draft = draftTenant(input, t, keyOf.get(t.id) as string, report);
    if (draft !== undefined) drafts.push(draft);
  }

  for (const k of input.includeTenants ?? [])
    if (!tenantKeys.has(k))
      notes.push(`--include-tenant ${k} names no tenant; the tenants are: ${[...tenantKeys].join(", ") || "none"}`);
  if (drafts.length === 0) {
    notes.push("no tenant is left to write (above): nothing to import; --include-tenant KEY takes one in anyway");
    return { matches: [], upChanges: [], ifPresetOnly, adoptedKeys: [], notes, diagnostics: [] };
  }
  return compileImport(input, drafts, report);
}

/**
 * One tenant as the stack will declare it: on its closest preset, with its applications; `undefined` (and a note
 * saying why) when `up` would change it and the operator did not include it.
 */
function draftTenant(
  input: ImportStackInput,
  t: LiveTenant,
  key: string,
  { notes, ifPresetOnly }: ImportReport,
): DraftTenant | undefined {
  const { live } = input;
  const settings = liveSettings(t.jwtConfiguration, t.jwtConfiguration?.refreshTokenRevocationPolicy, live.keys);
  const signingAlg = live.keys.find((k) => k.id === t.jwtConfiguration?.accessTokenKeyId)?.algorithm;
  const changes = adoptionChanges(t, signingAlg, live.url);
  if (changes.length > 0 && input.includeTenants?.has(key) !== true) {
    notes.push(
      `tenant ${key} ("${t.name}", ${t.id}) left out with its applications: ${changes.join("; ")}, so up would change it; to manage it anyway, import again with --include-tenant ${key}`,
    );
    return undefined;
  }
  const { preset, overrides } = choosePreset(input, t, key, settings);
  const presetPolicy = input.sources.presetPolicies.get(preset) as EffectivePolicy;
  for (const [path, v, p] of differences(settings, presetPolicy))
    ifPresetOnly.push({ where: `tenant ${key}`, path, live: String(v), preset: String(p) });
  if (issuerOf(t, live.url) !== t.issuer) {
    notes.push(
      `tenant ${key} (included) has the issuer ${JSON.stringify(t.issuer ?? null)}, not an http(s) URL as the kit requires: written as ${live.url}; up will change it unless you set another`,
    );
  }
  if (signingAlg !== undefined && !DEVICE_ALGORITHMS.has(signingAlg)) {
    notes.push(
      `tenant ${key} (included) signs with ${signingAlg}, which a device cannot verify offline: the kit's first ${presetPolicy.accessToken.algorithm} key takes over at the first up`,
    );
  }
  const apps = draftApps(input, t, key, settings, presetPolicy, { notes, ifPresetOnly });
  const signingKeyId = t.jwtConfiguration?.accessTokenKeyId;
  // The key signing today stays the current generation for one rotation period, like any kit generation (the
  // import never overrides keys.*, so the preset's period is the tenant's); whole minutes keep the file tidy.
  const adoptedKey =
    signingKeyId !== undefined && signingAlg !== undefined && DEVICE_ALGORITHMS.has(signingAlg)
      ? { id: signingKeyId, rotateFrom: Math.ceil((input.now + presetPolicy.keys.rotationPeriodSeconds) / 60) * 60 }
      : undefined;
  return {
    key,
    live: t,
    preset,
    overrides,
    waivers: [],
    apps,
    ...(adoptedKey === undefined ? {} : { adoptedKey }),
  };
}

/** The tenant's closest preset and the overrides that keep today's behaviour on it. */
function choosePreset(
  input: ImportStackInput,
  t: LiveTenant,
  key: string,
  settings: ReturnType<typeof liveSettings>,
): { preset: string; overrides: [string, string | boolean][] } {
  const { sources } = input;
  const overridesFor = (name: string) =>
    differences(settings, sources.presetPolicies.get(name) as EffectivePolicy).map(
      ([p, v]): [string, string | boolean] => [p, v],
    );
  // A trial compile of the tenant alone counts the floor breaches (waivers) each tied preset would need.
  const breaches = (name: string) =>
    compileDrafts(
      input.stackName,
      input.live.url,
      [{ key, live: t, preset: name, overrides: overridesFor(name), waivers: [], apps: [] }],
      sources,
    ).diagnostics.filter((d) => d.code.startsWith("KIT_FLOOR_")).length;
  const preset = closestPreset(settings, sources.presetPolicies, breaches);
  return { preset, overrides: overridesFor(preset) };
}

/** The tenant's applications with a redirect URL, each with the token settings it holds apart from its tenant. */
function draftApps(
  input: ImportStackInput,
  t: LiveTenant,
  key: string,
  settings: ReturnType<typeof liveSettings>,
  presetPolicy: EffectivePolicy,
  { notes, ifPresetOnly }: ImportReport,
): DraftApp[] {
  // The tenant's policy as the stack will resolve it: the preset with the overrides.
  const tenantLive = new Map(settings);
  const apps: DraftApp[] = [];
  const ownApps = input.live.applications
    .filter((x) => x.tenantId === t.id && x.id !== FUSIONAUTH_ADMIN_APP_ID)
    .sort(byNameThenId);
  const appKeyOf = assignKeys(ownApps, input.knownKeys);
  for (const a of ownApps) {
    const appKey = appKeyOf.get(a.id) as string;
    const redirects = (a.oauthConfiguration?.authorizedRedirectURLs ?? []).filter((u) =>
      /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(u),
    );
    if (redirects.length === 0) {
      notes.push(`application "${a.name}" (${a.id}) of tenant ${key} has no redirect URL: left out; add it by hand`);
      continue;
    }
    const own: [string, string | boolean][] = [];
    if (a.jwtConfiguration?.enabled === true) {
      const appSettings = liveSettings(a.jwtConfiguration, undefined, []);
      for (const f of POLICY_FIELDS.filter((x) => x.holder === "jwt")) {
        const v = appSettings.get(f.path);
        const inherited = tenantLive.get(f.path) ?? policyValue(presetPolicy, f.path);
        if (v !== undefined && v !== inherited) own.push([f.path, v]);
      }
    }
    for (const [path, v] of own) {
      const inherited = tenantLive.get(path) ?? policyValue(presetPolicy, path);
      ifPresetOnly.push({ where: `application ${key}/${appKey}`, path, live: String(v), preset: String(inherited) });
    }
    apps.push({
      key: appKey,
      live: { ...a, oauthConfiguration: { ...a.oauthConfiguration, authorizedRedirectURLs: redirects } },
      overrides: own,
      waivers: [],
    });
  }
  return apps;
}

/** Compiles the drafts into the stack, waiving the floors the live values breach, and reports the result. */
function compileImport(input: ImportStackInput, drafts: DraftTenant[], report: ImportReport): ImportResult {
  const { live, sources } = input;
  const { notes, ifPresetOnly } = report;
  const today = formatInstant(input.now).slice(0, 10);
  // Floors: a live value below a floor is kept with a waiver to review (at most two rounds: waivers only remove).
  let compiled = compileDrafts(input.stackName, live.url, drafts, sources);
  for (let round = 0; round < 2 && compiled.state === undefined; round++) {
    if (!addWaivers(compiled.diagnostics, drafts, today)) break;
    compiled = compileDrafts(input.stackName, live.url, drafts, sources);
  }
  const matches = drafts.map((d) => ({
    where: `tenant ${d.key} ("${d.live.name}", ${d.live.id})`,
    preset: d.preset,
    overrides: d.overrides.length + d.apps.reduce((n, a) => n + a.overrides.length, 0),
    waivers: d.waivers.length + d.apps.reduce((n, a) => n + a.waivers.length, 0),
  }));
  if (compiled.state === undefined) {
    return { matches, upChanges: [], ifPresetOnly, adoptedKeys: [], notes, diagnostics: compiled.diagnostics };
  }
  return {
    yaml: compiled.yaml,
    state: compiled.state,
    matches,
    upChanges: upChanges(compiled.state, drafts),
    ifPresetOnly,
    adoptedKeys: adoptedKeyReports(compiled.state, input.now, live.keys),
    notes,
    diagnostics: compiled.diagnostics,
  };
}

/**
 * Why the kit cannot adopt a tenant as it is: what `up` would have to change in FusionAuth. FusionAuth's own
 * `Default` tenant ships with both (an HS256 key and the issuer `acme.com`).
 */
function adoptionChanges(t: LiveTenant, signingAlg: string | undefined, url: string): string[] {
  const out: string[] = [];
  if (signingAlg !== undefined && !DEVICE_ALGORITHMS.has(signingAlg))
    out.push(
      `it signs with ${signingAlg}, which no device can verify offline (the kit would switch it to its own key)`,
    );
  if (issuerOf(t, url) !== t.issuer)
    out.push(`its issuer ${JSON.stringify(t.issuer ?? null)} is not an http(s) URL (the kit would set ${url})`);
  return out;
}

/** The tenant's issuer when it is an http(s) URL (the kit requires one), else the FusionAuth URL. */
function issuerOf(t: LiveTenant, url: string): string {
  return t.issuer !== undefined && /^https?:\/\/\S+$/.test(t.issuer) ? t.issuer : url;
}

function stackDocument(url: string, drafts: readonly DraftTenant[]): Record<string, unknown> {
  const waivers = (list: DraftTenant["waivers"]) => (list.length === 0 ? {} : { waivers: list });
  const overrides = (list: DraftTenant["overrides"]) => (list.length === 0 ? {} : { overrides: nest(list) });
  return {
    config: {
      [`${NS}url`]: url,
      [`${NS}tenants`]: drafts.map((d) => ({
        key: d.key,
        id: d.live.id,
        name: d.live.name,
        issuer: issuerOf(d.live, url),
        preset: d.preset,
        ...overrides(d.overrides),
        ...waivers(d.waivers),
        ...(d.adoptedKey === undefined ? {} : { keys: { adopted: adoptedBlock(d.adoptedKey) } }),
        ...(d.apps.length === 0
          ? {}
          : {
              applications: d.apps.map((a) => ({
                key: a.key,
                id: a.live.id,
                name: a.live.name,
                redirectUris: a.live.oauthConfiguration?.authorizedRedirectURLs ?? [],
                ...overrides(a.overrides),
                ...waivers(a.waivers),
              })),
            }),
      })),
    },
  };
}

/** `keys.adopted` as written (the writer quotes `rotateFrom`, which a YAML 1.1 reader would turn into a time). */
function adoptedBlock(a: { id: string; rotateFrom: number }): { id: string; rotateFrom: string } {
  return { id: a.id, rotateFrom: formatInstant(a.rotateFrom) };
}

/** Each adopted key with the deferral the schedule derives for it right after the import (nothing observed yet). */
function adoptedKeyReports(state: DesiredState, now: number, keys: readonly LiveKey[]): AdoptedKeyReport[] {
  return planStackRotation(state, now).flatMap(({ tenant, rotation }) => {
    const d = rotation.deferred;
    if (d === undefined) return [];
    const kid = keys.find((k) => k.id === d.adoptedId)?.kid;
    return [
      {
        tenant: tenant.key,
        keyId: d.adoptedId,
        ...(kid === undefined ? {} : { kid }),
        rotateFrom: d.rotateFrom,
        signsUntil: d.kitSignsFrom,
      },
    ];
  });
}

function compileDrafts(
  stackName: string,
  url: string,
  drafts: readonly DraftTenant[],
  sources: PolicySourcesInput,
): { yaml: string; state?: DesiredState; diagnostics: Diagnostic[] } {
  const yaml = `${HEADER}${writeStackYaml(stackDocument(url, drafts))}`;
  const path = `stacks/Pulumi.${stackName}.yaml`;
  const { doc, diagnostics: parse } = parseYamlSource({ path, text: yaml });
  const r = compileStack({
    stackName,
    stack: doc,
    presets: sources.presets,
    levels: sources.levels,
    schemas: sources.schemas,
  });
  const diagnostics = [...parse, ...r.diagnostics];
  return hasErrors(diagnostics) ? { yaml, diagnostics } : { yaml, state: r.state, diagnostics };
}

const HEADER = `# Imported from a live FusionAuth by \`fakit import\`: each tenant on its closest preset, with the overrides
# that keep today's behaviour and waivers (to review) where a live value is below the preset's floor. The ids
# are adopted: \`pulumi up\` manages these objects in place and \`destroy\` releases them. Set the kit's API key
# (docs/least-privilege.md) with \`pulumi config set --secret fusionauth-offline-kit:apiKey <key>\`.
`;

/** Adds a waiver for every floor breach among the diagnostics; false when there is an error a waiver cannot fix. */
function addWaivers(diagnostics: readonly Diagnostic[], drafts: DraftTenant[], today: string): boolean {
  const errors = diagnostics.filter((d) => d.severity === "error");
  let fixable = errors.length > 0;
  for (const d of errors) {
    const rule = /\(rule ([^)]+)\)/.exec(d.message)?.[1];
    const m = /^\/config\/[^/]+\/(\d+)(?:\/applications\/(\d+))?/.exec(d.pointer);
    const tenant = m === null ? undefined : drafts[Number(m[1])];
    if (rule === undefined || tenant === undefined) {
      fixable = false;
      continue;
    }
    const target = m?.[2] === undefined ? tenant : (tenant.apps[Number(m[2])] ?? tenant);
    if (!target.waivers.some((w) => w.rule === rule))
      target.waivers.push({ rule, reason: `Imported from FusionAuth on ${today}: keeps the live value; review it.` });
  }
  return fixable;
}

/**
 * What `up` right after the import writes to FusionAuth: managed fields the kit sets by convention where they
 * differ, and, for a tenant without `keys.adopted` (its key is not one a device can verify), the kit's own keys.
 * A tenant with `keys.adopted` gets no key before `rotateFrom`, and the adopted key stays its signing key, so its
 * key references are compared too.
 */
function upChanges(state: DesiredState, drafts: readonly DraftTenant[]): string[] {
  const out: string[] = [];
  for (const t of state.tenants) {
    const d = drafts.find((x) => x.key === t.key);
    if (d === undefined) continue;
    const ahead = t.policy.keys.publishedAhead;
    if (t.adoptedKey === null)
      out.push(
        `tenant ${t.key}: creates ${ahead + 1} ${t.policy.accessToken.algorithm} key(s), the kit's current generation and ${ahead} published ahead (keys.publishedAhead)`,
      );
    const jwt = d.live.jwtConfiguration;
    const refs: KeyRefs =
      t.adoptedKey === null
        ? { signingKeyId: jwt?.accessTokenKeyId ?? "", verificationKeyIds: jwt?.accessTokenVerificationKeyIds ?? [] }
        : { signingKeyId: t.adoptedKey.id, verificationKeyIds: [] };
    const skipKeys = (p: string) => t.adoptedKey !== null || !/KeyId|VerificationKeyIds/.test(p);
    for (const p of diffManaged(d.live, asJson(tenantShape(t, refs))).filter(skipKeys))
      out.push(`tenant ${t.key}: ${p}`);
    for (const a of t.applications) {
      const live = d.apps.find((x) => x.key === a.key)?.live;
      for (const p of diffManaged(live, asJson(applicationShape(a, refs))).filter(skipKeys))
        out.push(`application ${t.key}/${a.key}: ${p}`);
    }
  }
  return out;
}
