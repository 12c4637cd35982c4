//! Chat template rendering.
//!
//! GGUF files (key `tokenizer.chat_template`) and Hugging Face tokenizers
//! (`tokenizer_config.json`, `chat_template`) ship a Jinja template that turns
//! a list of chat messages into the exact prompt string the model was trained
//! on. [`ChatTemplate`] compiles such a template once with [`minijinja`] and
//! renders it with the same environment Hugging Face `transformers` gives
//! templates in `apply_chat_template`:
//!
//! * variables `messages` (a list of `{role, content}` maps),
//!   `add_generation_prompt`, `bos_token`, `eos_token`, `tools = none` and
//!   `documents = none`; `custom_tools`, `builtin_tools` and
//!   `tools_in_user_message` stay undefined, so templates fall back to their
//!   own defaults; `date_string` is defined only when
//!   [`RenderOptions::date_string`] is set;
//! * functions `raise_exception(msg)` (fails rendering with
//!   [`ChatTemplateError::Render`] whose message is `msg` verbatim) and
//!   `strftime_now(fmt)`, which is deterministic here: it formats
//!   [`RenderOptions::date_string`] when that parses as `"%d %b %Y"`
//!   (returning it verbatim otherwise), else the fixed date
//!   [`DEFAULT_DATE`] (26 Jul 2024, the default the Llama 3.x templates use
//!   themselves), at 00:00:00;
//! * filter `tojson` with Python `json.dumps` output (`ensure_ascii=False`
//!   by default, `indent`, `separators`, `sort_keys` keyword arguments, no
//!   HTML escaping) and a `trim` filter that strips what Python's
//!   `str.strip()` strips;
//! * Python string/dict/list methods (`.strip()`, `.startswith()`,
//!   `.split()`, `.items()`, ...) through `minijinja-contrib`'s `pycompat`;
//! * `trim_blocks` and `lstrip_blocks` on, `keep_trailing_newline` off, no
//!   auto-escaping, lenient undefined values (printing an undefined variable
//!   yields an empty string, as in Jinja2's default `Undefined`), and loop
//!   controls (`{% break %}` / `{% continue %}`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};

/// The date `strftime_now` reports when [`RenderOptions::date_string`] is
/// not set: 26 July 2024, the `date_string` default written in Meta's
/// Llama 3.1 / 3.2 chat templates (`"26 Jul 2024"`).
pub const DEFAULT_DATE: &str = "26 Jul 2024";

/// Name under which the template is registered in its environment (shows
/// up in error messages).
const TEMPLATE_NAME: &str = "chat_template";

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChatMessage {
    /// `"system"`, `"user"`, `"assistant"`, ... (whatever the template knows).
    pub role: String,
    /// The message text.
    pub content: String,
}

impl ChatMessage {
    /// Convenience constructor.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self { role: role.into(), content: content.into() }
    }
}

/// Why a chat template could not be compiled or rendered.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum ChatTemplateError {
    /// The template does not parse as Jinja.
    #[error("chat template syntax error: {message}")]
    Syntax {
        /// Description from the template engine, with the line number.
        message: String,
    },
    /// Rendering failed (including the template's own raise_exception).
    ///
    /// When the template called `raise_exception(msg)`, `message` is `msg`
    /// exactly; otherwise it is the engine's description of the failure.
    #[error("chat template rendering failed: {message}")]
    Render {
        /// What went wrong.
        message: String,
    },
}

/// Options for [`ChatTemplate::render`], mirroring the keyword arguments of
/// `transformers`' `apply_chat_template`.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Append the header that starts the assistant's reply.
    pub add_generation_prompt: bool,
    /// The tokenizer's BOS token text (e.g. `<|begin_of_text|>`), or empty.
    pub bos_token: String,
    /// The tokenizer's EOS token text (e.g. `<|endoftext|>`), or empty.
    pub eos_token: String,
    /// Passed to the template as `date_string` (used by Llama 3.x); when
    /// `None` the variable is left undefined and the template's own default
    /// applies ("26 Jul 2024" for Llama 3.x). Also drives `strftime_now`.
    pub date_string: Option<String>,
}

impl RenderOptions {
    /// The options for `tok`'s own template: its BOS and EOS token texts
    /// (empty when it has none), no date.
    pub fn for_tokenizer(tok: &crate::Tokenizer, add_generation_prompt: bool) -> Self {
        let text = |id: Option<u32>| id.and_then(|i| tok.token_text(i)).unwrap_or_default().to_string();
        Self { add_generation_prompt, bos_token: text(tok.bos_id()), eos_token: text(tok.eos_id()), date_string: None }
    }
}

/// A compiled chat template. Compile once with [`ChatTemplate::new`], render
/// as often as needed; it is `Send + Sync`.
pub struct ChatTemplate {
    source: Arc<str>,
    env: Environment<'static>,
}

impl fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatTemplate").field("source", &self.source).finish_non_exhaustive()
    }
}

impl ChatTemplate {
    /// Compiles `source` (Jinja). Fails with [`ChatTemplateError::Syntax`]
    /// when it does not parse.
    pub fn new(source: &str) -> Result<Self, ChatTemplateError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(false);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_unknown_method_callback(python_methods);
        env.add_function("raise_exception", raise_exception);
        env.add_filter("tojson", tojson);
        env.add_filter("trim", py_trim_filter);
        env.add_template_owned(TEMPLATE_NAME, source.to_owned())
            .map_err(|e| ChatTemplateError::Syntax { message: e.to_string() })?;
        Ok(Self { source: Arc::from(source), env })
    }

    /// The template source as given to [`ChatTemplate::new`].
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders the conversation as the model expects it.
    pub fn render(&self, messages: &[ChatMessage], opts: &RenderOptions) -> Result<String, ChatTemplateError> {
        let template = self.env.get_template(TEMPLATE_NAME).map_err(|e| render_error(&e))?;

        let today = match &opts.date_string {
            Some(s) => match SimpleDate::parse_d_b_y(s) {
                Some(d) => Today::Date(d),
                None => Today::Verbatim(Arc::from(s.as_str())),
            },
            None => Today::Date(SimpleDate::DEFAULT),
        };
        let strftime_now = Value::from_function(move |fmt: String| -> String {
            match &today {
                Today::Date(d) => d.strftime(&fmt),
                Today::Verbatim(s) => s.to_string(),
            }
        });

        let mut ctx: BTreeMap<&'static str, Value> = BTreeMap::new();
        ctx.insert("messages", Value::from_serialize(messages));
        ctx.insert("add_generation_prompt", Value::from(opts.add_generation_prompt));
        ctx.insert("bos_token", Value::from(opts.bos_token.as_str()));
        ctx.insert("eos_token", Value::from(opts.eos_token.as_str()));
        // transformers passes these explicitly as None.
        ctx.insert("tools", Value::from(()));
        ctx.insert("documents", Value::from(()));
        ctx.insert("strftime_now", strftime_now);
        if let Some(d) = &opts.date_string {
            ctx.insert("date_string", Value::from(d.as_str()));
        }

        template.render(Value::from_serialize(&ctx)).map_err(|e| render_error(&e))
    }
}

/// What `strftime_now` reports.
enum Today {
    Date(SimpleDate),
    Verbatim(Arc<str>),
}

/// Marker attached (as error source) to errors from `raise_exception`, so
/// the template's own message can be reported verbatim.
#[derive(Debug)]
struct TemplateException(String);

impl fmt::Display for TemplateException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateException {}

fn raise_exception(message: Value) -> Result<Value, Error> {
    let message = match message.as_str() {
        Some(s) => s.to_owned(),
        None => message.to_string(),
    };
    Err(Error::new(ErrorKind::InvalidOperation, message.clone()).with_source(TemplateException(message)))
}

fn render_error(err: &Error) -> ChatTemplateError {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(exc) = e.downcast_ref::<TemplateException>() {
            return ChatTemplateError::Render { message: exc.0.clone() };
        }
        cur = e.source();
    }
    let mut message = err.to_string();
    let mut cur = std::error::Error::source(err);
    while let Some(e) = cur {
        message.push_str(": ");
        message.push_str(&e.to_string());
        cur = e.source();
    }
    ChatTemplateError::Render { message }
}

// ---------------------------------------------------------------------------
// Python string semantics
// ---------------------------------------------------------------------------

/// Python's `str.isspace()` for one character: Rust's Unicode `White_Space`
/// plus the ASCII information separators U+001C..=U+001F.
fn py_is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[derive(Clone, Copy)]
enum StripSide {
    Both,
    Left,
    Right,
}

/// Python `str.strip(chars)` / `lstrip` / `rstrip`.
fn py_strip<'a>(s: &'a str, chars: Option<&str>, side: StripSide) -> &'a str {
    let pred = |c: char| match chars {
        Some(set) => set.contains(c),
        None => py_is_space(c),
    };
    match side {
        StripSide::Both => s.trim_matches(pred),
        StripSide::Left => s.trim_start_matches(pred),
        StripSide::Right => s.trim_end_matches(pred),
    }
}

/// Jinja2's `trim(value, chars=None)` filter (`str(value).strip(chars)`).
fn py_trim_filter(value: &Value, chars: Option<Value>) -> Result<Value, Error> {
    let chars = match &chars {
        None => None,
        Some(c) if c.is_none() || c.is_undefined() => None,
        Some(c) => Some(
            c.as_str()
                .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "trim: chars must be a string or none"))?,
        ),
    };
    let owned;
    let s = match value.as_str() {
        Some(s) => s,
        None => {
            owned = value.to_string();
            owned.as_str()
        }
    };
    Ok(Value::from(py_strip(s, chars, StripSide::Both)))
}

/// Unknown-method hook: Python-accurate `strip`/`lstrip`/`rstrip` on
/// strings, everything else from `minijinja_contrib::pycompat`.
fn python_methods(state: &State, value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    if let (Some(s), true) = (value.as_str(), args.len() <= 1) {
        let side = match method {
            "strip" => Some(StripSide::Both),
            "lstrip" => Some(StripSide::Left),
            "rstrip" => Some(StripSide::Right),
            _ => None,
        };
        if let Some(side) = side {
            let chars = match args.first() {
                None => None,
                Some(c) if c.is_none() => None,
                Some(c) => match c.as_str() {
                    Some(c) => Some(c),
                    None => {
                        return Err(Error::new(
                            ErrorKind::InvalidOperation,
                            format!("{method} arg must be None or str"),
                        ));
                    }
                },
            };
            return Ok(Value::from(py_strip(s, chars, side)));
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

// ---------------------------------------------------------------------------
// tojson: Python json.dumps
// ---------------------------------------------------------------------------

struct JsonOptions {
    ensure_ascii: bool,
    indent: Option<String>,
    item_sep: String,
    key_sep: String,
    sort_keys: bool,
}

/// `tojson` as transformers defines it for chat templates:
/// `json.dumps(x, ensure_ascii=False, indent=None, separators=None,
/// sort_keys=False)`.
fn tojson(value: &Value, kwargs: Kwargs) -> Result<Value, Error> {
    let ensure_ascii: Option<bool> = kwargs.get("ensure_ascii")?;
    let indent: Option<Value> = kwargs.get("indent")?;
    let separators: Option<Value> = kwargs.get("separators")?;
    let sort_keys: Option<bool> = kwargs.get("sort_keys")?;
    kwargs.assert_all_used()?;

    let indent = match indent {
        None => None,
        Some(v) if v.is_none() || v.is_undefined() => None,
        Some(v) => {
            if let Some(s) = v.as_str() {
                Some(s.to_owned())
            } else if let Some(n) = v.as_i64() {
                Some(" ".repeat(usize::try_from(n).unwrap_or(0)))
            } else {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "tojson: indent must be an integer, a string or none",
                ));
            }
        }
    };
    let (item_sep, key_sep) = match separators {
        Some(v) if !v.is_none() && !v.is_undefined() => {
            let a = v.get_item_by_index(0)?;
            let b = v.get_item_by_index(1)?;
            match (a.as_str(), b.as_str()) {
                (Some(a), Some(b)) => (a.to_owned(), b.to_owned()),
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "tojson: separators must be a pair of strings",
                    ));
                }
            }
        }
        _ if indent.is_some() => (",".to_owned(), ": ".to_owned()),
        _ => (", ".to_owned(), ": ".to_owned()),
    };
    let opts = JsonOptions {
        ensure_ascii: ensure_ascii.unwrap_or(false),
        indent,
        item_sep,
        key_sep,
        sort_keys: sort_keys.unwrap_or(false),
    };
    let mut out = String::new();
    write_json(&mut out, value, &opts, 0)?;
    Ok(Value::from(out))
}

fn write_newline_indent(out: &mut String, opts: &JsonOptions, level: usize) {
    if let Some(ind) = &opts.indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_json(out: &mut String, value: &Value, opts: &JsonOptions, level: usize) -> Result<(), Error> {
    if level > 512 {
        return Err(Error::new(ErrorKind::InvalidOperation, "tojson: value nested too deeply"));
    }
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&py_number(value)),
        ValueKind::String => write_json_str(out, value.as_str().unwrap_or_default(), opts),
        ValueKind::Map => {
            let mut entries = Vec::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                entries.push((json_key(&key)?, item));
            }
            if opts.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(&opts.item_sep);
                }
                write_newline_indent(out, opts, level + 1);
                write_json_str(out, k, opts);
                out.push_str(&opts.key_sep);
                write_json(out, v, opts, level + 1)?;
            }
            write_newline_indent(out, opts, level);
            out.push('}');
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&opts.item_sep);
                }
                write_newline_indent(out, opts, level + 1);
                write_json(out, v, opts, level + 1)?;
            }
            write_newline_indent(out, opts, level);
            out.push(']');
        }
        ValueKind::Bytes => {
            return Err(Error::new(ErrorKind::InvalidOperation, "tojson: bytes are not JSON serializable"));
        }
        _ => write_json_str(out, &value.to_string(), opts),
    }
    Ok(())
}

/// Python's conversion of a dict key for `json.dumps`.
fn json_key(key: &Value) -> Result<String, Error> {
    Ok(match key.kind() {
        ValueKind::String => key.as_str().unwrap_or_default().to_owned(),
        ValueKind::Number => py_number(key),
        ValueKind::Bool => (if key.is_true() { "true" } else { "false" }).to_owned(),
        ValueKind::None | ValueKind::Undefined => "null".to_owned(),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("tojson: keys must be str, int, float, bool or None, not {other}"),
            ));
        }
    })
}

/// A number as Python's `json.dumps` writes it (`int.__repr__` /
/// `float.__repr__`).
fn py_number(value: &Value) -> String {
    if value.is_integer() {
        return value.to_string();
    }
    match f64::try_from(value.clone()) {
        Ok(f) => py_float_repr(f),
        Err(_) => value.to_string(),
    }
}

/// Python's `repr(float)` (as used by `json.dumps`): shortest round-trip
/// digits, positional for exponents in -4..16, else `d.ddde+XX`.
fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits, e.g. "-1.2345e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = usize::try_from(exp).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }
    out
}

fn write_json_str(out: &mut String, s: &str, opts: &JsonOptions) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (opts.ensure_ascii && !(' '..='~').contains(&c)) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// strftime for a fixed date
// ---------------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// A calendar date (proleptic Gregorian), time of day 00:00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SimpleDate {
    year: i32,
    /// 1..=12
    month: u32,
    /// 1..=31
    day: u32,
}

impl SimpleDate {
    /// [`DEFAULT_DATE`].
    const DEFAULT: SimpleDate = SimpleDate { year: 2024, month: 7, day: 26 };

    fn is_leap(year: i32) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    fn days_in_month(year: i32, month: u32) -> u32 {
        match month {
            2 if Self::is_leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Parses `"%d %b %Y"` (also accepts full month names), e.g.
    /// `"26 Jul 2024"`.
    fn parse_d_b_y(s: &str) -> Option<Self> {
        let mut parts = s.split_whitespace();
        let day: u32 = parts.next()?.parse().ok()?;
        let month_s = parts.next()?.to_ascii_lowercase();
        let year: i32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let month = MONTHS.iter().position(|m| {
            let m = m.to_ascii_lowercase();
            m == month_s || m[..3] == month_s
        })? as u32
            + 1;
        if day == 0 || day > Self::days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// 0 = Sunday .. 6 = Saturday (Sakamoto's method).
    fn weekday(self) -> u32 {
        const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let mut y = self.year;
        if self.month < 3 {
            y -= 1;
        }
        let w = (y + y.div_euclid(4) - y.div_euclid(100)
            + y.div_euclid(400)
            + T[(self.month - 1) as usize]
            + self.day as i32)
            .rem_euclid(7);
        w as u32
    }

    fn day_of_year(self) -> u32 {
        (1..self.month).map(|m| Self::days_in_month(self.year, m)).sum::<u32>() + self.day
    }

    /// C/Python `strftime` for this date at midnight. Supports the common
    /// conversions (`%a %A %b %B %h %d %e %j %m %y %Y %C %H %I %M %S %p %w
    /// %u %F %D %T %R %n %t %%`) and glibc's `%-d`-style no-padding flag;
    /// anything else is copied through unchanged, as glibc does.
    fn strftime(self, fmt: &str) -> String {
        let mut out = String::new();
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let no_pad = chars.peek() == Some(&'-');
            if no_pad {
                chars.next();
            }
            let Some(spec) = chars.next() else {
                out.push('%');
                if no_pad {
                    out.push('-');
                }
                break;
            };
            let num = |n: u32, width: usize| {
                if no_pad { n.to_string() } else { format!("{n:0width$}") }
            };
            let month_name = MONTHS[(self.month - 1) as usize];
            let weekday_name = WEEKDAYS[self.weekday() as usize];
            match spec {
                'a' => out.push_str(&weekday_name[..3]),
                'A' => out.push_str(weekday_name),
                'b' | 'h' => out.push_str(&month_name[..3]),
                'B' => out.push_str(month_name),
                'd' => out.push_str(&num(self.day, 2)),
                'e' => out.push_str(&if no_pad { self.day.to_string() } else { format!("{:2}", self.day) }),
                'j' => out.push_str(&num(self.day_of_year(), 3)),
                'm' => out.push_str(&num(self.month, 2)),
                'y' => out.push_str(&num(self.year.rem_euclid(100) as u32, 2)),
                'Y' => out.push_str(&self.year.to_string()),
                'C' => out.push_str(&num(self.year.div_euclid(100) as u32, 2)),
                'H' | 'M' | 'S' => out.push_str(&num(0, 2)),
                'I' => out.push_str(&num(12, 2)),
                'p' => out.push_str("AM"),
                'w' => out.push_str(&self.weekday().to_string()),
                'u' => out.push_str(&(((self.weekday() + 6) % 7) + 1).to_string()),
                'F' => out.push_str(&format!("{}-{:02}-{:02}", self.year, self.month, self.day)),
                'D' => out.push_str(&format!("{:02}/{:02}/{:02}", self.month, self.day, self.year.rem_euclid(100))),
                'T' => out.push_str("00:00:00"),
                'R' => out.push_str("00:00"),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '%' => out.push('%'),
                other => {
                    out.push('%');
                    if no_pad {
                        out.push('-');
                    }
                    out.push(other);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_date_matches_constant() {
        assert_eq!(SimpleDate::parse_d_b_y(DEFAULT_DATE), Some(SimpleDate::DEFAULT));
        assert_eq!(SimpleDate::DEFAULT.strftime("%d %b %Y"), DEFAULT_DATE);
        // 26 July 2024 was a Friday, day 208 of a leap year.
        assert_eq!(
            SimpleDate::DEFAULT.strftime("%A %a %B %j %F %D %-d/%-m %H:%M:%S %p %u %w %%"),
            "Friday Fri July 208 2024-07-26 07/26/24 26/7 00:00:00 AM 5 5 %"
        );
        let d = SimpleDate::parse_d_b_y("01 Jan 2025").unwrap();
        assert_eq!(d.strftime("%d %B %Y (%A)"), "01 January 2025 (Wednesday)");
        assert_eq!(SimpleDate::parse_d_b_y("30 Feb 2024"), None);
    }

    #[test]
    fn python_float_repr() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (100.0, "100.0"),
        ] {
            assert_eq!(py_float_repr(f), s, "{f}");
        }
    }

    #[test]
    fn python_strip() {
        assert_eq!(py_strip("\u{1c} a b \n", None, StripSide::Both), "a b");
        assert_eq!(py_strip("xxaxx", Some("x"), StripSide::Left), "axx");
        assert_eq!(py_strip("xxaxx", Some("x"), StripSide::Right), "xxa");
    }
}
