// vue-i18n setup: zh-CN by default, en on request; the choice is persisted through save_settings.
import { createI18n } from "vue-i18n";
import zh from "./zh-CN";
import en from "./en";

export type UiLocale = "zh-CN" | "en";

export const i18n = createI18n({
  legacy: false,
  locale: "zh-CN",
  fallbackLocale: "zh-CN",
  messages: { "zh-CN": zh, en },
  missingWarn: false,
  fallbackWarn: false,
});

export const localeOf = (lang: "zh" | "en"): UiLocale => (lang === "en" ? "en" : "zh-CN");
export const langOf = (locale: string): "zh" | "en" => (locale === "en" ? "en" : "zh");
