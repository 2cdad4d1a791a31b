//! The content model: what authors write, as deserialized from front matter and catalogs.
//!
//! Fields that later stages must point errors at (ids, cross-references, control ids) keep their
//! source location through [`Spanned`]. Everything else is plain data.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use serde_saphyr::Spanned;

use crate::diagnostic::Position;

/// Where an item came from: its file (relative to the book root) and where its parts start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    /// Lines before the YAML document inside the file (1 for front matter after `---`).
    pub yaml_line_offset: usize,
    /// The 0-based line where the Markdown body starts in the file.
    pub body_line_offset: usize,
}

impl Source {
    /// The file position of a value deserialized from this file's YAML.
    pub fn at<T>(&self, value: &Spanned<T>) -> Position {
        let location = value.referenced;
        Position::new(
            location.line() as usize + self.yaml_line_offset,
            location.column() as usize,
        )
    }
}

/// OSCAL's mapping relationship vocabulary, read from the guideline (source) to the control (target).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    EquivalentTo,
    EqualTo,
    SubsetOf,
    SupersetOf,
    IntersectsWith,
    NoRelationship,
}

impl Relationship {
    /// Going A -> B by `self`, then B -> C by `next`: what A is to C, as crosswalks compose.
    /// Equal or equivalent keep the other step's relationship; subset of a subset is a subset,
    /// superset of a superset a superset; `no-relationship` on either side relates nothing;
    /// anything else only intersects.
    pub fn then(self, next: Relationship) -> Option<Relationship> {
        use Relationship::*;
        match (self, next) {
            (NoRelationship, _) | (_, NoRelationship) => None,
            (EqualTo | EquivalentTo, other) | (other, EqualTo | EquivalentTo) => Some(other),
            (SubsetOf, SubsetOf) => Some(SubsetOf),
            (SupersetOf, SupersetOf) => Some(SupersetOf),
            _ => Some(IntersectsWith),
        }
    }

    /// The relationship read the other way round (B -> A for A -> B).
    pub fn reversed(self) -> Relationship {
        match self {
            Relationship::SubsetOf => Relationship::SupersetOf,
            Relationship::SupersetOf => Relationship::SubsetOf,
            other => other,
        }
    }

    pub fn parse(text: &str) -> Option<Relationship> {
        use Relationship::*;
        [
            EquivalentTo,
            EqualTo,
            SubsetOf,
            SupersetOf,
            IntersectsWith,
            NoRelationship,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EquivalentTo => "equivalent-to",
            Self::EqualTo => "equal-to",
            Self::SubsetOf => "subset-of",
            Self::SupersetOf => "superset-of",
            Self::IntersectsWith => "intersects-with",
            Self::NoRelationship => "no-relationship",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// How a guideline relates to another one it cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RelatedKind {
    #[default]
    SeeAlso,
    Requires,
    Supports,
}

impl RelatedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeeAlso => "see-also",
            Self::Requires => "requires",
            Self::Supports => "supports",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExampleKind {
    #[default]
    Practice,
    AntiPattern,
    CaseStudy,
}

impl ExampleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Practice => "practice",
            Self::AntiPattern => "anti-pattern",
            Self::CaseStudy => "case-study",
        }
    }
}

/// One guideline -> control mapping, as written in a guideline's `controls:` list.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[schemars(with = "String")]
    pub framework: Spanned<String>,
    #[schemars(with = "String")]
    pub control: Spanned<String>,
    pub relationship: Relationship,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub confidence: Option<Confidence>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Related {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[serde(default)]
    pub relationship: RelatedKind,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

/// A guideline's front matter (or, for a `.yaml` guideline, the whole file with its `body`).
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GuidelineMeta {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub order: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who is responsible: ids of `roles.yaml` when the book has one (checked), else free text.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub roles: Vec<Spanned<String>>,
    #[serde(default)]
    pub controls: Vec<Mapping>,
    /// Ids of the techniques of a threat catalog (`kind: threats`) this guideline addresses.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub threats: Vec<Spanned<String>>,
    /// What the source document itself asks for, one plain-text statement each.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Practice this page recommends beyond the source, so readers can tell the two apart.
    #[serde(default, rename = "added-practice")]
    pub added_practice: Vec<String>,
    #[serde(default)]
    pub related: Vec<Related>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// When the guideline was last checked against its sources (`YYYY-MM-DD`).
    #[serde(default, rename = "last-reviewed")]
    #[schemars(with = "Option<String>")]
    pub last_reviewed: Option<Date>,
    /// Only in pure-YAML guidelines: the Markdown body.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub body: Option<Spanned<String>>,
}

/// A calendar date, written `YYYY-MM-DD` (checked when read: a wrong date is an error at its
/// line, not a page that says "31 February").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Date(String);

impl Date {
    pub fn parse(text: &str) -> Result<Date, String> {
        let wrong = || format!("invalid date `{text}`: not written YYYY-MM-DD");
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts.as_slice() else {
            return Err(wrong());
        };
        let number = |s: &str, len: usize| {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let (Some(y), Some(m), Some(d)) = (number(year, 4), number(month, 2), number(day, 2))
        else {
            return Err(wrong());
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("invalid date `{text}`: there is no month {m}")),
        };
        if !(1..=days).contains(&d) {
            return Err(format!(
                "invalid date `{text}`: month {m} of {y} has {days} days"
            ));
        }
        Ok(Date(text.to_string()))
    }

    /// `YYYY-MM-DD`, as written.
    pub fn iso(&self) -> &str {
        &self.0
    }

    /// The date for readers: "25 November 2026".
    pub fn human(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let month: usize = self.0[5..7].parse().unwrap_or(1);
        let day: u32 = self.0[8..10].parse().unwrap_or(1);
        format!("{day} {} {}", MONTHS[month.clamp(1, 12) - 1], &self.0[..4])
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(text.trim()).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone)]
pub struct Guideline {
    pub meta: GuidelineMeta,
    /// The id of the domain whose folder holds this guideline.
    pub domain: String,
    /// The file stem; the page is `guidelines/<slug>.html`.
    pub slug: String,
    pub body: String,
    /// The task-list items of the body: what a team ticks off in a self-assessment.
    pub checks: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DomainMeta {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub order: Option<i64>,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub meta: DomainMeta,
    /// The folder name under `guidelines/`.
    pub folder: String,
    pub body: String,
    pub source: Source,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExampleMeta {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    #[schemars(with = "Vec<String>")]
    pub guidelines: Vec<Spanned<String>>,
    #[serde(default)]
    pub kind: ExampleKind,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub meta: ExampleMeta,
    pub slug: String,
    pub body: String,
    pub source: Source,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub order: Option<i64>,
    /// Left out of the navigation; such a page must be linked from somewhere to be reachable.
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub meta: PageMeta,
    pub slug: String,
    pub body: String,
    pub source: Source,
}

impl Page {
    /// Its title, or its slug in words when the front matter gives none.
    pub fn title(&self) -> String {
        self.meta
            .title
            .clone()
            .unwrap_or_else(|| self.slug.replace('-', " "))
    }
}

/// `baselines/<id>.json`: an OSCAL profile, read for the controls it selects.
#[derive(Debug, Clone)]
pub struct BaselineFile {
    /// The file stem; the page is `baselines/<id>.html`.
    pub id: String,
    pub title: String,
    pub selection: BaselineSelection,
    /// The file names its import points at (rlinks), to find the catalog among frameworks.
    pub catalog_files: Vec<String>,
    /// The title and description of the imported resource, to match a catalog's name.
    pub catalog_names: Vec<String>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BaselineSelection {
    All,
    /// Control ids as the profile writes them (OSCAL ids such as `ac-2.1`).
    Ids(Vec<String>),
}

/// `baselines/<id>.yaml` beside a profile: which framework it selects from, when the profile
/// does not say it in a way that finds one.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BaselineMeta {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub framework: Option<Spanned<String>>,
    /// Shown instead of the profile's title.
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BaselineSidecar {
    pub id: String,
    pub meta: BaselineMeta,
    pub source: Source,
}

/// `crosswalks/<name>.yaml`: a published crosswalk (an OSCAL mapping-collection beside it) and
/// how its ids become this knowledge base's.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkMeta {
    /// The mapping-collection's file, beside this one.
    #[schemars(with = "String")]
    pub oscal: Spanned<String>,
    /// The framework of the collection's sources, and of its targets.
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "String")]
    pub target: Spanned<String>,
    #[serde(default)]
    pub ids: IdRewrites,
}

/// Regular-expression substitutions, applied in order (every match replaced).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IdRewrites {
    #[serde(default)]
    pub source: Vec<Rewrite>,
    #[serde(default)]
    pub target: Vec<Rewrite>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rewrite {
    #[serde(rename = "match")]
    pub pattern: String,
    pub replace: String,
}

/// A crosswalk as loaded: its sidecar and the collection's maps, ids already rewritten.
#[derive(Debug, Clone)]
pub struct CrosswalkFile {
    /// The file stem of the sidecar.
    pub name: String,
    pub title: String,
    pub meta: CrosswalkMeta,
    pub maps: Vec<CrosswalkMap>,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrosswalkMap {
    pub relationship: Relationship,
    pub sources: Vec<String>,
    pub targets: Vec<String>,
}

/// `roles.yaml` at the content root: the roles guidelines may name, in reading order.
#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RolesMeta {
    pub roles: Vec<RoleMeta>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleMeta {
    /// Its page is `roles/<id>.html`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// What the role is accountable for, one plain-text statement each.
    #[serde(default)]
    pub owns: Vec<String>,
    /// Markdown.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RolesFile {
    pub meta: RolesMeta,
    pub source: Source,
}

/// A control catalog file (`frameworks/<id>.yaml`).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub name: String,
    /// `controls` (the default) or `threats`: a threat catalog's entries are what guidelines
    /// name in `threats:`, never mapping targets.
    #[serde(default)]
    pub kind: CatalogKind,
    /// For a threat catalog: the framework whose controls its entries' `mitigated-by` name.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub mitigations: Option<Spanned<String>>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Controls read from a CSV file beside the catalog (a spreadsheet catalog).
    #[serde(default)]
    pub csv: Option<CsvSource>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// Where a catalog's controls come from in a CSV file, by column name. Other columns become
/// control properties.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CsvSource {
    /// The file, beside the catalog (`frameworks/<file>.csv`).
    #[schemars(with = "String")]
    pub file: Spanned<String>,
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The column (or columns, outermost first) that group controls.
    #[serde(default)]
    pub group_id: Option<Columns>,
    #[serde(default)]
    pub group_title: Option<Columns>,
}

/// One column name, or several.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Columns {
    One(String),
    Many(Vec<String>),
}

impl Columns {
    pub fn names(&self) -> Vec<&str> {
        match self {
            Columns::One(name) => vec![name.as_str()],
            Columns::Many(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub controls: Vec<Control>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Control {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Other spellings of the id that mappings may use (OSCAL's `ac-2.1` for `AC-2(1)`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A withdrawn control is listed but cannot be a mapping target.
    #[serde(default)]
    pub withdrawn: bool,
    /// For a withdrawn control: the controls that took it over.
    #[serde(default)]
    pub replaced_by: Vec<String>,
    /// Facts about the control shown on its page (a threat's tactics, a requirement's level).
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, String>,
    /// In a threat catalog: the ids of the controls (of the catalog's `mitigations`
    /// framework) that counter this threat.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub mitigated_by: Vec<Spanned<String>>,
    /// Enhancements of this control.
    #[serde(default)]
    pub controls: Vec<Control>,
}

/// What a catalog's entries are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CatalogKind {
    /// Controls or requirements that guidelines map to (`controls:`).
    #[default]
    Controls,
    /// Threats or attack techniques that guidelines address (`threats:`).
    Threats,
}

#[derive(Debug, Clone)]
pub struct CatalogFile {
    pub catalog: Catalog,
    pub source: Source,
}

/// Everything the loader found under the content root, before any cross-checking.
#[derive(Debug, Default)]
pub struct Content {
    pub landing: Option<Page>,
    pub domains: Vec<Domain>,
    pub guidelines: Vec<std::sync::Arc<Guideline>>,
    pub examples: Vec<std::sync::Arc<Example>>,
    pub pages: Vec<Page>,
    pub catalogs: Vec<CatalogFile>,
    pub roles: Option<RolesFile>,
    pub baselines: Vec<BaselineFile>,
    pub baseline_sidecars: Vec<BaselineSidecar>,
    pub crosswalks: Vec<CrosswalkFile>,
    /// Other files (images, downloads), relative to the content root, copied as they are.
    pub assets: Vec<PathBuf>,
    /// What the files that failed to load would have defined.
    pub unloaded: Unloaded,
}

/// The names (ids and file stems, lowercased) and domain folders of documents that failed to
/// load. A reference to one of them is a consequence of that failure, reported once, at its
/// cause, instead of once per reference.
#[derive(Debug, Default, Clone)]
pub struct Unloaded {
    pub names: std::collections::HashSet<String>,
    pub domain_folders: std::collections::HashSet<String>,
}

impl Unloaded {
    pub fn extend(&mut self, other: Unloaded) {
        self.names.extend(other.names);
        self.domain_folders.extend(other.domain_folders);
    }

    /// Whether `id` may be the id of a document that failed to load.
    pub fn covers(&self, id: &str) -> bool {
        self.names.contains(&id.to_lowercase())
    }
}

/// Whether `id` is a valid item id: `[A-Za-z0-9][A-Za-z0-9._-]*`.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Orders `SD-2` before `SD-10`: digit runs compare as numbers, the rest as text.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ord.is_ne() {
                    return ord;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                let ord = x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
                if ord.is_ne() {
                    return ord;
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

/// The leading digits of `s` (without leading zeros) and the rest.
fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let digits = &s[..end];
    let first_nonzero = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    (&digits[first_nonzero..], &s[end..])
}

/// A URL- and file-safe slug: lowercase letters and digits (of any script, so a tag such as
/// `日本` keeps its name) joined by single dashes. It may be empty (text of only punctuation or
/// symbols): callers that name files with it use [`slug_or_digest`].
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Keeps slugs unique within one namespace (the heading anchors of a page, the control pages
/// of a catalog): the first `x` stays `x`, later ones become `x-1`, `x-2`..., skipping any
/// slug already given out (`x`, `x 1`, `x` gives `x`, `x-1`, `x-2`).
#[derive(Debug, Default)]
pub struct UniqueSlugs {
    taken: std::collections::HashSet<String>,
    /// The next number to try for each base.
    next: std::collections::HashMap<String, usize>,
}

impl UniqueSlugs {
    pub fn claim(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// [`slugify`] checked as a file name: when that leaves nothing (`🔥`, `!!!`), a name Windows
/// reserves (`con`) or more than 80 bytes, a digest of the text is appended (`tag-1f3a9c0d`,
/// `con-5be2a8e1`, a long slug cut at 80 bytes), stable across builds and machines.
pub fn slug_or_digest(text: &str, fallback: &str) -> String {
    const MAX: usize = 80;
    let slug = slugify(text);
    let safe = !slug.is_empty()
        && slug.len() <= MAX
        && crate::safe_path::segment_problem(&format!("{slug}.html")).is_none();
    if safe {
        return slug;
    }
    // FNV-1a: tiny, and unlike std's hasher its output is fixed by definition.
    let digest = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut cut = slug.len().min(MAX);
    while !slug.is_char_boundary(cut) {
        cut -= 1;
    }
    let stem = match slug[..cut].trim_end_matches('-') {
        "" => fallback,
        stem => stem,
    };
    format!("{stem}-{:08x}", digest >> 32)
}

/// Whether `name` (a file stem, folder or id that becomes part of an output path) is a safe
/// path segment: a valid id ([`is_valid_id`]) that no file system reserves.
pub fn is_safe_name(name: &str) -> bool {
    // Checked alone too: a framework id names a folder, where `a.` would be refused.
    is_valid_id(name)
        && crate::safe_path::segment_problem(name).is_none()
        && crate::safe_path::segment_problem(&format!("{name}.html")).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers() {
        let mut ids = vec!["SD-10", "SD-2", "DEV-1", "SD-1"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, ["DEV-1", "SD-1", "SD-2", "SD-10"]);
    }

    #[test]
    fn unique_slugs_number_from_one_and_skip_taken_ones() {
        let mut slugs = UniqueSlugs::default();
        let claimed: Vec<String> = ["x", "x-1", "x", "x", "y"]
            .into_iter()
            .map(|s| slugs.claim(s.to_string()))
            .collect();
        assert_eq!(claimed, ["x", "x-1", "x-2", "x-3", "y"]);
    }

    #[test]
    fn ids_and_slugs() {
        assert!(is_valid_id("SD-1") && is_valid_id("a.b_c"));
        assert!(!is_valid_id("-x") && !is_valid_id("a b") && !is_valid_id(""));
        assert_eq!(slugify("GOVERN 1.1"), "govern-1-1");
        assert_eq!(slugify("AC-2(1)"), "ac-2-1");
        assert_eq!(slugify("LLM01:2025"), "llm01-2025");
        assert_eq!(slugify("日本"), "日本");
        assert_eq!(slug_or_digest("日本", "tag"), "日本");
        let symbols = slug_or_digest("🔥", "tag");
        assert!(
            symbols.starts_with("tag-") && symbols.len() == 12,
            "{symbols}"
        );
        assert_ne!(symbols, slug_or_digest("!!!", "tag"));
        assert!(slug_or_digest("CON", "tag").starts_with("con-"));
        assert!(slug_or_digest(&"long ".repeat(40), "tag").len() <= 89);
        // Found by the property test: `a.` is a fine file stem (`a..html`) but not a folder.
        assert!(!is_safe_name("A."));
        assert!(is_safe_name("sd-1") && !is_safe_name("con") && !is_safe_name(".."));
    }
}
