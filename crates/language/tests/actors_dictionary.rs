//! The actor dictionary: built-in data, case rules, user files.
use sitrep_language::actors::Target;
use sitrep_language::ActorDictionary;
use sitrep_model::ActorKind;

fn names(d: &ActorDictionary, text: &str) -> Vec<(String, String)> {
    d.find_matches(text)
        .into_iter()
        .map(|m| {
            let name = match m.target {
                Target::Actor(i) => d.actor(i).map(|a| a.name.clone()).unwrap_or_default(),
                Target::Equipment(i) => d.equipment_name(i).unwrap_or_default().to_string(),
            };
            (m.span.slice(text).to_string(), name)
        })
        .collect()
}

#[test]
fn builtin_is_large_and_consistent() {
    let d = ActorDictionary::builtin();
    assert!(d.len() >= 400, "only {} actors", d.len());
    // Every affiliation names an actor of the dictionary.
    for a in d.iter() {
        for aff in &a.affiliations {
            assert!(
                d.get(aff).is_some(),
                "{}: unknown affiliation {aff:?}",
                a.name
            );
        }
    }
    let is = d.get("Islamic State").expect("Islamic State");
    assert_eq!(is.kind, ActorKind::NonStateArmed);
    assert_eq!(
        d.get("Syrian Arab Army").and_then(|a| a.country.as_deref()),
        Some("SY")
    );
}

#[test]
fn one_group_many_names() {
    let d = ActorDictionary::builtin();
    for alias in [
        "Daesh",
        "ISIS",
        "ISIL",
        "IS",
        "Isis",
        "Islamic State",
        "Islamic State (ISIS)",
    ] {
        assert_eq!(
            d.lookup(alias).map(|a| a.name.as_str()),
            Some("Islamic State"),
            "{alias}"
        );
    }
    for alias in [
        "MaT",
        "Revolutionary Commando Army",
        "Maghawir a-Thawra",
        "Maghawir al-Thawra",
    ] {
        assert_eq!(
            d.lookup(alias).map(|a| a.name.as_str()),
            Some("Maghawir al-Thawra"),
            "{alias}"
        );
    }
    assert_eq!(
        d.lookup("Revolutionary Guards Corps")
            .map(|a| a.name.as_str()),
        Some("IRGC")
    );
    assert_eq!(
        d.lookup("Hashd al-Shaabi").map(|a| a.name.as_str()),
        Some("Popular Mobilization Forces")
    );
    assert_eq!(
        d.lookup("Russian MoD").map(|a| a.name.as_str()),
        Some("Russian Defense Ministry")
    );
    assert_eq!(
        d.lookup("Ansar Allah").map(|a| a.name.as_str()),
        Some("Houthis")
    );
    assert_eq!(
        d.lookup("Africa Corps").map(|a| a.name.as_str()),
        Some("Wagner Group")
    );
    assert_eq!(
        d.lookup("pro-Damascus forces").map(|a| a.name.as_str()),
        Some("Pro-Syrian government forces")
    );
    assert_eq!(
        d.lookup("Iranian-backed militias").map(|a| a.name.as_str()),
        Some("Iran-backed militias")
    );
    assert_eq!(
        d.lookup("Fars news agency").map(|a| a.kind),
        Some(ActorKind::Media)
    );
    assert_eq!(
        d.lookup_equipment("High Mobility Artillery Rocket Systems"),
        Some("HIMARS")
    );
    assert!(d.affiliated("Kata'ib Hezbollah", "Iran"));
    assert!(!d.affiliated("Syrian Democratic Forces", "Iran"));
}

#[test]
fn case_rules_in_text() {
    let d = ActorDictionary::builtin();
    let t = "This is what IS fighters and ISIS said; the isis question is open.";
    let found = names(&d, t);
    assert!(
        found.contains(&("IS fighters".into(), "Islamic State".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("ISIS".into(), "Islamic State".into())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(s, _)| s == "is" || s == "isis"),
        "{found:?}"
    );
    // Headline capitals: "IS" between capitalised words is a verb.
    let found = names(&d, "WHAT IS BEHIND THE DEAL");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn longest_match_and_boundaries() {
    let d = ActorDictionary::builtin();
    let t = "US jets struck pro-Assad forces near the US-led coalition base; Russian jets and Syrian and Turkish troops.";
    let found = names(&d, t);
    assert!(
        found.contains(&("US jets".into(), "US military".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "pro-Assad forces".into(),
            "Pro-Syrian government forces".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("US-led coalition".into(), "US-led coalition".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("Russian jets".into(), "Russian Aerospace Forces".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("Turkish troops".into(), "Turkish Armed Forces".into())),
        "{found:?}"
    );
    // No "Assad" inside "pro-Assad bombardment".
    let found = names(&d, "years of pro-Assad bombardment");
    assert!(
        !found.iter().any(|(_, n)| n == "Bashar al-Assad"),
        "{found:?}"
    );
}

#[test]
fn no_break_spaces_match() {
    let d = ActorDictionary::builtin();
    let t = "the Russian\u{a0}Defense Ministry said";
    let found = names(&d, t);
    assert_eq!(
        found,
        vec![(
            "Russian\u{a0}Defense Ministry".to_string(),
            "Russian Defense Ministry".to_string()
        )]
    );
}

#[test]
fn user_file_extends_and_overrides() {
    let dir = std::env::temp_dir().join(format!("sitrep-actors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("mine.tsv");
    std::fs::write(
        &path,
        "# my actors\nLiwa Example\tnon_state_armed\tSY\tSyrian opposition\tLiwa Example|LEX|Example Brigade\n\
         Islamic State\tnon_state_armed\t\t\tDaesh fighters\n",
    )
    .expect("write");
    let mut d = ActorDictionary::builtin();
    d.load_user_file(&path).expect("load");
    assert_eq!(
        d.lookup("LEX").map(|a| a.name.as_str()),
        Some("Liwa Example")
    );
    assert_eq!(
        d.lookup("Example brigade").map(|a| a.name.as_str()),
        Some("Liwa Example")
    );
    // Capitalised aliases need a capital in the text.
    assert!(d.lookup("example brigade").is_none());
    assert_eq!(
        d.lookup("ISIS").map(|a| a.name.as_str()),
        Some("Islamic State")
    );
    let found = names(&d, "Fighters of Liwa Example clashed with LEX rivals.");
    assert_eq!(
        found.iter().filter(|(_, n)| n == "Liwa Example").count(),
        2,
        "{found:?}"
    );

    let bad = dir.join("bad.tsv");
    std::fs::write(
        &bad,
        "Good\tstate\tSY\t\tGood\nBroken\twarlord\tSY\t\tBroken\n",
    )
    .expect("write");
    let err = d.load_user_file(&bad).expect_err("bad kind").to_string();
    assert!(
        err.contains("bad.tsv") && err.contains("line 2") && err.contains("warlord"),
        "{err}"
    );
    std::fs::write(&bad, "Short\tstate\n").expect("write");
    let err = d.load_user_file(&bad).expect_err("short line").to_string();
    assert!(err.contains("line 1") && err.contains("columns"), "{err}");
    std::fs::write(&bad, "Xland\tstate\tXYZ\t\tXland\n").expect("write");
    let err = d.load_user_file(&bad).expect_err("bad country").to_string();
    assert!(err.contains("ISO 3166"), "{err}");
    let missing = d
        .load_user_file(&dir.join("nope.tsv"))
        .expect_err("missing")
        .to_string();
    assert!(missing.contains("nope.tsv"), "{missing}");
    let _ = std::fs::remove_dir_all(&dir);
}
