/**
 * `npm run bench:verifier [-- --runs N]`: the offline verification figures of `npm run bench` alone, without the
 * Pulumi runs (seconds instead of minutes).
 */
import { parseArgs } from "node:util";
import { benchVerify, verifyRows } from "./verify-throughput";

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: "string" } } });
  const runs = Number(values.runs ?? 7);
  const v = await benchVerify(runs, 5000);
  const { rows, problems } = verifyRows(v);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] as number)).join("  "));
  for (const p of problems) console.log(`!! ${p}`);
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exitCode = 1;
  },
);
