//! Rules for writing Hardcover's state back to a source (`from_hardcover`, and `bidirectional` when
//! Hardcover holds the newer change): finished and progress, never lowering the source's progress
//! unless configured, and never writing the same thing twice.

use super::types::{
    Action, ItemPlan, PlanContext, PlanInput, Position, Record, SkipReason, SourceUpdate, SourceView, Step,
};
use crate::sync::progress::{edition_on_shelf, tolerance};

pub(super) fn plan(
    out: ItemPlan,
    input: &PlanInput<'_>,
    ctx: &PlanContext<'_>,
    src: &SourceView,
    fp: String,
) -> ItemPlan {
    let Some(ub) = input.user_book else { return out.skipped(SkipReason::NotOnHardcover) };
    let (fraction, finished) = super::types::hardcover_view(input, ub);
    let Some(fraction) = fraction else { return out.skipped(SkipReason::NoHardcoverProgress) };
    let measure = edition_on_shelf(ub, input.editions, input.item.format).ok().and_then(|e| e.measure());
    let tol = tolerance(measure);
    let hc = (fraction, finished);
    let before = input.state.and_then(|s| s.written_back).map(|m| (m.fraction, m.finished));
    let record =
        |written_back: Option<(f64, bool)>| Record { fingerprint: fp.clone(), hardcover: Some(hc), written_back };
    let skip = |out: ItemPlan, reason: SkipReason| {
        let mut out = out.skipped(reason);
        out.record = Some(record(before));
        out
    };

    let same_as_source = src.finished == finished && (finished || (src.fraction - fraction).abs() <= tol);
    // Written once already: if the source moved since, that is the user's doing, not ours to undo.
    let already_written = before.is_some_and(|(f, fin)| fin == finished && (finished || (f - fraction).abs() <= tol));
    if same_as_source || already_written {
        return skip(out, SkipReason::Unchanged);
    }
    let guard = ctx.config.regression_guard;
    let update = if finished {
        let finished_at = ub.latest_read.as_ref().and_then(|r| r.finished_at).map(|d| ctx.zone.noon_of(d));
        SourceUpdate::Finished { finished_at }
    } else {
        if guard && (src.finished || fraction < src.fraction) {
            // Shown in the edition's unit, like every other position the user reads.
            let (current, proposed) = (Position::at(measure, src.fraction), Position::at(measure, fraction));
            return skip(out, SkipReason::WouldLowerProgress { current, proposed });
        }
        SourceUpdate::Progress { fraction, position: input.item.total.map(|t| (fraction * t).round()) }
    };
    let mut out = out;
    out.action = Action::WriteBack;
    out.effects.written_back = true;
    out.steps = vec![Step::WriteBack { update }];
    out.record = Some(record(Some(hc)));
    out
}
