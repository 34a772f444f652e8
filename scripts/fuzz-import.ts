/**
 * `npx tsx scripts/fuzz-import.ts [--minutes M] [--seed S]`: the seeded fuzz of `fakit import` against the
 * hostile FusionAuth (testkit/import/import-fuzz.ts), for as long as asked (default 10 minutes), from seed S (default
 * 1) upwards. Prints what the cases reached (exit status and error code), then the crashes, the hangs past the
 * timeout and the stack files that differ from what the server held, each with its seed (rerun one with
 * `--seed S --minutes 0`, which runs a single case). Exit 1 when any of the three is not 0.
 */
import { parseArgs } from "node:util";
import { createKitProject } from "../testkit/helpers/kit-project";
import { startHostileServer } from "../testkit/import/hostile-server";
import { type FuzzOutcome, fuzzCase, runFuzzCase } from "../testkit/import/import-fuzz";

const { values } = parseArgs({
  options: { minutes: { type: "string", default: "10" }, seed: { type: "string", default: "1" } },
});
const minutes = Number(values.minutes);
const first = Number(values.seed);

async function main(): Promise<number> {
  if (!Number.isFinite(minutes) || minutes < 0 || !Number.isSafeInteger(first)) {
    console.error("usage: fuzz-import.ts [--minutes M] [--seed S]");
    return 2;
  }
  const server = await startHostileServer();
  const other = await startHostileServer();
  const project = createKitProject();
  const end = Date.now() + minutes * 60_000;
  const outcomes: FuzzOutcome[] = [];
  let lastReport = Date.now();
  try {
    for (let seed = first; outcomes.length === 0 || Date.now() < end; seed++) {
      outcomes.push(
        await runFuzzCase(fuzzCase(seed, other.url), server, project.dir, { timeoutSeconds: 2, hangAfterMs: 30_000 }),
      );
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        console.error(`fuzz-import: ${outcomes.length} cases, seed ${seed}`);
      }
    }
  } finally {
    await server.close();
    await other.close();
    project.dispose();
  }

  const count = new Map<string, number>();
  for (const o of outcomes) {
    const k = `exit ${o.code}${o.reason?.startsWith("KIT_") ? ` ${o.reason}` : o.code === 1 ? " (not expressible / no tenant)" : ""}`;
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const crashes = outcomes.filter((o) => o.crash !== undefined);
  const hangs = outcomes.filter((o) => o.hang === true);
  const wrong = outcomes.filter((o) => o.wrong !== undefined);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  console.log(
    `fuzz-import: ${outcomes.length} cases, seeds ${first}..${first + outcomes.length - 1}, slowest ${slowest} ms`,
  );
  for (const [k, n] of [...count].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${k}`);
  console.log(
    `crashes: ${crashes.length}, hangs past the timeout: ${hangs.length}, stack files that differ: ${wrong.length}`,
  );
  for (const o of [...crashes, ...hangs, ...wrong])
    console.log(`  seed ${o.seed}: ${o.crash?.split("\n").slice(0, 3).join(" | ") ?? (o.hang ? "hang" : o.wrong)}`);
  return crashes.length + hangs.length + wrong.length > 0 ? 1 : 0;
}

main().then((code) => {
  process.exitCode = code;
});
