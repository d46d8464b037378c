// A masked customer key in the real window: a 抖店-style export whose every buyer's phone is masked as
// 1********** is previewed, and the preview says, before anything is imported, that its orders would be
// counted as one customer. The preview is then cancelled: nothing is imported, so the data folder the
// specs share is left as it was. Screenshot: target/e2e-screenshots/import-warning-masked-key.png.
import fs from "node:fs";
import path from "node:path";
import { $, browser, expect } from "@wdio/globals";
import { shotDir } from "../wdio.conf.ts";

const fixtures = process.env.TIERBOOK_E2E_FIXTURES ?? "";
const tid = (id: string) => $(`[data-testid="${id}"]`);

/** A 抖店-style order list of `orders` rows, every buyer's phone masked alike. */
function maskedExport(file: string, orders: number) {
  const rows = ["主订单编号,订单提交时间,订单应付金额,收件人,收件人手机号,订单状态"];
  for (let i = 0; i < orders; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    rows.push(
      `69300${String(i).padStart(5, "0")},2025-03-${day} 10:00:00,59.00,${"张李王赵"[i % 4]}**,1**********,已完成`,
    );
  }
  fs.writeFileSync(file, "\ufeff" + rows.join("\n") + "\n");
}

describe("导入预览：打码的客户标识", () => {
  it("says a masked key value would merge the orders into one customer, before importing", async () => {
    fs.mkdirSync(shotDir, { recursive: true });
    const file = path.join(fixtures, "抖店订单-手机号全打码.csv");
    maskedExport(file, 30);
    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
    });
    await tid("nav-import").waitForDisplayed({ timeout: 30_000 });
    await tid("nav-import").click();
    await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
    await tid("btn-import").waitForClickable({ timeout: 30_000 });
    const warning = tid("preview-warning-key_collapsed");
    await warning.waitForDisplayed({ timeout: 10_000 });
    const text = await warning.getText();
    expect(text).toContain("1**********");
    expect(text).toContain("同一位客户");
    await browser.saveScreenshot(path.join(shotDir, "import-warning-masked-key.png"));
    await tid("btn-cancel-preview").click();
    await tid("btn-open-file").waitForDisplayed({ timeout: 10_000 });
  });
});
