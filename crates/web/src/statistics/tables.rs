//! How a table goes from counts to what is published: bordered with its totals, suppressed
//! outside the post (linked tables together, so that none reveals what another hides), and
//! labelled; with the time columns (months or quarters) and the grid of report lines.

use crate::statistics::TableView;
use passerelle_domain::statistics::suppression::{Bordered, Shown, suppress, suppress_linked};

/// A table before publication: its labels and its inner counts (the totals are added).
pub(super) struct TableSpec {
    pub(super) id: &'static str,
    pub(super) caption: String,
    pub(super) row_labels: Vec<String>,
    pub(super) column_labels: Vec<String>,
    pub(super) inner: Vec<Vec<u64>>,
}

impl TableSpec {
    fn bordered(&self) -> Bordered {
        Bordered::from_inner(&self.inner)
    }

    /// The table as shown, with `shown` cells (margins included).
    fn view(self, shown: Vec<Vec<Shown>>) -> (TableView, Vec<Vec<Shown>>) {
        let mut columns = self.column_labels;
        columns.push("Total".into());
        let rows = self
            .row_labels
            .into_iter()
            .chain(std::iter::once("Total".to_string()))
            .zip(&shown)
            .map(|(label, cells)| (label, cells.clone()))
            .collect();
        (
            TableView {
                id: self.id,
                caption: self.caption,
                columns,
                rows,
            },
            shown,
        )
    }
}

/// Every cell as counted (inside the post).
fn exact(table: &Bordered) -> Vec<Vec<Shown>> {
    table
        .cells
        .iter()
        .map(|row| row.iter().map(|n| Shown::Count(*n)).collect())
        .collect()
}

/// Borders a table with its totals, suppresses it when published, and labels it.
pub(super) fn publish(spec: TableSpec, suppressed: bool) -> (TableView, Vec<Vec<Shown>>) {
    let bordered = spec.bordered();
    let shown = if suppressed {
        suppress(&bordered)
    } else {
        exact(&bordered)
    };
    spec.view(shown)
}

/// Tables published together, some of whose lines repeat one another (each of `lines` lists
/// the (table, row) where one line appears): what one hides of a line, none shows, and all
/// of them together give nothing away.
pub(super) fn publish_linked(
    specs: Vec<TableSpec>,
    lines: &[Vec<(usize, usize)>],
    suppressed: bool,
) -> Vec<(TableView, Vec<Vec<Shown>>)> {
    let bordered: Vec<Bordered> = specs.iter().map(TableSpec::bordered).collect();
    let shown = if suppressed {
        let tables: Vec<&Bordered> = bordered.iter().collect();
        suppress_linked(&tables, lines)
    } else {
        bordered.iter().map(exact).collect()
    };
    specs
        .into_iter()
        .zip(shown)
        .map(|(spec, shown)| spec.view(shown))
        .collect()
}

/// The time columns of the tables: months inside the post; quarters once published, so that
/// every published table repeats the same totals (a month hidden in one table could otherwise
/// be worked out from a quarter shown in another).
pub(super) struct Periods {
    pub(super) labels: Vec<String>,
    pub(super) of_month: fn(usize) -> usize,
    pub(super) noun: &'static str,
}

impl Periods {
    pub(super) fn for_publication(suppressed: bool) -> Self {
        if suppressed {
            Periods {
                labels: (1..=4).map(|q| format!("T{q}")).collect(),
                of_month: |m| m / 3,
                noun: "trimestre",
            }
        } else {
            Periods {
                labels: MONTHS.iter().map(|m| m.to_string()).collect(),
                of_month: |m| m,
                noun: "mois",
            }
        }
    }

    pub(super) fn count(&self) -> usize {
        self.labels.len()
    }
}

const MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// The (code, label) pairs of a vocabulary.
pub(super) fn codes_and_labels<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

/// One indicator's values (code, label) by the periods of the page, from its report lines.
pub(super) fn period_spec(
    id: &'static str,
    caption: String,
    lines: &[(String, String, i64)],
    values: &[(String, String)],
    periods: &Periods,
) -> TableSpec {
    let codes: Vec<String> = values.iter().map(|(code, _)| code.clone()).collect();
    TableSpec {
        id,
        caption,
        row_labels: values.iter().map(|(_, label)| label.clone()).collect(),
        column_labels: periods.labels.clone(),
        inner: grid_of(lines, &codes, periods.of_month, periods.count()),
    }
}

/// One indicator's values (code, label) by quarter, from its report lines.
pub(super) fn quarterly_spec(
    id: &'static str,
    caption: String,
    lines: &[(String, String, i64)],
    values: &[(String, String)],
) -> TableSpec {
    period_spec(id, caption, lines, values, &Periods::for_publication(true))
}

/// `rows[value][column]` from report lines, the column given by the month.
pub(super) fn grid_of(
    lines: &[(String, String, i64)],
    values: &[String],
    column_of_month: impl Fn(usize) -> usize,
    columns: usize,
) -> Vec<Vec<u64>> {
    let mut inner = vec![vec![0u64; columns]; values.len()];
    for (month, value, count) in lines {
        let Some(row) = values.iter().position(|v| v == value) else {
            continue;
        };
        let Some(month) = month.get(5..7).and_then(|m| m.parse::<usize>().ok()) else {
            continue;
        };
        if (1..=12).contains(&month) {
            inner[row][column_of_month(month - 1)] += u64::try_from(*count).unwrap_or(0);
        }
    }
    inner
}
