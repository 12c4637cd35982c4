//! LFED (tjunlp-lab/LFED): literary-fiction knowledge questions about 95
//! novels, one GBK-encoded CSV `LFED.csv` with header
//! `名字,题目,选项1,选项2,选项3,选项4,答案` (answer A–D = 选项1–选项4).
//!
//! The file is decoded strictly as GBK: an undecodable byte is a
//! [`DataError::Encoding`] with its offset, never replaced. There is no dev
//! split, so few-shot is unavailable. Subject = the novel (`名字`).

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{check_mc, column, decode_gbk, parse_csv, read_bytes, skip};
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo};

/// The LFED suite.
pub struct Lfed;

impl Suite for Lfed {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "lfed",
            description: "LFED: Chinese literary-fiction knowledge, 1,304 questions on 95 novels",
            license: "MIT",
            homepage: "https://github.com/tjunlp-lab/LFED",
            template_source: "none published in tjunlp-lab/LFED (README only); kaoshi uses \
                              CMMLU's (haonan-li/CMMLU src/mp_utils.py) with the novel title",
            modes: &[Mode::Letter, Mode::Loglik, Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let path = dir.join("LFED.csv");
        let text = decode_gbk(&path, &read_bytes(&path)?)?;
        let (header, rows) = parse_csv(&path, &text)?;
        if rows.is_empty() {
            return Err(DataError::Empty {
                path, hint: "expected rows 名字,题目,选项1..选项4,答案".to_string()
            });
        }
        let novel_col = column(&path, &header, "名字")?;
        let q_col = column(&path, &header, "题目")?;
        let opt_cols = ["选项1", "选项2", "选项3", "选项4"]
            .iter()
            .map(|c| column(&path, &header, c))
            .collect::<Result<Vec<_>, _>>()?;
        let ans_col = column(&path, &header, "答案")?;
        let mut data = SuiteData::default();
        for row in rows {
            let f = &row.fields;
            let options: Vec<String> = opt_cols.iter().map(|&c| f[c].clone()).collect();
            let answer = match check_mc(&f[q_col], &options, &f[ans_col]) {
                Ok(a) => a,
                Err(reason) => {
                    data.skipped.push(skip(&path, row.line, reason));
                    continue;
                }
            };
            let novel = f[novel_col].clone();
            let mut fields = BTreeMap::new();
            fields.insert("novel".to_string(), novel.clone());
            data.items.push(Item {
                id: format!("LFED.csv:{}", row.line),
                subject: novel,
                question: f[q_col].clone(),
                choices: options,
                answer: Answer::Choice(answer),
                fields,
            });
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path, hint: "expected rows 名字,题目,选项1..选项4,答案".to_string()
            });
        }
        Ok(data)
    }

    /// CMMLU's template (LFED publishes none): header
    /// `以下是关于{名字}的单项选择题，请直接给出正确答案的选项。\n\n`, item
    /// `题目：{题目}\nA. {选项1}\n…\nD. {选项4}\n答案是：`.
    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        super::cmmlu::render(&item.subject, item, fewshot, mode)
    }
}
