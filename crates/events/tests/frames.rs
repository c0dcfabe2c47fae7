//! Frames on sentences written for these tests, with hand-built language
//! and geo analyses: claims, denials, conditionals, historical dates,
//! completion from context and fallbacks.

use chrono::NaiveDate;
use sitrep_model::*;

fn span_of(text: &str, needle: &str) -> Span {
    let s = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    Span::new(s, s + needle.len())
}

fn sentences(text: &str) -> Vec<Sentence> {
    // One sentence per ". " boundary, one paragraph per blank line.
    let mut out = Vec::new();
    let mut para = 0;
    for (pi, p) in text.split("\n\n").enumerate() {
        let base = text.find(p).unwrap_or(0);
        let mut start = 0;
        for (i, _) in p.match_indices(". ") {
            out.push(Sentence {
                span: Span::new(base + start, base + i + 1),
                paragraph: para,
            });
            start = i + 2;
        }
        if start < p.len() {
            out.push(Sentence {
                span: Span::new(base + start, base + p.len()),
                paragraph: para,
            });
        }
        para = pi as u32 + 1;
    }
    out
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn doc(text: &str) -> Document {
    Document {
        id: "t".into(),
        text: text.into(),
        published: Some(day(2021, 3, 10)),
        ..Default::default()
    }
}

fn entity(
    text: &str,
    needle: &str,
    canonical: &str,
    kind: EntityKind,
    actor: Option<ActorKind>,
) -> EntityMention {
    EntityMention {
        span: span_of(text, needle),
        kind,
        canonical: canonical.into(),
        actor_kind: actor,
        country: None,
        role: None,
    }
}

fn place(text: &str, needle: &str, name: &str, precision: GeoPrecision) -> PlaceMention {
    PlaceMention {
        span: span_of(text, needle),
        surface: needle.into(),
        location: Location {
            name: name.into(),
            lat: Some(33.5),
            lon: Some(38.6),
            country: Some("SY".into()),
            admin1: Some("Homs".into()),
            precision,
            ..Default::default()
        },
        score: 0.9,
        relation: None,
        radius_km: None,
    }
}

fn claim(text: &str, content: &str, speaker: &str, stance: Stance) -> Claim {
    Claim {
        content: span_of(text, content),
        speaker_span: Some(span_of(text, speaker)),
        speaker: Some(speaker.into()),
        speaker_kind: Some(ActorKind::Media),
        outlet: None,
        cue: "claimed".into(),
        stance,
        sentence: 0,
    }
}

#[test]
fn claimed_movement_carries_its_claimant() {
    let text = "Al-Manar television claimed 2,000 fighters had been moved to the border town.";
    let a = Analysis {
        sentences: sentences(text),
        claims: vec![claim(
            text,
            "2,000 fighters had been moved to the border town",
            "Al-Manar television",
            Stance::Asserts,
        )],
        quantities: vec![Quantity {
            span: span_of(text, "2,000 fighters"),
            value: 2000.0,
            value_max: None,
            approx: Approx::Exact,
            unit: "fighter".into(),
            casualty: None,
        }],
        ..Default::default()
    };
    let ms = sitrep_events::extract(&doc(text), &a, &GeoAnalysis::default());
    let m = ms
        .iter()
        .find(|m| m.category == Plover::Mobilize)
        .expect("a MOBILIZE mention");
    assert!(m.occurred);
    assert_eq!(
        m.claimed_by,
        vec![ClaimedBy {
            claimant: "Al-Manar television".into(),
            stance: Stance::Asserts
        }]
    );
    assert_eq!(m.quantities[0].value, 2000.0);
    assert!(m.coding.rule.contains("moved"), "{}", m.coding.rule);
}

#[test]
fn denied_strike_did_not_occur() {
    let text = "The defence ministry denied that its jets struck the hospital in the city.";
    let a = Analysis {
        sentences: sentences(text),
        claims: vec![claim(
            text,
            "its jets struck the hospital in the city",
            "The defence ministry",
            Stance::Denies,
        )],
        ..Default::default()
    };
    let ms = sitrep_events::extract(&doc(text), &a, &GeoAnalysis::default());
    let m = ms
        .iter()
        .find(|m| m.category == Plover::Assault)
        .expect("an ASSAULT mention");
    assert!(!m.occurred);
    assert_eq!(m.claimed_by[0].stance, Stance::Denies);
    assert_eq!(
        m.acled.as_ref().map(|a| a.sub_event_type.as_str()),
        Some("Air/drone strike")
    );
}

#[test]
fn conditionals_plans_and_requests_create_no_occurred_event() {
    for text in [
        "If the militia advances further north, the army will strike its positions.",
        "Commanders are planning to deploy two brigades to the valley.",
        "The envoy called for the withdrawal of all foreign troops from the country.",
        "Rebel forces have several times attacked the garrison this year.",
        "Any deployment of foreign forces must be approved by parliament.",
    ] {
        let ms = sitrep_events::extract(&doc(text), &Analysis::default(), &GeoAnalysis::default());
        let bad: Vec<_> = ms
            .iter()
            .filter(|m| {
                m.occurred
                    && matches!(
                        m.category,
                        Plover::Assault | Plover::Mobilize | Plover::Retreat
                    )
            })
            .map(|m| (m.category, m.coding.trigger.clone()))
            .collect();
        assert!(bad.is_empty(), "{text}: {bad:?}");
    }
    // A warning about the future is a threat.
    let text = "The spokesman warned that coalition forces will defend themselves.";
    let ms = sitrep_events::extract(&doc(text), &Analysis::default(), &GeoAnalysis::default());
    assert!(ms.iter().any(|m| m.category == Plover::Threaten));
}

#[test]
fn historical_event_keeps_its_own_date() {
    let text = "In mid-June 2014, the militants took control of the city.";
    let a = Analysis {
        sentences: sentences(text),
        times: vec![TimeExpr {
            span: span_of(text, "mid-June 2014"),
            range: DateRange {
                start: day(2014, 6, 11),
                end: day(2014, 6, 20),
                precision: TimePrecision::Month,
            },
            relative: false,
        }],
        doc_date: Some(day(2021, 3, 10)),
        ..Default::default()
    };
    let ms = sitrep_events::extract(&doc(text), &a, &GeoAnalysis::default());
    let m = &ms[0];
    assert_eq!(m.date.map(|d| d.start), Some(day(2014, 6, 11)));
    assert_eq!(
        m.acled.as_ref().map(|a| a.sub_event_type.as_str()),
        Some("Non-state actor overtakes territory")
    );
}

#[test]
fn context_completes_the_frame() {
    let text =
        "On Monday, warplanes bombed a convoy near Tabqa. The strikes killed 12 fighters.\n\n\
                Separately, gunmen attacked a checkpoint.";
    let a = Analysis {
        sentences: sentences(text),
        times: vec![TimeExpr {
            span: span_of(text, "On Monday"),
            range: DateRange::day(day(2021, 3, 8)),
            relative: true,
        }],
        quantities: vec![Quantity {
            span: span_of(text, "12 fighters"),
            value: 12.0,
            value_max: None,
            approx: Approx::Exact,
            unit: "fighter".into(),
            casualty: Some(CasualtyKind::Killed),
        }],
        doc_date: Some(day(2021, 3, 10)),
        ..Default::default()
    };
    let geo = GeoAnalysis {
        mentions: vec![place(text, "Tabqa", "Tabqa", GeoPrecision::Exact)],
        primary_place: Some(Place {
            name: "Raqqa".into(),
            lat: Some(35.9),
            lon: Some(39.0),
            admin1: Some("Raqqa".into()),
            country: Some("SY".into()),
            precision: GeoPrecision::Exact,
            ..Default::default()
        }),
        ..Default::default()
    };
    let ms = sitrep_events::extract(&doc(text), &a, &geo);
    let first = &ms[0];
    assert_eq!(first.date, Some(DateRange::day(day(2021, 3, 8))));
    assert_eq!(
        first.location.as_ref().map(|l| l.name.as_str()),
        Some("Tabqa")
    );
    // "The strikes": date and place from the mention before; fatalities from the quantity.
    let second = &ms[1];
    assert_eq!(second.date, first.date);
    assert_eq!(
        second.location.as_ref().map(|l| l.name.as_str()),
        Some("Tabqa")
    );
    assert_eq!(second.fatalities, Some(12));
    // A new paragraph about another incident: the document's primary place,
    // less precise, and the week before publication.
    let third = &ms[2];
    let loc = third.location.as_ref().expect("fallback place");
    assert_eq!(
        (loc.name.as_str(), loc.precision),
        ("Raqqa", GeoPrecision::Near)
    );
    let d = third.date.expect("fallback date");
    assert_eq!(
        (d.start, d.end, d.precision),
        (day(2021, 3, 4), day(2021, 3, 10), TimePrecision::Week)
    );
    assert_eq!(
        third.acled.as_ref().map(|a| a.sub_event_type.as_str()),
        Some("Armed clash")
    );
    assert!(third.certainty < first.certainty);
}

#[test]
fn actors_from_the_dictionary_and_offsets_in_characters() {
    let text = "Kurdish–led SDF fighters clashed with Islamic State militants near the dam.";
    let a = Analysis {
        sentences: sentences(text),
        entities: vec![
            entity(
                text,
                "SDF fighters",
                "Syrian Democratic Forces",
                EntityKind::Military,
                Some(ActorKind::NonStateArmed),
            ),
            entity(
                text,
                "Islamic State militants",
                "Islamic State",
                EntityKind::Military,
                Some(ActorKind::NonStateArmed),
            ),
        ],
        ..Default::default()
    };
    let ms = sitrep_events::extract(&doc(text), &a, &GeoAnalysis::default());
    let m = &ms[0];
    let names: Vec<(&str, ActorRole)> =
        m.actors.iter().map(|a| (a.name.as_str(), a.role)).collect();
    assert_eq!(
        names,
        vec![
            ("Syrian Democratic Forces", ActorRole::Actor),
            ("Islamic State", ActorRole::Target)
        ]
    );
    // The en dash is 3 bytes but one character.
    assert_eq!(m.char_end, text.chars().count());
    assert_eq!(m.span.end, text.len());
}

#[test]
fn odd_input_does_not_panic() {
    let texts = [
        "",
        "   \n\n  ",
        "💥💥 Jets struck. 💥",
        "Ataque aéreo en Alepo: murieron 5 civiles. Les forces ont bombardé Deir ez-Zor.",
        "attack attack attack attack attack attack attack attack attack attack",
        "The-strike-hit-the-base—then rebels clashed; troops withdrew from… the town",
    ];
    for t in texts {
        let d = doc(t);
        // Spans that do not fit the text (a buggy upstream layer) are ignored.
        let bad = Span::new(t.len() + 3, t.len() + 9);
        let a = Analysis {
            sentences: vec![
                Sentence {
                    span: Span::new(0, t.len()),
                    paragraph: 0,
                },
                Sentence {
                    span: bad,
                    paragraph: 1,
                },
            ],
            entities: vec![EntityMention {
                span: bad,
                kind: EntityKind::Military,
                canonical: "X".into(),
                actor_kind: None,
                country: None,
                role: None,
            }],
            times: vec![TimeExpr {
                span: bad,
                range: DateRange::day(day(2020, 1, 1)),
                relative: false,
            }],
            ..Default::default()
        };
        let geo = GeoAnalysis {
            mentions: vec![PlaceMention {
                span: bad,
                ..place("x", "x", "X", GeoPrecision::Exact)
            }],
            ..Default::default()
        };
        let _ = sitrep_events::extract(&d, &a, &geo);
        let _ = sitrep_events::extract(&d, &Analysis::default(), &GeoAnalysis::default());
    }
}
