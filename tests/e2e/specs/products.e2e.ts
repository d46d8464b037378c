// 商品 in the real window: a shop the CLI builds from a generated 淘宝 item-level export (without its
// cost column), the top products per tier (chart and table, three rankings), the customer list's
// "bought a product containing …" filter checked against the CLI on the same workspace, a customer's
// products in the drawer, the cost table (imported, then one cost edited) after which ABC by profit
// works, and the cohort heat map. Screenshots go to target/e2e-screenshots/ (products-*.png).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { $, $$, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const tid = (id: string) => $(`[data-testid="${id}"]`);
const shot = (name: string) => browser.saveScreenshot(path.join(shotDir, `${name}.png`));
const cli = (args: string[]) => execFileSync(process.env.TIERBOOK_CLI ?? "", args, { encoding: "utf8" });

const SHOP = "商品测试.tierbook";
const BOUGHT = "茶";
let buyers = 0;
let costTable = "";

async function waitForStableOnScreen(selector: string) {
  const rect = () =>
    browser.execute((sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { x: Math.round(r.left), w: Math.round(r.width), vw: window.innerWidth };
    }, selector);
  let last = JSON.stringify(await rect());
  await browser.waitUntil(
    async () => {
      await browser.pause(150);
      const now = await rect();
      const same = JSON.stringify(now) === last;
      last = JSON.stringify(now);
      return same && now !== null && now.w > 0 && now.x >= 0 && now.x + now.w <= now.vw;
    },
    { timeout: 10_000, timeoutMsg: `${selector} did not come to rest inside the window` },
  );
}

describe("商品, the bought-filter and the cost table", () => {
  before(async () => {
    const dataDir = process.env.TIERBOOK_DATA_DIR ?? "";
    const fix = process.env.TIERBOOK_E2E_FIXTURES ?? "";
    // The generator's item rows end in 商家编码,成本价: the export without the cost, and a cost table.
    const full = path.join(fix, "淘宝明细-含成本.csv");
    cli(
      ["generate", "--layout", "taobao", "--orders", "900", "--seed", "12", "--format", "csv", "--plain"].concat([
        "--item-costs",
        "--out",
        full,
      ]),
    );
    const lines = fs
      .readFileSync(full, "utf8")
      .split(/\r?\n/)
      .filter((l) => l.length);
    const header = lines[0].split(",");
    expect(header.slice(-2).map((h) => h.trim())).toEqual(["商家编码", "成本价"]);
    const costs = new Map<string, string>();
    const stripped = lines.map((l) => {
      const cut = l.lastIndexOf(",");
      const sku = l.slice(l.lastIndexOf(",", cut - 1) + 1, cut);
      if (l !== lines[0]) costs.set(sku, l.slice(cut + 1));
      return l.slice(0, cut);
    });
    const export_ = path.join(fix, "淘宝明细.csv");
    fs.writeFileSync(export_, `${stripped.join("\n")}\n`);
    costTable = path.join(fix, "成本表.csv");
    fs.writeFileSync(costTable, `商家编码,成本价\n${[...costs].map(([s, c]) => `${s},${c}`).join("\n")}\n`);

    const ws = path.join(dataDir, SHOP);
    cli(["classify", "--workspace", ws, export_, "--out", path.join(fix, "商品测试-分层.xlsx")]);
    // Who bought a product containing 茶, as the CLI counts it on the same workspace.
    const listed = cli(["customers", "--workspace", ws, "--bought", BOUGHT, "--limit", "0"]);
    buyers = Number(/(\d+) \/ \d+/.exec(listed)?.[1] ?? "NaN");
    expect(buyers).toBeGreaterThan(0);

    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
    });
    let lastError = "";
    await browser.waitUntil(
      async () => {
        lastError = await browser.executeAsync((file: string, done: (error: string) => void) => {
          Promise.resolve((window as any).__tierbookTest.openShop(file)).then(
            () => done(""),
            (e: unknown) => done(JSON.stringify(e) || "failed"),
          );
        }, SHOP);
        if (lastError !== "") return false;
        const current = await browser.execute(
          () => document.querySelector('[data-testid="current-shop"]')?.textContent ?? "",
        );
        lastError = `the header shows ${current}`;
        return current.includes("商品测试");
      },
      { timeout: 60_000, interval: 1_000, timeoutMsg: `the shop ${SHOP} never opened: ${lastError}` },
    );
    await tid("nav-settings").waitForDisplayed({ timeout: 30_000 });
    await tid("nav-settings").click();
    await tid("lang-zh").click();
    await browser.waitUntil(async () => (await tid("nav-products").getText()).includes("商品"), { timeout: 10_000 });
  });

  it("shows each tier's top products as a chart and a table, in three rankings", async () => {
    await tid("nav-products").click();
    await tid("product-tier-A").waitForDisplayed({ timeout: 30_000 });
    await expect(tid("product-chart-A").$("canvas")).toBeExisting();
    const rows = await tid("product-table-A").$$('[data-testid="product-row"]');
    expect(rows.length).toBeGreaterThan(3);
    // Ranked by customers: the first row's customers are the most.
    const customersOf = async (r: WebdriverIO.Element) => {
      const cells = await r.$$("td");
      return Number((await cells[2].getText()).replace(/,/g, ""));
    };
    expect(await customersOf(rows[0])).toBeGreaterThanOrEqual(await customersOf(rows[rows.length - 1]));
    await browser.pause(600);
    await shot("products-1-by-customers");
    await $(".n-radio-button*=销售额").click();
    await browser.pause(600);
    await shot("products-2-by-revenue");
  });

  it("filters the customer list to those who bought a product containing 茶, as the CLI does", async () => {
    await tid("nav-customers").click();
    await tid("filter-bought").waitForDisplayed({ timeout: 20_000 });
    await tid("filter-bought").$("input").setValue(BOUGHT);
    const head = await $(".page.customers .page-head .sub");
    await browser.waitUntil(async () => (await head.getText()).replace(/,/g, "").includes(`显示 ${buyers} 位`), {
      timeout: 10_000,
      timeoutMsg: `the list never showed the CLI's ${buyers} buyers`,
    });
    await expect(tid("export-buyers")).toBeDisplayed();
    await browser.pause(300);
    await shot("products-3-bought-filter");
  });

  it("shows a customer's favourite and last products in the drawer", async () => {
    const row = await $('[data-testid="customer-row"]');
    await row.waitForDisplayed({ timeout: 20_000 });
    await row.$("td").click();
    await tid("drawer-products").waitForDisplayed({ timeout: 20_000 });
    await waitForStableOnScreen('[data-testid="customer-drawer"]');
    expect(await tid("drawer-products").getText()).toMatch(/常买商品/);
    await expect(tid("drawer-last-product")).toBeDisplayed();
    await shot("products-4-drawer");
    await browser.keys("Escape");
  });

  it("imports a cost table and edits one cost, after which ABC by profit works", async () => {
    await tid("nav-products").click();
    await $(".n-tabs-tab*=成本表").click();
    await tid("cost-table").waitForDisplayed({ timeout: 20_000 });
    await expect(tid("profit-ready")).not.toBeExisting();
    await browser.pause(300);
    await shot("products-5-costs-empty");
    await browser.executeAsync((file: string, done: (r: unknown) => void) => {
      Promise.resolve((window as any).__tierbookTest.importCostTable(file)).then(done, done);
    }, costTable);
    await tid("profit-ready").waitForDisplayed({ timeout: 20_000 });
    const input = await tid("cost-input").$("input");
    // As a user does: select what the field shows and type over it (a cleared field is given its
    // saved value back by the view until something is typed).
    await input.click();
    await browser.keys(["Control", "a"]);
    await browser.keys("12.30");
    await browser.keys("Enter");
    // Saved, the cost comes back from the workspace as a number (shown as 12.3).
    let shown = "";
    const saved = await browser
      .waitUntil(async () => Number((shown = await tid("cost-input").$("input").getValue())) === 12.3, {
        timeout: 10_000,
      })
      .catch(() => false);
    if (!saved) {
      await shot("products-6-costs-not-saved");
      throw new Error(`the edited cost never came back as 12.3 (the field shows "${shown}")`);
    }
    await browser.pause(400);
    await shot("products-6-costs");
    await tid("use-profit").click();
    await tid("tier-profit").waitForDisplayed({ timeout: 20_000 });
    expect(await $$('[data-testid="tier-profit"]')).not.toHaveLength(0);
    await browser.pause(600);
    await shot("products-7-profit-tiers");
  });

  it("shows the cohort heat map", async () => {
    await tid("nav-regions").click();
    await $(".n-tabs-tab*=同期群").click();
    await tid("cohort-heatmap").waitForDisplayed({ timeout: 20_000 });
    await expect(tid("cohort-heatmap").$("canvas")).toBeExisting();
    await browser.pause(600);
    await shot("products-8-cohorts");
  });
});
