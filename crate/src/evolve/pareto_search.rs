//! The Pareto mode's part of [`Search`]: the objectives it sorts by, the cost niches, the
//! confirmation of the front and NSGA-II's breeding step. The sorting itself is [`pareto`]'s.

use super::{breed, pareto, Coverage, EvolutionConfig, Search};
use crate::complexity::complexity;
use crate::cost::CostTable;
use crate::fitness::Fitness;
use crate::space::{Arch, Space};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::BTreeMap;

impl Search {
    /// The scored architectures on the front of (mean RMI ↑, cost ↓), cheapest first.
    fn front_archs(&self) -> Vec<&Arch> {
        let points: Vec<(f64, f64)> = self
            .seen
            .iter()
            .map(|a| (self.rmi(a).expect("seen architectures are scored"), self.cost(a).value))
            .collect();
        pareto::front_indices(&points)
            .into_iter()
            .map(|i| &self.seen[i])
            .collect()
    }

    /// Every scored architecture with the objectives the Pareto mode ranks by: (RMI + the fitness's
    /// complexity prior, −cost) and, with the diversity objective, how isolated its cost is among
    /// them. (The front shown and confirmed stays RMI's against cost.)
    pub(super) fn objectives(&self) -> (Vec<&Arch>, Vec<Vec<f64>>) {
        let archs: Vec<&Arch> = self.seen.iter().collect();
        let costs: Vec<f64> = archs.iter().map(|a| self.cost(a).value).collect();
        let [lo, hi] = self.costs.header.range;
        let diversity = pareto::cost_diversity(&costs, hi - lo);
        let points = archs
            .iter()
            .zip(&costs)
            .zip(diversity)
            .map(|((a, &c), d)| {
                let rmi = self.rmi(a).expect("seen architectures are scored") + self.fitness.prior(complexity(a));
                if self.config.coverage == Coverage::Diversity {
                    vec![rmi, -c, d]
                } else {
                    vec![rmi, -c]
                }
            })
            .collect();
        (archs, points)
    }

    /// With [`Coverage::Budgets`], a scored architecture's fitness in niche `n`: as a constrained
    /// search with the niche's upper edge as its budget (the last niche's: the table's highest
    /// cost) ranks it, with the search's λ and penalty shape.
    fn niche_fitness(&self, n: usize, arch: &Arch) -> f64 {
        let budget = self.niche_edges.get(n).copied().unwrap_or(self.costs.header.range[1]);
        let fitness = Fitness {
            threshold: budget.max(crate::fitness::THRESHOLD.min),
            ..self.fitness
        };
        self.fitness_with(&fitness, arch, self.rmi(arch).unwrap_or(0.0))
    }

    /// The cost niche of each of `archs` (0 without niches).
    fn niches(&self, archs: &[&Arch]) -> Vec<usize> {
        archs
            .iter()
            .map(|a| {
                let c = self.cost(a).value;
                self.niche_edges.iter().filter(|&&e| c > e).count()
            })
            .collect()
    }

    /// The Pareto mode's confirmation round: the front's members and each cost niche's leader
    /// by RMI not yet re-trained, as many as the cap leaves room for. The niches' leaders are the
    /// candidates the budgets across each niche pick from.
    pub(super) fn unconfirmed_front(&self) -> Vec<Arch> {
        let replicates = self.config.replicates as usize;
        let confirmed = self.scores.values().filter(|s| s.len() >= replicates).count();
        let room = self.config.confirmed_at_most().saturating_sub(confirmed);
        let mut wanted: Vec<Arch> = self.front_archs().into_iter().cloned().collect();
        let archs: Vec<&Arch> = self.seen.iter().collect();
        let niche = self.niches(&archs);
        let mut leaders: BTreeMap<usize, (&Arch, f64)> = BTreeMap::new();
        for (a, n) in archs.iter().zip(niche) {
            // Each niche's leader: by RMI, or with budget niches by the niche's fitness.
            let score = match self.config.coverage {
                Coverage::Budgets => self.niche_fitness(n, a),
                _ => self.rmi(a).expect("seen architectures are scored"),
            };
            if leaders
                .get(&n)
                .is_none_or(|&(b, best)| score > best || (score == best && *a < b))
            {
                leaders.insert(n, (a, score));
            }
        }
        for (a, _) in leaders.into_values() {
            if !wanted.contains(a) {
                wanted.push(a.clone());
            }
        }
        let mut unconfirmed: Vec<Arch> = wanted
            .into_iter()
            .filter(|a| self.scores.get(a).is_none_or(|s| s.len() < replicates))
            .collect();
        unconfirmed.truncate(room);
        unconfirmed
    }

    /// NSGA-II's step over every candidate scored so far: the best population of them by crowded
    /// comparison are the parents (an elitist archive: a front member is never lost), tournaments
    /// among them by that order, children anywhere on the cost axis.
    pub(super) fn breed_pareto(&mut self) {
        let (archs, points) = self.objectives();
        let order = match self.config.coverage {
            Coverage::Niches => pareto::niche_order(&points, &self.niches(&archs)),
            Coverage::Budgets => pareto::interleave(&self.niches(&archs), |n, members| {
                let mut ranked: Vec<(usize, f64)> =
                    members.iter().map(|&i| (i, self.niche_fitness(n, archs[i]))).collect();
                ranked.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| archs[x.0].cmp(archs[y.0])));
                ranked.into_iter().map(|(i, _)| i).collect()
            }),
            Coverage::Diversity | Coverage::None => pareto::crowded_order(&points),
        };
        let parents: Vec<(Arch, f64)> = order
            .into_iter()
            .take(self.config.population)
            .enumerate()
            .map(|(place, i)| (archs[i].clone(), -(place as f64)))
            .collect();
        let scores = &self.scores;
        let is_new = |a: &Arch| !scores.contains_key(a);
        let next = breed::next_generation(self.space, &self.config, &parents, is_new, |_| true, &mut self.rng);
        self.population = next;
        self.start_generation();
    }
}

/// The Pareto mode's cost niches: as many as half the population (two parents per niche), split at quantiles of the costs of uniform draws from the
/// space (a separate seeded stream: the search's own draws stay as they are). Quantiles rather
/// than equal widths: most architectures' costs crowd at one end, and budgets are asked across
/// the whole distribution.
pub(super) fn niche_edges(space: Space, config: &EvolutionConfig, costs: &CostTable) -> Vec<f64> {
    const DRAWS: usize = 2000;
    let niches = (config.population / 2).max(2);
    let mut rng = StdRng::seed_from_u64(config.seed ^ 0x4e1c_4e5e_ed00);
    let mut drawn: Vec<f64> = (0..DRAWS)
        .filter_map(|_| costs.cost(&space.sample(&mut rng)).ok().map(|c| c.value))
        .collect();
    drawn.sort_by(f64::total_cmp);
    (1..niches).map(|k| drawn[k * drawn.len() / niches]).collect()
}
