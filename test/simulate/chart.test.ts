import { describe, expect, it } from "vitest";
import { renderTradeoffChart } from "../../src/simulate/chart";

describe("the trade-off chart", () => {
  const svg = renderTradeoffChart({
    title: "Revocation lag against refused openings: profile <field & crew>",
    subtitle: "four presets",
    points: [
      { preset: "critical", refusedShare: 0.9, observedLagP99: 0, planLag: 300, tamperedLagP99: 0 },
      {
        preset: "standard",
        refusedShare: 0.12,
        observedLagP99: 6 * 86_400,
        planLag: 87_300,
        tamperedLagP99: 13 * 86_400,
      },
      { preset: "field", refusedShare: 0.04, observedLagP99: null, planLag: 261_000, tamperedLagP99: null },
    ],
  });

  it("is a standalone SVG document with a title, both axes and a legend", () => {
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/,
    );
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("<title>Revocation lag against refused openings: profile &lt;field &amp; crew&gt;</title>");
    expect(svg).toContain(">share of app openings refused (users' devices)</text>");
    expect(svg).toContain(">revocation lag (log scale)</text>");
    for (const entry of [
      "observed lag, p99",
      "plan's figure (A + G)",
      "p99, with power-off",
      "critical",
      "standard",
      "field",
    ])
      expect(svg).toContain(`>${entry}</text>`);
    expect(svg).toContain(">24h</text>");
    expect(svg).toContain(">90%</text>");
  });

  it("draws a diamond per preset, a dot where a lag was observed, a cross where thieves set clocks back", () => {
    expect(svg.match(/transform="rotate\(45 /g)?.length).toBe(3 + 1); // three presets and the legend's
    expect(svg.match(/<circle /g)?.length).toBe(2 + 1); // critical and standard, and the legend's
    expect(svg.match(/<path d="M /g)?.length).toBe(1 + 1); // standard only, and the legend's
  });
});
