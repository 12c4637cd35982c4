//! CMMLU (haonan-li/CMMLU): Chinese multiple choice in 67 subjects.
//!
//! Files: `test/<subject>.csv` (scored) and `dev/<subject>.csv` (5 few-shot
//! exemplars each), header `,Question,A,B,C,D,Answer` (first column is a
//! 0-based row index). The Chinese subject name used by the prompt and the
//! category come from the table below (haonan-li/CMMLU src/categories.py).

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{
    LETTERS, check_mc, column, dotted_options, lettered_prompt, list_files, parse_csv, read_utf8, skip, stem,
};
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo};

/// The CMMLU suite.
pub struct Cmmlu;

/// `(subject, name_en2zh[subject], subcategories[subject][0], category,
/// "china specific" in subcategories[subject])`, copied from
/// haonan-li/CMMLU src/categories.py (`name_en2zh`, `subcategories`,
/// `categories`); the category is the group of the first subcategory.
const SUBJECTS: &[(&str, &str, &str, &str, bool)] = &[
    ("agronomy", "农学", "other", "Other", false),
    ("anatomy", "解剖学", "biology", "STEM", false),
    ("ancient_chinese", "古汉语", "linguistics", "Social Science", true),
    ("arts", "艺术学", "arts", "Humanities", false),
    ("astronomy", "天文学", "physics", "STEM", false),
    ("business_ethics", "商业伦理", "business", "Social Science", false),
    ("chinese_civil_service_exam", "中国公务员考试", "politics", "Social Science", true),
    ("chinese_driving_rule", "中国驾驶规则", "other", "Other", true),
    ("chinese_food_culture", "中国饮食文化", "culture", "Social Science", true),
    ("chinese_foreign_policy", "中国外交政策", "politics", "Social Science", true),
    ("chinese_history", "中国历史", "history", "Humanities", true),
    ("chinese_literature", "中国文学", "literature", "Humanities", true),
    ("chinese_teacher_qualification", "中国教师资格", "education", "Social Science", true),
    ("clinical_knowledge", "临床知识", "other", "Other", false),
    ("college_actuarial_science", "大学精算学", "math", "STEM", false),
    ("college_education", "大学教育学", "education", "Social Science", false),
    ("college_engineering_hydrology", "大学工程水文学", "engineering", "STEM", false),
    ("college_law", "大学法律", "law", "Humanities", false),
    ("college_mathematics", "大学数学", "math", "STEM", false),
    ("college_medical_statistics", "大学医学统计", "statistics", "STEM", false),
    ("college_medicine", "大学医学", "other", "Other", false),
    ("computer_security", "计算机安全", "other", "Other", false),
    ("conceptual_physics", "概念物理学", "physics", "STEM", false),
    ("construction_project_management", "建设工程管理", "other", "Other", true),
    ("economics", "经济学", "economics", "Social Science", false),
    ("education", "教育学", "education", "Social Science", false),
    ("electrical_engineering", "电气工程", "engineering", "STEM", false),
    ("elementary_chinese", "小学语文", "linguistics", "Social Science", true),
    ("elementary_commonsense", "小学常识", "other", "Other", true),
    ("elementary_information_and_technology", "小学信息技术", "other", "Other", false),
    ("elementary_mathematics", "初等数学", "math", "STEM", false),
    ("ethnology", "民族学", "culture", "Social Science", true),
    ("food_science", "食品科学", "other", "Other", false),
    ("genetics", "遗传学", "biology", "STEM", false),
    ("global_facts", "全球事实", "global", "Humanities", false),
    ("high_school_biology", "高中生物", "biology", "STEM", false),
    ("high_school_chemistry", "高中化学", "chemistry", "STEM", false),
    ("computer_science", "计算机科学", "computer science", "STEM", false),
    ("high_school_geography", "高中地理", "geography", "Social Science", false),
    ("high_school_mathematics", "高中数学", "math", "STEM", false),
    ("high_school_physics", "高中物理学", "physics", "STEM", false),
    ("high_school_politics", "高中政治", "politics", "Social Science", true),
    ("human_sexuality", "人类性行为", "other", "Other", false),
    ("international_law", "国际法学", "law", "Humanities", false),
    ("journalism", "新闻学", "sociology", "Social Science", false),
    ("jurisprudence", "法理学", "law", "Humanities", false),
    ("legal_and_moral_basis", "法律与道德基础", "other", "Other", false),
    ("logical", "逻辑学", "philosophy", "Humanities", false),
    ("machine_learning", "机器学习", "computer science", "STEM", false),
    ("management", "管理学", "business", "Social Science", false),
    ("marketing", "市场营销", "business", "Social Science", false),
    ("marxist_theory", "马克思主义理论", "philosophy", "Humanities", false),
    ("modern_chinese", "现代汉语", "linguistics", "Social Science", true),
    ("nutrition", "营养学", "other", "Other", false),
    ("philosophy", "哲学", "philosophy", "Humanities", false),
    ("professional_accounting", "专业会计", "business", "Social Science", false),
    ("professional_law", "专业法学", "law", "Humanities", false),
    ("professional_medicine", "专业医学", "other", "Other", false),
    ("professional_psychology", "专业心理学", "psychology", "Social Science", false),
    ("public_relations", "公共关系", "politics", "Social Science", false),
    ("security_study", "安全研究", "politics", "Social Science", false),
    ("sociology", "社会学", "culture", "Social Science", false),
    ("sports_science", "体育学", "other", "Other", false),
    ("traditional_chinese_medicine", "中医中药", "other", "Other", true),
    ("virology", "病毒学", "biology", "STEM", false),
    ("world_history", "世界历史", "history", "Humanities", false),
    ("world_religions", "世界宗教", "global", "Humanities", false),
];

fn subject_info(subject: &str) -> Option<&'static (&'static str, &'static str, &'static str, &'static str, bool)> {
    SUBJECTS.iter().find(|s| s.0 == subject)
}

fn load_split(dir: &Path, split: &str, skipped: &mut Vec<Skip>) -> Result<Vec<Item>, DataError> {
    let mut items = Vec::new();
    for path in list_files(&dir.join(split), ".csv")? {
        let subject = stem(&path, ".csv").to_string();
        let Some(&(_, zh, subcategory, category, china)) = subject_info(&subject) else {
            return Err(DataError::malformed(
                &path,
                1,
                format!("subject {subject:?} is not in CMMLU's src/categories.py"),
            ));
        };
        let (header, rows) = parse_csv(&path, &read_utf8(&path)?)?;
        if rows.is_empty() {
            continue; // an empty or header-only file adds nothing
        }
        let q_col = column(&path, &header, "Question")?;
        let opt_cols = ["A", "B", "C", "D"].iter().map(|c| column(&path, &header, c)).collect::<Result<Vec<_>, _>>()?;
        let ans_col = column(&path, &header, "Answer")?;
        for row in rows {
            let f = &row.fields;
            let options: Vec<String> = opt_cols.iter().map(|&c| f[c].clone()).collect();
            let answer = match check_mc(&f[q_col], &options, &f[ans_col]) {
                Ok(a) => a,
                Err(reason) => {
                    skipped.push(skip(&path, row.line, reason));
                    continue;
                }
            };
            let mut fields = BTreeMap::new();
            fields.insert("subject_zh".to_string(), zh.to_string());
            fields.insert("subcategory".to_string(), subcategory.to_string());
            fields.insert("category".to_string(), category.to_string());
            fields.insert("china_specific".to_string(), china.to_string());
            items.push(Item {
                id: format!("{subject}/{split}/{}", f[0]),
                subject: subject.clone(),
                question: f[q_col].clone(),
                choices: options,
                answer: Answer::Choice(answer),
                fields,
            });
        }
    }
    Ok(items)
}

/// `题目：{Question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n答案是：` —
/// `format_example` in haonan-li/CMMLU src/mp_utils.py.
fn format_example(item: &Item) -> String {
    format!("题目：{}{}\n答案是：", item.question, dotted_options(&item.choices))
}

impl Suite for Cmmlu {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "cmmlu",
            description: "CMMLU: Chinese multi-subject multiple choice, 67 subjects (test split scored)",
            license: "CC BY-NC-SA 4.0",
            homepage: "https://github.com/haonan-li/CMMLU",
            template_source: "haonan-li/CMMLU src/mp_utils.py (gen_prompt, format_example)",
            modes: &[Mode::Letter, Mode::Loglik, Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let mut skipped = Vec::new();
        let items = load_split(dir, "test", &mut skipped)?;
        if items.is_empty() {
            return Err(DataError::Empty {
                path: dir.join("test"),
                hint: "expected test/<subject>.csv files".to_string(),
            });
        }
        let dev =
            if crate::files::is_dir(&dir.join("dev")) { load_split(dir, "dev", &mut skipped)? } else { Vec::new() };
        Ok(SuiteData { items, dev, skipped })
    }

    /// `以下是关于{中文科目名}的单项选择题，请直接给出正确答案的选项。\n\n`, then
    /// each exemplar as `format_example` + `{Answer}\n\n`, then the item ending
    /// in `答案是：` (haonan-li/CMMLU src/mp_utils.py `gen_prompt`, non-CoT).
    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        let subject = item.fields.get("subject_zh").unwrap_or(&item.subject);
        render(subject, item, fewshot, mode)
    }
}

/// CMMLU's prompt (haonan-li/CMMLU src/mp_utils.py `gen_prompt` +
/// `format_example`, non-CoT) with `subject` as the subject name; shared with
/// the suites whose authors publish no template of their own (M3KE, LFED).
pub(crate) fn render(subject: &str, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
    let mut context = format!("以下是关于{subject}的单项选择题，请直接给出正确答案的选项。\n\n");
    for ex in fewshot {
        context.push_str(&format_example(ex));
        if let Answer::Choice(a) = ex.answer {
            context.push_str(LETTERS[a]);
        }
        context.push_str("\n\n");
    }
    context.push_str(&format_example(item));
    lettered_prompt(context, item.choices.len(), mode)
}
