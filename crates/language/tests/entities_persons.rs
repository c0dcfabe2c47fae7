//! Persons, organisations and equipment on sentences written for these tests.
use sitrep_language::{entities, sentences, ActorDictionary};
use sitrep_model::{EntityKind, EntityMention};

fn find(text: &str) -> Vec<EntityMention> {
    let d = ActorDictionary::builtin();
    entities::find(text, &sentences::split(text), &d)
}

fn person<'a>(ms: &'a [EntityMention], canonical: &str) -> &'a EntityMention {
    ms.iter()
        .find(|m| m.kind == EntityKind::Person && m.canonical == canonical)
        .unwrap_or_else(|| panic!("no person {canonical:?} in {ms:#?}"))
}

#[test]
fn ranks_and_titles() {
    let t = "Lt. Gen. Olena Marchenko, who leads the southern command, visited the front. \
             Later, US Navy Rear Adm. Peter Holloway said the ship was safe.";
    let ms = find(t);
    let p = person(&ms, "Olena Marchenko");
    assert_eq!(p.role.as_deref(), Some("Lt. Gen."));
    assert_eq!(p.span.slice(t), "Olena Marchenko");
    let p = person(&ms, "Peter Holloway");
    assert_eq!(p.role.as_deref(), Some("US Navy Rear Adm."));
    assert_eq!(p.country.as_deref(), Some("US"));
}

#[test]
fn appositive_roles_before_and_after() {
    let t =
        "Karim Haddad, a researcher at the Levant Policy Institute, said the talks had stalled. \
             The head of the local council, Samira Qassab, told reporters that water was short. \
             According to security analyst Tomas Berg, the drones came from the east.";
    let ms = find(t);
    assert_eq!(
        person(&ms, "Karim Haddad").role.as_deref(),
        Some("researcher at the Levant Policy Institute")
    );
    assert_eq!(
        person(&ms, "Samira Qassab").role.as_deref(),
        Some("head of the local council")
    );
    assert_eq!(
        person(&ms, "Tomas Berg").role.as_deref(),
        Some("security analyst")
    );
    let org = ms
        .iter()
        .find(|m| m.canonical == "Levant Policy Institute")
        .expect("org");
    assert_eq!(org.kind, EntityKind::Organisation);
}

#[test]
fn initials_and_short_mentions() {
    let t = "The spokesman, John R. Whitfield, declined to comment. Whitfield later said the base was closed. \
             Whitfield's office confirmed it.";
    let ms = find(t);
    let all: Vec<&EntityMention> = ms
        .iter()
        .filter(|m| m.canonical == "John R. Whitfield")
        .collect();
    assert_eq!(all.len(), 3, "{ms:#?}");
    assert_eq!(all[2].span.slice(t), "Whitfield");
}

#[test]
fn dictionary_persons_take_titles() {
    let t = "Russian President Vladimir Putin met Turkish President Recep Tayyip Erdogan. Putin said little.";
    let ms = find(t);
    let putin: Vec<&EntityMention> = ms
        .iter()
        .filter(|m| m.canonical == "Vladimir Putin")
        .collect();
    assert_eq!(putin.len(), 2);
    assert_eq!(putin[0].role.as_deref(), Some("Russian President"));
    assert_eq!(
        person(&ms, "Recep Tayyip Erdogan").role.as_deref(),
        Some("Turkish President")
    );
}

#[test]
fn not_persons() {
    let t = "On Monday, Deir Hafer residents fled. The Badia Desert is vast. Clearly, Damascus wants the crossing.";
    let ms = find(t);
    assert!(!ms.iter().any(|m| m.kind == EntityKind::Person), "{ms:#?}");
}

#[test]
fn organisations_equipment_and_force_phrases() {
    let t = "The Ministry of Water Resources said a drone hit the dam. Fighters of the Northern Storm Brigade \
             used two T-72 tanks, technicals and a Kornet missile, while Syrian and Russian jets bombed the town \
             and the al-Hamza Media Center posted video.";
    let ms = find(t);
    let canon = |s: &str| {
        ms.iter()
            .find(|m| m.span.slice(t) == s)
            .map(|m| (m.kind, m.canonical.as_str()))
    };
    assert_eq!(
        canon("Ministry of Water Resources"),
        Some((EntityKind::Government, "Ministry of Water Resources"))
    );
    assert_eq!(
        canon("Northern Storm Brigade"),
        Some((EntityKind::Military, "Northern Storm Brigade"))
    );
    assert_eq!(canon("drone"), Some((EntityKind::Equipment, "drone")));
    assert_eq!(canon("T-72"), Some((EntityKind::Equipment, "tank")));
    assert_eq!(canon("tanks"), Some((EntityKind::Equipment, "tank")));
    assert_eq!(
        canon("technicals"),
        Some((EntityKind::Equipment, "technical"))
    );
    assert_eq!(
        canon("Kornet"),
        Some((EntityKind::Equipment, "anti-tank missile"))
    );
    assert_eq!(
        canon("Russian jets"),
        Some((EntityKind::Military, "Russian Aerospace Forces"))
    );
    assert_eq!(
        canon("Syrian"),
        Some((EntityKind::Military, "Syrian Arab Army"))
    );
    assert_eq!(
        canon("al-Hamza Media Center"),
        Some((EntityKind::Media, "al-Hamza Media Center"))
    );
}

#[test]
fn one_actor_many_names() {
    let t = "Daesh lost the town. ISIS fighters fled east, and IS claimed the attack. Isis remains a threat, \
             the Islamic State (ISIS) said.";
    let ms = find(t);
    let groups: Vec<&str> = ms
        .iter()
        .filter(|m| m.kind == EntityKind::Military)
        .map(|m| m.canonical.as_str())
        .collect();
    assert_eq!(groups.len(), 5, "{ms:#?}");
    assert!(groups.iter().all(|g| *g == "Islamic State"), "{groups:?}");
}
