/**
 * The suite API of the kaoshi package, as the site uses it: the catalog,
 * `Engine.runSuite`, `Engine.resultsJson` and their types, re-exported from
 * one place so the rest of the site imports them from here.
 */
import type { Engine, ResultsRun, RunSuiteOptions, RunSuiteRequest, TaskOutcome } from "kaoshi";

export { suiteCatalog } from "kaoshi";
export type {
  Mode,
  ResultsRun,
  RunSuiteOptions,
  RunSuiteRequest,
  SampleRecord,
  SuiteCatalog,
  SuiteEntry,
  SuiteFile,
  TaskOutcome,
} from "kaoshi";

/** One subject's or breakdown value's score in a {@link TaskOutcome}. */
export interface GroupScore {
  n: number;
  acc: number;
}

export function runSuite(engine: Engine, request: RunSuiteRequest, options?: RunSuiteOptions): Promise<TaskOutcome> {
  return engine.runSuite(request, options);
}

export function resultsJson(engine: Engine, outcomes: TaskOutcome[], run: ResultsRun): Promise<Record<string, unknown>> {
  return engine.resultsJson(outcomes, run);
}
