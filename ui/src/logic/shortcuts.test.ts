import { expect, test } from "vitest";
import { shortcutOf } from "./shortcuts";

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

test("Ctrl+O opens, Ctrl+E exports, Cmd works on macOS", () => {
  expect(shortcutOf(key("o", { ctrlKey: true }))).toBe("open");
  expect(shortcutOf(key("E", { ctrlKey: true }))).toBe("export");
  expect(shortcutOf(key("o", { metaKey: true }))).toBe("open");
});
test("plain letters and other combinations are left alone", () => {
  expect(shortcutOf(key("o"))).toBeNull();
  expect(shortcutOf(key("o", { ctrlKey: true, shiftKey: true }))).toBeNull();
  expect(shortcutOf(key("s", { ctrlKey: true }))).toBeNull();
});
