//! The report's charts: SVG drawn with `plotters` (its SVG backend, whose text is SVG
//! `<text>` elements: no font file is read or embedded), inlined into the HTML.
use super::suppress::Cell;
use crate::error::{Error, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Width and height of a chart, in CSS pixels (fits an A4 page's text width).
const SIZE: (u32, u32) = (680, 300);
const FONT: &str = "sans-serif";
/// Colours of the series (boys, girls, then the rest), and of a hidden bar's marker.
const SERIES: [RGBColor; 3] = [
    RGBColor(0x2b, 0x6c, 0xb0),
    RGBColor(0xd9, 0x5f, 0x0e),
    RGBColor(0x55, 0x55, 0x55),
];
const HIDDEN: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);

fn failed<E: std::fmt::Debug>(e: E) -> Error {
    Error::Job(format!("report: drawing a chart failed: {e:?}"))
}

/// A bar's height and label: a shown count is drawn to scale; a suppressed one is a short
/// grey marker labelled as the table labels it ("<10" or "*"), never to scale.
fn bar(cell: Cell) -> Option<f64> {
    match cell {
        Cell::Count(n) => Some(n as f64),
        _ => None,
    }
}

/// The highest shown value (at least 1), with room above it.
fn top(values: impl Iterator<Item = Cell>) -> f64 {
    let max = values.filter_map(bar).fold(1.0, f64::max);
    max * 1.15
}

/// The SVG as it goes into the HTML: without the XML namespace's URL (an SVG element inside
/// HTML needs none, and the report carries no URL at all), labelled for screen readers.
fn inline(svg: String, title: &str) -> String {
    let label = title
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{label}\" "),
            1,
        )
}

/// Grouped bars: one group per category (`categories`), one bar per series (`series`, with
/// `cells[category][series]`). `min_cell` labels suppressed bars.
pub fn grouped_bars(
    title: &str,
    categories: &[String],
    series: &[String],
    cells: &[Vec<Cell>],
    min_cell: u64,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let n = categories.len().max(1) as f64;
        let y_max = top(cells.iter().flatten().copied());
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f64..n - 0.5, 0f64..y_max)
            .map_err(failed)?;
        let label_of = |v: &f64| {
            let i = v.round();
            match (v - i).abs() < 1e-9 && i >= 0.0 {
                true => categories.get(i as usize).cloned().unwrap_or_default(),
                false => String::new(),
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(categories.len().max(1))
            .x_label_formatter(&label_of)
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 13))
            .draw()
            .map_err(failed)?;
        let k = series.len().max(1) as f64;
        let width = 0.8 / k;
        for (s, name) in series.iter().enumerate() {
            let color = SERIES[s.min(SERIES.len() - 1)];
            let x0 = |c: usize| c as f64 - 0.4 + width * s as f64;
            let shown = cells.iter().enumerate().filter_map(|(c, row)| {
                let y = bar(*row.get(s)?)?;
                Some(Rectangle::new(
                    [(x0(c) + 0.02, 0.0), (x0(c) + width - 0.02, y)],
                    color.filled(),
                ))
            });
            chart
                .draw_series(shown)
                .map_err(failed)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
            let marker = y_max * 0.02;
            let hidden: Vec<(f64, Cell)> = cells
                .iter()
                .enumerate()
                .filter_map(|(c, row)| {
                    let cell = *row.get(s)?;
                    (!cell.is_shown()).then_some((x0(c) + width / 2.0, cell))
                })
                .collect();
            chart
                .draw_series(hidden.iter().map(|&(x, _)| {
                    Rectangle::new(
                        [
                            (x - width / 2.0 + 0.02, 0.0),
                            (x + width / 2.0 - 0.02, marker),
                        ],
                        HIDDEN.filled(),
                    )
                }))
                .map_err(failed)?;
            chart
                .draw_series(hidden.iter().map(|&(x, cell)| {
                    Text::new(
                        cell.text(min_cell),
                        (x, marker * 1.5),
                        (FONT, 12)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )
                }))
                .map_err(failed)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(inline(svg, title))
}

/// A histogram of composites in bins of `bin_width` points over 0–100 (`cells[b]`: bin
/// `b`), with vertical lines at the thresholds (`(label, value)`), each labelled.
pub fn histogram(
    title: &str,
    bin_width: u32,
    cells: &[Cell],
    thresholds: &[(String, f64)],
    min_cell: u64,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, 220)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let y_max = top(cells.iter().copied());
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..100f64, 0f64..y_max)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(11)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_labels(5)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .label_style((FONT, 13))
            .draw()
            .map_err(failed)?;
        let w = bin_width as f64;
        let edge = |b: usize| b as f64 * w;
        chart
            .draw_series(cells.iter().enumerate().filter_map(|(b, &cell)| {
                let y = bar(cell)?;
                Some(Rectangle::new(
                    [(edge(b) + 0.3, 0.0), (edge(b) + w - 0.3, y)],
                    SERIES[0].filled(),
                ))
            }))
            .map_err(failed)?;
        let marker = y_max * 0.02;
        let hidden: Vec<(usize, Cell)> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_shown())
            .map(|(b, &c)| (b, c))
            .collect();
        chart
            .draw_series(hidden.iter().map(|&(b, _)| {
                Rectangle::new(
                    [(edge(b) + 0.3, 0.0), (edge(b) + w - 0.3, marker)],
                    HIDDEN.filled(),
                )
            }))
            .map_err(failed)?;
        chart
            .draw_series(hidden.iter().map(|&(b, cell)| {
                Text::new(
                    cell.text(min_cell),
                    (edge(b) + w / 2.0, marker * 1.5),
                    (FONT, 10)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))
            .map_err(failed)?;
        for (i, (label, x)) in thresholds.iter().enumerate() {
            let color = SERIES[(i + 1).min(SERIES.len() - 1)];
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*x, 0.0), (*x, y_max)],
                    color.stroke_width(2),
                )))
                .map_err(failed)?;
            // Labels to the left of their line, one under the other.
            chart
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (*x - 0.6, y_max * (0.97 - 0.1 * i as f64)),
                    (FONT, 12)
                        .into_font()
                        .color(&color)
                        .pos(Pos::new(HPos::Right, VPos::Top)),
                )))
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    Ok(inline(svg, title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_text_elements_and_no_url() {
        let cells = vec![
            vec![Cell::Count(120), Cell::Count(80)],
            vec![Cell::Small, Cell::Hidden],
        ];
        let svg = grouped_bars(
            "מבחן",
            &["נבחנו".into(), "מחוננים".into()],
            &["בנים".into(), "בנות".into()],
            &cells,
            10,
        )
        .unwrap();
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"מבחן\" "),
            "{svg}"
        );
        // Text is SVG text (plotters writes it on a line of its own).
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].trim())
            .collect();
        assert!(
            texts.contains(&"נבחנו") && texts.contains(&"בנות"),
            "{texts:?}"
        );
        // Suppressed bars are labelled, never drawn to scale.
        assert!(
            texts.contains(&"&lt;10") && texts.contains(&"*"),
            "{texts:?}"
        );
        assert!(!svg.contains("http") && !svg.contains("<image") && !svg.contains("<script"));
        let h = histogram(
            "h",
            5,
            &[Cell::Count(30), Cell::Small],
            &[("97".into(), 97.0)],
            10,
        )
        .unwrap();
        assert!(h.contains("<path") || h.contains("<polyline"), "{h}");
        assert!(!h.contains("http"));
    }
}
