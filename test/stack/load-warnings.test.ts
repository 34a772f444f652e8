import { afterAll, describe, expect, it } from "vitest";
import { loadDesiredState, stateWarnings } from "../../src/stack/load";
import { createKitProject } from "../../testkit/helpers/kit-project";

const project = createKitProject();
afterAll(() => project.dispose());

describe("a stack's warnings are returned once", () => {
  it("a tenant's warning is on the tenant only, a stack-wide one only beside the state", () => {
    project.writeStack(
      "warned",
      `config:
  fusionauth-offline-kit:url: http://localhost:9011
  fusionauth-offline-kit:apiKey: plain-text-key
  fusionauth-offline-kit:tenants:
    - key: crew
      name: Crew
      issuer: http://localhost:9011/crew
      preset: standard
      overrides:
        offline:
          checkIn: 12h
      applications:
        - key: app
          name: App
          redirectUris: [com.example.app:/cb]
`,
    );
    const loaded = loadDesiredState({ repoRoot: project.dir, stack: "warned" });
    if (!("state" in loaded)) throw new Error(JSON.stringify(loaded.diagnostics));
    const onState = stateWarnings(loaded.state).map((w) => w.code);
    expect(onState).toContain("KIT_WARN_GRACE_EXCEEDS_CHECKIN");
    expect(loaded.warnings.map((w) => w.code)).not.toContain("KIT_WARN_GRACE_EXCEEDS_CHECKIN");
    expect(loaded.warnings.length).toBeGreaterThan(0);
    const all = [...loaded.warnings, ...stateWarnings(loaded.state)];
    expect(new Set(all).size).toBe(all.length);
  });
});
