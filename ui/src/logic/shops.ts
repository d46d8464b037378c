// Shops (店铺) on the UI side: the backup file name offered in the save dialog and the window title
// naming the open shop. Which shops exist, their names and files come from the core (`list_shops`).

/** Characters no file system accepts in a name. */
const UNSAFE = /[<>:"/\\|?*]/g;

/** `name` with what no file system accepts (and control characters) replaced by "_". */
function fileSafe(name: string): string {
  return [...name.replace(UNSAFE, "_")]
    .map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? "_" : c))
    .join("");
}

/** `旗舰店-备份-20250301.tierbook`: the shop's name made safe for a file name, and the local date. */
export function backupFileName(shopName: string, now: Date, word = "备份"): string {
  const safe = fileSafe(shopName).trim() || "TierBook";
  const pad = (n: number) => String(n).padStart(2, "0");
  const day = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  return `${safe}-${word}-${day}.tierbook`;
}

/** "旗舰店 · 订单.xlsx — 客户分层助手": the open shop, the file last imported, the app. */
export function windowTitle(appName: string, shopName: string | null | undefined, openFile: string): string {
  const parts = [shopName, openFile].filter((p): p is string => !!p);
  return parts.length ? `${parts.join(" · ")} — ${appName}` : appName;
}

/** An RFC 3339 time (the shell's "last opened", UTC) as local "2025-03-01 09:30"; "—" when absent. */
export function localTime(iso: string | null | undefined): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A shop's imports in a few words for the sidebar: the last file's name, "+n" for the earlier ones; "" for none. */
export function sourcesLabel(sources: { file_name: string }[]): string {
  const last = sources[sources.length - 1];
  if (!last) return "";
  return sources.length === 1 ? last.file_name : `${last.file_name} +${sources.length - 1}`;
}
