//! The multi-objective ordering of the Pareto mode (NSGA-II: non-dominated sorting, then crowding
//! distance), its hardware-cost diversity objective, and the hypervolume a front is measured by.
//!
//! Every objective here is maximised: the search passes (RMI, −cost) and, with the diversity
//! objective, how far each candidate's cost lies from its nearest neighbour's (MO-HDNAS's χ).

use super::Candidate;
use serde::{Deserialize, Serialize};

/// A member of a front: what `evrsnas pareto` prints and `evrsnas pick` reads back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontMember {
    pub arch: String,
    pub index: Option<usize>,
    /// Mean RMI over its initialisations.
    pub rmi: f64,
    pub replicates: usize,
    pub cost: f64,
    pub measured: bool,
    /// The share of the space with fewer multiply-accumulates (`crate::complexity`), 0..1.
    pub complexity: f64,
}

impl From<&Candidate> for FrontMember {
    fn from(c: &Candidate) -> Self {
        Self {
            arch: c.arch.clone(),
            index: c.index,
            rmi: c.rmi,
            replicates: c.replicates,
            cost: c.cost,
            measured: c.measured,
            complexity: c.complexity,
        }
    }
}

/// The non-dominated members of `all` by (RMI ↑, cost ↓), cheapest first (equal costs by
/// architecture); equal members are all kept.
pub fn front_of(all: Vec<FrontMember>) -> Vec<FrontMember> {
    let points: Vec<(f64, f64)> = all.iter().map(|m| (m.rmi, m.cost)).collect();
    let keep: std::collections::HashSet<usize> = front_indices(&points).into_iter().collect();
    let mut front: Vec<FrontMember> = all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, m)| m)
        .collect();
    front.sort_by(|a, b| a.cost.total_cmp(&b.cost).then_with(|| a.arch.cmp(&b.arch)));
    front
}

/// The answer for a budget from scored candidates (a search's [`Search::scored`](super::Search::scored), or a
/// saved list): within `fitness.threshold`, the most often trained first (the confirmed ones),
/// then by fitness, as [`Search::ranked`](super::Search::ranked) ranks a finished search; `None`
/// when every candidate costs more. No training: a budget slider moves over a finished search
/// instantly. (Taking the front's best member by RMI instead lands further from the best cell:
/// the front of a noisy RMI holds few, cheap cells; FIDELITY.md, "Pareto mode".)
pub fn pick(candidates: &[FrontMember], fitness: &crate::Fitness) -> Option<FrontMember> {
    candidates
        .iter()
        .filter(|c| fitness.feasible(c.cost))
        .max_by(|a, b| {
            (a.replicates.cmp(&b.replicates))
                .then(fitness.fitness(a.rmi, a.cost, a.complexity).total_cmp(&fitness.fitness(
                    b.rmi,
                    b.cost,
                    b.complexity,
                )))
                .then_with(|| b.arch.cmp(&a.arch))
        })
        .cloned()
}

/// Whether `a` dominates `b`: at least as good in every objective, better in one.
fn dominates(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y) && a.iter().zip(b).any(|(x, y)| x > y)
}

/// The non-dominated rank of each point: 0 for the front, 1 for the front once it is removed, …
/// (O(M·N²), fine for the few thousand candidates a search scores).
pub fn ranks(points: &[Vec<f64>]) -> Vec<usize> {
    let n = points.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![vec![]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            if dominates(&points[i], &points[j]) {
                dominates_list[i].push(j);
                dominated_by[j] += 1;
            } else if dominates(&points[j], &points[i]) {
                dominates_list[j].push(i);
                dominated_by[i] += 1;
            }
        }
    }
    let mut rank = vec![0; n];
    let mut current: Vec<usize> = (0..n).filter(|&i| dominated_by[i] == 0).collect();
    let mut r = 0;
    while !current.is_empty() {
        let mut next = vec![];
        for &i in &current {
            rank[i] = r;
            for &j in &dominates_list[i] {
                dominated_by[j] -= 1;
                if dominated_by[j] == 0 {
                    next.push(j);
                }
            }
        }
        current = next;
        r += 1;
    }
    rank
}

/// NSGA-II's crowding distance of each of `members` (indices into `points`, one front): the sum
/// over objectives of the normalised gap between its two neighbours; the extremes get infinity,
/// so a front's ends always survive.
fn crowding(points: &[Vec<f64>], members: &[usize]) -> Vec<f64> {
    let mut distance = vec![0.0; members.len()];
    let objectives = members.first().map_or(0, |&i| points[i].len());
    let columns = (0..objectives).map(|m| members.iter().map(|&i| points[i][m]).collect::<Vec<f64>>());
    for value in columns {
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| value[a].total_cmp(&value[b]));
        let (Some(&lo), Some(&hi)) = (order.first(), order.last()) else {
            continue;
        };
        let span = value[hi] - value[lo];
        distance[lo] = f64::INFINITY;
        distance[hi] = f64::INFINITY;
        if span <= 0.0 {
            continue;
        }
        for w in order.windows(3) {
            distance[w[1]] += (value[w[2]] - value[w[0]]) / span;
        }
    }
    distance
}

/// Indices of `points` best first by NSGA-II's crowded comparison: lower rank first, then larger
/// crowding distance; ties keep index order, so the order is deterministic.
pub fn crowded_order(points: &[Vec<f64>]) -> Vec<usize> {
    let rank = ranks(points);
    let mut crowd = vec![0.0; points.len()];
    for r in 0..=rank.iter().copied().max().unwrap_or(0) {
        let members: Vec<usize> = (0..points.len()).filter(|&i| rank[i] == r).collect();
        for (&i, d) in members.iter().zip(crowding(points, &members)) {
            crowd[i] = d;
        }
    }
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| rank[a].cmp(&rank[b]).then(crowd[b].total_cmp(&crowd[a])));
    order
}

/// Indices of `points` interleaved across niches: every niche's best by crowded comparison
/// within it, then every niche's second, and so on (niches in order; exhausted ones skipped).
/// The first population of this order are the parents, so each part of the cost axis breeds,
/// and a niche's leader outranks every niche's runner-up in the tournaments.
pub fn niche_order(points: &[Vec<f64>], niche: &[usize]) -> Vec<usize> {
    interleave(niche, |_, members| {
        let sub: Vec<Vec<f64>> = members.iter().map(|&i| points[i].clone()).collect();
        crowded_order(&sub).into_iter().map(|k| members[k]).collect()
    })
}

/// Interleaves niches (`niche[i]`: the niche of candidate i) best first: `within(n, members)`
/// orders niche n's members, then each niche's first, each niche's second, … (exhausted niches
/// skipped).
pub fn interleave(niche: &[usize], within: impl Fn(usize, &[usize]) -> Vec<usize>) -> Vec<usize> {
    let niches = niche.iter().copied().max().map_or(0, |n| n + 1);
    let mut per_niche: Vec<std::vec::IntoIter<usize>> = (0..niches)
        .map(|n| {
            let members: Vec<usize> = (0..niche.len()).filter(|&i| niche[i] == n).collect();
            within(n, &members).into_iter()
        })
        .collect();
    let mut order = Vec::with_capacity(niche.len());
    while order.len() < niche.len() {
        for it in per_niche.iter_mut() {
            if let Some(i) = it.next() {
                order.push(i);
            }
        }
    }
    order
}

/// MO-HDNAS's hardware-cost diversity χ of each cost among `costs`: the distance to the nearest
/// other cost, normalised by `span` (the device's range). A candidate alone in its part of the
/// cost axis scores high, so the search keeps exploring budgets nobody has covered yet.
pub fn cost_diversity(costs: &[f64], span: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[a].total_cmp(&costs[b]));
    let span = if span > 0.0 { span } else { 1.0 };
    let mut gap = vec![1.0; costs.len()];
    for (k, &i) in order.iter().enumerate() {
        let below = k.checked_sub(1).map(|j| costs[i] - costs[order[j]]);
        let above = order.get(k + 1).map(|&j| costs[j] - costs[i]);
        let nearest = match (below, above) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => span,
        };
        gap[i] = (nearest / span).min(1.0);
    }
    gap
}

/// Indices of the non-dominated points of (gain ↑, cost ↓), cheapest first, by one sweep
/// (O(N log N): the page asks for a search's front with every progress report, and draws the
/// true front of all 15,625 NB201 cells); equal points are all kept.
pub fn front_indices(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        points[a]
            .1
            .total_cmp(&points[b].1)
            .then(points[b].0.total_cmp(&points[a].0))
    });
    let mut front: Vec<usize> = vec![];
    for i in order {
        let keep = match front.last() {
            None => true,
            Some(&last) => points[i].0 > points[last].0 || points[i] == points[last],
        };
        if keep {
            front.push(i);
        }
    }
    front
}

/// [`front_indices`] with one of each set of equal points (the first), for drawing.
pub fn staircase(points: &[(f64, f64)]) -> Vec<usize> {
    let mut front = front_indices(points);
    front.dedup_by(|a, b| points[*a] == points[*b]);
    front
}

/// The area a set of (gain, cost) points dominates, gain maximised and cost minimised, within
/// the box from `reference` = (lowest gain, highest cost) that counts.
pub fn hypervolume(points: &[(f64, f64)], reference: (f64, f64)) -> f64 {
    let (gain_ref, cost_ref) = reference;
    let mut inside: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|&(g, c)| g > gain_ref && c < cost_ref)
        .collect();
    inside.sort_by(|a, b| a.1.total_cmp(&b.1).then(b.0.total_cmp(&a.0)));
    let mut best = gain_ref;
    let mut area = 0.0;
    for (g, c) in inside {
        if g > best {
            area += (g - best) * (cost_ref - c);
            best = g;
        }
    }
    area
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(f64, f64)]) -> Vec<Vec<f64>> {
        v.iter().map(|&(a, b)| vec![a, b]).collect()
    }

    #[test]
    fn ranks_peel_fronts() {
        // (rmi, −cost): 0 and 1 trade off, 2 is dominated by 1, 3 by everything.
        let p = pts(&[(2.0, -5.0), (1.0, -1.0), (0.5, -2.0), (0.1, -9.0)]);
        assert_eq!(ranks(&p), vec![0, 0, 1, 2]);
        // Equal points do not dominate each other.
        assert_eq!(ranks(&pts(&[(1.0, -1.0), (1.0, -1.0)])), vec![0, 0]);
    }

    #[test]
    fn crowded_order_keeps_the_ends_of_a_front() {
        // Five points on one front: the two ends first, then the most isolated one.
        let p = pts(&[
            (1.0, -1.0),
            (1.1, -1.1),
            (2.0, -2.0),
            (2.9, -2.9),
            (3.0, -3.0),
            (0.0, -4.0),
        ]);
        let order = crowded_order(&p);
        assert_eq!(&order[..2], &[0, 4]);
        assert_eq!(order[2], 2);
        assert_eq!(*order.last().unwrap(), 5, "dominated last");
    }

    #[test]
    fn the_sweep_finds_what_non_dominated_sorting_finds() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        for _ in 0..20 {
            // Coarse values, so that ties in RMI, in cost and in both occur.
            let members: Vec<FrontMember> = (0..60)
                .map(|i| FrontMember {
                    arch: format!("a{i:02}"),
                    index: None,
                    rmi: f64::from(rng.random_range(0..8u8)),
                    replicates: 1,
                    cost: f64::from(rng.random_range(0..8u8)),
                    measured: true,
                    complexity: 0.5,
                })
                .collect();
            let rows: Vec<Vec<f64>> = members.iter().map(|m| vec![m.rmi, -m.cost]).collect();
            let rank = ranks(&rows);
            let mut by_ranks: Vec<String> = (0..members.len())
                .filter(|&i| rank[i] == 0)
                .map(|i| members[i].arch.clone())
                .collect();
            let mut by_sweep: Vec<String> = front_of(members).into_iter().map(|m| m.arch).collect();
            by_ranks.sort();
            by_sweep.sort();
            assert_eq!(by_sweep, by_ranks);
        }
    }

    #[test]
    fn niches_take_turns() {
        // Niche 0 holds 0, 1, 2 (0 best), niche 1 holds 3, 4 (4 best), niche 2 holds 5.
        let p = pts(&[
            (3.0, -1.0),
            (1.0, -2.0),
            (0.5, -3.0),
            (1.0, -5.0),
            (2.0, -4.0),
            (0.1, -9.0),
        ]);
        assert_eq!(niche_order(&p, &[0, 0, 0, 1, 1, 2]), vec![0, 4, 5, 1, 3, 2]);
    }

    #[test]
    fn diversity_is_the_gap_to_the_nearest_cost() {
        let d = cost_diversity(&[1.0, 2.0, 6.0, 2.5], 10.0);
        assert_eq!(d, vec![0.1, 0.05, 0.35, 0.05]);
        assert_eq!(cost_diversity(&[3.0], 10.0), vec![1.0]);
    }

    #[test]
    fn staircase_is_the_two_objective_front() {
        let p = [(2.0, 4.0), (3.0, 8.0), (1.0, 6.0), (2.0, 4.0), (0.5, 1.0), (3.0, 9.0)];
        assert_eq!(staircase(&p), vec![4, 0, 1]);
        let as_rows: Vec<Vec<f64>> = p.iter().map(|&(g, c)| vec![g, -c]).collect();
        let by_ranks: Vec<usize> = (0..p.len()).filter(|&i| ranks(&as_rows)[i] == 0).collect();
        // The sweep keeps one of two equal points; sorting keeps both.
        assert_eq!(by_ranks, vec![0, 1, 3, 4]);
    }

    #[test]
    fn hypervolume_of_a_staircase() {
        // Reference (0, 10): (2, 4) covers 2 × 6, (3, 8) adds 1 × 2, (1, 6) is dominated.
        let hv = hypervolume(&[(2.0, 4.0), (3.0, 8.0), (1.0, 6.0)], (0.0, 10.0));
        assert!((hv - 14.0).abs() < 1e-12);
        assert_eq!(hypervolume(&[(-1.0, 4.0), (2.0, 11.0)], (0.0, 10.0)), 0.0);
    }
}
