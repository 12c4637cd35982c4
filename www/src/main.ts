/**
 * The site's entry: translates the page, wires the language switch and
 * mounts each section (model, device, suites, run, results, history).
 */
import "./styles.css";
import { byId } from "./dom";
import { applyI18n, currentLang, onLangChange, setLang } from "./i18n";
import { mountDevice } from "./device";
import { mountHistory } from "./history";
import { mountModel } from "./model";
import { rerenderResults, showResults } from "./results";
import { mountRun } from "./run";
import { mountSuites } from "./suites";
import { state } from "./state";

function langButtons(): void {
  for (const l of ["en", "zh"] as const) byId(`lang-${l}`).setAttribute("aria-pressed", String(currentLang() === l));
}

applyI18n();
langButtons();
byId("lang-en").addEventListener("click", () => setLang("en"));
byId("lang-zh").addEventListener("click", () => setLang("zh"));
onLangChange(() => {
  langButtons();
  rerenderResults();
});
mountModel();
void mountDevice();
showResults(null);
mountHistory();
void mountSuites().then(() => {
  mountRun();
  (state as { booted?: boolean }).booted = true;
});
