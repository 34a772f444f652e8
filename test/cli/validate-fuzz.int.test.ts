import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic";
import { validateFiles } from "../../src/stack/validate-files";
import { type Mutation, mutateYaml } from "../../testkit/cli/yaml-mutations";
import { runFakit } from "../helpers/fakit";
import { REPO } from "./cli-fixture";

const BASE_SEED = 0x8f1a_2c3d;
const CASES = 1000;
const CLI_SAMPLE = 20;

/** The files a platform team edits: the four presets, the floors and the shipped stacks. */
const TARGETS = [
  "policies/presets/critical.yaml",
  "policies/presets/field.yaml",
  "policies/presets/high.yaml",
  "policies/presets/standard.yaml",
  "policies/sensitivity-levels.yaml",
  "stacks/Pulumi.example.yaml",
  "stacks/Pulumi.local.yaml",
];
const ORIGINALS = new Map(TARGETS.map((f) => [f, readFileSync(join(REPO, f), "utf8")]));

interface Case {
  index: number;
  file: string;
  mutation: Mutation;
}

function caseOf(index: number): Case {
  const file = TARGETS[index % TARGETS.length] as string;
  return { index, file, mutation: mutateYaml(BASE_SEED + index, ORIGINALS.get(file) as string) };
}

/** A scratch copy of the repository's policies and stacks (validation reads nothing else). */
function scratchRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "fakit-fuzz-"));
  cpSync(join(REPO, "policies"), join(dir, "policies"), { recursive: true });
  mkdirSync(join(dir, "stacks"));
  for (const f of TARGETS.filter((t) => t.startsWith("stacks/")))
    writeFileSync(join(dir, f), ORIGINALS.get(f) as string);
  return dir;
}

/** What is wrong with one diagnostic, or undefined. */
function problemOf(d: Diagnostic, mutated: Case, lineCount: number): string | undefined {
  if (typeof d.file !== "string" || d.file === "") return "no file";
  if (!Number.isInteger(d.line) || d.line < 1) return `line ${d.line}`;
  if (!Number.isInteger(d.column) || d.column < 1) return `column ${d.column}`;
  if (!/^KIT_[A-Z0-9_]+$/.test(d.code)) return `code ${d.code}`;
  if (typeof d.message !== "string" || d.message.trim() === "") return "empty message";
  if (d.severity !== "error" && d.severity !== "warning") return `severity ${d.severity}`;
  if (d.file === mutated.file && d.line > lineCount + 1) return `line ${d.line} past the end (${lineCount} lines)`;
  return undefined;
}

const describeCase = (c: Case) =>
  `case ${c.index} (seed ${BASE_SEED + c.index}, ${c.file}, ${c.mutation.steps.join(" + ")}):\n${c.mutation.text.slice(0, 1500)}`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Cases per test: each test stays well under a second of CPU, so the worker's event loop is never held long. */
const BATCH = 50;
/** Cases between yields to the event loop inside a batch, so vitest's worker RPC keeps answering under load. */
const YIELD_EVERY = 10;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("fakit validate under fuzzed presets and stacks", () => {
  let root = "";
  let accepted = 0;
  let rejected = 0;
  const steps = new Set<string>();
  beforeAll(() => {
    root = scratchRepo();
    dirs.push(root);
  });

  /** Validates one mutated file in the scratch repository; throws with the case on a crash or a bad diagnostic. */
  function checkCase(c: Case): void {
    for (const s of c.mutation.steps) steps.add(s);
    writeFileSync(join(root, c.file), c.mutation.text);
    let diagnostics: Diagnostic[];
    try {
      diagnostics = validateFiles(root).diagnostics;
    } catch (err) {
      throw new Error(`validateFiles threw ${(err as Error).stack}\n${describeCase(c)}`);
    } finally {
      writeFileSync(join(root, c.file), ORIGINALS.get(c.file) as string);
    }
    const lineCount = c.mutation.text.split(/\r\n|\r|\n/).length;
    for (const d of diagnostics) {
      const problem = problemOf(d, c, lineCount);
      if (problem !== undefined)
        throw new Error(`bad diagnostic (${problem}): ${JSON.stringify(d)}\n${describeCase(c)}`);
    }
    if (diagnostics.some((d) => d.severity === "error")) rejected++;
    else accepted++;
  }

  const batches = Array.from({ length: Math.ceil(CASES / BATCH) }, (_, b) => b * BATCH);
  it.each(batches)(
    `never throws on seeded mutations %i..+${BATCH - 1}; every diagnostic is located and coded`,
    async (first) => {
      for (let i = first; i < Math.min(first + BATCH, CASES); i++) {
        checkCase(caseOf(i));
        if ((i + 1) % YIELD_EVERY === 0) await yieldToEventLoop();
      }
    },
  );

  it(`reaches both outcomes and every kind of mutation over the ${CASES} cases`, () => {
    // The fuzzer reaches both outcomes and every kind of mutation, or it proves nothing.
    expect(accepted + rejected).toBe(CASES);
    expect(rejected).toBeGreaterThan(CASES / 2);
    expect(accepted).toBeGreaterThan(0);
    expect(steps.size).toBeGreaterThanOrEqual(15);
  });

  it(`the real CLI exits 0 or 1 with located diagnostics and no stack trace (${CLI_SAMPLE} sampled cases)`, {
    timeout: 180_000,
  }, async () => {
    const sample = Array.from({ length: CLI_SAMPLE }, (_, k) => caseOf(Math.floor((k * CASES) / CLI_SAMPLE) + 3));
    const runOne = async (c: Case) => {
      const root = scratchRepo();
      dirs.push(root);
      writeFileSync(join(root, c.file), c.mutation.text);
      const r = await runFakit(["validate"], root);
      return { c, ...r };
    };
    // Two at a time: the machine has two cores.
    const results = [];
    for (let k = 0; k < sample.length; k += 2) results.push(...(await Promise.all(sample.slice(k, k + 2).map(runOne))));
    for (const { c, code, stdout, stderr } of results) {
      const context = `${describeCase(c)}\n--- exit ${code}\n${stdout}\n${stderr}`;
      expect([0, 1], context).toContain(code);
      expect(stderr, context).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      if (code === 1) expect(stderr, context).toMatch(/^[^\s:]+:\d+:\d+: KIT_[A-Z0-9_]+ /m);
      else expect(stdout, context).toMatch(/^fakit validate: \d+ files valid/m);
    }
    expect(results.some((r) => r.code === 1)).toBe(true);
  });
});
