//! The report's charts, drawn with `plotters` into SVG: trends per day, the funnel along
//! the main path, channel volumes, and split paths.
//!
//! Invariants: each chart is one `<svg>` element that scales to the page width (the
//! backend's fixed `width`/`height` become a `viewBox` only, and its `xmlns`, needless
//! inside HTML, is dropped so that the file names no outside address); user text (node,
//! path and goal names) is made [`visible_text`] before plotters escapes it; a chart that
//! cannot be drawn returns why, never panics.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::html::{count, truncate, visible_text};

/// Width of every chart, in SVG units (the page scales it).
const WIDTH: u32 = 760;
/// Font family of chart text (the page's own).
const FONT: &str = "sans-serif";

/// Colours of the series, in order.
pub const SERIES: [RGBColor; 5] = [
    RGBColor(33, 102, 172),
    RGBColor(239, 108, 0),
    RGBColor(46, 160, 90),
    RGBColor(171, 71, 188),
    RGBColor(120, 120, 120),
];

/// One line of a line chart.
#[derive(Clone, Debug)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// Its colour.
    pub color: RGBColor,
    /// Drawn thinner and lighter (a baseline's line).
    pub faint: bool,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
}

/// One row of a horizontal bar chart: a label and one bar per series.
#[derive(Clone, Debug, PartialEq)]
pub struct BarRow {
    /// What the row is (a node, a channel, a path).
    pub label: String,
    /// One value per series.
    pub values: Vec<f64>,
    /// A 95% interval per series, drawn as a whisker.
    pub intervals: Vec<Option<(f64, f64)>>,
}

impl BarRow {
    /// A row without intervals.
    #[must_use]
    pub fn new(label: impl Into<String>, values: Vec<f64>) -> Self {
        Self { label: label.into(), values, intervals: Vec::new() }
    }
}

type ChartResult = Result<String, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The backend's SVG made responsive: `<svg class="chart" viewBox=…>` with a title for
/// screen readers; the fixed size and the `xmlns` attribute go.
fn finish(svg: &str, width: u32, height: u32, title: &str) -> String {
    let body = svg.find('>').map_or(svg, |end| &svg[end + 1..]);
    format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img"><title>{}</title>{body}"#,
        super::html::escape(title)
    )
}

fn axis_style<'a>() -> TextStyle<'a> {
    (FONT, 13).into_font().color(&RGBColor(60, 64, 72))
}

/// A line chart over days.
///
/// # Errors
/// When plotters cannot draw it (a message for the page).
pub fn line_chart(title: &str, x_desc: &str, y_desc: &str, lines: &[Line]) -> ChartResult {
    let height = 320;
    let max_x = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)).fold(1.0_f64, f64::max);
    let max_y = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0_f64, f64::max);
    let max_y = if max_y > 0.0 { max_y * 1.1 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .caption(visible_text(title), (FONT, 18))
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..max_x, 0.0..max_y)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(axis_style())
            .axis_desc_style(axis_style())
            .light_line_style(RGBColor(236, 238, 242))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| short(*y))
            .draw()
            .map_err(err)?;
        for l in lines {
            let style = if l.faint { l.color.mix(0.55).stroke_width(1) } else { l.color.stroke_width(2) };
            chart
                .draw_series(LineSeries::new(l.points.iter().copied(), style))
                .map_err(err)?
                .label(visible_text(&l.name))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(axis_style())
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(190, 194, 202))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(finish(&svg, WIDTH, height, title))
}

/// A horizontal bar chart: one row per item, one bar per series, each bar labelled with
/// `fmt` of its value (and its interval when given).
///
/// # Errors
/// When plotters cannot draw it (a message for the page).
pub fn bar_chart(title: &str, series: &[&str], rows: &[BarRow], fmt: &dyn Fn(f64) -> String) -> ChartResult {
    let k = series.len().max(1);
    let row_px = 22 + 16 * u32::try_from(k).unwrap_or(1);
    let n = u32::try_from(rows.len()).unwrap_or(u32::MAX / 2).max(1);
    let legend_px = if k > 1 { 26 } else { 0 };
    let height = 56 + legend_px + n.saturating_mul(row_px);
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().copied().chain(r.intervals.iter().flatten().map(|i| i.1)))
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    // Room on the right for the value text.
    let max = if max > 0.0 { max * 1.3 } else { 1.0 };
    let rows_f = f64::from(n);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (top, body) = root.split_vertically(40 + legend_px);
        top.draw(&Text::new(
            visible_text(title),
            (12, 10),
            TextStyle::from((FONT, 18).into_font()).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .map_err(err)?;
        if k > 1 {
            legend(&top, series)?;
        }
        let mut chart = ChartBuilder::on(&body)
            .margin_left(12)
            .margin_right(12)
            .margin_bottom(6)
            .x_label_area_size(22)
            .build_cartesian_2d(0.0..max, 0.0..rows_f)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .label_style(axis_style())
            .light_line_style(RGBColor(236, 238, 242))
            .x_label_formatter(&|x| short(*x))
            .draw()
            .map_err(err)?;
        let band = 0.7 / k as f64;
        for (i, row) in rows.iter().enumerate() {
            // Rows from the top: row i spans [n − i − 1, n − i].
            let y_top = rows_f - i as f64;
            let label_style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
            chart
                .draw_series(std::iter::once(Text::new(
                    truncate(&visible_text(&row.label), 90),
                    (0.0, y_top - 0.04),
                    label_style,
                )))
                .map_err(err)?;
            for (s, v) in row.values.iter().enumerate() {
                let color = SERIES[s % SERIES.len()];
                let y1 = y_top - 0.28 - s as f64 * band;
                let y0 = y1 - band * 0.85;
                let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                chart
                    .draw_series(std::iter::once(Rectangle::new([(0.0, y0), (v, y1)], color.filled())))
                    .map_err(err)?;
                let interval = row.intervals.get(s).copied().flatten();
                let mut text = fmt(v);
                let mut end = v;
                if let Some((lo, hi)) = interval {
                    let ym = (y0 + y1) / 2.0;
                    let whisker = RGBColor(30, 32, 38).stroke_width(1);
                    let cap = (y1 - y0) * 0.35;
                    chart
                        .draw_series([
                            PathElement::new(vec![(lo.max(0.0), ym), (hi, ym)], whisker),
                            PathElement::new(vec![(lo.max(0.0), ym - cap), (lo.max(0.0), ym + cap)], whisker),
                            PathElement::new(vec![(hi, ym - cap), (hi, ym + cap)], whisker),
                        ])
                        .map_err(err)?;
                    text = format!("{text} [{}–{}]", fmt(lo), fmt(hi));
                    end = end.max(hi);
                }
                let value_style = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(text, (end + max * 0.01, (y0 + y1) / 2.0), value_style)))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(finish(&svg, WIDTH, height, title))
}

fn legend(area: &DrawingArea<SVGBackend<'_>, Shift>, series: &[&str]) -> Result<(), String> {
    let mut x = 12;
    for (s, name) in series.iter().enumerate() {
        let color = SERIES[s % SERIES.len()];
        area.draw(&Rectangle::new([(x, 44), (x + 14, 56)], color.filled())).map_err(err)?;
        let name = visible_text(name);
        area.draw(&Text::new(
            name.clone(),
            (x + 20, 50),
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        x += 40 + 8 * i32::try_from(name.chars().count()).unwrap_or(20);
    }
    Ok(())
}

/// An axis number: whole numbers with separators, or a short decimal.
fn short(v: f64) -> String {
    if v.abs() >= 1.0 && v.fract().abs() < 1e-9 && v >= 0.0 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a whole, positive axis value")]
        return count(v as u64);
    }
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" { "0".to_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_one_scalable_svg_with_its_labels_as_text() {
        let rows = vec![
            BarRow::new("<Entry> & co", vec![1200.0, 300.0]),
            BarRow { label: "Path \u{1b}B".into(), values: vec![10.0, 0.0], intervals: vec![Some((8.0, 12.0))] },
        ];
        let svg = bar_chart("Users", &["Sent", "Clicked"], &rows, &|v| format!("{v:.0}")).unwrap();
        assert!(svg.starts_with(r#"<svg class="chart" viewBox="0 0 760 "#), "{}", &svg[..120]);
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(!svg.contains("http://"));
        assert!(svg.contains("&lt;Entry&gt; &amp; co"));
        assert!(svg.contains("Path \u{241b}B"));
        assert!(svg.contains("[8–12]"));
        assert!(svg.contains("<rect"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn a_line_chart_draws_every_series() {
        let lines = vec![
            Line { name: "Entered".into(), color: SERIES[0], faint: false, points: vec![(0.0, 5.0), (1.0, 7.0)] },
            Line { name: "Goal met".into(), color: SERIES[1], faint: true, points: vec![(0.0, 0.0), (1.0, 0.0)] },
        ];
        let svg = line_chart("Trends", "day", "users", &lines).unwrap();
        assert!(svg.contains("Entered") && svg.contains("Goal met"));
        assert!(svg.matches("<polyline").count() >= 2, "{svg}");
    }

    #[test]
    fn empty_charts_still_draw() {
        assert!(bar_chart("None", &["x"], &[], &|v| format!("{v}")).is_ok());
        assert!(line_chart("None", "day", "users", &[]).is_ok());
    }

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(short(12_000.0), "12,000");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(0.0), "0");
    }
}
