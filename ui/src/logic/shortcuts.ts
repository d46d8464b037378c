// Keyboard shortcuts: Ctrl+O (Cmd+O on macOS) opens a file, Ctrl+E exports.
export type Shortcut = "open" | "export";

export function shortcutOf(
  e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">,
): Shortcut | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return null;
  const k = e.key.toLowerCase();
  if (k === "o") return "open";
  if (k === "e") return "export";
  return null;
}
