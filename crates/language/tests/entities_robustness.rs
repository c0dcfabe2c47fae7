//! The entity and claim finders never panic on odd input: cut texts,
//! unbalanced quotes, non-ASCII spaces and punctuation, no sentences.
use sitrep_language::{claims, entities, sentences, ActorDictionary};

const TEXT: &str = "“We will hold the line,” said Col. Gen. Ivan Petrov, commander of the \u{a0}eastern group. \
    According to Reuters, ISIS fighters — some 200 — fled; the ministry’s statement read: \"no losses\". \
    Ali Rizk’s view, an expert said, is that “the Pentagon [US Department of Defense] … denied it. \
    Pro-Assad forces, al-Qaeda and Kata’ib Hezbollah (KH) used T-72 tanks and Shahed drones near Deir ez-Zor.";

fn run(text: &str, with_sentences: bool) {
    let d = ActorDictionary::builtin();
    let sents = if with_sentences {
        sentences::split(text)
    } else {
        Vec::new()
    };
    let ents = entities::find(text, &sents, &d);
    for e in &ents {
        assert!(
            text.get(e.span.start..e.span.end).is_some(),
            "bad span {e:?}"
        );
    }
    for c in claims::find(text, &sents, &ents, &d) {
        assert!(
            text.get(c.content.start..c.content.end).is_some(),
            "bad content {c:?}"
        );
        if let Some(s) = c.speaker_span {
            assert!(text.get(s.start..s.end).is_some(), "bad speaker span {c:?}");
        }
    }
}

#[test]
fn every_cut_of_a_messy_text() {
    let bounds: Vec<usize> = TEXT
        .char_indices()
        .map(|(i, _)| i)
        .chain([TEXT.len()])
        .collect();
    for (k, &a) in bounds.iter().enumerate().step_by(7) {
        run(&TEXT[a..], k % 2 == 0);
        run(&TEXT[..a], k % 2 == 1);
    }
}

#[test]
fn degenerate_inputs() {
    for t in [
        "",
        " ",
        "“",
        "”",
        "\"",
        "said",
        "according to",
        "Col.",
        "IS",
        "— said he.",
        "\u{a0}\u{a0}US\u{a0}forces",
    ] {
        run(t, true);
        run(t, false);
    }
    let long_quote = format!("“{}", "word ".repeat(3000));
    run(&long_quote, true);
}

#[test]
fn works_without_sentences() {
    let d = ActorDictionary::builtin();
    let t = "The Russian Defense Ministry said its jets struck the base.\nLater, Kyiv denied it.";
    let ents = entities::find(t, &[], &d);
    let cs = claims::find(t, &[], &ents, &d);
    assert!(
        cs.iter()
            .any(|c| c.speaker.as_deref() == Some("Russian Defense Ministry")),
        "{cs:#?}"
    );
}
