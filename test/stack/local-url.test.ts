import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../src/stack/desired-state";
import { withLocalPort, withLoopbackPort } from "../../src/stack/local-url";

describe("withLoopbackPort", () => {
  it.each([
    { url: "http://localhost:9011", port: 9012, want: "http://localhost:9012" },
    { url: "http://127.0.0.1:9011", port: 9100, want: "http://127.0.0.1:9100" },
    { url: "http://localhost:9011", port: undefined, want: "http://localhost:9011" },
    // Another host is a real FusionAuth: its port is never a local choice.
    { url: "https://auth.example.com", port: 9012, want: "https://auth.example.com" },
    { url: "http://localhost.example.com:9011", port: 9012, want: "http://localhost.example.com:9011" },
  ])("$url with $port gives $want", ({ url, port, want }) => {
    expect(withLoopbackPort(url, port)).toBe(want);
  });
});

describe("withLocalPort: the stack's URL and the issuers it serves follow this checkout's emulator", () => {
  const state = (url: string, issuers: string[]) =>
    ({ url, tenants: issuers.map((issuer, i) => ({ key: `t${i}`, issuer })) }) as unknown as DesiredState;
  const issuersOf = (s: DesiredState) => s.tenants.map((t) => t.issuer);

  it("moves the URL and the issuers on its origin, and no other issuer", () => {
    const moved = withLocalPort(
      state("http://localhost:9011", [
        "http://localhost:9011/field-ops",
        "http://localhost:9011/dev/clinic",
        "https://login.example.com/clinic",
        "http://127.0.0.1:9011/other-origin",
      ]),
      9417,
    );
    expect(moved.url).toBe("http://localhost:9417");
    expect(issuersOf(moved)).toEqual([
      "http://localhost:9417/field-ops",
      "http://localhost:9417/dev/clinic",
      "https://login.example.com/clinic",
      "http://127.0.0.1:9011/other-origin",
    ]);
  });

  it.each([
    { why: "no emulator of this checkout runs", url: "http://localhost:9011", port: undefined },
    { why: "the emulator runs on the port the stack names", url: "http://localhost:9011", port: 9011 },
    { why: "a deployed stack", url: "https://auth.example.com", port: 9417 },
  ])("leaves the state as it is when $why (its issuers, and the tokens devices hold)", ({ url, port }) => {
    const before = state(url, [`${url}/t`]);
    expect(withLocalPort(before, port)).toBe(before);
  });
});
