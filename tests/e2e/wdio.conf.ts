// WebdriverIO drives the real TierBook window: tauri-driver (127.0.0.1:4444) starts the debug binary
// with the UI embedded and forwards to WebKitWebDriver. Started by tests/e2e/run.sh, which also
// generates the fixture workbooks and the expected figures (env vars below).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const shotDir = path.join(root, "target", "e2e-screenshots");
fs.mkdirSync(shotDir, { recursive: true });

const application = process.env.TIERBOOK_APP ?? path.join(root, "target", "debug", "tierbook-app");

export const config: WebdriverIO.Config = {
  runner: "local",
  hostname: "127.0.0.1",
  port: Number(process.env.TAURI_DRIVER_PORT ?? 4444),
  specs: ["./specs/**/*.e2e.ts"],
  maxInstances: 1,
  capabilities: [
    {
      // WebKitWebDriver speaks classic WebDriver only; a browserName would make WebdriverIO ask for BiDi.
      "wdio:enforceWebDriverClassic": true,
      // @ts-expect-error tauri-driver's own capability
      "tauri:options": { application },
    },
  ],
  logLevel: "warn",
  bail: 0,
  waitforTimeout: 15_000,
  framework: "mocha",
  reporters: ["spec"],
  mochaOpts: { ui: "bdd", timeout: 120_000 },
  // The app paints on the CPU (src-tauri/rendering.rs). WebKitWebDriver's screenshot waits for the
  // page's next presentation update, which a page standing still never has without GPU compositing:
  // the command hung until WebdriverIO's 120 s timeout. So before each screenshot a 1-px dot in the
  // window's corner changes shade every frame for 3 s (2–3 % grey: nothing a screenshot shows).
  before(_capabilities, _specs, browser) {
    browser.overwriteCommand("saveScreenshot", async (original, filepath: string) => {
      await browser.execute(heartbeat);
      return original(filepath);
    });
  },
};

/** Runs in the page: keeps frames coming for 3 s (see `before`). */
function heartbeat() {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- flags kept on the page's window
  const w = window as any;
  const dot =
    document.getElementById("e2e-heartbeat") ??
    document.body.appendChild(
      Object.assign(document.createElement("div"), {
        id: "e2e-heartbeat",
        style: "position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:2147483647",
      }),
    );
  w.__e2eBeatUntil = performance.now() + 3000;
  if (w.__e2eBeating) return;
  w.__e2eBeating = true;
  let odd = false;
  const beat = (t: number) => {
    odd = !odd;
    dot.style.background = odd ? "rgba(0,0,0,0.02)" : "rgba(0,0,0,0.03)";
    if (t < w.__e2eBeatUntil) requestAnimationFrame(beat);
    else w.__e2eBeating = false;
  };
  requestAnimationFrame(beat);
}
