//! Reported speech on sentences written for these tests.
use sitrep_language::Language;
use sitrep_model::{ActorKind, Analysis, Claim, Document, Stance};

fn analyze(text: &str) -> Analysis {
    Language::new().analyze(&Document {
        text: text.to_string(),
        ..Default::default()
    })
}

fn by<'a>(a: &'a Analysis, speaker: &str) -> Vec<&'a Claim> {
    a.claims
        .iter()
        .filter(|c| c.speaker.as_deref() == Some(speaker))
        .collect()
}

#[test]
fn said_told_according_to() {
    let t = "The Turkish Defence Ministry said on Friday that its drones had struck a depot near Qamishli. \
             Local residents told Enab Baladi that the depot was empty. \
             According to the SDF, two fighters were wounded.";
    let a = analyze(t);
    let c = by(&a, "Turkish Ministry of National Defence");
    assert_eq!(c.len(), 1, "{:#?}", a.claims);
    assert_eq!(
        c[0].content.slice(t),
        "its drones had struck a depot near Qamishli"
    );
    assert_eq!(c[0].stance, Stance::Asserts);
    assert_eq!(c[0].speaker_kind, Some(ActorKind::GovernmentOfficial));
    let c = by(&a, "Civilians");
    assert_eq!(c.len(), 1, "{:#?}", a.claims);
    assert_eq!(c[0].outlet.as_deref(), Some("Enab Baladi"));
    assert_eq!(c[0].content.slice(t), "the depot was empty");
    let c = by(&a, "Syrian Democratic Forces");
    assert_eq!(c.len(), 1, "{:#?}", a.claims);
    assert_eq!(c[0].cue, "according to");
    assert_eq!(c[0].content.slice(t), "two fighters were wounded");
}

#[test]
fn quotes_before_and_after_with_roles() {
    let t = "“We will not leave the villages to the militias,” said a local commander in Daraa. \
             Omar Khatib, a lawyer in Idlib, said: “The court never met. Nobody was told.” \
             “The shelling has not stopped,” the lawyer added.";
    let a = analyze(t);
    let c = a
        .claims
        .iter()
        .find(|c| c.content.slice(t).starts_with("We will not leave"))
        .expect("first quote");
    assert_eq!(c.speaker.as_deref(), Some("a local commander"));
    let c = by(&a, "Omar Khatib");
    assert_eq!(c.len(), 2, "{:#?}", a.claims);
    assert_eq!(
        c[0].content.slice(t),
        "The court never met. Nobody was told"
    );
    assert_eq!(c[1].content.slice(t), "The shelling has not stopped");
    assert_eq!(c[1].cue, "added");
}

#[test]
fn multi_sentence_quote_attributed_at_the_end() {
    let t =
        "The statement was long. “Our units repelled the attack. Three vehicles were destroyed. \
             The enemy withdrew,” the Ukrainian General Staff said.";
    let a = analyze(t);
    let c = by(&a, "Ukrainian General Staff");
    assert_eq!(c.len(), 1, "{:#?}", a.claims);
    assert!(c[0].content.slice(t).starts_with("Our units repelled"));
    assert!(c[0].content.slice(t).ends_with("The enemy withdrew"));
    assert_eq!(c[0].sentence, 1);
}

#[test]
fn denials_and_reports() {
    let t = "The Russian Foreign Ministry denied that its troops had entered the town. \
             Reuters reported that the convoy had turned back. \
             Hezbollah dismissed the allegations and said its fighters were not in the area. \
             The group has not confirmed the losses.";
    let a = analyze(t);
    let c = by(&a, "Russian Foreign Ministry");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].stance, Stance::Denies);
    assert_eq!(c[0].content.slice(t), "its troops had entered the town");
    let c = by(&a, "Reuters");
    assert_eq!(c[0].stance, Stance::Reports);
    let c = by(&a, "Hezbollah");
    assert_eq!(c.len(), 2, "{:#?}", a.claims);
    assert_eq!(c[0].stance, Stance::Denies);
    assert_eq!(c[0].content.slice(t), "the allegations");
    assert_eq!(c[1].stance, Stance::Asserts);
    assert!(
        !a.claims.iter().any(|c| c.cue == "confirmed"),
        "negated cue: {:#?}",
        a.claims
    );
}

#[test]
fn roles_resolve_to_named_actors() {
    let t = "The Iraqi Defence Ministry accused the PKK of planting mines. The ministry added that two soldiers died. \
             Dr. Leila Nasser, an expert on landmines, said clearance would take years. \
             The expert warned that rain moves the mines. She said farmers should wait. \
             It added that a hotline was open.";
    let a = analyze(t);
    let c = by(&a, "Iraqi Ministry of Defence");
    assert_eq!(c.len(), 3, "{:#?}", a.claims);
    assert_eq!(c[0].cue, "accused");
    assert_eq!(c[0].content.slice(t), "the PKK of planting mines");
    let c = by(&a, "Leila Nasser");
    assert_eq!(c.len(), 3, "{:#?}", a.claims);
    assert_eq!(c[1].speaker_span.map(|s| s.slice(t)), Some("The expert"));
}

#[test]
fn content_before_attribution_and_appositive_speaker() {
    let t = "The road reopened on Tuesday, Ahmad Saleh, a spokesman for the local council, told Syria Direct.";
    let a = analyze(t);
    let c = by(&a, "Ahmad Saleh");
    assert_eq!(c.len(), 1, "{:#?}", a.claims);
    assert_eq!(c[0].content.slice(t), "The road reopened on Tuesday");
    assert_eq!(c[0].outlet.as_deref(), Some("Syria Direct"));
}

#[test]
fn no_claims_without_speech() {
    let t = "The convoy reached the border at dawn. The so-called corridor runs east. An alleged strike hit a farm. \
             The United States has moved two ships. Reports of shelling were heard.";
    let a = analyze(t);
    assert!(a.claims.is_empty(), "{:#?}", a.claims);
}
