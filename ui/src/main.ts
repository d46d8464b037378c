import { createApp } from "vue";
import App from "./App.vue";
import { i18n } from "./i18n";
import { loadCatalogue } from "./state";
import { toApiError } from "./logic/errors";
import "./styles.css";

// Every picker and default is built from the core's catalogue, so it is fetched before the first screen.
loadCatalogue().then(
  () => createApp(App).use(i18n).mount("#app"),
  (e: unknown) => {
    // Only outside the desktop app or with a broken shell; there is nothing a screen could show.
    const root = document.getElementById("app");
    if (root) root.textContent = `${i18n.global.t("errors.fallback.title")}：${toApiError(e).message}`;
  },
);
