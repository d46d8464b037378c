// Development only (Vite dev server in a plain browser, with the mock backend): `?demo=<screen>` loads
// the sample and opens a screen, so screens can be looked at without clicking. Never bundled in builds.
import * as api from "./api";
import { afterImport, reclassify, state, type Screen } from "./state";

export async function runDemo(params: URLSearchParams) {
  const screen = params.get("demo") as Screen | null;
  if (!screen) return;
  if (params.get("lang") === "en") {
    const { setLanguage } = await import("./state");
    await setLanguage("en", false);
  }
  if (screen !== "import" || params.get("sample")) {
    const outcome = await api.openSample().promise;
    afterImport(outcome, outcome.reports[0]?.file ?? "sample");
    const kind = params.get("method");
    if (kind) state.form.kind = kind as typeof state.form.kind;
    await reclassify();
  }
  if (screen === "history") {
    await api.saveSnapshot("5 月");
    await api.saveSnapshot("6 月");
    state.generation++;
  }
  if (screen === "import" && params.get("preview")) state.pendingPaths = ["/mock/微信小店订单.xlsx"];
  state.screen = screen;
  if (params.get("export")) state.pendingExport = "/mock/客户分层.xlsx";
  const scroll = Number(params.get("scroll") ?? 0);
  if (scroll) setTimeout(() => document.querySelector(".main")?.scrollTo({ top: scroll }), 1500);
  const click = params.get("click");
  if (click) {
    let tries = 0;
    const timer = setInterval(() => {
      const el = document.querySelector(`[data-testid="${click}"]`) as HTMLElement | null;
      if (el || ++tries > 40) {
        clearInterval(timer);
        el?.click();
      }
    }, 250);
  }
}
