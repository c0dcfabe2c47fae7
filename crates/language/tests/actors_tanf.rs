//! Done-when checks of issue 4 (entities, actors, claims) on the sample
//! corpus, read at test time from ../shared/corpus/tanf.
use sitrep_language::Language;
use sitrep_model::{Analysis, Document, EntityKind, Stance};

fn corpus() -> Option<Vec<(String, Analysis)>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    let Ok(rd) = std::fs::read_dir(dir) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("../shared/corpus/tanf not found");
        }
        println!("skipping: ../shared not found");
        return None;
    };
    let lang = Language::new();
    let mut paths: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    Some(
        paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("readable corpus file");
                let a = lang.analyze(&Document {
                    text: text.clone(),
                    ..Default::default()
                });
                (text, a)
            })
            .collect(),
    )
}

#[test]
fn titled_persons_with_roles() {
    let Some(docs) = corpus() else { return };
    let role_of = |name: &str| -> Option<String> {
        docs.iter()
            .flat_map(|(_, a)| a.entities.iter())
            .find(|e| e.kind == EntityKind::Person && e.canonical == name && e.role.is_some())
            .and_then(|e| e.role.clone())
    };
    let r = role_of("Sergei Surovikin").expect("Sergei Surovikin with a role");
    assert!(
        r.contains("Col. Gen.") && r.contains("commander of the Russian grouping in Syria"),
        "{r}"
    );
    let r = role_of("Matthew McFarlane").expect("Matthew McFarlane with a role");
    assert!(r.contains("US Army") && r.contains("Maj. Gen."), "{r}");
    let r = role_of("Ryan Dillon").expect("Ryan Dillon with a role");
    assert!(r.contains("Colonel") && r.contains("spokesman"), "{r}");
    let r = role_of("Ali Rizk").expect("Ali Rizk with a role");
    assert!(r.contains("expert"), "{r}");
    let r = role_of("Amir Saeid Iravani").expect("Amir Saeid Iravani with a role");
    assert!(r.contains("envoy"), "{r}");
    let r = role_of("Alexus Grynkewish").expect("Alexus Grynkewish with a role");
    assert!(r.contains("Lieutenant General"), "{r}");
    // Short mentions resolve to the full name.
    let dillon = docs
        .iter()
        .flat_map(|(t, a)| a.entities.iter().map(move |e| (e.span.slice(t), e)));
    assert!(
        dillon
            .filter(|(s, e)| *s == "Dillon" && e.canonical == "Ryan Dillon")
            .count()
            >= 1
    );
}

#[test]
fn islamic_state_is_one_actor() {
    let Some(docs) = corpus() else { return };
    let mut surfaces = std::collections::BTreeSet::new();
    for (text, a) in &docs {
        for e in &a.entities {
            let s = e.span.slice(text);
            if ["Daesh", "ISIS", "IS", "Isis"].contains(&s) {
                assert_eq!(e.canonical, "Islamic State", "{s}");
                surfaces.insert(s.to_string());
            }
        }
    }
    assert_eq!(surfaces.len(), 4, "{surfaces:?}");
}

#[test]
fn claims_with_speakers_and_stances() {
    let Some(docs) = corpus() else { return };
    let claims: Vec<_> = docs
        .iter()
        .flat_map(|(t, a)| a.claims.iter().map(move |c| (t, c)))
        .collect();
    let has = |speaker: &str, stance: Stance| {
        claims.iter().any(|(_, c)| {
            c.speaker.as_deref() == Some(speaker) && c.stance == stance && !c.content.is_empty()
        })
    };
    for speaker in [
        "Russian Defense Ministry",
        "Ali Rizk",
        "Sergei Surovikin",
        "Fars news agency",
        "a US defence official",
        "Ryan Dillon",
        "Matthew McFarlane",
        "Amir Saeid Iravani",
    ] {
        assert!(
            has(speaker, Stance::Asserts),
            "no asserting claim by {speaker}"
        );
    }
    assert!(
        has("US military", Stance::Denies),
        "no denial by the US military"
    );
    assert!(
        has("Myles B. Caggins", Stance::Denies),
        "no dismissal by Myles B. Caggins"
    );
    assert!(
        claims.iter().any(|(_, c)| c.stance == Stance::Reports),
        "no media report"
    );
    // Role phrases resolve: "the ministry", "the expert", "the statement".
    let resolved = |phrase: &str, speaker: &str| {
        claims.iter().any(|(t, c)| {
            c.speaker_span
                .is_some_and(|s| s.slice(t).eq_ignore_ascii_case(phrase))
                && c.speaker.as_deref() == Some(speaker)
        })
    };
    assert!(resolved("the ministry", "Russian Defense Ministry"));
    assert!(resolved("the statement", "Russian Defense Ministry"));
    assert!(resolved("the expert", "Ali Rizk"));
    // Every claim has content inside the text and a cue.
    for (t, c) in &claims {
        assert!(!c.content.slice(t).is_empty() && !c.cue.is_empty(), "{c:?}");
    }
}
