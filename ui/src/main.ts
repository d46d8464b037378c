import { createApp } from "vue";
import App from "./App.vue";
import { i18n } from "./i18n";
import { askEarly, loadCatalogue } from "./state";
import { toApiError } from "./logic/errors";
import "./styles.css";

performance.mark("tb:script"); // the bundle is parsed and runs (read by tests/e2e/specs/perf.e2e.ts)
askEarly();
// Every picker and default is built from the core's catalogue, so it is fetched before the first screen.
loadCatalogue().then(
  () => {
    createApp(App).use(i18n).mount("#app");
    performance.mark("tb:mounted");
  },
  (e: unknown) => {
    // Only outside the desktop app or with a broken shell; there is nothing a screen could show.
    const root = document.getElementById("app");
    if (root) root.textContent = `${i18n.global.t("errors.fallback.title")}：${toApiError(e).message}`;
  },
);
