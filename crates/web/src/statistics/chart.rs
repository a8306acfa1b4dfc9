//! The server-rendered bar chart of the dashboard: one bar per month or quarter, drawn from
//! the same published cells as the activity table.

use crate::statistics::tables::Periods;
use passerelle_domain::statistics::suppression::Shown;

/// One bar of the monthly chart.
pub struct Bar {
    /// The month or quarter.
    pub month: String,
    pub x: usize,
    pub y: u64,
    pub height: u64,
    pub label: String,
}

const CHART_HEIGHT: u64 = 160;

/// The chart's bars for one row of counts by period.
pub(super) fn bars_of(cells: &[Shown], periods: &Periods) -> Vec<Bar> {
    let cells = &cells[..periods.count().min(cells.len())];
    let most = cells
        .iter()
        .filter_map(|s| match s {
            Shown::Count(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let spacing = 600 / periods.count();
    cells
        .iter()
        .zip(&periods.labels)
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
                label: cell.text(),
            }
        })
        .collect()
}
