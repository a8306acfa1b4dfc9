//! The server-rendered charts of the figures, drawn as SVG (no JavaScript): columns by period
//! (months, quarters or years) for the activity, and one horizontal bar per row for every
//! other table. Each chart is drawn from the same published cells as the table beside it,
//! which is its text alternative: a hidden cell draws no bar and prints « s ».

use crate::statistics::TableView;
use passerelle_domain::statistics::suppression::Shown;

/// One column of a chart by period.
pub struct Bar {
    /// The month, the quarter or the year.
    pub month: String,
    pub x: usize,
    pub y: u64,
    pub height: u64,
    /// The value as printed ("1 234", « s »).
    pub label: String,
    /// The count, or none when it is a secret.
    pub value: Option<u64>,
}

const CHART_HEIGHT: u64 = 160;

/// The chart's columns for one row of counts by period (`periods` the column labels).
pub(super) fn bars_of(cells: &[Shown], periods: &[String]) -> Vec<Bar> {
    let cells = &cells[..periods.len().min(cells.len())];
    let most = cells
        .iter()
        .filter_map(|s| match s {
            Shown::Count(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let spacing = 600 / periods.len().max(1);
    cells
        .iter()
        .zip(periods)
        .enumerate()
        .map(|(i, (cell, period))| {
            let height = match cell {
                Shown::Count(n) => n * CHART_HEIGHT / most,
                _ => 0,
            };
            Bar {
                month: period.clone(),
                x: 40 + i * spacing,
                y: 10 + CHART_HEIGHT - height,
                height,
                label: cell.french(),
                value: match cell {
                    Shown::Count(n) => Some(*n),
                    Shown::Secret => None,
                },
            }
        })
        .collect()
}

/// One horizontal bar: the row's label above it, its value after it.
pub struct RowBar {
    pub label: String,
    pub value: String,
    /// Top of the label line; the bar is drawn under it.
    pub y: u64,
    pub width: u64,
}

/// A chart of horizontal bars, one per row of a table.
pub struct RowChart {
    pub bars: Vec<RowBar>,
    pub height: u64,
}

/// The widest bar, in the units of the chart's 400-wide view box (the value prints after it).
const BAR_SPAN: u64 = 330;
const ROW_STEP: u64 = 36;
/// A label longer than this is cut with « … » in the drawing (the table prints it whole).
const LABEL_CHARS: usize = 58;

/// Bars for (label, value) pairs: a secret or missing value draws none.
pub(super) fn row_chart(rows: &[(String, Option<u64>, String)]) -> RowChart {
    let most = rows
        .iter()
        .filter_map(|(_, n, _)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value, printed))| {
            let label = if label.chars().count() > LABEL_CHARS {
                let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
                format!("{}…", cut.trim_end())
            } else {
                label.clone()
            };
            RowBar {
                label,
                value: printed.clone(),
                y: 4 + i as u64 * ROW_STEP,
                width: value.map(|n| n * BAR_SPAN / most).unwrap_or(0),
            }
        })
        .collect();
    RowChart {
        bars,
        height: 8 + rows.len() as u64 * ROW_STEP,
    }
}

/// The chart of a table by rows: each row's year total (its last cell), the « Total » row
/// left out (it would dwarf the others and is read in the table).
pub(super) fn chart_of_table(table: &TableView) -> RowChart {
    let rows: Vec<(String, Option<u64>, String)> = table
        .rows
        .iter()
        .filter(|(label, _)| label != "Total")
        .map(|(label, cells)| {
            let last = cells.last().copied();
            let value = match last {
                Some(Shown::Count(n)) => Some(n),
                _ => None,
            };
            (
                label.clone(),
                value,
                last.map(Shown::french).unwrap_or_default(),
            )
        })
        .collect();
    row_chart(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_draws_no_bar_and_prints_s_and_the_largest_spans_the_chart() {
        let chart = row_chart(&[
            ("Femme".into(), Some(1200), "1\u{202f}200".into()),
            ("Homme".into(), Some(600), "600".into()),
            ("Non précisé".into(), None, "s".into()),
        ]);
        let widths: Vec<u64> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [BAR_SPAN, BAR_SPAN / 2, 0]);
        assert_eq!(chart.bars[2].value, "s");
        assert_eq!(chart.height, 8 + 3 * ROW_STEP);
        let long = row_chart(&[("x".repeat(80), Some(1), "1".into())]);
        assert_eq!(long.bars[0].label.chars().count(), LABEL_CHARS);
        assert!(long.bars[0].label.ends_with('…'));
    }

    #[test]
    fn columns_print_their_count_the_french_way_and_a_secret_as_s() {
        let bars = bars_of(
            &[Shown::Count(34_658), Shown::Secret],
            &["2025".to_string(), "2026".to_string()],
        );
        assert_eq!(bars[0].label, "34\u{202f}658");
        assert_eq!(bars[0].value, Some(34_658));
        assert_eq!((bars[1].label.as_str(), bars[1].height), ("s", 0));
    }
}
