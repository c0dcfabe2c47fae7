//! Coding rules: from a trigger and the cues around it to a PLOVER
//! category and an ACLED sub-event type, with the name of the rule that
//! decided (shown in the UI as the reason).
//!
//! The rules follow ACLED's codebook precedence: the weapon decides first
//! (an air strike on a village is an Air/drone strike, not an Attack), then
//! who the target is (civilians: Violence against civilians; armed: Battles),
//! and protests are coded by how they went (peaceful, intervention,
//! excessive force, violent).

use sitrep_model::{ActorKind, Plover};

use crate::lexicon::{Cue, Mode, Trigger};

/// A cue found in a sentence: class and token range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CueHit {
    /// Index of the cue in the lexicon.
    pub pattern: usize,
    pub class: Cue,
    pub first: usize,
    pub last: usize,
}

/// What the rules may look at around one trigger.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub cues: &'a [CueHit],
    /// Token range of the trigger.
    pub trigger: (usize, usize),
    /// Token range of the trigger's clause.
    pub clause: (usize, usize),
    /// The actor appears after the trigger ("was attacked by", "fell to").
    pub actor_after: bool,
    /// Kind of the actor found by the frame, if a dictionary actor.
    pub actor_kind: Option<ActorKind>,
    /// Kind of the target found by the frame, if a dictionary actor.
    pub target_kind: Option<ActorKind>,
}

impl Context<'_> {
    fn has(&self, c: Cue) -> bool {
        self.cues.iter().any(|h| h.class == c)
    }
    fn has_in(&self, c: Cue, from: usize, to: usize) -> bool {
        self.cues
            .iter()
            .any(|h| h.class == c && h.first >= from && h.last <= to)
    }
    /// Token range where the actor is expected.
    fn actor_region(&self) -> (usize, usize) {
        if self.actor_after {
            (self.trigger.1 + 1, self.clause.1)
        } else {
            (self.clause.0, self.trigger.0.saturating_sub(1))
        }
    }
    /// Token range where the target is expected. Words inside a trigger
    /// with a gap are its object ("drove M23 rebels out of").
    fn target_region(&self) -> (usize, usize) {
        if self.actor_after {
            (self.clause.0, self.trigger.0.saturating_sub(1))
        } else {
            (self.trigger.0 + 1, self.clause.1)
        }
    }
    /// People named as the source of the report ("the rebels said",
    /// "according to police").
    fn is_source(&self, h: &CueHit) -> bool {
        self.cues.iter().any(|a| {
            a.class == Cue::Attribution
                && (a.first == h.last + 1 || (a.last < h.first && a.last + 1 == h.first))
        })
    }
    /// The actor's side: state forces (Some(true)), non-state (Some(false)).
    fn actor_is_state(&self) -> Option<bool> {
        match self.actor_kind {
            Some(ActorKind::State | ActorKind::StateMilitary | ActorKind::GovernmentOfficial) => {
                return Some(true)
            }
            Some(ActorKind::NonStateArmed) => return Some(false),
            _ => {}
        }
        let (from, to) = self.actor_region();
        if from > to && !self.actor_after {
            return None;
        }
        // The head of the subject decides: the first descriptor that is not
        // a source ("rebels said troops captured": troops; "gangs of the
        // coalition", "government forces, backed by clan fighters": the first).
        let mut best: Option<(usize, bool)> = None;
        for h in self.cues.iter().filter(|h| h.first >= from && h.last <= to) {
            let state = match h.class {
                Cue::State => true,
                Cue::NonState => false,
                _ => continue,
            };
            if self.is_source(h) {
                continue;
            }
            let dist = h.first - from;
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, state));
            }
        }
        best.map(|(_, s)| s)
    }
    /// The side of the nearest armed description in the target position:
    /// state forces (Some(true)), non-state (Some(false)). "Drove M23 rebels
    /// out of", "overran police checkpoints".
    fn target_is_state(&self) -> Option<bool> {
        match self.target_kind {
            Some(ActorKind::State | ActorKind::StateMilitary | ActorKind::GovernmentOfficial) => {
                return Some(true)
            }
            Some(ActorKind::NonStateArmed) => return Some(false),
            _ => {}
        }
        let (from, to) = self.target_region();
        if from > to {
            return None;
        }
        let mut best: Option<(usize, bool)> = None;
        for h in self.cues.iter().filter(|h| h.first >= from && h.last <= to) {
            let state = match h.class {
                Cue::State => true,
                Cue::NonState => false,
                _ => continue,
            };
            if self.is_source(h) {
                continue;
            }
            let dist = if self.actor_after {
                to - h.last
            } else {
                h.first - from
            };
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, state));
            }
        }
        best.map(|(_, s)| s)
    }
    /// A protester cue that is not merely a crowd ("crowd" is both): a
    /// crowd that lynches someone is a mob, not a demonstration.
    fn has_protester(&self) -> bool {
        self.cues.iter().any(|h| {
            h.class == Cue::Protester
                && !self
                    .cues
                    .iter()
                    .any(|k| k.class == Cue::Crowd && k.first == h.first && k.last == h.last)
        })
    }
    /// The nearest description of people in the target position is
    /// civilian ("killed 23 residents, police said": residents).
    fn target_is_civilian(&self) -> bool {
        if self.target_kind == Some(ActorKind::Civilians) {
            return true;
        }
        let (from, to) = self.target_region();
        if from > to {
            return false;
        }
        let people = |c: Cue| matches!(c, Cue::Civilian | Cue::Armed | Cue::State | Cue::NonState);
        let mut hits: Vec<&CueHit> = self
            .cues
            .iter()
            .filter(|h| people(h.class) && h.first >= from && h.last <= to)
            .collect();
        // Nearest to the trigger: first after it, or last before it (passive).
        hits.sort_by_key(|h| {
            if self.actor_after {
                usize::MAX - h.last
            } else {
                h.first
            }
        });
        let Some(first) = hits.first() else {
            return false;
        };
        // Several classes can share the nearest words ("gunmen" is armed and non-state).
        let at: Vec<Cue> = hits
            .iter()
            .filter(|h| h.first == first.first)
            .map(|h| h.class)
            .collect();
        at.contains(&Cue::Civilian) && !at.iter().any(|c| *c != Cue::Civilian)
    }
    /// Unorganised civilians ("villagers", "youths") as the actor: the
    /// first description of people in the actor position.
    fn crowd_actor(&self) -> bool {
        let (from, to) = self.actor_region();
        if from > to {
            return false;
        }
        let people = |c: Cue| {
            matches!(
                c,
                Cue::Civilian | Cue::Armed | Cue::State | Cue::NonState | Cue::Crowd
            )
        };
        let first = self
            .cues
            .iter()
            .filter(|h| people(h.class) && h.first >= from && h.last <= to)
            .map(|h| h.first)
            .min();
        first.is_some_and(|f| {
            self.cues
                .iter()
                .any(|h| h.class == Cue::Crowd && h.first == f)
        })
    }
    /// Deaths or serious injuries named in the sentence, except as what
    /// the protest is against ("in protest against the killing of").
    fn lethal_force(&self) -> bool {
        self.cues.iter().any(|h| {
            h.class == Cue::Lethal
                && !self
                    .cues
                    .iter()
                    .any(|g| g.class == Cue::Grievance && g.last < h.first && h.first - g.last <= 4)
        })
    }
    /// A protester cue comes before a protester-violence cue: protesters
    /// are the ones throwing stones, not the police.
    fn protesters_violent(&self) -> bool {
        let first_protester = self
            .cues
            .iter()
            .filter(|h| h.class == Cue::Protester)
            .map(|h| h.first)
            .min();
        match first_protester {
            Some(p) => self
                .cues
                .iter()
                .any(|h| h.class == Cue::ProtesterViolence && h.first > p),
            None => false,
        }
    }
}

/// A coding decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coded {
    pub plover: Plover,
    pub subtype: Option<&'static str>,
    pub rule: &'static str,
}

fn c(plover: Plover, subtype: &'static str, rule: &'static str) -> Coded {
    Coded {
        plover,
        subtype: Some(subtype),
        rule,
    }
}

/// Codes one trigger in its context.
pub fn code(t: &Trigger, cx: &Context) -> Coded {
    match t.mode {
        Mode::None => Coded {
            plover: t.plover,
            subtype: None,
            rule: "plover-only",
        },
        Mode::Fixed => fixed(t, cx),
        Mode::Violence => violence(t, cx),
        Mode::Protest => protest(cx),
        Mode::Riot => {
            if cx.has(Cue::Mob) {
                c(Plover::Assault, "Mob violence", "riot:mob")
            } else {
                c(Plover::Protest, "Violent demonstration", "riot")
            }
        }
        Mode::Property => {
            if cx.has(Cue::Mob) {
                c(Plover::Assault, "Mob violence", "property:mob")
            } else if cx.has_protester() {
                c(
                    Plover::Protest,
                    "Violent demonstration",
                    "property:protesters",
                )
            } else if cx.crowd_actor() {
                c(Plover::Assault, "Mob violence", "property:crowd")
            } else {
                c(Plover::Coerce, "Looting/property destruction", "property")
            }
        }
        Mode::Arrest => {
            if cx.actor_is_state() == Some(false) {
                c(
                    Plover::Assault,
                    "Abduction/forced disappearance",
                    "arrest:non-state-actor",
                )
            } else if cx.has(Cue::Protester) {
                c(
                    Plover::Protest,
                    "Protest with intervention",
                    "arrest:protesters",
                )
            } else {
                c(Plover::Coerce, "Arrests", "arrest")
            }
        }
        Mode::Territory | Mode::TerritoryLoss => territory(t, cx),
    }
}

/// A fixed sub-type, except that among explosions a chemical agent or a
/// suicide attacker decides (ACLED's precedence).
fn fixed(t: &Trigger, cx: &Context) -> Coded {
    let explosive =
        t.subtype.and_then(crate::lexicon::acled_event_type) == Some("Explosions/Remote violence");
    if explosive && cx.has(Cue::Chemical) {
        return c(Plover::Assault, "Chemical weapon", "fixed:chemical-cue");
    }
    if explosive && cx.has(Cue::Suicide) {
        return c(Plover::Assault, "Suicide bomb", "fixed:suicide-cue");
    }
    // Missiles fired by drones or aircraft are air strikes.
    if t.subtype == Some("Shelling/artillery/missile attack") {
        let (from, to) = cx.actor_region();
        if from <= to && !cx.actor_after && cx.has_in(Cue::Air, from, to) {
            return c(Plover::Assault, "Air/drone strike", "fixed:air-launched");
        }
    }
    Coded {
        plover: t.plover,
        subtype: t.subtype,
        rule: "fixed",
    }
}

fn violence(t: &Trigger, cx: &Context) -> Coded {
    const WEAPONS: [(Cue, &str, &str); 6] = [
        (Cue::Chemical, "Chemical weapon", "violence:chemical-cue"),
        (Cue::Suicide, "Suicide bomb", "violence:suicide-cue"),
        (Cue::Grenade, "Grenade", "violence:grenade-cue"),
        (
            Cue::Ied,
            "Remote explosive/landmine/IED",
            "violence:explosive-cue",
        ),
        (Cue::Air, "Air/drone strike", "violence:air-cue"),
        (
            Cue::Artillery,
            "Shelling/artillery/missile attack",
            "violence:artillery-cue",
        ),
    ];
    // A chemical agent or a suicide attacker decides wherever it is named;
    // otherwise the weapon named nearest the trigger ("rockets fell on the
    // airport, damaging an aircraft": rockets).
    for (cue, sub, rule) in &WEAPONS[..2] {
        if cx.has(*cue) {
            return c(Plover::Assault, sub, rule);
        }
    }
    let nearest = cx
        .cues
        .iter()
        .filter_map(|h| {
            let k = WEAPONS[2..]
                .iter()
                .position(|(cue, _, _)| *cue == h.class)?;
            let d = if h.first > cx.trigger.1 {
                h.first - cx.trigger.1
            } else {
                cx.trigger.0.saturating_sub(h.last)
            };
            Some((d, k))
        })
        .min();
    if let Some((_, k)) = nearest {
        let (_, sub, rule) = WEAPONS[2 + k];
        return c(Plover::Assault, sub, rule);
    }
    if cx.has(Cue::Mob) || (cx.crowd_actor() && !cx.has_protester()) {
        return c(Plover::Assault, "Mob violence", "violence:mob");
    }
    if cx.has(Cue::Protester) {
        // "Clashes between protesters and police": a violent demonstration.
        let clash = t.subtype == Some("Armed clash");
        return if clash || cx.protesters_violent() {
            c(
                Plover::Protest,
                "Violent demonstration",
                "violence:protesters-violent",
            )
        } else {
            c(
                Plover::Protest,
                "Excessive force against protesters",
                "violence:against-protesters",
            )
        };
    }
    if let Some(sub) = t.subtype {
        return c(Plover::Assault, sub, "violence:trigger-default");
    }
    if cx.target_is_civilian() {
        return c(Plover::Assault, "Attack", "violence:civilian-target");
    }
    c(Plover::Assault, "Armed clash", "violence:armed")
}

fn protest(cx: &Context) -> Coded {
    let violent = cx.protesters_violent();
    if cx.lethal_force() && !violent {
        c(
            Plover::Protest,
            "Excessive force against protesters",
            "protest:lethal-force",
        )
    } else if violent {
        c(Plover::Protest, "Violent demonstration", "protest:violent")
    } else if cx.has(Cue::Intervention) {
        c(
            Plover::Protest,
            "Protest with intervention",
            "protest:intervention",
        )
    } else {
        c(Plover::Protest, "Peaceful protest", "protest:peaceful")
    }
}

fn territory(t: &Trigger, cx: &Context) -> Coded {
    if cx.has(Cue::NonViolent) && !cx.has(Cue::Combat) {
        return c(
            Plover::Retreat,
            "Non-violent transfer of territory",
            "territory:non-violent",
        );
    }
    let state = cx.actor_is_state();
    let gov = if t.mode == Mode::TerritoryLoss {
        // The subject lost the place: a state losing means a non-state gain.
        state == Some(false)
    } else {
        // Who held the place decides when the taker's side is unclear or
        // mixed ("troops and allied militia drove the rebels out").
        match (state, cx.target_is_state()) {
            (Some(a), Some(t)) if a != t => a,
            (_, Some(t)) => !t,
            (Some(a), None) => a,
            (None, None) => cx.has_in(Cue::Recapture, cx.clause.0, cx.clause.1),
        }
    };
    if gov {
        c(
            Plover::Assault,
            "Government regains territory",
            "territory:state-actor",
        )
    } else {
        c(
            Plover::Assault,
            "Non-state actor overtakes territory",
            "territory:non-state-actor",
        )
    }
}
