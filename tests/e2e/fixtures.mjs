// Writes the suite's input files with the project's own generator (`tierbook generate`) and the figures
// the window must show with the project's own CLI (`tierbook classify --json`), into $TIERBOOK_E2E_FIXTURES.
// Two overlapping exports of one shop: January–June, then the whole year (the history view's two imports).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const dir = process.env.TIERBOOK_E2E_FIXTURES;
const cli = process.env.TIERBOOK_CLI;
if (!dir || !cli) throw new Error("run through tests/e2e/run.sh (TIERBOOK_E2E_FIXTURES, TIERBOOK_CLI)");

const run = (args) => execFileSync(cli, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const shop = ["generate", "--layout", "wechat", "--orders", "3000", "--seed", "11"];

const half = path.join(dir, "微信小店订单-上半年.xlsx");
const year = path.join(dir, "微信小店订单-全年.xlsx");
run([...shop, "--rows-to", "2025-06-30", "--out", half]);
run([...shop, "--out", year]);

/** The CLI's `--json` summary for `files` with `method` (its own defaults, which are the catalogue's). */
function summary(files, method) {
  const out = path.join(dir, `expected-${method}-${files.length}.xlsx`);
  return JSON.parse(run(["classify", ...files, "--method", method, "--json", "--out", out]));
}
/** Tier counts {A: n, B: n, …} the core gives for `files` with `method`. */
const counts = (files, method) => Object.fromEntries(summary(files, method).tiers.map((t) => [t.group, t.customers]));
/** Customers per segment {name: n} (segments with customers only) the core gives for `files` with `method`. */
const segmentCounts = (files, method) =>
  Object.fromEntries(
    summary(files, method)
      .segments.filter((s) => s.customers > 0)
      .map((s) => [s.group, s.customers]),
  );

// loop.e2e.ts: one shop's monthly exports, March then April 2026 (the same generated shop cut at the month
// boundary, so April holds later orders of many of March's customers).
const loopShop = ["generate", "--layout", "wechat", "--orders", "2400", "--seed", "31"];
const loopMonths = ["--start", "2026-03-01", "--end", "2026-04-30"];
const march = path.join(dir, "回访-三月订单.xlsx");
const april = path.join(dir, "回访-四月订单.xlsx");
run([...loopShop, ...loopMonths, "--rows-to", "2026-03-31", "--out", march]);
run([...loopShop, ...loopMonths, "--rows-from", "2026-04-01", "--out", april]);

const expected = {
  // loop.e2e.ts: the two monthly exports (its figures come from the CLI on the app's own workspace).
  loop: { march, april },
  half,
  year,
  exportPath: path.join(dir, "导出-客户分层.xlsx"),
  halfAbc: counts([half], "abc"),
  halfCube: counts([half], "rfm-cube"),
  halfSegments: counts([half], "rfm-segments"),
  halfSegmentCounts: segmentCounts([half], "rfm-segments"),
  // The workspace after both imports holds every order once (the overlap is not counted twice).
  bothCube: counts([half, year], "rfm-cube"),
  // app.e2e.ts: how the R/F/M scores fell back (the same whatever the method), as the core says it.
  halfScoreNotes: summary([half], "abc").score_notes.map((n) => n.zh),
  // regions.e2e.ts: customers per province after both imports (does not depend on the method).
  bothRegions: Object.fromEntries(summary([half, year], "abc").regions.map((r) => [r.province, r.customers])),
};
fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(expected, null, 2));
console.log("[e2e] fixtures:", JSON.stringify(expected));
