//! Sitrep's domain types, shared by every stage of the pipeline.
//!
//! The data's path: an article enters as a [`Document`] (ingest), becomes
//! [`Sentence`]s, [`EntityMention`]s, [`TimeExpr`]s, [`Quantity`]s and
//! [`Claim`]s (language, gathered in an [`Analysis`]), [`PlaceMention`]s (geo),
//! [`EventMention`]s (events) and finally merged [`Event`]s (resolve), which
//! the store keeps and the server and exports read.
//!
//! Offsets inside the pipeline are **byte** offsets into `Document::text`
//! (the cleaned text) so slicing is free; exports convert them to the
//! character (code point) offsets that `SCHEMA.md` requires with
//! [`CharIndex`].
//!
//! ```
//! use sitrep_model::{Span, CharIndex};
//! let text = "Deir ez-Zor – al-Tanf";
//! let span = Span::new(text.find("al-Tanf").unwrap(), text.len());
//! assert_eq!(span.slice(text), "al-Tanf");
//! let idx = CharIndex::new(text);
//! assert_eq!(idx.char_offset(span.start), 14); // the dash is 3 bytes, 1 char
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod hash;
mod ids;
pub mod scratch;
pub use hash::{IntHash, IntHasher};
pub use ids::{stable_id, CharIndex};

/// A half-open byte range `[start, end)` into a document's cleaned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// The text under the span; empty if the span does not fit `text`.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

// ---------------------------------------------------------------------------
// Documents and outlets
// ---------------------------------------------------------------------------

/// How a document's publication date was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishedBasis {
    /// Given by the input's metadata (JSONL field, feed item, HTML meta tag).
    Metadata,
    /// Stated in the article text ("22 May 2017", "Posted on April 19 2017").
    Text,
    /// Inferred from the dates and relative expressions in the text.
    Inferred,
}

/// A publisher, as recognised from metadata or text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Outlet {
    /// Display name: "Sputnik", "The Guardian", "Syria Direct".
    pub name: String,
    /// Home domains, lower case, without "www.".
    #[serde(default)]
    pub domains: Vec<String>,
    /// ISO 3166-1 alpha-2 country of the outlet's base, if known.
    pub country: Option<String>,
    /// "state_media", "international", "local", "agency", "blog", "think_tank".
    pub kind: Option<String>,
}

/// One article after ingestion: cleaned text plus metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id derived from the normalized content (see [`stable_id`]).
    pub id: String,
    /// Input path (or path#item for multi-document inputs) or URL.
    pub path: String,
    pub url: Option<String>,
    pub outlet: Option<String>,
    /// The site that re-posted the piece, when it is not the original outlet.
    pub reposted_by: Option<String>,
    pub title: Option<String>,
    pub byline: Vec<String>,
    pub dateline: Option<String>,
    pub published: Option<NaiveDate>,
    pub published_basis: Option<PublishedBasis>,
    /// For inferred dates, the range the inference allows (inclusive).
    pub published_range: Option<(NaiveDate, NaiveDate)>,
    /// ISO 639-1 code.
    pub language: Option<String>,
    /// The cleaned article body. All spans index into this.
    pub text: String,
    /// Id of an earlier document with the same story.
    pub duplicate_of: Option<String>,
}

// ---------------------------------------------------------------------------
// Language layer
// ---------------------------------------------------------------------------

/// A sentence of the cleaned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
    /// Paragraph number (0-based) the sentence starts in.
    pub paragraph: u32,
}

/// Actor kinds, as exported in `event.actors[].kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    State,
    StateMilitary,
    NonStateArmed,
    GovernmentOfficial,
    Civilians,
    Media,
    InternationalOrg,
    Other,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::StateMilitary => "state_military",
            ActorKind::NonStateArmed => "non_state_armed",
            ActorKind::GovernmentOfficial => "government_official",
            ActorKind::Civilians => "civilians",
            ActorKind::Media => "media",
            ActorKind::InternationalOrg => "international_org",
            ActorKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "state" => ActorKind::State,
            "state_military" => ActorKind::StateMilitary,
            "non_state_armed" => ActorKind::NonStateArmed,
            "government_official" => ActorKind::GovernmentOfficial,
            "civilians" => ActorKind::Civilians,
            "media" => ActorKind::Media,
            "international_org" => ActorKind::InternationalOrg,
            "other" => ActorKind::Other,
            _ => return None,
        })
    }
}

/// A canonical actor from the actor dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Canonical name: "Islamic State", "Syrian Arab Army".
    pub name: String,
    pub kind: ActorKind,
    /// ISO 3166-1 alpha-2 country, if the actor belongs to one.
    pub country: Option<String>,
    /// Canonical names of actors this one belongs to or fights for
    /// ("Syrian Arab Army" → "Syrian government"); used for side matching.
    pub affiliations: Vec<String>,
    pub aliases: Vec<String>,
}

/// What an entity mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Organisation,
    /// A government, ministry or state as a whole.
    Government,
    /// Armed forces, units, armed groups.
    Military,
    Media,
    InternationalOrg,
    /// A collective description: "pro-regime forces", "civilians".
    Group,
    /// Equipment and weapon systems: HIMARS, tanks, drones.
    Equipment,
}

/// A person, organisation, group or piece of equipment named in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityMention {
    pub span: Span,
    pub kind: EntityKind,
    /// Canonical name: the dictionary actor's name, or the person's full
    /// name without title ("Sergei Surovikin").
    pub canonical: String,
    /// Set when the mention resolves to a dictionary actor.
    pub actor_kind: Option<ActorKind>,
    pub country: Option<String>,
    /// Rank, title or role: "Col. Gen.", "commander of the Russian grouping
    /// in Syria", "expert in Middle Eastern studies".
    pub role: Option<String>,
}

/// Temporal precision, ACLED-style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimePrecision {
    Day,
    Week,
    Month,
    Year,
}

impl TimePrecision {
    /// ACLED's time_precision code: 1 day, 2 week, 3 month or longer.
    pub fn acled_code(self) -> u8 {
        match self {
            TimePrecision::Day => 1,
            TimePrecision::Week => 2,
            TimePrecision::Month | TimePrecision::Year => 3,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TimePrecision::Day => "day",
            TimePrecision::Week => "week",
            TimePrecision::Month => "month",
            TimePrecision::Year => "year",
        }
    }
}

/// An inclusive date range with a precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub precision: TimePrecision,
}

impl DateRange {
    pub fn day(d: NaiveDate) -> Self {
        DateRange {
            start: d,
            end: d,
            precision: TimePrecision::Day,
        }
    }
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

/// A time expression resolved to a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeExpr {
    pub span: Span,
    pub range: DateRange,
    /// True when the value depends on the document date ("on Thursday").
    pub relative: bool,
}

/// How a number is qualified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approx {
    Exact,
    About,
    AtLeast,
    MoreThan,
    UpTo,
    LessThan,
    /// "several thousand", "dozens of": value is a lower bound estimate.
    Vague,
}

/// A number with its unit or head noun.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    pub span: Span,
    pub value: f64,
    /// Upper end of a range ("20 to 30 fighters").
    pub value_max: Option<f64>,
    pub approx: Approx,
    /// Unit or head noun, singular, lower case: "leaflet", "km", "soldier".
    pub unit: String,
    /// Set when the quantity counts people killed or injured.
    pub casualty: Option<CasualtyKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyKind {
    Killed,
    Injured,
}

/// The speaker's stance towards the content of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Asserts,
    Denies,
    Reports,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Asserts => "asserts",
            Stance::Denies => "denies",
            Stance::Reports => "reports",
        }
    }
}

/// Reported speech: who said what, with what stance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The content (quote or indirect speech).
    pub content: Span,
    /// Where the speaker is named in the text, if it is.
    pub speaker_span: Option<Span>,
    /// Canonical speaker name after resolving roles ("the ministry" →
    /// "Russian Defense Ministry").
    pub speaker: Option<String>,
    pub speaker_kind: Option<ActorKind>,
    /// The outlet the speaker spoke to, when named ("told Syria Direct" →
    /// "Syria Direct").
    #[serde(default)]
    pub outlet: Option<String>,
    /// The reporting verb or cue: "said", "according to", "denied".
    pub cue: String,
    pub stance: Stance,
    /// Index into `Analysis::sentences` of the first sentence of the content.
    pub sentence: usize,
}

/// Everything the language layer finds in one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub sentences: Vec<Sentence>,
    pub entities: Vec<EntityMention>,
    pub times: Vec<TimeExpr>,
    pub quantities: Vec<Quantity>,
    pub claims: Vec<Claim>,
    /// The document date used to resolve relative expressions, with how it
    /// was obtained; the pipeline copies an inferred one onto the document.
    pub doc_date: Option<NaiveDate>,
    pub doc_date_basis: Option<PublishedBasis>,
    pub doc_date_range: Option<(NaiveDate, NaiveDate)>,
}

// ---------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------

/// Feature class of a place, as exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    City,
    Village,
    BorderCrossing,
    Base,
    Dam,
    Region,
    Admin1,
    Country,
    #[default]
    Other,
}

impl Feature {
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::City => "city",
            Feature::Village => "village",
            Feature::BorderCrossing => "border_crossing",
            Feature::Base => "base",
            Feature::Dam => "dam",
            Feature::Region => "region",
            Feature::Admin1 => "admin1",
            Feature::Country => "country",
            Feature::Other => "other",
        }
    }
}

/// How precisely a location is known.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum GeoPrecision {
    Exact,
    Near,
    Admin1,
    #[default]
    Country,
}

/// A resolved (or unresolvable) location. Coordinates are WGS84 degrees;
/// `None` when the name could not be resolved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// First-level division, English form ("Homs", "Deir ez-Zor").
    pub admin1: Option<String>,
    pub feature: Feature,
    pub geonames_id: Option<u64>,
    pub precision: GeoPrecision,
}

/// A place as exported per document (SCHEMA.md `PLACE`): a location with
/// the surface forms seen and how often it was mentioned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub name: String,
    pub surface: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub country: Option<String>,
    pub admin1: Option<String>,
    pub feature: Feature,
    pub geonames_id: Option<u64>,
    pub mentions: u32,
    pub precision: GeoPrecision,
}

impl Place {
    pub fn from_location(loc: &Location, surface: Vec<String>, mentions: u32) -> Self {
        Place {
            name: loc.name.clone(),
            surface,
            lat: loc.lat,
            lon: loc.lon,
            country: loc.country.clone(),
            admin1: loc.admin1.clone(),
            feature: loc.feature,
            geonames_id: loc.geonames_id,
            mentions,
            precision: loc.precision,
        }
    }
    pub fn location(&self) -> Location {
        Location {
            name: self.name.clone(),
            lat: self.lat,
            lon: self.lon,
            country: self.country.clone(),
            admin1: self.admin1.clone(),
            feature: self.feature,
            geonames_id: self.geonames_id,
            precision: self.precision,
        }
    }
}

/// A spatial relation that turns a reference place into a computed location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SpatialRelation {
    /// "80km south of al-Bukamel", "18 kilometers from the Jordanian border".
    Distance {
        km: f64,
        bearing_deg: Option<f64>,
        from: String,
    },
    /// "between X and Y".
    Between { a: String, b: String },
    /// "outskirts of X", "near X".
    Near { of: String },
    /// "east of the Euphrates".
    SideOf { bearing_deg: f64, of: String },
    /// "a 55-km zone around X".
    Radius { km: f64, around: String },
}

/// One place name (or spatial expression) found in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceMention {
    pub span: Span,
    pub surface: String,
    pub location: Location,
    /// Resolution score in [0, 1].
    pub score: f32,
    /// Set for computed locations; `location` then holds the computed point.
    pub relation: Option<SpatialRelation>,
    /// For radius relations, the radius of the area in km.
    pub radius_km: Option<f64>,
}

/// The geo layer's output for one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoAnalysis {
    pub mentions: Vec<PlaceMention>,
    /// Places aggregated per resolved location, most mentioned first.
    pub places: Vec<Place>,
    pub primary_place: Option<Place>,
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// PLOVER top-level categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Plover {
    Assault,
    Coerce,
    Mobilize,
    Threaten,
    Accuse,
    Consult,
    Agree,
    Request,
    Reject,
    Retreat,
    Support,
    Cooperate,
    Aid,
    Concede,
    Protest,
    Sanction,
}

impl Plover {
    pub const ALL: [Plover; 16] = [
        Plover::Assault,
        Plover::Coerce,
        Plover::Mobilize,
        Plover::Threaten,
        Plover::Accuse,
        Plover::Consult,
        Plover::Agree,
        Plover::Request,
        Plover::Reject,
        Plover::Retreat,
        Plover::Support,
        Plover::Cooperate,
        Plover::Aid,
        Plover::Concede,
        Plover::Protest,
        Plover::Sanction,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Plover::Assault => "ASSAULT",
            Plover::Coerce => "COERCE",
            Plover::Mobilize => "MOBILIZE",
            Plover::Threaten => "THREATEN",
            Plover::Accuse => "ACCUSE",
            Plover::Consult => "CONSULT",
            Plover::Agree => "AGREE",
            Plover::Request => "REQUEST",
            Plover::Reject => "REJECT",
            Plover::Retreat => "RETREAT",
            Plover::Support => "SUPPORT",
            Plover::Cooperate => "COOPERATE",
            Plover::Aid => "AID",
            Plover::Concede => "CONCEDE",
            Plover::Protest => "PROTEST",
            Plover::Sanction => "SANCTION",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Plover::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// ACLED event type and sub-event type, using ACLED's exact labels
/// ("Explosions/Remote violence", "Air/drone strike").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AcledType {
    pub event_type: String,
    pub sub_event_type: String,
}

/// ACLED's 25 sub-event types with their event types, exact labels.
pub const ACLED_SUBTYPES: [(&str, &str); 25] = [
    ("Battles", "Armed clash"),
    ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Chemical weapon"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Suicide bomb"),
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    ),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    ),
    ("Explosions/Remote violence", "Grenade"),
    ("Violence against civilians", "Sexual violence"),
    ("Violence against civilians", "Attack"),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
    ),
    ("Protests", "Peaceful protest"),
    ("Protests", "Protest with intervention"),
    ("Protests", "Excessive force against protesters"),
    ("Riots", "Violent demonstration"),
    ("Riots", "Mob violence"),
    ("Strategic developments", "Agreement"),
    ("Strategic developments", "Arrests"),
    ("Strategic developments", "Change to group/activity"),
    ("Strategic developments", "Disrupted weapons use"),
    ("Strategic developments", "Headquarters or base established"),
    ("Strategic developments", "Looting/property destruction"),
    (
        "Strategic developments",
        "Non-violent transfer of territory",
    ),
    ("Strategic developments", "Other"),
];

/// An actor's role in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActorRole {
    Actor,
    Target,
    Other,
}

/// An actor taking part in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    pub name: String,
    pub role: ActorRole,
    pub kind: ActorKind,
    pub surface: Vec<String>,
}

/// A numeric value attached to an event ("90,000 leaflets").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventQuantity {
    pub value: f64,
    pub unit: String,
}

/// Who claims (or denies) that an event happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimedBy {
    pub claimant: String,
    pub stance: Stance,
}

/// Provenance: the exact sentence and outlet behind a fact. `start`/`end`
/// are **character** offsets into the document's cleaned text, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Provenance {
    pub document: String,
    pub outlet: Option<String>,
    pub sentence: String,
    pub start: usize,
    pub end: usize,
}

/// Why an event was coded the way it was, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Coding {
    /// The trigger word or phrase as written.
    pub trigger: String,
    /// Name of the rule or pattern that fired.
    pub rule: String,
}

/// One event as extracted from one document (before cross-document
/// resolution).
///
/// The store keeps mentions in postcard's binary format, which records
/// fields by their order and enum variants by their position: the order of
/// this struct's fields, and of the fields and variants of every type in
/// it, is an on-disk format. Changing it needs a new codec tag in
/// `crates/store/src/codec.rs` (a test there pins the bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMention {
    pub document: String,
    pub outlet: Option<String>,
    /// The document this one duplicates, so resolution counts it once.
    pub duplicate_of: Option<String>,
    pub category: Plover,
    pub acled: Option<AcledType>,
    /// Byte span of the sentence(s) that state the event.
    pub span: Span,
    /// The sentence text (copied so resolution needs no document access).
    pub sentence: String,
    /// Character offsets of `span` in the cleaned text.
    pub char_start: usize,
    pub char_end: usize,
    pub date: Option<DateRange>,
    pub location: Option<Location>,
    pub actors: Vec<EventActor>,
    pub equipment: Vec<String>,
    pub quantities: Vec<EventQuantity>,
    pub fatalities: Option<u32>,
    pub claimed_by: Vec<ClaimedBy>,
    /// False for denied events ("X denied striking ...").
    pub occurred: bool,
    /// Extraction certainty in [0, 1].
    pub certainty: f32,
    pub coding: Coding,
}

/// One side of a disagreement between sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeValue {
    pub value: String,
    pub documents: Vec<String>,
}

/// A field on which an event's mentions disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    /// "date", "location", "actors", "fatalities", "quantities", "occurred".
    pub field: String,
    pub values: Vec<DisputeValue>,
}

/// A real-world incident, merged across all documents that report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub category: Plover,
    pub acled: Option<AcledType>,
    pub summary: String,
    pub date: Option<DateRange>,
    pub actors: Vec<EventActor>,
    pub location: Option<Place>,
    pub equipment: Vec<String>,
    pub quantities: Vec<EventQuantity>,
    pub fatalities: Option<u32>,
    pub claimed_by: Vec<ClaimedBy>,
    pub mentions: Vec<Provenance>,
    /// Independent outlets (re-posted copies counted once).
    pub sources: Vec<String>,
    pub disputes: Vec<Dispute>,
    pub confidence: f32,
    /// Why it was coded so, one entry per mention.
    pub coding: Vec<Coding>,
}
