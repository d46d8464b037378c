// The one-click sample dataset, usable from every empty state.
import { ref } from "vue";
import { useMessage } from "naive-ui";
import { useI18n } from "vue-i18n";
import * as api from "./api";
import { afterImport, reclassify, state } from "./state";
import { describeError } from "./logic/errors";
import { baseName } from "./logic/format";

const running = ref(false);

export function useSample() {
  const message = useMessage();
  const { t, te } = useI18n();
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
      const d = describeError(e, (k) => t(k), (k) => te(k));
      message.error(`${d.title}：${d.detail || d.hint}`, { duration: 6000 });
    } finally {
      running.value = false;
      state.busy = false;
    }
  }
  return { running, start };
}
