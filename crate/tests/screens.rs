//! The search's screens (the halving default, the screened schedule): which candidates a screen
//! keeps, a screened training continued to the score a fresh one gets, and the plan's count.

// Native only: these tests read files, run the CLI or need the native-only parts of the library.
#![cfg(not(target_arch = "wasm32"))]

use evrsnas::evolve::{run, Evaluator, Trial};
use evrsnas::Result;
use evrsnas::{Arch, EvolutionConfig, Fitness, Penalty, Search, Space};
use rand::rngs::StdRng;
use rand::SeedableRng;
use std::collections::HashSet;
use std::ops::ControlFlow;

mod common;
use common::{evaluator, plain, toy_costs, Noisy};

#[test]
fn a_screen_trains_only_the_best_kept_fraction_of_each_generation() -> Result<()> {
    /// Scores by merit alone, and remembers what it was asked.
    #[derive(Default)]
    struct Asked {
        screens: Vec<Arch>,
        full: Vec<Trial>,
    }
    impl Evaluator for Asked {
        fn evaluate(&mut self, trial: &Trial) -> Result<f64> {
            match trial.steps {
                Some(0) => self.screens.push(trial.arch.clone()),
                None => self.full.push(trial.clone()),
                Some(k) => panic!("asked for {k} steps"),
            }
            Ok(Noisy::merit(&trial.arch) + 0.01 * f64::from(trial.replicate))
        }
    }
    // No budget pressure: fitness is the score, so the screen keeps the highest merits.
    let fitness = Fitness::new(100.0, 1.0, Penalty::Hinge, 0.0)?;
    let config = EvolutionConfig {
        population: 8,
        generations: 3,
        finalists: 2,
        screen: Some(evrsnas::evolve::Screen { steps: 0, keep: 0.5 }),
        ..plain()
    };
    let mut search = Search::new(Space::Nb201, config, toy_costs()?, fitness)?;
    let mut asked = Asked::default();
    // The first generation: every member screened, then the better half trained.
    let screens = search.pending();
    assert!(!screens.is_empty() && screens.iter().all(|t| t.steps == Some(0)));
    for t in &screens {
        let rmi = asked.evaluate(t)?;
        search.record(t.clone(), rmi)?;
    }
    let trained = search.pending();
    assert_eq!(trained.len(), screens.len().div_ceil(2));
    let lowest_kept = trained
        .iter()
        .map(|t| Noisy::merit(&t.arch))
        .fold(f64::INFINITY, f64::min);
    let dropped: Vec<&Trial> = screens
        .iter()
        .filter(|s| !trained.iter().any(|t| t.arch == s.arch))
        .collect();
    assert!(
        dropped.iter().all(|s| Noisy::merit(&s.arch) <= lowest_kept),
        "the screen keeps the best"
    );
    run(&mut search, &mut asked, |_| ControlFlow::Continue(()))?;
    assert!(search.is_done());
    // Nothing screened or trained twice; fewer full trainings than planned without a screen.
    let unique = |v: Vec<String>| v.len() == v.iter().collect::<HashSet<_>>().len();
    assert!(unique(asked.screens.iter().map(|a| a.to_string()).collect()));
    assert!(unique(
        asked
            .full
            .iter()
            .map(|t| format!("{}#{}", t.arch, t.replicate))
            .collect()
    ));
    assert_eq!(search.trials(), asked.full.len());
    assert_eq!(search.screenings(), asked.screens.len());
    assert!(search.trials() <= search.planned_trials() && search.screenings() <= search.planned_screens());
    assert!(search.planned_trials() < EvolutionConfig { screen: None, ..config }.planned_trials());
    // Only trained architectures are ranked; the winner was confirmed.
    let ranked = search.ranked();
    assert_eq!(ranked.len(), search.evaluations());
    assert_eq!(ranked[0].replicates, 3);
    Ok(())
}

#[test]
fn a_screened_training_continues_to_the_score_a_fresh_one_gets() -> Result<()> {
    // The halving schedule's better half: their full training continues the screen's paused one,
    // and must score exactly what training afresh scores.
    let mut rng = StdRng::seed_from_u64(9);
    let archs: Vec<Arch> = (0..4).map(|_| Space::Nb201.sample(&mut rng)).collect();
    let mut continuing = evaluator(4)?; // K = 2
    let mut fresh = evaluator(4)?;
    for (i, arch) in archs.iter().enumerate() {
        let replicate = i as u32 % 2;
        let screen = Trial {
            steps: Some(1),
            replicate,
            ..Trial::first(arch.clone())
        };
        let full = Trial {
            replicate,
            ..Trial::first(arch.clone())
        };
        let screened = continuing.evaluate(&screen)?;
        assert_eq!(continuing.last_resumed(), None);
        let continued = continuing.evaluate(&full)?;
        assert_eq!(
            continuing.last_resumed(),
            Some(1),
            "the full training continued the screen's"
        );
        let afresh = fresh.evaluate(&full)?;
        assert_eq!(fresh.last_resumed(), None);
        assert_eq!(
            continued.to_bits(),
            afresh.to_bits(),
            "{arch}: continued {continued}, afresh {afresh}"
        );
        // The screen's own score is what a fresh 1-step training gets, and is not taken twice.
        assert_eq!(screened.to_bits(), fresh.evaluate(&screen)?.to_bits());
        continuing.evaluate(&full)?;
        assert_eq!(continuing.last_resumed(), None, "a paused training continues once");
    }
    Ok(())
}

#[test]
fn the_default_plan_counts_its_continued_trainings() {
    // 12 × 6 halving at K = 20: 62 screenings of 5 steps (12 new, then 10 per generation beside the
    // 2 elites), the better half of each generation's trained on from them (6, then 5 per
    // generation), then the 4 finalists' 2 more initialisations, afresh.
    let config = EvolutionConfig::default();
    assert_eq!(config.screen.map(|s| s.steps), Some(5));
    assert_eq!(config.planned_screens(), 12 + 5 * 10);
    assert_eq!(config.planned_trials() - config.planned_continuations(), 4 * 2);
    assert_eq!(config.planned_continuations(), 6 + 5 * 5);
    // An untrained screen and the plain schedule leave nothing to continue.
    for screen in [Some(evrsnas::evolve::Screen { steps: 0, keep: 0.5 }), None] {
        assert_eq!(
            EvolutionConfig {
                screen,
                ..EvolutionConfig::default()
            }
            .planned_continuations(),
            0
        );
    }
}
