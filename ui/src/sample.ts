// The one-click sample dataset, usable from every empty state.
import { ref } from "vue";
import { useMessage } from "naive-ui";
import { useI18n } from "vue-i18n";
import * as api from "./api";
import { afterImport, errorWords, reclassify, state } from "./state";
import { baseName } from "./logic/format";

const running = ref(false);

export function useSample() {
  const message = useMessage();
  const { t } = useI18n();
  async function start() {
    if (running.value || state.busy) return;
    running.value = true;
    state.busy = true;
    try {
      const outcome = await api.openSample().promise;
      afterImport(outcome, outcome.reports[0]?.file ? baseName(outcome.reports[0].file) : t("common.openSample"));
      await reclassify();
      state.screen = "tiers";
    } catch (e) {
      const d = errorWords(e);
      message.error(`${d.title}：${d.detail || d.hint}`, { duration: 6000 });
    } finally {
      running.value = false;
      state.busy = false;
    }
  }
  return { running, start };
}
