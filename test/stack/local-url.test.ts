import { describe, expect, it } from "vitest";
import { withLoopbackPort } from "../../src/stack/local-url";

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
