//! An attacker who reads only what is published, to judge suppression from outside it: the
//! suppression code decides with its own rules (bridges, Gaussian elimination), so a test
//! that asks those rules whether they worked cannot fail. This one asks an integer
//! programming solver, given every table published together, for the least and the greatest
//! count each hidden cell can hold. It never sees a hidden count.
//!
//! Integer, not linear, programming: the relaxation's bounds are outer bounds, so a cell the
//! relaxation leaves free may still be pinned once counts are whole numbers. The solver's
//! answers are not taken on trust either: each bound comes with a whole publication that
//! reaches it, checked here in exact arithmetic, so a cell found free is free whatever the
//! solver's floating point did.

use super::{SMALL, Shown};
use microlp::{ComparisonOp, OptimizationDirection, Problem, SolutionStatus, SolveOutcome};

/// What the attacker knows of a hidden cell, beyond the row and column equations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knowledge {
    /// Every count is a whole number, zero or more.
    Counts,
    /// And "< 5" means from 1 to 4: it is printed.
    Symbols,
    /// And a masked cell ("s") holds 0 or at least 5: counts from 1 to 4 are always
    /// printed "< 5", a rule that is public.
    Rule,
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

/// The publication as the attacker reads it: counts (one per cell, cells of a repeated line
/// shared), and one equation per row and column of every table.
struct Model {
    places: Vec<Vec<(usize, usize, usize)>>,
    /// How each count is published: its number where any table prints it.
    labels: Vec<Shown>,
    /// Σ coefficient × count = 0.
    equations: Vec<Vec<(usize, i64)>>,
    ceiling: u64,
    knowledge: Knowledge,
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
        .filter(|&k| !matches!(model.labels[k], Shown::Count(_)))
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

impl Model {
    fn read(
        published: &[Vec<Vec<Shown>>],
        lines: &[Vec<(usize, usize)>],
        knowledge: Knowledge,
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
        let mut labels: Vec<Shown> = Vec::new();
        for (cell, &(t, r, c)) in place_of.iter().enumerate() {
            let rooted = root(&mut parent, cell);
            if index_of_root[rooted] == usize::MAX {
                index_of_root[rooted] = places.len();
                places.push(Vec::new());
                labels.push(Shown::Masked);
            }
            let k = index_of_root[rooted];
            let label = published[t][r][c];
            // A count printed anywhere is known everywhere; "< 5" anywhere bounds it.
            labels[k] = match (labels[k], label) {
                (Shown::Count(a), Shown::Count(b)) => {
                    assert_eq!(a, b, "{:?} is published with two counts", places[k]);
                    Shown::Count(a)
                }
                (Shown::Count(n), _) | (_, Shown::Count(n)) => Shown::Count(n),
                (Shown::BelowFive, _) | (_, Shown::BelowFive) => Shown::BelowFive,
                _ => Shown::Masked,
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
    fn range(&self, label: Shown) -> (u64, u64) {
        match (label, self.knowledge) {
            (Shown::Count(n), _) => (n, n),
            (Shown::BelowFive, Knowledge::Symbols | Knowledge::Rule) => (1, SMALL - 1),
            _ => (0, self.ceiling),
        }
    }

    /// Whether `values` (one per count) is a publication the attacker cannot rule out.
    fn admits(&self, values: &[u64]) -> bool {
        let in_range = self.labels.iter().zip(values).all(|(&label, &v)| {
            let (low, high) = self.range(label);
            let small = label == Shown::Masked
                && self.knowledge == Knowledge::Rule
                && (1..SMALL).contains(&v);
            (low..=high).contains(&v) && !small
        });
        in_range
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
        if self.knowledge == Knowledge::Rule {
            // Masked: either zero (off) or from SMALL to the ceiling (on).
            for (k, _) in self
                .labels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Shown::Masked)
            {
                let on = problem.add_binary_var(0.0);
                let x = variables[k];
                problem.add_constraint([(x, 1.0), (on, -(SMALL as f64))], ComparisonOp::Ge, 0.0);
                problem.add_constraint(
                    [(x, 1.0), (on, -(self.ceiling as f64))],
                    ComparisonOp::Le,
                    0.0,
                );
            }
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

    /// Primary suppression only: small counts printed "< 5", nothing else hidden.
    fn primary_only(table: &Bordered) -> Vec<Vec<Shown>> {
        table
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&n| match n {
                        1..SMALL => Shown::BelowFive,
                        n => Shown::Count(n),
                    })
                    .collect()
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
        assert_eq!(pinned(&[suppress(&table)], &[], Knowledge::Counts), vec![]);
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
                pinned(std::slice::from_ref(table), &[], Knowledge::Counts),
                vec![]
            );
        }
        // The activity table hides the 60 that the table by origin prints: 75 − 60 − 12.
        assert_eq!(
            pinned(&apart, &lines, Knowledge::Counts),
            vec![((0, 0, 0), 3), ((0, 1, 0), 20), ((0, 1, 1), 5)]
        );
        let together = suppress_linked(&[&activity, &by_origin], &lines);
        assert_eq!(pinned(&together, &lines, Knowledge::Counts), vec![]);
    }

    /// Two counts printed "< 5" whose row prints 8: the equations leave them free, what
    /// "< 5" means does not.
    #[test]
    fn what_below_five_means_pins_what_the_equations_leave_free() {
        let table = Bordered::from_inner(&[vec![4, 4]]);
        let shown: Vec<Vec<Shown>> = table
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&n| match n {
                        4 => Shown::BelowFive,
                        n => Shown::Count(n),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            revealed_jointly(&[(&table, &shown)], |t, r, c| (t, r, c)),
            vec![]
        );
        let published = [shown];
        assert_eq!(pinned(&published, &[], Knowledge::Counts), vec![]);
        assert_eq!(
            pinned(&published, &[], Knowledge::Symbols),
            vec![
                ((0, 0, 0), 4),
                ((0, 0, 1), 4),
                ((0, 1, 0), 4),
                ((0, 1, 1), 4)
            ]
        );
    }
}
