/**
 * The UI's two languages. Every visible string goes through `t(key, vars)`;
 * `tr(el, key, vars)` also remembers the key on the element (`data-i18n`) so
 * that switching language rewrites the whole page in place. The choice is
 * kept in localStorage ("kaoshi-lang").
 */
import { en } from "./strings-en";
import { zh } from "./strings-zh";

export type Lang = "en" | "zh";
const DICTS: Record<Lang, Record<string, string>> = { en, zh };
const KEY = "kaoshi-lang";

function initial(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "en" || saved === "zh") return saved;
  } catch {
    /* storage refused: default below */
  }
  return navigator.language?.toLowerCase().startsWith("zh") ? "zh" : "en";
}

let lang: Lang = initial();

export function currentLang(): Lang {
  return lang;
}

/** The string `key` in the current language with `{name}` replaced by `vars.name`. */
export function t(key: string, vars?: Record<string, unknown>): string {
  const s = DICTS[lang][key] ?? DICTS.en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

/** Sets `el`'s text to `t(key, vars)` and remembers both for a language switch. */
export function tr(el: HTMLElement, key: string, vars?: Record<string, unknown>): HTMLElement {
  el.dataset.i18n = key;
  if (vars) el.dataset.i18nVars = JSON.stringify(vars);
  else delete el.dataset.i18nVars;
  el.textContent = t(key, vars);
  return el;
}

/** Re-translates every `[data-i18n]` (text) and `[data-i18n-attr]` ("attr:key;...") under `root`. */
export function applyI18n(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const vars = el.dataset.i18nVars ? (JSON.parse(el.dataset.i18nVars) as Record<string, unknown>) : undefined;
    el.textContent = t(el.dataset.i18n!, vars);
  }
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr!.split(";")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app.title");
}

const listeners: Array<() => void> = [];

/** Calls `fn` after each language switch (for content drawn from data, e.g. charts). */
export function onLangChange(fn: () => void): void {
  listeners.push(fn);
}

export function setLang(next: Lang): void {
  lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* not remembered */
  }
  applyI18n();
  for (const fn of listeners) fn();
}
