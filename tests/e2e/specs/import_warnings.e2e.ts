// A masked customer key in the real window: a 抖店-style export whose every buyer's phone is masked as
// 1********** is previewed, and the preview says, before anything is imported, that its orders would be
// counted as one customer. A file without a header (CDNOW's bare `00001 19970101 1 11.77` lines) is
// previewed too: its columns are named from their values and the preview says so. Each preview is
// then cancelled: nothing is imported, so the data folder the specs share is left as it was.
// A customer table with days since the last purchase instead of dates (Kaggle's RFM tables) is
// previewed: the days column's role is shown and the preview says the dates are counted back from the
// file's own date.
// Screenshots: target/e2e-screenshots/import-warning-masked-key.png, import-headerless.png,
// import-recency-days.png.
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

/** Opens `file` in the import preview and returns the text of its warning `code`. */
async function previewWarning(file: string, code: string): Promise<string> {
  await tid("nav-import").waitForDisplayed({ timeout: 30_000 });
  await tid("nav-import").click();
  await browser.execute((p: string) => (window as any).__tierbookTest.importPath(p), file);
  await tid("btn-import").waitForClickable({ timeout: 30_000 });
  const warning = tid(`preview-warning-${code}`);
  await warning.waitForDisplayed({ timeout: 10_000 });
  return warning.getText();
}

/** Leaves the preview without importing anything. */
async function cancelPreview() {
  await tid("btn-cancel-preview").click();
  await tid("btn-open-file").waitForDisplayed({ timeout: 10_000 });
}

describe("导入预览：打码的客户标识与没有表头的文件", () => {
  it("says a masked key value would merge the orders into one customer, before importing", async () => {
    fs.mkdirSync(shotDir, { recursive: true });
    const file = path.join(fixtures, "抖店订单-手机号全打码.csv");
    maskedExport(file, 30);
    await browser.waitUntil(async () => browser.execute(() => Boolean((window as any).__tierbookTest)), {
      timeout: 30_000,
    });
    const text = await previewWarning(file, "key_collapsed");
    expect(text).toContain("1**********");
    expect(text).toContain("同一位客户");
    await browser.saveScreenshot(path.join(shotDir, "import-warning-masked-key.png"));
    await cancelPreview();
  });

  it("reads a file whose first line is already data by its values, and says how", async () => {
    const file = path.join(fixtures, "CDNOW_master.txt");
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = String(1 + (i % 12)).padStart(5, "0");
      const day = String(1 + (i % 28)).padStart(2, "0");
      lines.push(`${id} 199703${day}  ${1 + (i % 3)}   ${(10 + i * 1.37).toFixed(2)}`);
    }
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const text = await previewWarning(file, "header_inferred");
    expect(text).toContain("没有表头");
    expect(text).toContain("第 4 列为金额");
    await browser.saveScreenshot(path.join(shotDir, "import-headerless.png"));
    // The header-row select shows its choice in a nested label that WebKit's getText does not see.
    const headerRow = await browser.execute(
      () => document.querySelector('[data-testid="header-row"]')?.textContent ?? "",
    );
    expect(headerRow).toContain("无");
    await cancelPreview();
  });

  it("dates a customer table's last purchases back from the file's date when it has only days since them", async () => {
    // Kaggle's precomputed RFM table: no date column, Recency in days. Written "on" 2011-12-10.
    const file = path.join(fixtures, "rfm_data.csv");
    const rows = ["CustomerID,Recency,Frequency,Monetary"];
    for (let i = 0; i < 30; i++)
      rows.push(`${12346 + i},${1 + ((i * 37) % 370)},${1 + (i % 9)},${(50 + i * 13.1).toFixed(2)}`);
    fs.writeFileSync(file, rows.join("\n") + "\n");
    const written = new Date(2011, 11, 10, 12, 0, 0);
    fs.utimesSync(file, written, written);
    const text = await previewWarning(file, "recency_dated_back");
    expect(text).toContain("Recency");
    expect(text).toContain("2011-12-10");
    const roles = await browser.execute(() => document.querySelector(".preview-wrap")?.textContent ?? "");
    expect(roles).toContain("距上次消费天数");
    await browser.saveScreenshot(path.join(shotDir, "import-recency-days.png"));
    await cancelPreview();
  });
});
