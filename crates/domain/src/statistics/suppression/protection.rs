//! The last step of suppression: every small count gets room to move. The bridges leave no
//! hidden count fixed by the equations alone, but a reader knows more than the equations:
//! counts are whole numbers, a zero is always printed (so a secret is at least 1), and cells
//! are hidden only to protect a count from 1 to 4. With those bounds the equations are not
//! the whole story: two secrets in a row whose printed cells leave 2 are 1 and 1.
//!
//! So each small count gets a witness: another publication, consistent with every printed
//! count, every equation and that rule, in which it differs by one. The witness is a move of
//! one unit between hidden cells: a count moved from one column of a line to another (or
//! added to a column and to the line's total), the same move taken back by another line of
//! each table that holds it, and so on through the lines that tables repeat. Every cell it
//! lowers holds 2 or more, it touches no zero, and afterwards some secret is still from 1 to
//! 4. When the hidden cells hold no such move, the cheapest one is hidden as well.

use super::{Bordered, SMALL, Shown};

/// A line's change: (column, +1 or −1), two columns; it keeps the line's own equation.
type Move = Vec<(usize, i8)>;

/// The tables published together as one set of counts: a line that several tables repeat
/// is one line, its cells one count each.
struct System<'a> {
    tables: &'a [&'a Bordered],
    /// `count_of[t][r][c]`: the count a cell publishes.
    count_of: Vec<Vec<Vec<usize>>>,
    values: Vec<u64>,
    /// `line_of[t][r]`: the line a row is a copy of (its own when no other table repeats it).
    line_of: Vec<Vec<usize>>,
    /// Each line's copies, (table, row).
    copies: Vec<Vec<(usize, usize)>>,
}

/// Each count moved by the witness, once.
struct Witness {
    changes: Vec<(usize, i8)>,
    /// Searches left: a bound on the backtracking through repeated lines, so that a page
    /// with many linked tables answers in time (running out only hides more).
    budget: usize,
}

/// What may move: only hidden cells when checking, any cell but zeros when choosing what to
/// hide.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Choose,
}

impl<'a> System<'a> {
    fn new(tables: &'a [&'a Bordered], lines: &[Vec<(usize, usize)>]) -> Self {
        let mut parent: Vec<usize> = Vec::new();
        let mut count_of: Vec<Vec<Vec<usize>>> = Vec::new();
        for table in tables {
            count_of.push(
                table
                    .cells
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|_| {
                                parent.push(parent.len());
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
        let mut line_of: Vec<Vec<usize>> = tables
            .iter()
            .map(|table| vec![usize::MAX; table.cells.len()])
            .collect();
        let mut copies: Vec<Vec<(usize, usize)>> = Vec::new();
        for places in lines {
            let places: Vec<(usize, usize)> = places
                .iter()
                .copied()
                .filter(|&(t, r)| line_of.get(t).is_some_and(|rows| r < rows.len()))
                .collect();
            for &(t, r) in &places {
                line_of[t][r] = copies.len();
            }
            for pair in places.windows(2) {
                let [(t0, r0), (t1, r1)] = [pair[0], pair[1]];
                let pairs: Vec<(usize, usize)> = count_of[t0][r0]
                    .iter()
                    .copied()
                    .zip(count_of[t1][r1].iter().copied())
                    .collect();
                for (x, y) in pairs {
                    let (x, y) = (root(&mut parent, x), root(&mut parent, y));
                    parent[x] = y;
                }
            }
            copies.push(places);
        }
        for (t, rows) in line_of.iter_mut().enumerate() {
            for (r, line) in rows.iter_mut().enumerate() {
                if *line == usize::MAX {
                    *line = copies.len();
                    copies.push(vec![(t, r)]);
                }
            }
        }
        // Counts numbered by their first cell.
        let mut index = vec![usize::MAX; parent.len()];
        let mut values = Vec::new();
        for (t, table) in tables.iter().enumerate() {
            for (r, row) in table.cells.iter().enumerate() {
                for (c, &value) in row.iter().enumerate() {
                    let rooted = root(&mut parent, count_of[t][r][c]);
                    if index[rooted] == usize::MAX {
                        index[rooted] = values.len();
                        values.push(value);
                    }
                    count_of[t][r][c] = index[rooted];
                }
            }
        }
        Self {
            tables,
            count_of,
            values,
            line_of,
            copies,
        }
    }

    /// The first (table, row, column) of count `k`.
    fn place(&self, k: usize) -> Option<(usize, usize, usize)> {
        self.count_of.iter().enumerate().find_map(|(t, rows)| {
            rows.iter()
                .enumerate()
                .find_map(|(r, row)| row.iter().position(|&j| j == k).map(|c| (t, r, c)))
        })
    }

    /// Moves count `k` by `delta` in `witness`, if the rule lets it: never a zero (zeros are
    /// printed), never below 1, never a printed count when checking, and once only.
    fn shift(
        &self,
        witness: &mut Witness,
        k: usize,
        delta: i8,
        hidden: &[bool],
        mode: Mode,
    ) -> bool {
        let value = self.values[k];
        let allowed = value > 0
            && (delta > 0 || value >= 2)
            && (hidden[k] || mode == Mode::Choose)
            && witness.changes.iter().all(|&(j, _)| j != k);
        if allowed {
            witness.changes.push((k, delta));
        }
        allowed
    }

    /// Row `r` of table `t` changes by `w`.
    fn shift_row(
        &self,
        witness: &mut Witness,
        (t, r): (usize, usize),
        w: &Move,
        hidden: &[bool],
        mode: Mode,
    ) -> bool {
        w.iter()
            .all(|&(c, delta)| self.shift(witness, self.count_of[t][r][c], delta, hidden, mode))
    }

    /// What hiding the cells of row `r` of table `t` at the columns of `w` costs.
    fn cost_of_row(&self, (t, r): (usize, usize), w: &Move, hidden: &[bool]) -> u64 {
        w.iter()
            .map(|&(c, _)| self.count_of[t][r][c])
            .filter(|&k| !hidden[k])
            .map(|k| self.values[k])
            .sum()
    }

    /// Balances every table of `pending` — (table, row, change of that row) — with one more
    /// row of the same table: the total row takes a change of an inner row, or another inner
    /// row takes it back; an inner row takes a change of the total row. A row repeated in
    /// other tables carries its change there, to be balanced in turn.
    fn balance(
        &self,
        witness: &mut Witness,
        pending: &mut Vec<(usize, usize, Move)>,
        used: &mut Vec<usize>,
        hidden: &[bool],
        mode: Mode,
    ) -> bool {
        let Some((t, r, w)) = pending.pop() else {
            return true;
        };
        if witness.budget == 0 || used.contains(&t) {
            pending.push((t, r, w));
            return false;
        }
        witness.budget -= 1;
        used.push(t);
        let last = self.tables[t].cells.len() - 1;
        let back: Move = w.iter().map(|&(c, d)| (c, -d)).collect();
        let mut options: Vec<(usize, Move)> = if r < last {
            std::iter::once((last, w.clone()))
                .chain((0..last).filter(|&r2| r2 != r).map(|r2| (r2, back.clone())))
                .collect()
        } else {
            (0..last).map(|r2| (r2, w.clone())).collect()
        };
        let repeated = |r2: usize| self.copies[self.line_of[t][r2]].len() > 1;
        // A row no other table repeats touches counts of this table only: the cheapest that
        // fits is as good as any for the rest of the search.
        options.sort_by_key(|(r2, w2)| (repeated(*r2), self.cost_of_row((t, *r2), w2, hidden)));
        for (r2, w2) in options {
            let (changes, waiting) = (witness.changes.len(), pending.len());
            if self.shift_row(witness, (t, r2), &w2, hidden, mode) {
                for &(t2, r3) in &self.copies[self.line_of[t][r2]] {
                    if t2 != t {
                        pending.push((t2, r3, w2.clone()));
                    }
                }
                let used_before = used.len();
                if self.balance(witness, pending, used, hidden, mode) {
                    return true;
                }
                used.truncate(used_before);
                if !repeated(r2) {
                    // The rest failed whatever this row did.
                    witness.changes.truncate(changes);
                    pending.truncate(waiting);
                    break;
                }
            }
            witness.changes.truncate(changes);
            pending.truncate(waiting);
        }
        used.pop();
        pending.push((t, r, w));
        false
    }

    /// The cheapest witness for small count `k`: the counts it moves (hidden ones cost
    /// nothing, the others their value), or `None`.
    fn witness(&self, k: usize, hidden: &[bool], mode: Mode) -> Option<Vec<(usize, i8)>> {
        let (t, r, c) = self.place(k)?;
        let last = self.count_of[t][r].len() - 1;
        let mut best: Option<(u64, Vec<(usize, i8)>)> = None;
        for d in [1i8, -1] {
            let moves: Vec<Move> = if c < last {
                (0..last)
                    .filter(|&c2| c2 != c)
                    .map(|c2| vec![(c, d), (c2, -d)])
                    .chain(std::iter::once(vec![(c, d), (last, d)]))
                    .collect()
            } else {
                (0..last).map(|c2| vec![(c2, d), (last, d)]).collect()
            };
            for w in moves {
                let mut witness = Witness {
                    changes: Vec::new(),
                    budget: 2_000,
                };
                if !self.shift_row(&mut witness, (t, r), &w, hidden, mode) {
                    continue;
                }
                let mut pending: Vec<(usize, usize, Move)> = self.copies[self.line_of[t][r]]
                    .iter()
                    .map(|&(t2, r2)| (t2, r2, w.clone()))
                    .collect();
                if !self.balance(&mut witness, &mut pending, &mut Vec::new(), hidden, mode)
                    || !self.keeps_a_small_secret(&witness.changes, hidden)
                {
                    continue;
                }
                if mode == Mode::Check {
                    return Some(witness.changes);
                }
                let cost: u64 = witness
                    .changes
                    .iter()
                    .filter(|(j, _)| !hidden[*j])
                    .map(|(j, _)| self.values[*j])
                    .sum();
                if best.as_ref().is_none_or(|(least, _)| cost < *least) {
                    best = Some((cost, witness.changes));
                }
            }
        }
        best.map(|(_, changes)| changes)
    }

    /// Whether, after `changes`, some secret is still from 1 to 4, as the rule says of any
    /// publication that hides something (the moved cells are hidden once chosen).
    fn keeps_a_small_secret(&self, changes: &[(usize, i8)], hidden: &[bool]) -> bool {
        let small = |n: u64| (1..SMALL).contains(&n);
        changes
            .iter()
            .any(|&(j, d)| small(self.values[j].saturating_add_signed(d.into())))
            || (0..self.values.len())
                .any(|j| hidden[j] && small(self.values[j]) && changes.iter().all(|&(i, _)| i != j))
    }
}

/// Hides more of `shown` (the tables published together, with their repeated `lines`) until
/// every count from 1 to 4 has a witness among the hidden cells.
pub(super) fn protect(
    tables: &[&Bordered],
    lines: &[Vec<(usize, usize)>],
    shown: &mut [Vec<Vec<Shown>>],
) {
    let system = System::new(tables, lines);
    let mut hidden = vec![false; system.values.len()];
    for (t, rows) in system.count_of.iter().enumerate() {
        for (r, row) in rows.iter().enumerate() {
            for (c, &k) in row.iter().enumerate() {
                if shown[t][r][c] == Shown::Secret {
                    hidden[k] = true;
                }
            }
        }
    }
    for k in 0..system.values.len() {
        if !(1..SMALL).contains(&system.values[k])
            || system.witness(k, &hidden, Mode::Check).is_some()
        {
            continue;
        }
        match system.witness(k, &hidden, Mode::Choose) {
            Some(changes) => changes.iter().for_each(|&(j, _)| hidden[j] = true),
            // No move at all, even through printed cells: every count but zeros is hidden.
            None => (0..hidden.len()).for_each(|j| hidden[j] = system.values[j] > 0),
        }
    }
    for (t, rows) in system.count_of.iter().enumerate() {
        for (r, row) in rows.iter().enumerate() {
            for (c, &k) in row.iter().enumerate() {
                if hidden[k] {
                    shown[t][r][c] = Shown::Secret;
                }
            }
        }
    }
}
