// The UI's locales and the core's `Lang` they stand for (the core says "zh"/"en", vue-i18n and Intl "zh-CN"/"en").

export type UiLocale = "zh-CN" | "en";

export const localeOf = (lang: "zh" | "en"): UiLocale => (lang === "en" ? "en" : "zh-CN");
export const langOf = (locale: string): "zh" | "en" => (locale === "en" ? "en" : "zh");
