//! Small-cell suppression of published tables: a count from 1 to 4 is never published
//! (primary), and more cells are hidden (secondary) so that no such count can be worked out.
//! Totals are cells like the others: a table is seen with its row totals, column totals and
//! grand total, and tables published together that repeat a line are read together.
//!
//! What is published: every hidden cell prints one symbol, « s » (secret statistique),
//! whatever the reason it is hidden, and a zero always prints « 0 ». While a small count
//! and a cell hidden to protect it printed apart (« < 5 » and « s »), a reader knew the first
//! was from 1 to 4 and the second 0 or at least 5, and those bounds alone worked counts out:
//! a row `< 5 | < 5 | 8` is 4 and 4; a row `< 5 | s | 6`, 1 and 5.
//!
//! What is guaranteed: no count from 1 to 4 can be worked out by a reader who knows all
//! that is published — every printed count, the row and column equations of the tables
//! published together, the lines they repeat — and the public rule: counts are whole
//! numbers, a secret is at least 1 (zeros are printed), and cells are hidden only to protect
//! a count from 1 to 4 (so, when anything is hidden, some secret is one). For each such count
//! another publication consistent with all that gives it another value. Not guaranteed:
//! that a cell hidden to protect another cannot be worked out (a masked 7 that the
//! equations and the bounds lock tells nothing small); that a secret tells nothing (it is
//! at least 1); nor anything against a reader who re-runs the choice of the protecting
//! cells, which prefers the cheapest.
//!
//! How: every row and every column of the bordered table is one linear equation over its
//! masked cells. Seen as a graph — one node per row and per column, one edge per masked cell
//! — a masked cell's value is fixed by the equations exactly when its edge is a bridge (it
//! lies on no cycle). So masking goes on until no masked edge is a bridge, each time closing
//! a cycle through the bridge at the least cost. Equations are not all a reader has, though:
//! counts cannot go below 1, and two secrets of a row whose printed cells leave 2 are 1
//! and 1. So `protection` then gives each small count room to move, and hides what it needs.

/// How a cell is published: its count, or the symbol of statistical secrecy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(u64),
    /// A count from 1 to 4, or a cell hidden so that none can be worked out: the two are
    /// one variant, so that nothing published from this type can tell them apart.
    Secret,
}

/// What every hidden cell prints: « s », the sign of the secret statistique in French public
/// statistics (Insee, the ministries' statistical services).
pub const SECRET_SYMBOL: &str = "s";

/// What « s » means, for every legend of a published table (page, report, export, API).
pub const SECRET_LEGEND: &str = "Secret statistique : « s » remplace un effectif de 1 à 4, ou une case masquée pour qu'aucun total ni aucune différence ne permette de retrouver un tel effectif ; les deux s'écrivent de même, à dessein. Un zéro est toujours affiché « 0 ».";

impl Shown {
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Secret => SECRET_SYMBOL.into(),
        }
    }

    /// As a page or a report prints it: thousands grouped the French way ("34 658").
    /// `text` stays for the files a spreadsheet reads back as numbers.
    pub fn french(self) -> String {
        match self {
            Shown::Count(n) => crate::numbers::count(n),
            Shown::Secret => SECRET_SYMBOL.into(),
        }
    }
}

/// The threshold: counts from 1 to `SMALL - 1` are never published.
pub const SMALL: u64 = 5;

/// A table with its margins: `cells[r][c]` for r < rows, c < columns; the row totals in the
/// last column, the column totals in the last row, the grand total in the corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bordered {
    pub cells: Vec<Vec<u64>>,
}

impl Bordered {
    /// Adds the margins to an inner table (rows of equal length).
    pub fn from_inner(inner: &[Vec<u64>]) -> Self {
        let columns = inner.first().map_or(0, Vec::len);
        let mut cells: Vec<Vec<u64>> = inner
            .iter()
            .map(|row| {
                let mut row = row.clone();
                row.resize(columns, 0);
                let total = row.iter().sum();
                row.push(total);
                row
            })
            .collect();
        let totals: Vec<u64> = (0..=columns)
            .map(|c| cells.iter().map(|row| row[c]).sum())
            .collect();
        cells.push(totals);
        Self { cells }
    }

    fn size(&self) -> (usize, usize) {
        (self.cells.len(), self.cells.first().map_or(0, Vec::len))
    }
}

/// Whether the masked cell (r, c) lies on no cycle of masked cells (then the row and column
/// equations give its value).
fn is_bridge(masked: &[Vec<bool>], r: usize, c: usize) -> bool {
    let (rows, columns) = (masked.len(), masked[0].len());
    // Nodes: rows 0..rows, columns rows..rows+columns. Search from row r to column c without
    // using the edge (r, c).
    let mut seen = vec![false; rows + columns];
    let mut stack = vec![r];
    seen[r] = true;
    while let Some(node) = stack.pop() {
        let neighbours: Vec<usize> = if node < rows {
            (0..columns)
                .filter(|&j| masked[node][j] && !(node == r && j == c))
                .map(|j| rows + j)
                .collect()
        } else {
            let j = node - rows;
            (0..rows)
                .filter(|&i| masked[i][j] && !(i == r && j == c))
                .collect()
        };
        for next in neighbours {
            if next == rows + c {
                return false;
            }
            if !seen[next] {
                seen[next] = true;
                stack.push(next);
            }
        }
    }
    true
}

mod protection;

/// What may be published of `table`.
pub fn suppress(table: &Bordered) -> Vec<Vec<Shown>> {
    let mut shown = vec![suppress_with(table, &[])];
    protection::protect(&[table], &[], &mut shown);
    shown.remove(0)
}

/// Tables published side by side that repeat lines — the same counts, such as the referrals
/// by quarter in the activity table and as the total of the referrals by origin. Each of
/// `lines` lists the (table, row) where one line appears. A cell of a line hidden in one table
/// is hidden in all of them, and each table is protected again around it, until no table
/// publishes what another hides.
pub fn suppress_linked(
    tables: &[&Bordered],
    lines: &[Vec<(usize, usize)>],
) -> Vec<Vec<Vec<Shown>>> {
    // A cell of a repeated line is one unknown for an attacker, wherever it appears.
    let same = |t: usize, r: usize, c: usize| {
        lines
            .iter()
            .find(|places| places.contains(&(t, r)))
            .and_then(|places| places.first())
            .map_or((t, r, c), |&(t0, r0)| (t0, r0, c))
    };
    // Cells hidden beyond the lines, when the tables together still gave one away.
    let mut extra: Vec<Vec<(usize, usize)>> = vec![Vec::new(); tables.len()];
    loop {
        let shown = hide_lines_alike(tables, lines, &extra);
        let published: Vec<(&Bordered, &[Vec<Shown>])> = tables
            .iter()
            .zip(&shown)
            .map(|(table, cells)| (*table, cells.as_slice()))
            .collect();
        let revealed = revealed_jointly(&published, same);
        if revealed.is_empty() {
            let mut shown = shown;
            protection::protect(tables, lines, &mut shown);
            return shown;
        }
        // Hide the columns of what was revealed in every table; when nothing more can be
        // hidden that way, hide everything.
        let before: usize = extra.iter().map(Vec::len).sum();
        for (t, table) in tables.iter().enumerate() {
            let (rows, _) = table.size();
            for &(_, _, c) in &revealed {
                for r in 0..rows {
                    if !extra[t].contains(&(r, c)) {
                        extra[t].push((r, c));
                    }
                }
            }
        }
        if extra.iter().map(Vec::len).sum::<usize>() == before {
            for (t, table) in tables.iter().enumerate() {
                let (rows, columns) = table.size();
                extra[t] = (0..rows)
                    .flat_map(|r| (0..columns).map(move |c| (r, c)))
                    .collect();
            }
        }
    }
}

/// Suppresses each table with `extra` hidden, hiding a line's cell in every table once one
/// table hides it, until no table shows what another hides.
fn hide_lines_alike(
    tables: &[&Bordered],
    lines: &[Vec<(usize, usize)>],
    extra: &[Vec<(usize, usize)>],
) -> Vec<Vec<Vec<Shown>>> {
    // For each line, the columns hidden somewhere.
    let mut hidden: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    loop {
        let shown: Vec<Vec<Vec<Shown>>> = tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                let forced: Vec<(usize, usize)> = lines
                    .iter()
                    .zip(&hidden)
                    .flat_map(|(places, columns)| {
                        places
                            .iter()
                            .filter(|(table, _)| *table == t)
                            .flat_map(|(_, row)| columns.iter().map(|c| (*row, *c)))
                    })
                    .chain(extra[t].iter().copied())
                    .collect();
                suppress_with(table, &forced)
            })
            .collect();
        let now: Vec<Vec<usize>> = lines
            .iter()
            .map(|places| {
                let mut columns: Vec<usize> = places
                    .iter()
                    .filter_map(|(t, row)| shown.get(*t)?.get(*row))
                    .flat_map(|line| {
                        line.iter()
                            .enumerate()
                            .filter(|(_, cell)| !matches!(cell, Shown::Count(_)))
                            .map(|(c, _)| c)
                    })
                    .collect();
                columns.sort_unstable();
                columns.dedup();
                columns
            })
            .collect();
        if now == hidden {
            return shown;
        }
        hidden = now;
    }
}

/// An attacker's linear algebra over published tables: the hidden cells whose value the
/// published row and column equations fix (Gaussian elimination in exact integer
/// arithmetic). `same` names a cell that appears in several tables by one (table, row,
/// column).
pub fn revealed_jointly(
    tables: &[(&Bordered, &[Vec<Shown>])],
    same: impl Fn(usize, usize, usize) -> (usize, usize, usize),
) -> Vec<(usize, usize, usize)> {
    let mut unknowns: Vec<(usize, usize, usize)> = Vec::new();
    for (t, (table, shown)) in tables.iter().enumerate() {
        let (rows, columns) = table.size();
        for r in 0..rows {
            for c in 0..columns {
                if !matches!(shown[r][c], Shown::Count(_)) && !unknowns.contains(&same(t, r, c)) {
                    unknowns.push(same(t, r, c));
                }
            }
        }
    }
    let index = |t: usize, r: usize, c: usize| unknowns.iter().position(|&u| u == same(t, r, c));
    // One equation per inner row (cells − row total = 0) and per inner column; the margin
    // row and column give the same kind of equation for the totals.
    let mut equations: Vec<Vec<i128>> = Vec::new();
    for (t, (table, _)) in tables.iter().enumerate() {
        let (rows, columns) = table.size();
        let mut line = |cells: Vec<(usize, usize, i128)>| {
            let mut equation = vec![0i128; unknowns.len() + 1];
            for (r, c, sign) in cells {
                match index(t, r, c) {
                    Some(k) => equation[k] += sign,
                    None => {
                        if let Some(constant) = equation.last_mut() {
                            *constant -= sign * table.cells[r][c] as i128;
                        }
                    }
                }
            }
            equations.push(equation);
        };
        for r in 0..rows {
            line(
                (0..columns)
                    .map(|c| (r, c, if c + 1 == columns { -1 } else { 1 }))
                    .collect(),
            );
        }
        for c in 0..columns {
            line(
                (0..rows)
                    .map(|r| (r, c, if r + 1 == rows { -1 } else { 1 }))
                    .collect(),
            );
        }
    }
    // Reduced row echelon form; a row with one non-zero coefficient fixes that unknown.
    let n = unknowns.len();
    let mut pivot_row = 0;
    for col in 0..n {
        let Some(p) = (pivot_row..equations.len()).find(|&i| equations[i][col] != 0) else {
            continue;
        };
        equations.swap(pivot_row, p);
        for i in 0..equations.len() {
            if i != pivot_row && equations[i][col] != 0 {
                let (a, b) = (equations[pivot_row][col], equations[i][col]);
                for k in 0..=n {
                    equations[i][k] = equations[i][k] * a - equations[pivot_row][k] * b;
                }
                // Keep the integers small: divide the row by the gcd of its terms.
                let gcd = equations[i].iter().fold(0i128, |g, &x| {
                    let (mut a, mut b) = (g.abs(), x.abs());
                    while b != 0 {
                        (a, b) = (b, a % b);
                    }
                    a
                });
                if gcd > 1 {
                    equations[i].iter_mut().for_each(|x| *x /= gcd);
                }
            }
        }
        pivot_row += 1;
    }
    equations
        .iter()
        .filter_map(|eq| {
            let nonzero: Vec<usize> = (0..n).filter(|&k| eq[k] != 0).collect();
            (nonzero.len() == 1).then(|| unknowns[nonzero[0]])
        })
        .collect()
}

/// What may be published of `table` when the cells `forced` are hidden whatever their value
/// (another published table hides them).
fn suppress_with(table: &Bordered, forced: &[(usize, usize)]) -> Vec<Vec<Shown>> {
    let (rows, columns) = table.size();
    if rows == 0 || columns == 0 {
        return Vec::new();
    }
    let value = |r: usize, c: usize| table.cells[r][c];
    let primary: Vec<Vec<bool>> = (0..rows)
        .map(|r| {
            (0..columns)
                .map(|c| (1..SMALL).contains(&value(r, c)))
                .collect()
        })
        .collect();
    let mut masked = primary.clone();
    // A zero is never hidden, even when another table hides its line: the public rule says
    // zeros are printed, so a reader knows every secret is at least 1.
    for &(r, c) in forced {
        if r < rows && c < columns && value(r, c) > 0 {
            masked[r][c] = true;
        }
    }
    loop {
        let bridge = (0..rows)
            .flat_map(|r| (0..columns).map(move |c| (r, c)))
            .find(|&(r, c)| masked[r][c] && is_bridge(&masked, r, c));
        let Some((r, c)) = bridge else { break };
        // Close a cycle r — c — r2 — c2 — r with the least newly published value hidden;
        // cells masked already cost nothing. Never through a zero: zeros are printed (a
        // cycle through a nonzero cell never needs one: its row and column totals and the
        // grand total close it).
        let cost = |i: usize, j: usize| -> Option<u64> {
            if masked[i][j] {
                Some(0)
            } else {
                Some(value(i, j)).filter(|&n| n > 0)
            }
        };
        let best = (0..rows)
            .filter(|&r2| r2 != r)
            .flat_map(|r2| {
                (0..columns)
                    .filter(move |&c2| c2 != c)
                    .map(move |c2| (r2, c2))
            })
            .filter_map(|(r2, c2)| Some((cost(r, c2)? + cost(r2, c2)? + cost(r2, c)?, r2, c2)))
            .min()
            .map(|(_, r2, c2)| (r2, c2));
        match best {
            Some((r2, c2)) => {
                masked[r][c2] = true;
                masked[r2][c2] = true;
                masked[r2][c] = true;
            }
            // A single row or column: nothing can protect it but hiding all but its zeros.
            None => {
                for (r, row) in masked.iter_mut().enumerate() {
                    for (c, m) in row.iter_mut().enumerate() {
                        *m = value(r, c) > 0;
                    }
                }
                break;
            }
        }
    }
    (0..rows)
        .map(|r| {
            (0..columns)
                .map(|c| {
                    if masked[r][c] {
                        Shown::Secret
                    } else {
                        Shown::Count(value(r, c))
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod attacker;

#[cfg(test)]
mod tests {
    use super::attacker::{Bounds, Knowledge, bounds_of_hidden};
    use super::*;
    use proptest::prelude::*;

    /// Above every count these tests make. Granted to the attacker, it only narrows what they
    /// think possible.
    const CEILING: u64 = 10_000;

    /// What suppression promises: no small count of `tables`, published together as
    /// `published`, can be worked out — an attacker who reads every printed count, every row
    /// and column equation and the repeated `lines`, and knows what `knowledge` grants,
    /// finds two values or more for each count from 1 to 4. Masked cells are the means, not
    /// the aim: a masked cell that the others lock can be worked out and tells nothing
    /// small. The attacker's bounds must also hold every true count, or the attacker is
    /// wrong, not the suppression.
    fn no_small_count_worked_out(
        tables: &[&Bordered],
        published: &[Vec<Vec<Shown>>],
        lines: &[Vec<(usize, usize)>],
        knowledge: Knowledge,
    ) -> Result<(), TestCaseError> {
        let bounds = bounds_of_hidden(published, lines, knowledge, CEILING);
        for b in &bounds {
            let (t, r, c) = b.places[0];
            let truth = tables[t].cells[r][c];
            prop_assert!(
                b.min <= truth && b.max.is_none_or(|max| truth <= max),
                "the attacker rules out the true count {} at {:?}: {:?}",
                truth,
                b.places,
                b
            );
        }
        let small = |b: &&Bounds| {
            let (t, r, c) = b.places[0];
            (1..SMALL).contains(&tables[t].cells[r][c])
        };
        let pinned: Vec<String> = bounds
            .iter()
            .filter(small)
            .filter(|b| b.pinned())
            .map(|b| format!("(table, row, column) {:?} = {}", b.places, b.min))
            .collect();
        prop_assert!(
            pinned.is_empty(),
            "worked out from what is published: {}\npublished: {:?}\ntrue counts: {:?}",
            pinned.join(", "),
            published,
            tables
        );
        Ok(())
    }

    #[test]
    fn a_small_cell_is_secret_and_cannot_be_worked_out_from_the_totals() {
        let table = Bordered::from_inner(&[vec![12, 3, 40], vec![25, 30, 18]]);
        let shown = suppress(&table);
        assert_eq!(shown[0][1], Shown::Secret);
        // The differencing attack: row total minus the published cells of the row.
        let published_in_row: Vec<bool> = shown[0]
            .iter()
            .map(|s| matches!(s, Shown::Count(_)))
            .collect();
        assert!(
            published_in_row.iter().filter(|p| !**p).count() >= 2,
            "{shown:?}"
        );
        no_small_count_worked_out(
            &[&table],
            std::slice::from_ref(&shown),
            &[],
            Knowledge::Rule,
        )
        .unwrap();
        // Large counts stay published.
        assert_eq!(shown[1][2], Shown::Count(18));
        assert_eq!(shown[2][3], Shown::Count(128));
    }

    #[test]
    fn a_table_without_small_cells_is_published_whole_and_zeros_are_shown() {
        let table = Bordered::from_inner(&[vec![12, 0], vec![25, 30]]);
        let shown = suppress(&table);
        assert!(shown.iter().flatten().all(|s| matches!(s, Shown::Count(_))));
    }

    #[test]
    fn a_lone_small_total_is_hidden_with_what_would_reveal_it() {
        let table = Bordered::from_inner(&[vec![2]]);
        let shown = suppress(&table);
        assert!(
            shown.iter().flatten().all(|s| *s != Shown::Count(2)),
            "{shown:?}"
        );
        no_small_count_worked_out(&[&table], &[shown], &[], Knowledge::Rule).unwrap();
    }

    /// Zeros, small counts and larger ones below `end`, a third of the time each: where
    /// cells give each other away.
    fn count(end: u64) -> impl Strategy<Value = u64> {
        prop_oneof![Just(0u64), 1..SMALL, SMALL..end]
    }

    // Two gaps the attacker found while small counts printed "< 5" and the cells masked to
    // protect them "s": what the symbols meant pinned counts the equations left free. With
    // one symbol for both, that knowledge is gone: the attacker reads what is published now
    // and the public rule, and finds them free; what the two symbols told would pin them.

    /// "< 5" meant from 1 to 4: two of them in a row printed 8 were 4 and 4.
    #[test]
    fn small_counts_in_a_row_print_alike_and_stay_free() {
        let table = Bordered::from_inner(&[vec![4, 4]]);
        let shown = suppress(&table);
        assert_eq!(
            shown[0],
            [Shown::Secret, Shown::Secret, Shown::Count(8)],
            "one symbol"
        );
        let published = [shown];
        no_small_count_worked_out(&[&table], &published, &[], Knowledge::Rule).unwrap();
        let was_below_five = [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)];
        assert!(
            no_small_count_worked_out(
                &[&table],
                &published,
                &[],
                Knowledge::TwoSymbols(&was_below_five)
            )
            .is_err(),
            "two symbols gave them away"
        );
    }

    /// A masked cell was 0 or at least 5, as the rule was public: beside a "< 5" in a row
    /// printed 6, it was 5 and the small count 1. Now both print "s" and either may be the
    /// small one.
    #[test]
    fn a_masked_cell_beside_a_small_one_prints_alike_and_gives_nothing_away() {
        let table = Bordered::from_inner(&[vec![1, 5], vec![20, 30]]);
        let shown = suppress(&table);
        assert_eq!(shown[0][..2], [Shown::Secret, Shown::Secret], "one symbol");
        let published = [shown];
        no_small_count_worked_out(&[&table], &published, &[], Knowledge::Rule).unwrap();
        assert!(
            no_small_count_worked_out(
                &[&table],
                &published,
                &[],
                Knowledge::TwoSymbols(&[(0, 0, 0)])
            )
            .is_err(),
            "two symbols gave it away"
        );
    }

    /// Zeros are printed, so a reader knows every secret is at least 1: two small counts
    /// whose row leaves 2 for them are 1 and 1, though the equations leave them free. The
    /// bridges alone leave them so; each small count must have room to move.
    #[test]
    fn two_ones_beside_printed_counts_get_room_to_move() {
        let table = Bordered::from_inner(&[vec![1, 1, 10], vec![20, 30, 40]]);
        let bridges_only = [suppress_with(&table, &[])];
        assert_eq!(
            bridges_only[0][0],
            [
                Shown::Secret,
                Shown::Secret,
                Shown::Count(10),
                Shown::Count(12)
            ]
        );
        no_small_count_worked_out(&[&table], &bridges_only, &[], Knowledge::Counts).unwrap();
        assert!(
            no_small_count_worked_out(&[&table], &bridges_only, &[], Knowledge::Rule).is_err(),
            "the rule pins them at 1 and 1"
        );
        let shown = suppress(&table);
        no_small_count_worked_out(&[&table], &[shown], &[], Knowledge::Rule).unwrap();
    }

    // Tables of at most 4 × 4 counts: three linked ones hide some 50 counts, two integer
    // programs each (with a switch per secret for the rule's "some secret is small"), so the
    // default 256 cases take about two seconds (the solver is built optimised, see the
    // workspace's Cargo.toml); larger tables cost more than linearly.
    proptest! {
        #[test]
        fn no_small_count_of_a_table_can_be_worked_out(
            inner in proptest::collection::vec(proptest::collection::vec(count(30), 1..5), 1..5)
        ) {
            let columns = inner[0].len();
            let inner: Vec<Vec<u64>> = inner.into_iter().map(|mut r| { r.resize(columns, 0); r }).collect();
            let table = Bordered::from_inner(&inner);
            let shown = suppress(&table);
            for (r, row) in shown.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let value = table.cells[r][c];
                    if (1..SMALL).contains(&value) {
                        prop_assert_eq!(*cell, Shown::Secret);
                    }
                    if value == 0 {
                        prop_assert_eq!(*cell, Shown::Count(0), "zeros are printed");
                    }
                    if let Shown::Count(n) = cell {
                        prop_assert_eq!(*n, value);
                        prop_assert!(!(1..SMALL).contains(n));
                    }
                }
            }
            no_small_count_worked_out(&[&table], &[shown], &[], Knowledge::Rule)?;
        }

        /// The activity table repeats the referrals by quarter that the table by origin
        /// totals, and the orientations that the table by partner type totals: none may
        /// publish what another hides, and all of them together give no small count away.
        #[test]
        fn tables_repeating_lines_reveal_no_small_count_together(
            by_origin in proptest::collection::vec(proptest::collection::vec(count(12), 4), 1..4),
            by_partner in proptest::collection::vec(proptest::collection::vec(count(12), 4), 1..4),
            others in proptest::collection::vec(proptest::collection::vec(0u64..30, 4), 0..2),
        ) {
            let origin = Bordered::from_inner(&by_origin);
            let partner = Bordered::from_inner(&by_partner);
            let activity_inner: Vec<Vec<u64>> = [
                origin.cells.last().unwrap()[..4].to_vec(),
                partner.cells.last().unwrap()[..4].to_vec(),
            ]
            .into_iter()
            .chain(others)
            .collect();
            let activity = Bordered::from_inner(&activity_inner);
            let (origin_total, partner_total) = (origin.cells.len() - 1, partner.cells.len() - 1);
            let lines = [vec![(0, 0), (1, origin_total)], vec![(0, 1), (2, partner_total)]];
            let shown = suppress_linked(&[&activity, &origin, &partner], &lines);
            for (table, cells) in [&activity, &origin, &partner].iter().zip(&shown) {
                for (counts, row) in table.cells.iter().zip(cells) {
                    for (&n, cell) in counts.iter().zip(row) {
                        if n == 0 {
                            prop_assert_eq!(*cell, Shown::Count(0), "zeros are printed");
                        }
                    }
                }
            }
            for c in 0..5 {
                prop_assert_eq!(
                    matches!(shown[0][0][c], Shown::Count(_)),
                    matches!(shown[1][origin_total][c], Shown::Count(_)),
                    "column {} differs: {:?}", c, shown
                );
                prop_assert_eq!(
                    matches!(shown[0][1][c], Shown::Count(_)),
                    matches!(shown[2][partner_total][c], Shown::Count(_)),
                    "column {} differs: {:?}", c, shown
                );
            }
            // Together, not one by one: an attacker who reads one table knows less.
            no_small_count_worked_out(&[&activity, &origin, &partner], &shown, &lines, Knowledge::Rule)?;
        }
    }
}
