import { describe, expect, test } from "vitest";
import {
  baseName,
  daysBetween,
  dirName,
  formatBytes,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatFen,
  formatInt,
  formatPct,
  formatShare,
  formatThreshold,
  formatYuan,
  formatYuanShort,
  isMaskedPhone,
} from "./format";

describe("money", () => {
  test("yuan gets ¥, thousands separators and two decimals", () => {
    expect(formatYuan(1234567.5)).toBe("¥1,234,567.50");
    expect(formatYuan(0)).toBe("¥0.00");
    expect(formatYuan(999.999)).toBe("¥1,000.00");
  });
  test("negative yuan reads -¥ and a value rounding to zero is not negative", () => {
    expect(formatYuan(-12)).toBe("-¥12.00");
    expect(formatYuan(-0.001)).toBe("¥0.00");
  });
  test("fen are formatted exactly, without float drift", () => {
    expect(formatFen(123456)).toBe("¥1,234.56");
    expect(formatFen(5)).toBe("¥0.05");
    expect(formatFen(-1999)).toBe("-¥19.99");
    // 0.1 + 0.2 style drift would show in a float path: 30 fen must be ¥0.30.
    expect(formatFen(10 + 20)).toBe("¥0.30");
    expect(formatFen(900719925474099)).toBe("¥9,007,199,254,740.99");
  });
  test("non-finite money shows a dash instead of NaN", () => {
    expect(formatYuan(NaN)).toBe("—");
    expect(formatFen(Infinity)).toBe("—");
  });
  test("short money has three significant digits with 万 and 亿 in Chinese, K/M in English", () => {
    expect(formatYuanShort(513820.37, "zh")).toBe("¥51.4万");
    expect(formatYuanShort(123456789, "zh")).toBe("¥1.23亿");
    expect(formatYuanShort(12345, "zh")).toBe("¥1.23万");
    expect(formatYuanShort(8560, "zh")).toBe("¥8560");
    expect(formatYuanShort(92.5, "zh")).toBe("¥92.5");
    expect(formatYuanShort(-5000000, "zh")).toBe("-¥500万");
    expect(formatYuanShort(2500000, "en")).toBe("¥2.5M");
    expect(formatYuanShort(513820, "en")).toBe("¥514K");
    expect(formatYuanShort(8560, "en")).toBe("¥8.56K");
    expect(formatYuanShort(NaN, "en")).toBe("—");
  });
});

describe("numbers and shares", () => {
  test("shares 0–1 become percentages", () => {
    expect(formatShare(0.8)).toBe("80.0%");
    expect(formatShare(0.12345, 2)).toBe("12.35%");
    expect(formatPct(80)).toBe("80%");
    expect(formatPct(33.333, 1)).toBe("33.3%");
  });
  test("decimals only as many as needed, with separators", () => {
    expect(formatDecimal(2.5)).toBe("2.5");
    expect(formatDecimal(3)).toBe("3");
    expect(formatDecimal(12345.678)).toBe("12,345.68");
    expect(formatDecimal(4.04, 1)).toBe("4");
  });
  test("integers get separators", () => {
    expect(formatInt(1234567)).toBe("1,234,567");
    expect(formatInt(-1000)).toBe("-1,000");
  });
  test("threshold values keep their unit", () => {
    expect(formatThreshold(1280.5, "¥")).toBe("¥1,280.50");
    expect(formatThreshold(30, "天")).toBe("30 天");
    expect(formatThreshold(2.5, "单")).toBe("2.5 单");
    expect(formatThreshold(80, "%")).toBe("80%");
    expect(formatThreshold(12345.5, "分")).toBe("12,345.5 分");
  });
  test("bytes", () => {
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(30 * 1024 * 1024)).toBe("30 MB");
  });
});

describe("dates", () => {
  test("ISO dates in Chinese style and ISO in English", () => {
    expect(formatDate("2025-03-05", "zh")).toBe("2025年3月5日");
    expect(formatDate("2025-03-05T14:22:10", "en")).toBe("2025-03-05");
    expect(formatDate(null)).toBe("—");
    expect(formatDate("unknown")).toBe("unknown");
  });
  test("date-times drop seconds", () => {
    expect(formatDateTime("2025-03-05T14:22:10")).toBe("2025-03-05 14:22");
    expect(formatDateTime("2025-03-05 14:22:10")).toBe("2025-03-05 14:22");
  });
  test("days between two dates", () => {
    expect(daysBetween("2025-02-27", "2025-03-01")).toBe(2);
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
  });
});

describe("paths and phones", () => {
  test("file and folder names from Windows and Unix paths", () => {
    expect(baseName("C:\\Users\\店主\\订单.xlsx")).toBe("订单.xlsx");
    expect(baseName("/home/u/订单.csv")).toBe("订单.csv");
    expect(dirName("/home/u/订单.csv")).toBe("/home/u");
    expect(dirName("C:\\a\\b.xlsx")).toBe("C:\\a");
  });
  test("masked phones are recognised, full numbers are not", () => {
    expect(isMaskedPhone("138****1234")).toBe(true);
    expect(isMaskedPhone(" 138＊＊＊＊1234 ")).toBe(true);
    expect(isMaskedPhone("13800138000")).toBe(false);
    expect(isMaskedPhone("张三")).toBe(false);
  });
});
