//! Charts as standalone SVG documents, for the probes' reports: a line
//! chart ([`line_chart`]; with whiskers, [`interval_chart`]), a heat map
//! with the values written in the cells ([`heatmap`]), grouped bars
//! ([`bar_chart`]) and labelled points on two numeric axes, the y axis
//! linear or logarithmic, with least-squares lines ([`scatter_chart`]).
//! Plain text, no scripts, readable in any browser or Markdown viewer.

use std::fmt::Write as _;

/// Colours of the series, in order (the Tableau 10 palette, then darker
/// tones), reused after twelve.
const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#1f3b5a", "#7a3d0f",
];

const W: f64 = 760.0;
const H: f64 = 420.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 56.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn header(out: &mut String, w: f64, h: f64, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = write!(out, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = write!(out, r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#, w / 2.0, esc(title));
}

/// A round step for about five ticks over `lo..hi`.
fn step(lo: f64, hi: f64) -> f64 {
    let span = (hi - lo).max(1e-12);
    let mag = 10f64.powf((span / 5.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= 6.0).unwrap_or(10.0 * mag)
}

/// `lo..hi` widened to whole steps, so the axis starts and ends on a tick.
fn nice(lo: f64, hi: f64) -> (f64, f64) {
    let s = step(lo, hi);
    ((lo / s).floor() * s, (hi / s).ceil() * s)
}

/// Round tick values covering `lo..hi`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let step = step(lo, hi);
    let first = (lo / step).ceil() * step;
    (0..).map(|i| first + i as f64 * step).take_while(|v| *v <= hi + step * 1e-9).collect()
}

fn fmt_tick(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.round() { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// The range of the finite values (with a margin when flat).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 { (lo - 0.5, hi + 0.5) } else { (lo, hi) }
}

fn y_axis(out: &mut String, lo: f64, hi: f64, y: &dyn Fn(f64) -> f64, label: &str) {
    for t in ticks(lo, hi) {
        let py = y(t);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{py}" y2="{py}" stroke="#e5e5e5"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            fmt_tick(t)
        );
    }
    let _ = write!(
        out,
        r#"<text transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
        (TOP + H - BOTTOM) / 2.0,
        esc(label)
    );
}

fn legend(out: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        let (x, y) = (W - RIGHT + 14.0, TOP + 8.0 + 18.0 * i as f64);
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            y - 10.0,
            PALETTE[i % PALETTE.len()],
            x + 18.0,
            y,
            esc(name)
        );
    }
}

/// One line per series over the points `x_labels` (a missing or
/// non-finite value breaks the line).
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x_labels: &[String],
    series: &[(String, Vec<f64>)],
) -> String {
    let mut out = lines(title, x_label, y_label, x_labels, series, &[]).0;
    out.push_str("</svg>\n");
    out
}

/// One series over the points `x_labels`, each point with a whisker from
/// `intervals[i][0]` to `intervals[i][1]` (a non-finite value or bound is
/// left out).
pub fn interval_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x_labels: &[String],
    values: &[f64],
    intervals: &[[f64; 2]],
) -> String {
    let bounds: Vec<f64> = intervals.iter().flatten().copied().collect();
    let (mut out, x, y) = lines(title, x_label, y_label, x_labels, &[(y_label.to_string(), values.to_vec())], &bounds);
    for (i, [a, b]) in intervals.iter().enumerate().filter(|(_, [a, b])| a.is_finite() && b.is_finite()) {
        let (px, ya, yb) = (x(i), y(*a), y(*b));
        let _ = write!(
            out,
            r#"<path d="M{px:.1},{ya:.1} L{px:.1},{yb:.1} M{:.1},{ya:.1} L{:.1},{ya:.1} M{:.1},{yb:.1} L{:.1},{yb:.1}" stroke="{}" fill="none"/>"#,
            px - 3.0,
            px + 3.0,
            px - 3.0,
            px + 3.0,
            PALETTE[0]
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A line chart without its closing tag, on an axis that also spans
/// `extra`, and its x and y scales.
fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    x_labels: &[String],
    series: &[(String, Vec<f64>)],
    extra: &[f64],
) -> (String, impl Fn(usize) -> f64 + use<>, impl Fn(f64) -> f64 + use<>) {
    let mut out = String::new();
    header(&mut out, W, H, title);
    let (lo, hi) = range(series.iter().flat_map(|(_, v)| v.iter().copied()).chain(extra.iter().copied()));
    let (lo, hi) = nice(lo, hi);
    let n = x_labels.len().max(2);
    let x = move |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64;
    let y = move |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    y_axis(&mut out, lo, hi, &y, y_label);
    let every = x_labels.len().div_ceil(16).max(1);
    for (i, l) in x_labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(out, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, x(i), H - BOTTOM + 18.0, esc(l));
    }
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (LEFT + W - RIGHT) / 2.0,
        H - 12.0,
        esc(x_label)
    );
    for (k, (_, values)) in series.iter().enumerate() {
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in values.iter().enumerate() {
            if !v.is_finite() {
                pen_up = true;
                continue;
            }
            let _ = write!(d, "{}{:.1},{:.1} ", if pen_up { "M" } else { "L" }, x(i), y(*v));
            pen_up = false;
        }
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            d.trim_end(),
            PALETTE[k % PALETTE.len()]
        );
    }
    legend(&mut out, &series.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    (out, x, y)
}

/// A colour for `v` on `lo..hi`: blue for the low end, red for the high
/// one, white at 0 when the range spans it, else white at the low end.
fn colour(v: f64, lo: f64, hi: f64) -> String {
    if !v.is_finite() {
        return "#dddddd".into();
    }
    let mix = |t: f64, (r, g, b): (f64, f64, f64)| {
        let t = t.clamp(0.0, 1.0);
        format!("rgb({:.0},{:.0},{:.0})", 255.0 + (r - 255.0) * t, 255.0 + (g - 255.0) * t, 255.0 + (b - 255.0) * t)
    };
    let (blue, red) = ((49.0, 104.0, 168.0), (198.0, 55.0, 52.0));
    if lo < 0.0 && hi > 0.0 {
        if v < 0.0 { mix(v / lo, blue) } else { mix(v / hi, red) }
    } else {
        mix((v - lo) / (hi - lo).max(1e-12), red)
    }
}

/// A matrix as coloured cells with their values, rows and columns named.
pub fn heatmap(title: &str, rows: &[String], cols: &[String], values: &[Vec<f64>]) -> String {
    let cell = (520.0 / cols.len().max(1) as f64).clamp(18.0, 56.0);
    let (left, top) = (110.0, 96.0);
    let (w, h) = (left + cell * cols.len() as f64 + 40.0, top + cell * rows.len() as f64 + 30.0);
    let mut out = String::new();
    header(&mut out, w.max(320.0), h, title);
    let (lo, hi) = range(values.iter().flatten().copied());
    for (j, c) in cols.iter().enumerate() {
        let x = left + cell * (j as f64 + 0.5);
        let _ = write!(out, r#"<text transform="translate({x} {}) rotate(-45)">{}</text>"#, top - 6.0, esc(c));
    }
    let font = (cell / 3.6).clamp(7.0, 12.0);
    for (i, r) in rows.iter().enumerate() {
        let y = top + cell * i as f64;
        let _ =
            write!(out, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 6.0, y + cell / 2.0 + 4.0, esc(r));
        for (j, v) in values.get(i).into_iter().flatten().enumerate() {
            let x = left + cell * j as f64;
            let _ = write!(
                out,
                r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{}" stroke="white"/><text x="{}" y="{}" text-anchor="middle" font-size="{font}">{}</text>"##,
                colour(*v, lo, hi),
                x + cell / 2.0,
                y + cell / 2.0 + font / 3.0,
                if v.abs() >= 100.0 { format!("{v:.0}") } else { format!("{v:.2}") }
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Bars of each series side by side for each group.
pub fn bar_chart(title: &str, y_label: &str, groups: &[String], series: &[(String, Vec<f64>)]) -> String {
    let mut out = String::new();
    header(&mut out, W, H, title);
    let (lo, hi) = range(series.iter().flat_map(|(_, v)| v.iter().copied()).chain([0.0]));
    let (lo, hi) = nice(lo, hi);
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    y_axis(&mut out, lo, hi, &y, y_label);
    let slot = (W - LEFT - RIGHT) / groups.len().max(1) as f64;
    let bar = slot * 0.8 / series.len().max(1) as f64;
    for (g, name) in groups.iter().enumerate() {
        let x0 = LEFT + slot * g as f64 + slot * 0.1;
        let _ = write!(
            out,
            r#"<text transform="translate({} {}) rotate(-35)" text-anchor="end">{}</text>"#,
            x0 + slot * 0.4,
            H - BOTTOM + 14.0,
            esc(name)
        );
        for (k, (_, values)) in series.iter().enumerate() {
            let Some(v) = values.get(g).copied().filter(|v| v.is_finite()) else { continue };
            let (top, bottom) = (y(v.max(0.0)), y(v.min(0.0)));
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                x0 + bar * k as f64,
                bar.max(1.0),
                (bottom - top).max(0.5),
                PALETTE[k % PALETTE.len()]
            );
        }
    }
    legend(&mut out, &series.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    out.push_str("</svg>\n");
    out
}

/// A numeric axis: `lo..hi`, linear or base-10 logarithmic (then both
/// ends positive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// The value at the axis' start.
    pub lo: f64,
    /// The value at its end.
    pub hi: f64,
    /// Logarithmic.
    pub log: bool,
}

impl Axis {
    /// An axis over the finite values (the positive ones when `log`),
    /// widened to round ticks: whole steps, or whole decades when `log`.
    pub fn covering(values: impl Iterator<Item = f64>, log: bool) -> Axis {
        if log {
            let (lo, hi) = range(values.filter(|v| *v > 0.0).map(f64::log10));
            let (a, b) = (lo.floor(), hi.ceil());
            Axis { lo: 10f64.powf(a), hi: 10f64.powf(if b > a { b } else { a + 1.0 }), log }
        } else {
            let (lo, hi) = nice_range(values);
            Axis { lo, hi, log }
        }
    }

    /// Where `v` lies on the axis, 0 at `lo` to 1 at `hi` (outside for
    /// values beyond; NaN for a non-positive value on a log axis).
    pub fn fraction(&self, v: f64) -> f64 {
        if self.log {
            if v <= 0.0 {
                return f64::NAN;
            }
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// Values to write on the axis: round steps, or on a log axis the
    /// powers of ten (with 2 and 5 times them over at most two decades).
    pub fn ticks(&self) -> Vec<f64> {
        if !self.log {
            return ticks(self.lo, self.hi);
        }
        let (a, b) = (self.lo.log10().round() as i32, self.hi.log10().round() as i32);
        let mults: &[f64] = if b - a <= 2 { &[1.0, 2.0, 5.0] } else { &[1.0] };
        let mut out = Vec::new();
        for e in a..=b {
            for m in mults {
                let v = m * 10f64.powi(e);
                if v <= self.hi * (1.0 + 1e-9) {
                    out.push(v);
                }
            }
        }
        out
    }
}

/// `range` of the finite values, widened to whole steps.
fn nice_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = range(values);
    nice(lo, hi)
}

fn fmt_axis(v: f64, log: bool) -> String {
    if !log || v <= 0.0 {
        return fmt_tick(v);
    }
    let mut e = v.log10().floor();
    let mut m = v / 10f64.powf(e);
    if m >= 9.5 {
        (m, e) = (m / 10.0, e + 1.0);
    }
    if (-2.0..5.0).contains(&e) { format!("{v:.0$}", (-e).max(0.0) as usize) } else { format!("{m:.0}e{e:.0}") }
}

/// One series of a scatter chart: points `(x, y, label)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterSeries {
    /// The legend's name.
    pub name: String,
    /// The points; one with a non-finite coordinate (or a non-positive y
    /// on a log axis) is left out.
    pub points: Vec<(f64, f64, String)>,
}

/// The text and scales of a scatter chart.
#[derive(Debug, Clone, Default)]
pub struct ScatterSpec<'a> {
    /// The title.
    pub title: &'a str,
    /// A line under the title ("Pearson r = ... (n = ...)"); empty for none.
    pub subtitle: &'a str,
    /// The x axis' name.
    pub x_label: &'a str,
    /// The y axis' name.
    pub y_label: &'a str,
    /// A base-10 logarithmic y axis.
    pub log_y: bool,
    /// A dashed least-squares line per series with two or more distinct
    /// x (fitted to log10 y on a log axis, so straight on the chart).
    pub fit: bool,
}

/// The scatter chart's plot area starts lower, below the subtitle.
const SCATTER_TOP: f64 = 54.0;

/// The plotted points of a series: finite, and positive y on a log axis.
fn plotted(s: &ScatterSeries, log_y: bool) -> impl Iterator<Item = &(f64, f64, String)> {
    s.points.iter().filter(move |(x, y, _)| x.is_finite() && y.is_finite() && (!log_y || *y > 0.0))
}

/// Least squares `y = a + b x` over the pairs, if x varies.
pub fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (points.len() >= 2 && sxx > 1e-12 * (1.0 + mx * mx)).then(|| (my - sxy / sxx * mx, sxy / sxx))
}

/// Labelled points on numeric x and y axes, one colour per series, with
/// a legend when there is more than one series.
pub fn scatter_chart(spec: &ScatterSpec, series: &[ScatterSeries]) -> String {
    let mut out = String::new();
    header(&mut out, W, H, spec.title);
    if !spec.subtitle.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{}" y="40" text-anchor="middle" fill="#555">{}</text>"##,
            W / 2.0,
            esc(spec.subtitle)
        );
    }
    let all = || series.iter().flat_map(|s| plotted(s, spec.log_y));
    let xa = Axis::covering(all().map(|p| p.0), false);
    let ya = Axis::covering(all().map(|p| p.1), spec.log_y);
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, SCATTER_TOP, H - BOTTOM);
    let px = |v: f64| x0 + (x1 - x0) * xa.fraction(v);
    let py = |v: f64| y1 - (y1 - y0) * ya.fraction(v);
    for t in ya.ticks() {
        let y = py(t);
        let _ = write!(
            out,
            r##"<line x1="{x0}" x2="{x1}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            x0 - 6.0,
            y + 4.0,
            fmt_axis(t, spec.log_y)
        );
    }
    for t in xa.ticks() {
        let x = px(t);
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{y0}" y2="{y1}" stroke="#f0f0f0"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
            y1 + 18.0,
            fmt_tick(t)
        );
    }
    let _ = write!(
        out,
        r##"<rect x="{x0}" y="{y0}" width="{}" height="{}" fill="none" stroke="#999"/>"##,
        x1 - x0,
        y1 - y0
    );
    let _ = write!(
        out,
        r#"<text transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (y0 + y1) / 2.0,
        esc(spec.y_label),
        (x0 + x1) / 2.0,
        H - 12.0,
        esc(spec.x_label)
    );
    let _ = write!(
        out,
        r#"<clipPath id="plot"><rect x="{x0}" y="{y0}" width="{}" height="{}"/></clipPath>"#,
        x1 - x0,
        y1 - y0
    );
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let pts: Vec<(f64, f64)> =
            plotted(s, spec.log_y).map(|(x, y, _)| (*x, if spec.log_y { y.log10() } else { *y })).collect();
        if let Some((a, b)) = least_squares(&pts).filter(|_| spec.fit) {
            // Far outside the plot the line is clipped anyway; kept finite.
            let at = |x: f64| {
                let v = a + b * x;
                let (lo, hi) = (ya.lo.log10(), ya.hi.log10());
                let f = if spec.log_y { (v - lo) / (hi - lo) } else { ya.fraction(v) };
                (y1 - (y1 - y0) * f).clamp(-1e4, 1e4)
            };
            let _ = write!(
                out,
                r#"<path d="M{:.1},{:.1} L{:.1},{:.1}" stroke="{colour}" stroke-dasharray="5 4" fill="none" clip-path="url(#plot)"/>"#,
                x0,
                at(xa.lo),
                x1,
                at(xa.hi)
            );
        }
        for (x, y, label) in plotted(s, spec.log_y) {
            let (cx, cy) = (px(*x), py(*y));
            let _ = write!(
                out,
                r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="4" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#333">{}</text>"##,
                cx + 6.0,
                cy - 5.0,
                esc(label)
            );
        }
    }
    if series.len() > 1 {
        legend(&mut out, &series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>());
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 1.0), vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert_eq!(ticks(3.0, 47.0), vec![10.0, 20.0, 30.0, 40.0]);
    }

    #[test]
    fn charts_are_svg_with_escaped_labels() {
        let s = line_chart("a < b", "layer", "cos", &["0".into(), "1".into()], &[("x&y".into(), vec![0.5, f64::NAN])]);
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(s.contains("a &lt; b") && s.contains("x&amp;y"));
        let h = heatmap("m", &["a".into()], &["b".into(), "c".into()], &[vec![-1.0, 2.0]]);
        assert_eq!(h.matches("<rect").count(), 3, "background and two cells");
        let b = bar_chart("f", "tokens", &["en".into(), "zh".into()], &[("fertility".into(), vec![1.3, 0.8])]);
        assert_eq!(b.matches("<rect").count(), 1 + 2 + 1, "background, two bars, one legend swatch");
        let labels: Vec<String> = ["emb", "0", "1"].map(String::from).to_vec();
        let w = interval_chart(
            "rsa",
            "layer",
            "rho",
            &labels,
            &[0.1, 0.5, 0.4],
            &[[0.0, 0.2], [f64::NAN, 0.9], [0.3, 1.2]],
        );
        assert_eq!(w.matches("<path").count(), 1 + 2, "the line and two whiskers (one has no lower bound)");
        assert!(w.contains("L610.0,40.0 "), "the axis reaches the highest bound, 1.2, at the plot's top: {w}");
    }

    /// The `(cx, cy)` of every point drawn, in order.
    fn circles(svg: &str) -> Vec<(f64, f64)> {
        svg.split("<circle cx=\"")
            .skip(1)
            .map(|t| {
                let cx: f64 = t[..t.find('"').unwrap()].parse().unwrap();
                let t = &t[t.find("cy=\"").unwrap() + 4..];
                (cx, t[..t.find('"').unwrap()].parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn log_axis_puts_larger_values_higher_and_spans_decades() {
        let a = Axis::covering([2e-4, 0.03, 0.9].into_iter(), true);
        assert_eq!((a.lo, a.hi), (1e-4, 1.0));
        assert!(a.fraction(0.1) > a.fraction(1e-3));
        assert!((a.fraction(1e-2) - 0.5).abs() < 1e-12, "1e-2 is halfway between 1e-4 and 1 on a log axis");
        assert!(a.fraction(-1.0).is_nan());
        assert_eq!(a.ticks().len(), 5, "{:?}", a.ticks());
        let s = scatter_chart(
            &ScatterSpec { title: "kld", x_label: "bpw", y_label: "KLD", log_y: true, ..Default::default() },
            &[ScatterSeries {
                name: "KLD".into(),
                points: vec![(4.5, 0.2, "Q4".into()), (8.5, 0.001, "Q8".into()), (6.5, 0.0, "zero".into())],
            }],
        );
        let c = circles(&s);
        assert_eq!(c.len(), 2, "the zero has no place on a log axis");
        assert!(c[0].1 < c[1].1, "0.2 is drawn above 0.001 (smaller y in SVG): {c:?}");
        assert!(c[0].0 < c[1].0, "4.5 bits left of 8.5");
        assert!(s.contains(">1e-3<") && !s.contains(">zero<"));
    }

    #[test]
    fn scatter_skips_non_finite_values_and_fits_a_line() {
        let spec = ScatterSpec {
            title: "ppl vs acc",
            subtitle: "Pearson r = -0.93 (n = 3)",
            x_label: "perplexity",
            y_label: "acc",
            fit: true,
            ..Default::default()
        };
        let pts = vec![
            (10.0, 0.5, "a<b".into()),
            (12.0, 0.45, "B".into()),
            (f64::NAN, 0.3, "nan-x".into()),
            (20.0, f64::INFINITY, "inf-y".into()),
            (30.0, 0.2, "C".into()),
        ];
        let s = scatter_chart(&spec, &[ScatterSeries { name: "acc".into(), points: pts }]);
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(!s.contains("NaN") && !s.contains("inf"), "{s}");
        assert!(s.contains("a&lt;b") && s.contains(">B<") && s.contains("Pearson r = -0.93 (n = 3)"));
        assert_eq!(circles(&s).len(), 3);
        assert_eq!(s.matches("stroke-dasharray").count(), 1, "one fitted line");
        let (a, b) = least_squares(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        assert!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]).is_none(), "x does not vary");
        let empty = scatter_chart(&spec, &[]);
        assert!(empty.trim_end().ends_with("</svg>") && !empty.contains("NaN"));
    }
}
