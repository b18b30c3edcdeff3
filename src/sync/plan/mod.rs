//! The plan: a PURE function from (source item, match, our item state, Hardcover's state) to the
//! ordered steps that bring Hardcover (or the source) up to date, or a reason to do nothing.
//!
//! A dry run is exactly this plan, printed. The executor (`sync::execute`) carries the steps out
//! through the outbox. The rules each peer got wrong live in `push.rs` (towards Hardcover) and
//! `pull.rs` (back to the source), over the types of `types.rs`; this module picks the direction.
//! The rules import only the types, never this module: no import cycle.

mod pull;
mod push;
mod types;

pub use types::*;

use crate::config::Direction;
use crate::sync::matching::MatchOutcome;
use crate::sync::progress::{edition_on_shelf, tolerance};

/// Plan every item.
pub fn plan(inputs: &[PlanInput<'_>], ctx: &PlanContext<'_>) -> Vec<ItemPlan> {
    let mut plans: Vec<ItemPlan> = inputs.iter().map(|i| plan_item(i, ctx)).collect();
    one_item_per_book(&mut plans, inputs);
    plans
}

/// Two items of one book (the audiobook on one server, the ebook on another) would each add the
/// book, or fight over its progress every sync. Only the one furthest along goes to Hardcover in a
/// run; the others are skipped unremembered, so the regression guard judges them next time.
fn one_item_per_book(plans: &mut [ItemPlan], inputs: &[PlanInput<'_>]) {
    let touches_hardcover = |p: &ItemPlan| p.steps.iter().any(|s| !matches!(s, Step::WriteBack { .. }));
    let rank = |i: usize| {
        let it = inputs[i].item;
        (it.is_finished || it.fraction >= 1.0, it.fraction, it.updated_at)
    };
    let mut best: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for (i, p) in plans.iter().enumerate() {
        let Some(book) = p.book_id.filter(|_| touches_hardcover(p)) else { continue };
        match best.get(&book) {
            Some(&j) if rank(j) >= rank(i) => {}
            _ => {
                best.insert(book, i);
            }
        }
    }
    for i in 0..plans.len() {
        let Some(book) = plans[i].book_id.filter(|_| touches_hardcover(&plans[i])) else { continue };
        let winner = best[&book];
        if winner != i {
            let detail = format!(
                "{}/{} is the same Hardcover book and further along; this run syncs that one",
                plans[winner].source, plans[winner].item_id
            );
            plans[i] = plans[i].clone().skipped(SkipReason::Conflict { detail });
        }
    }
}

pub fn plan_item(input: &PlanInput<'_>, ctx: &PlanContext<'_>) -> ItemPlan {
    let out = ItemPlan::new(input);
    let book_id = match input.matched {
        MatchOutcome::Matched { book_id, .. } => *book_id,
        MatchOutcome::Unmatched { .. } => return out.skipped(SkipReason::Unmatched),
        MatchOutcome::Unlinked => return out.skipped(SkipReason::Unlinked),
        MatchOutcome::Deferred => return out.skipped(SkipReason::MatchDeferred),
    };
    if !input.looked_at {
        // Changed on neither side: "not in the shelf that was read" must not read as "not on
        // the shelf" (that would add the book again).
        return out.skipped(SkipReason::Unchanged);
    }
    let fp = fingerprint(input.item, Some(book_id));
    let src = SourceView::of(input.item, ctx.zone);
    match ctx.config.direction {
        Direction::ToHardcover => {
            if input.state.is_some_and(|s| s.fingerprint == fp) {
                return out.skipped(SkipReason::Unchanged);
            }
            push::plan(out, input, ctx, &src, fp)
        }
        Direction::FromHardcover => pull::plan(out, input, ctx, &src, fp),
        Direction::Bidirectional => bidirectional(out, input, ctx, &src, fp),
    }
}

/// Newest change wins; our own writes are not changes. `item_state` remembers what Hardcover held
/// after our last sync and what we wrote to the source, so a value we wrote is recognised when it
/// comes back and never bounces between the two (no ping-pong).
fn bidirectional(
    out: ItemPlan,
    input: &PlanInput<'_>,
    ctx: &PlanContext<'_>,
    src: &SourceView,
    fp: String,
) -> ItemPlan {
    let Some(ub) = input.user_book else {
        // Only the source knows the book: nothing to compare, push it.
        return push::plan(out, input, ctx, src, fp);
    };
    let (hc_fraction, hc_finished) = hardcover_view(input, ub);
    let measure = edition_on_shelf(ub, input.editions, input.item.format).ok().and_then(|e| e.measure());
    let tol = tolerance(measure);
    let src_pair = (src.fraction, src.finished);
    let Some(hc_fraction) = hc_fraction.or(if hc_finished { Some(1.0) } else { None }) else {
        // Hardcover holds no measurable progress: the source is the only side with a number.
        return push::plan(out, input, ctx, src, fp);
    };
    let hc_pair = (hc_fraction, hc_finished);
    if close(Some(src_pair), hc_pair, tol) {
        let mut out = out.skipped(SkipReason::Unchanged);
        out.record = Some(Record {
            fingerprint: fp,
            hardcover: Some(hc_pair),
            written_back: input.state.and_then(|s| s.written_back).map(|m| (m.fraction, m.finished)),
        });
        return out;
    }
    let state = input.state;
    let written_back = state.and_then(|s| s.written_back).map(|m| (m.fraction, m.finished));
    let synced_hc = state.and_then(|s| s.pushed).map(|m| (m.fraction, m.finished));
    let src_is_ours = close(written_back, src_pair, tol);
    let src_changed = !src_is_ours && state.is_none_or(|s| s.fingerprint != fp);
    let hc_changed = !close(synced_hc, hc_pair, tol) && !close(written_back, hc_pair, tol);
    match (src_changed, hc_changed) {
        (true, false) => push::plan(out, input, ctx, src, fp),
        (false, true) => pull::plan(out, input, ctx, src, fp),
        (false, false) => out.skipped(SkipReason::Unchanged),
        (true, true) => match (input.item.updated_at, ub.updated_at) {
            (Some(s), Some(h)) if s > h => push::plan(out, input, ctx, src, fp),
            (Some(s), Some(h)) if h > s => pull::plan(out, input, ctx, src, fp),
            (Some(_), Some(_)) => out.skipped(SkipReason::Conflict {
                detail: "changed on both sides at the same time; nothing done".into(),
            }),
            // Without both timestamps, reading only moves forward: the side further along wins.
            _ if (src_pair.1 && !hc_pair.1) || src_pair.0 > hc_pair.0 + tol => push::plan(out, input, ctx, src, fp),
            _ if (hc_pair.1 && !src_pair.1) || hc_pair.0 > src_pair.0 + tol => pull::plan(out, input, ctx, src, fp),
            _ => out.skipped(SkipReason::Conflict { detail: "changed on both sides; nothing done".into() }),
        },
    }
}

fn close(a: Option<(f64, bool)>, b: (f64, bool), tol: f64) -> bool {
    a.is_some_and(|(fa, fina)| fina == b.1 && (b.1 || (fa - b.0).abs() <= tol))
}
