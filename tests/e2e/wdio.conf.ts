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
};
