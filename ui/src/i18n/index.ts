// vue-i18n setup: zh-CN by default, en on request; the choice is persisted through save_settings.
// Number formats (`n(value, "yuan")`) come from numbers.ts, which logic/format.ts uses too.
import { createI18n } from "vue-i18n";
import zh from "./zh-CN";
import en from "./en";
import { numberFormats } from "./numbers";

export { langOf, localeOf, type UiLocale } from "./locale";

export const i18n = createI18n({
  legacy: false,
  locale: "zh-CN",
  fallbackLocale: "zh-CN",
  messages: { "zh-CN": zh, en },
  numberFormats,
  missingWarn: false,
  fallbackWarn: false,
});
