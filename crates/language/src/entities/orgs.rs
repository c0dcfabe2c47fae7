//! Unknown organisations: capitalised runs with an organisation head
//! ("Arabian Peninsula Institute", "a-Sheyukh Media Center") or lead
//! ("Ministry of Foreign Affairs", "Army of Islam").

use super::tokens::{is_capitalised, same_line_gap};
use super::Ctx;
use sitrep_model::{EntityMention, Span};

/// Connectors allowed inside a name after a lead word ("Institute for the
/// Study of War").
const CONNECTORS: &[&str] = &["of", "for", "on", "the", "and"];

/// Words that are never a person's name but may start an organisation's.
const KEEP_LEADING: &[&str] = &[
    "North",
    "South",
    "East",
    "West",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Middle",
    "Islamic",
    "Arab",
    "Kurdish",
    "Shia",
    "Sunni",
    "Shiite",
    "Christian",
    "Muslim",
    "Jewish",
];

pub(super) fn find(ctx: &mut Ctx, ments: &mut Vec<EntityMention>) {
    let n = ctx.toks.len();
    let mut i = 0;
    while i < n {
        if !ctx.toks[i].word || ctx.covered(i) || !is_capitalised(ctx.word(i)) {
            i += 1;
            continue;
        }
        let mut parts = vec![i];
        let mut k = i + 1;
        let mut after_lead = ctx.lex.org_leads.contains_key(ctx.word(i));
        while k < n {
            let t = ctx.toks[k];
            let prev_end = ctx.toks[k - 1].end;
            if !t.word || ctx.covered(k) || !same_line_gap(ctx.text, prev_end, t.start) {
                break;
            }
            let w = ctx.word(k);
            if is_capitalised(w) {
                parts.push(k);
                after_lead =
                    ctx.lex.org_leads.contains_key(w) || (after_lead && CONNECTORS.contains(&w));
                k += 1;
                continue;
            }
            // Connectors only inside "Ministry of ...", "Institute for the ...".
            let next_cap = k + 1 < n
                && ctx.toks[k + 1].word
                && !ctx.covered(k + 1)
                && is_capitalised(ctx.word(k + 1));
            let next_the_cap = w != "the"
                && k + 2 < n
                && ctx.word(k + 1) == "the"
                && ctx.toks[k + 2].word
                && !ctx.covered(k + 2)
                && is_capitalised(ctx.word(k + 2));
            if after_lead && CONNECTORS.contains(&w) && (next_cap || next_the_cap) {
                parts.push(k);
                k += 1;
                continue;
            }
            break;
        }
        // Leading function words and sentence-initial capitals are not part of the name.
        while parts.len() > 1
            && ctx.lex.not_names.contains(ctx.word(parts[0]))
            && !KEEP_LEADING.contains(&ctx.word(parts[0]))
        {
            parts.remove(0);
        }
        let kind = head_kind(ctx, &parts).or_else(|| lower_head_kind(ctx, &parts, k));
        if let Some(kind) = kind {
            let (Some(&first), Some(&last)) = (parts.first(), parts.last()) else {
                break;
            };
            let span = Span::new(ctx.toks[first].start, ctx.toks[last].end);
            let canonical = super::persons::squash_spaces(span.slice(ctx.text));
            let idx = ments.len();
            ments.push(EntityMention {
                span,
                kind,
                canonical,
                actor_kind: None,
                country: None,
                role: None,
            });
            for p in first..=last {
                ctx.cover[p] = idx as u32;
            }
        }
        i = k.max(i + 1);
    }
}

/// "the Information Resistance group": a capitalised name before a
/// lower-case organisation noun.
fn lower_head_kind(ctx: &Ctx, parts: &[usize], next: usize) -> Option<sitrep_model::EntityKind> {
    use sitrep_model::EntityKind;
    if parts.len() < 2 || next >= ctx.toks.len() || !ctx.toks[next].word {
        return None;
    }
    // Country adjectives alone are no name ("the Syrian Kurdish group").
    if parts.iter().all(|&p| {
        ctx.actors.country_by_adjective(ctx.word(p)).is_some()
            || ctx.lex.not_names.contains(ctx.word(p))
    }) {
        return None;
    }
    match ctx.word(next) {
        "group" | "organisation" | "organization" | "network" | "party" => {
            Some(EntityKind::Organisation)
        }
        "militia" | "movement" | "brigade" | "faction" | "battalion" => Some(EntityKind::Military),
        _ => None,
    }
}

fn head_kind(ctx: &Ctx, parts: &[usize]) -> Option<sitrep_model::EntityKind> {
    let words: Vec<&str> = parts.iter().map(|&p| ctx.word(p)).collect();
    let content = words.iter().filter(|w| !CONNECTORS.contains(w)).count();
    if content < 2 {
        return None;
    }
    let last = *words.last()?;
    if words.len() >= 3 {
        let two = format!("{} {}", words[words.len() - 2], last);
        if let Some(&k) = ctx.lex.org_heads.get(two.as_str()) {
            return Some(k);
        }
    }
    if let Some(&k) = ctx.lex.org_heads.get(last) {
        return Some(k);
    }
    let first = words[0];
    match ctx.lex.org_leads.get(first) {
        Some(&k) if words.get(1).is_some_and(|w| CONNECTORS.contains(w)) => Some(k),
        _ => None,
    }
}
