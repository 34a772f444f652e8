// At least 25 malformed inputs, each with the exact diagnostics (path:line:col: CODE message) it must produce.
import { describe, expect, it } from "vitest";
import { MALFORMED } from "../fixtures/policy/malformed-cases";
import { compile, stackWith } from "./policy-fixture";

const EXPECTED: Record<string, string[]> = {
  "YAML syntax: unclosed flow sequence": [
    "stacks/Pulumi.test.yaml:3:1: KIT_YAML_SYNTAX Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  "YAML syntax: bad indentation": [
    "policies/presets/standard.yaml:5:8: KIT_YAML_SYNTAX Nested mappings are not allowed in compact mappings",
    "policies/presets/standard.yaml:5:8: KIT_YAML_SYNTAX Implicit keys need to be on a single line",
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_INVALID preset "standard" has errors (see policies/presets/standard.yaml); fix them first',
  ],
  "YAML duplicate key": [
    "policies/presets/standard.yaml:6:3: KIT_YAML_DUPLICATE_KEY mapping key is defined twice; remove one of them",
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_INVALID preset "standard" has errors (see policies/presets/standard.yaml); fix them first',
  ],
  "stack is a list": ["stacks/Pulumi.test.yaml:1:1: KIT_SCHEMA_TYPE the document must be a mapping, got a list"],
  "missing config": ['stacks/Pulumi.test.yaml:1:1: KIT_MISSING_KEY missing required key "config" in the document'],
  "unknown top-level key with hint": [
    'stacks/Pulumi.test.yaml:12:1: KIT_UNKNOWN_KEY unknown key "encryptionsalts" in the document; did you mean "encryptionsalt"?',
  ],
  "unqualified config key": [
    'stacks/Pulumi.test.yaml:1:1: KIT_MISSING_KEY missing required key "fusionauth-offline-kit:url" in config',
    'stacks/Pulumi.test.yaml:2:3: KIT_UNKNOWN_KEY unknown key "url" in config; did you mean "fusionauth-offline-kit:url"?',
    "stacks/Pulumi.test.yaml:3:35: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants must NOT have fewer than 1 items",
  ],
  "url of wrong type and empty tenants": [
    "stacks/Pulumi.test.yaml:2:31: KIT_SCHEMA_TYPE config.fusionauth-offline-kit:url must be a string, got number 9011",
    "stacks/Pulumi.test.yaml:3:35: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants must NOT have fewer than 1 items",
  ],
  "apiKey as a number": [
    "stacks/Pulumi.test.yaml:3:34: KIT_SCHEMA_TYPE config.fusionauth-offline-kit:apiKey must be a string or a mapping, got number 12345",
  ],
  "apiKey secure mapping with a typo": [
    'stacks/Pulumi.test.yaml:3:3: KIT_MISSING_KEY missing required key "secure" in config.fusionauth-offline-kit:apiKey',
    'stacks/Pulumi.test.yaml:4:5: KIT_UNKNOWN_KEY unknown key "secur" in config.fusionauth-offline-kit:apiKey; did you mean "secure"?',
  ],
  "tenant missing name (the issuer is derived)": [
    'stacks/Pulumi.test.yaml:4:7: KIT_MISSING_KEY missing required key "name" in config.fusionauth-offline-kit:tenants[0]',
  ],
  "tenant key not a slug": [
    'stacks/Pulumi.test.yaml:4:12: KIT_SCHEMA_PATTERN config.fusionauth-offline-kit:tenants[0].key: "Tenant_1" is not a slug: lower-case letters, digits and dashes, starting with a letter',
  ],
  "tenant id not a UUID": [
    'stacks/Pulumi.test.yaml:8:11: KIT_SCHEMA_PATTERN config.fusionauth-offline-kit:tenants[0].id: "1234-abcd" is not a UUID such as 2b2c2f4e-0000-4000-8000-000000000001',
  ],
  "unknown preset with hint": [
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_UNKNOWN preset "standrad" does not exist (known: critical, field, high, standard); did you mean "standard"?',
  ],
  "unknown key in overrides with hint": [
    'stacks/Pulumi.test.yaml:10:11: KIT_UNKNOWN_KEY unknown key "ttll" in config.fusionauth-offline-kit:tenants[0].overrides.accessToken; did you mean "ttl"?',
  ],
  "overrides may not set the level": [
    'stacks/Pulumi.test.yaml:9:9: KIT_UNKNOWN_KEY unknown key "level" in config.fusionauth-offline-kit:tenants[0].overrides',
  ],
  "duration without unit": [
    'stacks/Pulumi.test.yaml:10:18: KIT_SCHEMA_TYPE config.fusionauth-offline-kit:tenants[0].overrides.offline.grace must be a string, got number 24 (durations are quoted or plain strings such as "15m", "0s")',
  ],
  "duration with bad unit": [
    'stacks/Pulumi.test.yaml:10:18: KIT_DURATION_INVALID config.fusionauth-offline-kit:tenants[0].overrides.offline.grace: "1w" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d',
  ],
  "duration with units out of order": [
    'stacks/Pulumi.test.yaml:10:18: KIT_DURATION_INVALID config.fusionauth-offline-kit:tenants[0].overrides.offline.grace: "30m1h" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d',
  ],
  "refresh lifetime not whole minutes": [
    "stacks/Pulumi.test.yaml:10:21: KIT_DURATION_NOT_WHOLE_MINUTES refreshToken.lifetime is 1d30s, but FusionAuth stores refresh-token lifetimes in whole minutes; use e.g. 24h",
  ],
  "access TTL zero": ["stacks/Pulumi.test.yaml:10:16: KIT_DURATION_ZERO accessToken.ttl must be greater than zero"],
  "one-time-use grace of a day": [
    "stacks/Pulumi.test.yaml:10:34: KIT_DURATION_OUT_OF_RANGE refreshToken.oneTimeUseGracePeriod is 24h, but FusionAuth accepts less than 24h",
  ],
  "access TTL beyond FusionAuth's int": [
    "policies/presets/standard.yaml:5:8: KIT_DURATION_OUT_OF_RANGE accessToken.ttl is 30000d, more than FusionAuth can store (at most 24855d3h14m7s)",
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_INVALID preset "standard" has errors (see policies/presets/standard.yaml); fix them first',
  ],
  "enum value with hint": [
    'stacks/Pulumi.test.yaml:10:18: KIT_SCHEMA_ENUM config.fusionauth-offline-kit:tenants[0].overrides.refreshToken.usage must be one of Reusable, OneTimeUse; got "OneTimeUsed"; did you mean "OneTimeUse"?',
  ],
  "boolean as string": [
    'stacks/Pulumi.test.yaml:11:29: KIT_SCHEMA_TYPE config.fusionauth-offline-kit:tenants[0].overrides.refreshToken.revokeOn.passwordChange must be true or false, got "yes"',
  ],
  "publishedAhead zero": [
    "stacks/Pulumi.test.yaml:10:27: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants[0].overrides.keys.publishedAhead must be >= 1",
  ],
  "contradiction: access TTL longer than refresh lifetime": [
    "stacks/Pulumi.test.yaml:10:16: KIT_INVARIANT_ACCESS_GE_REFRESH accessToken.ttl (45m) must be shorter than refreshToken.lifetime (30m)",
    "stacks/Pulumi.test.yaml:12:21: KIT_WARN_REFRESH_BELOW_CHECKIN refreshToken.lifetime (30m) is shorter than offline.checkIn (14d); every check-in will need a full login",
  ],
  "floor breach without waiver": [
    "stacks/Pulumi.test.yaml:10:18: KIT_FLOOR_ALLOWED refreshToken.usage Reusable is not allowed at the critical level (allowed: OneTimeUse) (rule refreshToken.usage.allowed); change it or add a waiver with a reason",
  ],
  "waiver with too short a reason": [
    "stacks/Pulumi.test.yaml:13:19: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants[0].waivers[0].reason must NOT have fewer than 10 characters",
  ],
  "duplicate tenant keys": [
    'stacks/Pulumi.test.yaml:9:12: KIT_DUPLICATE_KEY tenant key "t1" is used twice; each must be unique',
  ],
  "application overrides a tenant-held setting": [
    'stacks/Pulumi.test.yaml:14:31: KIT_APP_TENANT_SETTING keys.rotationPeriod is held per tenant in FusionAuth and cannot differ for application "app"; set it in the tenant\'s overrides',
  ],
  "application without redirect URIs": [
    'stacks/Pulumi.test.yaml:9:11: KIT_MISSING_KEY missing required key "redirectUris" in config.fusionauth-offline-kit:tenants[0].applications[0]',
  ],
  "preset name differs from file name": [
    'policies/presets/standard.yaml:1:7: KIT_PRESET_NAME_MISMATCH preset name "normal" must equal the file name "standard"',
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_INVALID preset "standard" has errors (see policies/presets/standard.yaml); fix them first',
  ],
  "preset missing a group and a key": [
    'policies/presets/custom.yaml:1:1: KIT_MISSING_KEY missing required key "keys" in the document',
    'policies/presets/custom.yaml:17:1: KIT_MISSING_KEY missing required key "checkIn" in offline',
  ],
  "preset with sliding maximum missing": [
    "policies/presets/custom.yaml:9:15: KIT_REFRESH_MAXIMUM_REQUIRED refreshToken.expiration is SlidingWindowWithMaximumLifetime but refreshToken.maximumLifetime is not set; add it",
  ],
  "preset breaking its own floor": [
    "policies/presets/custom.yaml:5:8: KIT_FLOOR_MAX accessToken.ttl (15m) exceeds the high level's maximum of 10m (rule accessToken.ttl.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:8:13: KIT_FLOOR_MAX refreshToken.lifetime (30d) exceeds the high level's maximum of 1h (rule refreshToken.lifetime.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:10:20: KIT_FLOOR_MAX refreshToken.maximumLifetime (90d) exceeds the high level's maximum of 24h (rule refreshToken.maximumLifetime.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:21:10: KIT_FLOOR_MAX offline.grace (24h) exceeds the high level's maximum of 30m (rule offline.grace.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:22:16: KIT_FLOOR_MAX offline.jwksRefresh (7d) exceeds the high level's maximum of 12h (rule offline.jwksRefresh.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:23:12: KIT_FLOOR_MAX offline.checkIn (7d) exceeds the high level's maximum of 1h (rule offline.checkIn.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:26:17: KIT_FLOOR_MAX offline.claimsMaxAge (24h) exceeds the high level's maximum of 1h (rule offline.claimsMaxAge.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:29:18: KIT_FLOOR_MAX offline.localUnlock.maxAttempts (10) exceeds the high level's maximum of 5 (rule offline.localUnlock.maxAttempts.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:34:15: KIT_FLOOR_ALLOWED offline.mfaStandIn local-unlock is not allowed at the high level (allowed: refuse) (rule offline.mfaStandIn.allowed); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:36:19: KIT_FLOOR_MAX offline.clockTrust.offlineBoots (2) exceeds the high level's maximum of 0 (rule offline.clockTrust.offlineBoots.max); change it or add a waiver with a reason",
    "policies/presets/custom.yaml:37:19: KIT_FLOOR_REQUIRED offline.clockTrust.platformTime must be false at the high level (rule offline.clockTrust.platformTime.required); change it or add a waiver with a reason",
  ],
  "YAML alias to an anchor never set": [
    "policies/presets/standard.yaml:5:8: KIT_YAML_SYNTAX Unresolved alias (the anchor must be set before the alias): missing",
    'stacks/Pulumi.test.yaml:7:15: KIT_PRESET_INVALID preset "standard" has errors (see policies/presets/standard.yaml); fix them first',
  ],
  "levels: unknown setting in a floor": [
    'policies/sensitivity-levels.yaml:5:7: KIT_UNKNOWN_KEY unknown key "offline.gracee" in levels.critical.max; did you mean "offline.grace"?',
  ],
};

describe("malformed inputs", () => {
  it("has at least 25 cases, each with an expectation", () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(EXPECTED).sort()).toEqual(MALFORMED.map((c) => c.name).sort());
  });

  it.each(MALFORMED.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r =
      c.kind === "stack"
        ? compile(c.text)
        : c.kind === "preset"
          ? compile(stackWith("standard"), { presets: { [c.presetName as string]: c.text } })
          : compile(stackWith("standard"), { levels: c.text });
    expect(r.lines).toEqual(EXPECTED[c.name]);
    // Every malformed input fails: no desired state is produced.
    expect(r.state).toBeUndefined();
  });
});
