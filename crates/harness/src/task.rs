//! [`TaskRun`]: one suite's run apart from the model and from storage, and
//! the [`TaskOutcome`] it aggregates. No file is read or written here: the
//! CLI journals records to a file (`crate::run_suite`), the browser to its
//! own storage.

use kaoshi_eval::suite::Skip;
use kaoshi_eval::{Item, Mode, Suite, SuiteData};
use kaoshi_tokenizer::Tokenizer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::encode::PromptEncoder;
use crate::error::HarnessError;
use crate::execute::{ItemRequest, ItemResponse, Planner};
use crate::journal;
use crate::metrics::{TaskMetrics, aggregate};
use crate::options::RunOptions;
use crate::record::SampleRecord;

/// What running one suite produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskOutcome {
    /// Task name.
    pub task: String,
    /// Mode used.
    pub mode: Mode,
    /// Few-shot count used.
    pub num_fewshot: usize,
    /// Items the suite has.
    pub n_original: usize,
    /// Items evaluated (after `limit`).
    pub n_effective: usize,
    /// Items found in the journal from an earlier, interrupted run.
    pub n_resumed: usize,
    /// Rows the loader skipped.
    pub skipped: Vec<Skip>,
    /// Metrics.
    pub metrics: TaskMetrics,
    /// sha256 of every rendered prompt, in item order.
    pub prompt_hash: String,
    /// Whether the chat template was applied.
    pub chat_template: bool,
    /// Seconds spent on items in this run.
    pub seconds: f64,
    /// Items per second in this run.
    pub items_per_second: f64,
    /// Where the judge prompt comes from (judge mode).
    pub judge_prompt_source: Option<String>,
}

/// Item fields that reports break accuracy down by, when present.
const BREAKDOWN_FIELDS: &[&str] = &["category", "grade", "reasoning_step", "context_condition", "type", "lang"];

/// One suite's run, apart from the model and from where records are kept:
/// the CLI journals records to a file ([`run_suite`]), the browser to its
/// own storage. It knows which items are left (those not among the records
/// of an earlier, interrupted run), renders each into an [`ItemRequest`]
/// ([`TaskRun::plan`]), scores the model's answer ([`TaskRun::score`]) and
/// aggregates the records into a [`TaskOutcome`].
pub struct TaskRun<'a> {
    suite: &'a dyn Suite,
    data: &'a SuiteData,
    items: &'a [Item],
    mode: Mode,
    num_fewshot: usize,
    encoder: PromptEncoder<'a>,
    tok: &'a Tokenizer,
    ppl_window: usize,
    context_length: usize,
    records: Vec<SampleRecord>,
    n_resumed: usize,
}

impl<'a> TaskRun<'a> {
    /// The mode `opts` asks for (the suite's default when none), checked
    /// against the suite's modes.
    pub fn mode_of(suite: &dyn Suite, opts: &RunOptions) -> Result<Mode, HarnessError> {
        let info = suite.info();
        let mode = opts.mode.unwrap_or(info.modes[0]);
        if !info.modes.contains(&mode) {
            return Err(HarnessError::BadMode {
                suite: info.name.into(),
                mode: mode.as_str(),
                available: info.modes.iter().map(Mode::as_str).collect::<Vec<_>>().join(", "),
            });
        }
        Ok(mode)
    }

    /// Prepares the run of `suite` over `data` (the first `opts.limit`
    /// items) for a model with this tokenizer and context length.
    /// `previous` are records of an earlier run of the same task: those of
    /// items in this run count as done (a record in another mode is an
    /// error); `opts.output` and `opts.judge` are not used here.
    pub fn new(
        tok: &'a Tokenizer,
        context_length: usize,
        suite: &'a dyn Suite,
        data: &'a SuiteData,
        opts: &RunOptions,
        mut previous: Vec<SampleRecord>,
    ) -> Result<Self, HarnessError> {
        let mode = Self::mode_of(suite, opts)?;
        let items: &[Item] = match opts.limit {
            Some(n) => &data.items[..n.min(data.items.len())],
            None => &data.items,
        };
        previous.retain(|r| items.iter().any(|i| i.id == r.doc_id));
        if let Some(r) = previous.iter().find(|r| r.mode != mode) {
            return Err(HarnessError::Journal(format!(
                "holds items scored in {} mode; this run asks for {}",
                r.mode.as_str(),
                mode.as_str()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        previous.retain(|r| seen.insert(r.doc_id.clone()));
        Ok(Self {
            suite,
            data,
            items,
            mode,
            num_fewshot: opts.num_fewshot,
            encoder: PromptEncoder::new(tok, opts.chat)?,
            tok,
            ppl_window: opts.ppl_window,
            context_length,
            n_resumed: previous.len(),
            records: previous,
        })
    }

    /// The item at `index`.
    pub fn item(&self, index: usize) -> &'a Item {
        &self.items[index]
    }

    /// Indices of the items not yet done, in order.
    pub fn pending(&self) -> Vec<usize> {
        let done = journal::done_ids(&self.records);
        (0..self.items.len()).filter(|&i| !done.contains(&self.items[i].id)).collect()
    }

    fn planner(&self) -> Planner<'_> {
        Planner {
            tok: self.tok,
            encoder: &self.encoder,
            suite: self.suite,
            ppl_window: self.ppl_window,
            context_length: self.context_length,
        }
    }

    /// Renders item `index` (with its few-shot exemplars) into its record
    /// so far and its request to the model.
    pub fn plan(&self, index: usize) -> Result<(SampleRecord, ItemRequest), HarnessError> {
        let item = &self.items[index];
        let fewshot: Vec<&Item> = self
            .data
            .dev
            .iter()
            .filter(|d| d.subject == item.subject && d.id != item.id)
            .take(self.num_fewshot)
            .collect();
        let prompt = self.suite.prompt(item, &fewshot, self.mode);
        self.planner().plan(self.suite.info().name, item, self.mode, &prompt)
    }

    /// Scores the model's answer to item `index`'s request.
    pub fn score(
        &self,
        index: usize,
        rec: SampleRecord,
        req: &ItemRequest,
        resp: ItemResponse,
    ) -> Result<SampleRecord, HarnessError> {
        self.planner().finish(&self.items[index], rec, req, resp)
    }

    /// Adds a finished record; returns (records so far, items in the run).
    pub fn push(&mut self, rec: SampleRecord) -> (usize, usize) {
        self.records.push(rec);
        (self.records.len(), self.items.len())
    }

    /// The last record added.
    pub fn last(&self) -> Option<&SampleRecord> {
        self.records.last()
    }

    /// The task's outcome from every record; `seconds` spent running `ran`
    /// items in this run (for throughput).
    pub fn outcome(mut self, seconds: f64, ran: usize) -> TaskOutcome {
        let info = self.suite.info();
        // Journal order is completion order; report in item order.
        let order: std::collections::HashMap<&str, usize> =
            self.items.iter().enumerate().map(|(i, it)| (it.id.as_str(), i)).collect();
        self.records.sort_by_key(|r| order.get(r.doc_id.as_str()).copied().unwrap_or(usize::MAX));
        let mut h = Sha256::new();
        for r in &self.records {
            h.update(r.prompt.as_bytes());
            h.update([0u8]);
        }
        TaskOutcome {
            task: info.name.into(),
            mode: self.mode,
            num_fewshot: self.num_fewshot,
            n_original: self.data.items.len(),
            n_effective: self.items.len(),
            n_resumed: self.n_resumed,
            skipped: self.data.skipped.clone(),
            metrics: aggregate(&self.records, BREAKDOWN_FIELDS, self.suite.metrics()),
            prompt_hash: hex(&h.finalize()),
            chat_template: self.encoder.uses_chat(),
            seconds,
            items_per_second: if seconds > 0.0 { ran as f64 / seconds } else { 0.0 },
            judge_prompt_source: (self.mode == Mode::Judge)
                .then(|| self.suite.judge_source().map(String::from))
                .flatten(),
        }
    }
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
