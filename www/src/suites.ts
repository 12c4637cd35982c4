/**
 * The Suites section: the engine's catalog (description, licence, homepage,
 * modes), the OpenEval groups, the run options (mode, few-shot, limit, chat
 * template) and, per suite with published files, its data: download after
 * the licence is shown and confirmed, local files, or the data mirror.
 */
import { byId, errorText, h } from "./dom";
import { removeSuiteFiles, suiteFiles } from "./db";
import { suiteCatalog, type Mode, type SuiteEntry } from "./engine-api";
import { t, tr } from "./i18n";
import { downloadSuite, pickLocal } from "./suite-data";
import { emit, on, state } from "./state";
import type { RunOptionsStored } from "./db";

const MODES: Mode[] = ["loglik", "letter", "generate", "perplexity", "judge"];

export function selectedSuites(): string[] {
  return [...document.querySelectorAll<HTMLInputElement>('#suite-list input[name="suite"]:checked')].map((i) => i.value);
}

export function mirrorBase(): string {
  return byId<HTMLInputElement>("mirror-url").value.trim();
}

export function runOptions(): RunOptionsStored {
  const mode = byId<HTMLSelectElement>("opt-mode").value;
  const limit = byId<HTMLInputElement>("opt-limit").value.trim();
  const opts: RunOptionsStored = {
    numFewshot: Math.max(0, Number(byId<HTMLInputElement>("opt-fewshot").value) || 0),
    chat: byId<HTMLSelectElement>("opt-chat").value === "none" ? "none" : "auto",
  };
  if (mode !== "") opts.mode = mode as Mode;
  if (limit !== "" && Number(limit) > 0) opts.limit = Math.floor(Number(limit));
  return opts;
}

function dataMessage(suite: string, key: string, vars?: Record<string, unknown>, kind = "info"): void {
  const el = document.querySelector<HTMLElement>(`[data-suite="${suite}"] .data-message`);
  if (!el) return;
  el.className = `data-message message ${kind}`;
  tr(el, key, vars);
  state.dataMessages[suite] = t(key, vars);
}

async function refreshStatus(suite: SuiteEntry): Promise<void> {
  const el = document.querySelector<HTMLElement>(`[data-suite="${suite.name}"] .data-status`);
  if (!el || suite.source === null) return;
  const stored = await suiteFiles(suite.name).catch(() => []);
  const pinned = stored.filter((f) => f.pinned).length;
  tr(el, "suites.stored", { n: stored.length, total: suite.source.files.length, pinned });
}

function confirmPanel(suite: SuiteEntry): HTMLElement {
  const hosts = [...new Set(suite.source!.files.map((f) => new URL(f.url).host))].join(", ");
  const panel = h(
    "div",
    { class: "confirm", role: "group", "aria-label": t("suites.confirmTitle") },
    h("p", { i18n: "suites.confirmText", vars: { n: suite.source!.files.length, hosts } }),
    h("blockquote", {}, suite.source!.licence),
  );
  const yes = h("button", {
    type: "button",
    class: "confirm-download",
    i18n: "suites.confirmYes",
    onclick: async () => {
      panel.remove();
      try {
        const n = await downloadSuite(suite, (d, total, rel) => dataMessage(suite.name, "suites.downloading", { done: d, total, file: rel }));
        dataMessage(suite.name, "suites.downloaded", { n });
      } catch (e) {
        dataMessage(suite.name, "suites.dataFailed", { error: errorText(e) }, "error");
      }
      await refreshStatus(suite);
    },
  });
  const no = h("button", { type: "button", class: "secondary", i18n: "common.cancel", onclick: () => panel.remove() });
  panel.append(h("div", { class: "row" }, yes, no));
  return panel;
}

function dataControls(suite: SuiteEntry): HTMLElement {
  if (suite.source === null) return h("p", { class: "muted", i18n: "suites.builtIn" });
  const box = h("div", { class: "data" });
  const folder = h("input", { type: "file", multiple: true, webkitdirectory: true, class: "visually-hidden", id: `pick-dir-${suite.name}` });
  const files = h("input", { type: "file", multiple: true, class: "visually-hidden", id: `pick-files-${suite.name}` });
  for (const input of [folder, files]) {
    input.addEventListener("change", async () => {
      try {
        const [m, ign] = await pickLocal(suite, input.files ?? []);
        dataMessage(suite.name, m > 0 ? "suites.picked" : "suites.pickedNone", { n: m, ignored: ign }, m > 0 ? "info" : "error");
      } catch (e) {
        dataMessage(suite.name, "suites.dataFailed", { error: errorText(e) }, "error");
      }
      input.value = "";
      await refreshStatus(suite);
    });
  }
  const download = h("button", {
    type: "button",
    class: "download",
    i18n: "suites.download",
    onclick: () => {
      box.querySelector(".confirm")?.remove();
      box.append(confirmPanel(suite));
      box.querySelector<HTMLButtonElement>(".confirm-download")?.focus();
    },
  });
  box.append(
    h("p", { class: "data-status muted" }),
    h(
      "div",
      { class: "row" },
      download,
      h("label", { class: "button secondary", for: folder.id, tabindex: "0", role: "button", i18n: "suites.pickFolder", onkeydown: keyClick }),
      folder,
      h("label", { class: "button secondary", for: files.id, tabindex: "0", role: "button", i18n: "suites.pickFiles", onkeydown: keyClick }),
      files,
      h("button", {
        type: "button",
        class: "secondary",
        i18n: "suites.removeFiles",
        onclick: async () => {
          await removeSuiteFiles(suite.name);
          await refreshStatus(suite);
        },
      }),
    ),
    h("p", { class: "data-message", role: "status" }),
  );
  return box;
}

/** Enter/Space on a label styled as a button opens its file input. */
function keyClick(ev: KeyboardEvent): void {
  if (ev.key === "Enter" || ev.key === " ") {
    ev.preventDefault();
    (ev.currentTarget as HTMLLabelElement).control?.click();
  }
}

function homepage(url: string): Node {
  return /^https?:\/\//.test(url) ? h("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, url) : document.createTextNode(url);
}

function render(): void {
  const list = byId("suite-list");
  const groups = byId("groups");
  list.replaceChildren();
  groups.replaceChildren();
  const cat = state.catalog;
  if (cat === null) return;
  for (const [g, members] of Object.entries(cat.groups)) {
    groups.append(
      h("button", {
        type: "button",
        class: "secondary group",
        "data-group": g,
        title: members.join(", "),
        onclick: () => {
          for (const i of list.querySelectorAll<HTMLInputElement>('input[name="suite"]')) i.checked = members.includes(i.value);
        },
      }, `${g} (${members.length})`),
    );
  }
  for (const s of cat.suites) {
    const id = `suite-${s.name}`;
    list.append(
      h(
        "li",
        { "data-suite": s.name },
        h("div", { class: "suite-head" }, h("input", { type: "checkbox", name: "suite", value: s.name, id, checked: s.name === "demo" }), h("label", { for: id }, h("strong", {}, s.name)), h("span", { class: "modes" }, s.modes.join(" · "))),
        h("p", {}, s.description),
        h("p", { class: "muted small" }, h("span", { i18n: "suites.license" }), `: ${s.license} · `, homepage(s.homepage)),
        dataControls(s),
      ),
    );
    void refreshStatus(s);
  }
}

export async function mountSuites(): Promise<void> {
  const mode = byId<HTMLSelectElement>("opt-mode");
  mode.replaceChildren(h("option", { value: "", i18n: "suites.modeDefault" }), ...MODES.map((m) => h("option", { value: m }, m)));
  on("catalog", render);
  try {
    state.catalog = await suiteCatalog();
    state.catalogError = null;
  } catch (e) {
    state.catalogError = errorText(e);
    const msg = byId("suites-message");
    msg.className = "message error";
    tr(msg, "suites.catalogFailed", { error: errorText(e) });
  }
  emit("catalog");
}
