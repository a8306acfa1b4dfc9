//! An attacker who reads only what is published, to judge suppression from outside it: the
//! suppression code decides with its own rules (bridges, Gaussian elimination, the moves
//! `protection` builds), so a test that asks those rules whether they worked cannot fail.
//! This one asks an integer programming solver, given every table published together and
//! what the reader knows besides (`Knowledge`), for the least and the greatest count each
//! hidden cell can hold. It never sees a hidden count.
//!
//! Integer, not linear, programming: the relaxation's bounds are outer bounds, so a cell the
//! relaxation leaves free may still be pinned once counts are whole numbers. The solver's
//! answers are not taken on trust either: each bound comes with a whole publication that
//! reaches it, checked here in exact arithmetic, so a cell found free is free whatever the
//! solver's floating point did.

use super::{SMALL, Shown};
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolutionStatus, SolveOutcome};

/// What the attacker knows of the hidden counts, beyond the printed counts and the row and
/// column equations of every table published together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knowledge<'a> {
    /// Every count is a whole number, zero or more.
    Counts,
    /// And the public rule of the one-symbol publication: a zero is always printed, so a
    /// secret is at least 1; and a cell is hidden only to protect a count from 1 to 4, so
    /// when anything is hidden, at least one secret of the tables published together is
    /// from 1 to 4. All a reader can know from the published form and the rule.
    Rule,
    /// What the former publication told on top of the rule, with two symbols: the secrets
    /// at these (table, row, column) were printed "< 5", so from 1 to 4, and the others
    /// were masked, so 5 or more (zeros are printed). Kept to show what one symbol closes.
    TwoSymbols(&'a [(usize, usize, usize)]),
}

/// The attacker's conclusion on one hidden count, wherever it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    /// Where the count appears: (table, row, column); several places when tables repeat a
    /// line.
    pub places: Vec<(usize, usize, usize)>,
    pub min: u64,
    /// `None`: as large as the ceiling granted to the attacker, so no bound at all.
    pub max: Option<u64>,
}

impl Bounds {
    /// Worked out exactly: one count only is consistent with the publication.
    pub fn pinned(&self) -> bool {
        self.max == Some(self.min)
    }
}

/// How the attacker reads one count: printed, or secret with or without the former "< 5".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Count(u64),
    Secret,
    BelowFive,
}

/// The publication as the attacker reads it: counts (one per cell, cells of a repeated line
/// shared), and one equation per row and column of every table.
struct Model<'a> {
    places: Vec<Vec<(usize, usize, usize)>>,
    /// How each count is published: its number where any table prints it.
    labels: Vec<Label>,
    /// Σ coefficient × count = 0.
    equations: Vec<Vec<(usize, i64)>>,
    ceiling: u64,
    knowledge: Knowledge<'a>,
}

/// The least and greatest value of every hidden count of `published`, the tables published
/// together (each with its margins: row totals last, column totals in the last row). `lines`
/// are the repeated lines as given to `suppress_linked`: each lists the (table, row) where
/// one line appears. `ceiling` is an upper bound on every count granted to the attacker: it
/// only narrows what they think possible, so a cell free under it is free without it.
pub fn bounds_of_hidden(
    published: &[Vec<Vec<Shown>>],
    lines: &[Vec<(usize, usize)>],
    knowledge: Knowledge,
    ceiling: u64,
) -> Vec<Bounds> {
    let model = Model::read(published, lines, knowledge, ceiling);
    (0..model.labels.len())
        .filter(|&k| !matches!(model.labels[k], Label::Count(_)))
        .map(|k| {
            let least = model.extreme(k, OptimizationDirection::Minimize);
            let most = model.extreme(k, OptimizationDirection::Maximize);
            Bounds {
                places: model.places[k].clone(),
                min: least[k],
                max: (most[k] < ceiling).then_some(most[k]),
            }
        })
        .collect()
}

impl<'a> Model<'a> {
    fn read(
        published: &[Vec<Vec<Shown>>],
        lines: &[Vec<(usize, usize)>],
        knowledge: Knowledge<'a>,
        ceiling: u64,
    ) -> Self {
        // One count per cell, then the cells of a repeated line merged into one.
        let mut count_of: Vec<Vec<Vec<usize>>> = Vec::new();
        let mut parent: Vec<usize> = Vec::new();
        let mut place_of: Vec<(usize, usize, usize)> = Vec::new();
        for (t, table) in published.iter().enumerate() {
            count_of.push(
                table
                    .iter()
                    .enumerate()
                    .map(|(r, row)| {
                        (0..row.len())
                            .map(|c| {
                                parent.push(parent.len());
                                place_of.push((t, r, c));
                                parent.len() - 1
                            })
                            .collect()
                    })
                    .collect(),
            );
        }
        fn root(parent: &mut [usize], mut k: usize) -> usize {
            while parent[k] != k {
                parent[k] = parent[parent[k]];
                k = parent[k];
            }
            k
        }
        for places in lines {
            for pair in places.windows(2) {
                let [(t0, r0), (t1, r1)] = [pair[0], pair[1]];
                let (a, b) = (&count_of[t0][r0], &count_of[t1][r1]);
                assert_eq!(a.len(), b.len(), "a repeated line has one width");
                for (&x, &y) in a.iter().zip(b) {
                    let (x, y) = (root(&mut parent, x), root(&mut parent, y));
                    parent[x] = y;
                }
            }
        }
        let mut index_of_root = vec![usize::MAX; parent.len()];
        let mut places: Vec<Vec<(usize, usize, usize)>> = Vec::new();
        let mut labels: Vec<Label> = Vec::new();
        for (cell, &(t, r, c)) in place_of.iter().enumerate() {
            let rooted = root(&mut parent, cell);
            if index_of_root[rooted] == usize::MAX {
                index_of_root[rooted] = places.len();
                places.push(Vec::new());
                labels.push(Label::Secret);
            }
            let k = index_of_root[rooted];
            let label = match (published[t][r][c], knowledge) {
                (Shown::Count(n), _) => Label::Count(n),
                (Shown::Secret, Knowledge::TwoSymbols(small)) if small.contains(&(t, r, c)) => {
                    Label::BelowFive
                }
                (Shown::Secret, _) => Label::Secret,
            };
            // A count printed anywhere is known everywhere; "< 5" anywhere bounds it.
            labels[k] = match (labels[k], label) {
                (Label::Count(a), Label::Count(b)) => {
                    assert_eq!(a, b, "{:?} is published with two counts", places[k]);
                    Label::Count(a)
                }
                (Label::Count(n), _) | (_, Label::Count(n)) => Label::Count(n),
                (Label::BelowFive, _) | (_, Label::BelowFive) => Label::BelowFive,
                _ => Label::Secret,
            };
            places[k].push((t, r, c));
            count_of[t][r][c] = k;
        }
        // Each inner row sums to its total (last column), each column to its total (last row).
        let mut equations = Vec::new();
        for table in &count_of {
            let (rows, columns) = (table.len(), table.first().map_or(0, Vec::len));
            if rows == 0 || columns == 0 {
                continue;
            }
            let sum = |cells: Vec<usize>, total: usize| {
                let mut terms: Vec<(usize, i64)> = vec![(total, -1)];
                terms.extend(cells.into_iter().map(|k| (k, 1)));
                terms
            };
            for row in table {
                equations.push(sum(row[..columns - 1].to_vec(), row[columns - 1]));
            }
            for c in 0..columns {
                let cells = table[..rows - 1].iter().map(|row| row[c]).collect();
                equations.push(sum(cells, table[rows - 1][c]));
            }
        }
        Self {
            places,
            labels,
            equations,
            ceiling,
            knowledge,
        }
    }

    /// The range the attacker allows a hidden count before any equation.
    fn range(&self, label: Label) -> (u64, u64) {
        match (label, self.knowledge) {
            (Label::Count(n), _) => (n, n),
            (_, Knowledge::Counts) => (0, self.ceiling),
            (Label::BelowFive, _) => (1, SMALL - 1),
            (Label::Secret, Knowledge::Rule) => (1, self.ceiling),
            (Label::Secret, Knowledge::TwoSymbols(_)) => (SMALL, self.ceiling),
        }
    }

    /// Whether the rule asks for a secret from 1 to 4 among the hidden counts.
    fn one_small_secret(&self) -> bool {
        self.knowledge == Knowledge::Rule
            && self.labels.iter().any(|l| !matches!(l, Label::Count(_)))
    }

    /// Whether `values` (one per count) is a publication the attacker cannot rule out.
    fn admits(&self, values: &[u64]) -> bool {
        let in_range = self.labels.iter().zip(values).all(|(&label, &v)| {
            let (low, high) = self.range(label);
            (low..=high).contains(&v)
        });
        let small_secret = !self.one_small_secret()
            || self
                .labels
                .iter()
                .zip(values)
                .any(|(l, v)| !matches!(l, Label::Count(_)) && (1..SMALL).contains(v));
        in_range
            && small_secret
            && self.equations.iter().all(|terms| {
                terms
                    .iter()
                    .map(|&(k, a)| a * values[k] as i64)
                    .sum::<i64>()
                    == 0
            })
    }

    /// A publication consistent with what is shown where count `target` is least (or
    /// greatest), checked before it is believed.
    fn extreme(&self, target: usize, direction: OptimizationDirection) -> Vec<u64> {
        let mut problem = Problem::new(direction);
        let int = |n: u64| i32::try_from(n).expect("counts within i32");
        let variables: Vec<_> = self
            .labels
            .iter()
            .enumerate()
            .map(|(k, &label)| {
                let (low, high) = self.range(label);
                let weight = if k == target { 1.0 } else { 0.0 };
                problem.add_integer_var(weight, (int(low), int(high)))
            })
            .collect();
        if self.one_small_secret() {
            // One secret at least is small: a switch per secret, on only if it is from 1 to
            // SMALL - 1, and one switch on.
            let switches: Vec<_> = self
                .labels
                .iter()
                .enumerate()
                .filter(|(_, l)| !matches!(l, Label::Count(_)))
                .map(|(k, _)| {
                    let small = problem.add_binary_var(0.0);
                    let slack = (self.ceiling - (SMALL - 1)) as f64;
                    problem.add_constraint(
                        [(variables[k], 1.0), (small, slack)],
                        ComparisonOp::Le,
                        self.ceiling as f64,
                    );
                    problem.add_constraint(
                        [(variables[k], 1.0), (small, -1.0)],
                        ComparisonOp::Ge,
                        0.0,
                    );
                    small
                })
                .collect();
            problem.add_constraint(switches.iter().map(|&s| (s, 1.0)), ComparisonOp::Ge, 1.0);
        }
        for terms in &self.equations {
            let mut merged: Vec<(usize, f64)> = Vec::new();
            for &(k, a) in terms {
                match merged.iter_mut().find(|(j, _)| *j == k) {
                    Some((_, b)) => *b += a as f64,
                    None => merged.push((k, a as f64)),
                }
            }
            problem.add_constraint(
                merged
                    .into_iter()
                    .filter(|&(_, a)| a != 0.0)
                    .map(|(k, a)| (variables[k], a)),
                ComparisonOp::Eq,
                0.0,
            );
        }
        let solution = match problem.solve() {
            Ok(SolveOutcome::Solution(solution))
                if solution.status() == SolutionStatus::Optimal =>
            {
                solution
            }
            other => panic!(
                "the solver gave no optimum for {:?}: {other:?}",
                self.places[target]
            ),
        };
        let values: Vec<u64> = variables
            .iter()
            .map(|&x| solution.var_value(x).round().max(0.0) as u64)
            .collect();
        assert!(
            self.admits(&values),
            "the solver's witness for {:?} is not a publication consistent with what is shown: {values:?}",
            self.places[target]
        );
        values
    }
}

mod tests {
    use super::super::{Bordered, revealed_jointly, suppress, suppress_linked};
    use super::*;

    const CEILING: u64 = 10_000;

    /// The hidden counts the attacker works out, with their value.
    fn pinned(
        published: &[Vec<Vec<Shown>>],
        lines: &[Vec<(usize, usize)>],
        knowledge: Knowledge,
    ) -> Vec<((usize, usize, usize), u64)> {
        bounds_of_hidden(published, lines, knowledge, CEILING)
            .into_iter()
            .filter(Bounds::pinned)
            .map(|b| (b.places[0], b.min))
            .collect()
    }

    /// Primary suppression only: small counts secret, nothing else hidden.
    fn primary_only(table: &Bordered) -> Vec<Vec<Shown>> {
        table
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&n| match n {
                        1..SMALL => Shown::Secret,
                        n => Shown::Count(n),
                    })
                    .collect()
            })
            .collect()
    }

    /// Where `table` holds a count from 1 to 4: what the former "< 5" marked.
    fn small_places(t: usize, table: &Bordered) -> Vec<(usize, usize, usize)> {
        table
            .cells
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .filter(|(_, n)| (1..SMALL).contains(*n))
                    .map(move |(c, _)| (t, r, c))
            })
            .collect()
    }

    #[test]
    fn a_small_cell_hidden_alone_is_its_row_total_less_the_rest() {
        let table = Bordered::from_inner(&[vec![12, 3, 40], vec![25, 30, 18]]);
        let naive = primary_only(&table);
        assert_eq!(
            pinned(&[naive], &[], Knowledge::Counts),
            vec![((0, 0, 1), 3)]
        );
        assert_eq!(pinned(&[suppress(&table)], &[], Knowledge::Rule), vec![]);
    }

    /// The referrals by origin total the activity table's first line: each table protects
    /// its small cell on its own, yet the second prints a count the first hides.
    #[test]
    fn tables_suppressed_apart_give_away_together_what_neither_does_alone() {
        let activity = Bordered::from_inner(&[vec![3, 60, 12], vec![20, 5, 100]]);
        let by_origin = Bordered::from_inner(&[vec![1, 30, 6], vec![2, 30, 6]]);
        let lines = [vec![(0, 0), (1, 2)]];
        let apart = vec![suppress(&activity), suppress(&by_origin)];
        for table in &apart {
            assert_eq!(
                pinned(std::slice::from_ref(table), &[], Knowledge::Rule),
                vec![]
            );
        }
        // The activity table hides the 60 that the table by origin prints: 75 − 60 − 12.
        assert_eq!(
            pinned(&apart, &lines, Knowledge::Counts),
            vec![((0, 0, 0), 3), ((0, 1, 0), 20), ((0, 1, 1), 5)]
        );
        let together = suppress_linked(&[&activity, &by_origin], &lines);
        assert_eq!(pinned(&together, &lines, Knowledge::Rule), vec![]);
    }

    /// Two small counts whose row prints 8: the equations leave them free, and so does the
    /// one symbol; had they been printed "< 5" beside masked cells printed otherwise, what
    /// the symbols meant would have pinned them.
    #[test]
    fn what_two_symbols_told_pins_what_the_equations_leave_free() {
        let table = Bordered::from_inner(&[vec![4, 4]]);
        let published = [suppress(&table)];
        assert_eq!(
            published[0],
            vec![
                vec![Shown::Secret, Shown::Secret, Shown::Count(8)],
                vec![Shown::Secret, Shown::Secret, Shown::Count(8)],
            ]
        );
        assert_eq!(
            revealed_jointly(&[(&table, &published[0])], |t, r, c| (t, r, c)),
            vec![]
        );
        assert_eq!(pinned(&published, &[], Knowledge::Counts), vec![]);
        assert_eq!(pinned(&published, &[], Knowledge::Rule), vec![]);
        let small = small_places(0, &table);
        assert_eq!(
            pinned(&published, &[], Knowledge::TwoSymbols(&small)),
            vec![
                ((0, 0, 0), 4),
                ((0, 0, 1), 4),
                ((0, 1, 0), 4),
                ((0, 1, 1), 4)
            ]
        );
    }
}
