//! The typed contexts templates receive, one struct per shape (compare Zola's
//! `components/content/src/ser.rs`). They borrow from the resolved site; URLs in them are
//! already relative to the page being rendered, and Markdown is already sanitized HTML.
//! Field names are the template API: renaming one breaks user themes.

use serde::Serialize;

use crate::markdown::TocEntry;
use crate::model::{Confidence, Reference};

/// Site-wide values every template sees as `site`.
#[derive(Serialize)]
pub struct SiteInfo<'a> {
    pub title: &'a str,
    pub description: &'a Option<String>,
    pub authors: &'a [String],
    pub language: &'a str,
    pub dir: &'static str,
    pub git_repository_url: &'a Option<String>,
    pub default_theme: &'static str,
    pub dark_theme: &'static str,
    pub print: bool,
    /// The book declares roles (`roles.yaml`): role pages and the self-assessment exist.
    pub roles: bool,
    pub content_security_policy: &'static str,
    pub search: SearchInfo,
    pub domains: Vec<NavLink<'a>>,
    pub pages: Vec<NavLink<'a>>,
}

#[derive(Serialize)]
pub struct SearchInfo {
    pub enable: bool,
    pub limit: usize,
}

#[derive(Serialize)]
pub struct Counts {
    pub guidelines: usize,
    pub examples: usize,
    pub frameworks: usize,
}

/// A sidebar entry: `path` is site-relative (templates prefix `root`).
#[derive(Serialize)]
pub struct NavLink<'a> {
    pub title: std::borrow::Cow<'a, str>,
    pub path: String,
    /// A domain's sidebar part (its guidelines, loaded by the theme's script when opened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

/// A guideline as other pages list it.
#[derive(Serialize)]
pub struct GuidelineCard<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct DomainCard<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a Option<String>,
    pub url: String,
    pub guidelines: Vec<GuidelineCard<'a>>,
    /// How many guidelines of the domain are not listed (a listing that shows only the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<usize>,
}

#[derive(Serialize)]
pub struct ExampleCard<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub kind: &'static str,
    pub url: String,
    pub guidelines: Vec<GuidelineCard<'a>>,
}

#[derive(Serialize)]
pub struct TagLink<'a> {
    pub name: &'a str,
    pub url: String,
}

/// A related guideline or a backlink.
#[derive(Serialize)]
pub struct RelatedCard<'a> {
    #[serde(flatten)]
    pub card: GuidelineCard<'a>,
    pub kind: &'static str,
    pub note: &'a Option<String>,
}

/// A domain (title and URL only) or a guideline, as a previous/next link.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Neighbour<'a> {
    Domain { title: &'a str, url: String },
    Guideline(GuidelineCard<'a>),
}

#[derive(Serialize)]
pub struct TitledLink<'a> {
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct FrameworkRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a Option<String>,
    pub url: String,
}

/// A role as a chip: linked to its page when the book declares roles (`roles.yaml`).
#[derive(Serialize)]
pub struct RoleLink<'a> {
    pub id: &'a str,
    pub title: std::borrow::Cow<'a, str>,
    pub url: Option<String>,
}

#[derive(Serialize)]
pub struct RoleSummary<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a Option<String>,
    pub url: String,
    pub guidelines: usize,
    pub checks: usize,
}

#[derive(Serialize)]
pub struct RolePage<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a Option<String>,
    pub owns: &'a [String],
    pub description: Option<String>,
    pub guidelines: Vec<CheckedGuideline<'a>>,
    /// The checklist filtered to this role.
    pub self_assessment: String,
}

/// A guideline with its checks (the task-list items of its body).
#[derive(Serialize)]
pub struct CheckedGuideline<'a> {
    #[serde(flatten)]
    pub card: GuidelineCard<'a>,
    pub roles: Vec<RoleLink<'a>>,
    pub checks: &'a [String],
}

#[derive(Serialize)]
pub struct CheckedDomain<'a> {
    pub title: &'a str,
    pub guidelines: Vec<CheckedGuideline<'a>>,
}

/// A control or threat named from another page: its page, or its row of the framework page.
#[derive(Serialize)]
pub struct ControlLink<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct ThreatLink<'a> {
    #[serde(flatten)]
    pub threat: ControlLink<'a>,
    pub framework: FrameworkRef<'a>,
}

/// A mapping derived through a crosswalk, with what it comes from.
#[derive(Serialize)]
pub struct DerivedRow<'a> {
    #[serde(flatten)]
    pub control: ControlLink<'a>,
    pub framework: FrameworkRef<'a>,
    pub relationship: &'static str,
    /// The authored mapping's control, and the crosswalk's title.
    pub from: &'a str,
    pub via: &'a str,
}

/// A guideline's mappings to one framework.
#[derive(Serialize)]
pub struct MappingGroup<'a> {
    pub framework: FrameworkRef<'a>,
    pub rows: Vec<MappingRow<'a>>,
}

#[derive(Serialize)]
pub struct MappingRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
    pub relationship: &'static str,
    pub confidence: Option<Confidence>,
    pub rationale: &'a Option<String>,
}

/// A guideline on a control's page: the card and how it maps to the control.
#[derive(Serialize)]
pub struct MappedBy<'a> {
    #[serde(flatten)]
    pub card: GuidelineCard<'a>,
    pub relationship: &'static str,
    pub confidence: Option<Confidence>,
    pub rationale: &'a Option<String>,
}

/// What each template receives as `page`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum PageData<'a> {
    Home(Home<'a>),
    Domain(DomainPage<'a>),
    Guideline(Box<GuidelinePage<'a>>),
    Example(ExamplePage<'a>),
    Examples {
        examples: Vec<ExampleCard<'a>>,
    },
    Page(PlainPage<'a>),
    Framework(FrameworkPage<'a>),
    Control(ControlPage<'a>),
    Frameworks {
        frameworks: Vec<FrameworkSummary<'a>>,
        /// A large site's exports come in parts (`exports/parts/<name>.model.json` and
        /// `.oscal.json`); empty when they are whole.
        export_parts: Vec<String>,
    },
    Tags {
        tags: Vec<TagCount<'a>>,
    },
    Tag(TagPage<'a>),
    Roles {
        roles: Vec<RoleSummary<'a>>,
        self_assessment: String,
    },
    Role(RolePage<'a>),
    Baseline(BaselinePage<'a>),
    SelfAssessment {
        domains: Vec<CheckedDomain<'a>>,
        roles: Vec<RoleLink<'a>>,
        csv: String,
    },
    Print(super::print::PrintData<'a>),
    Coverage(super::coverage::Coverage<'a>),
    NotFound {},
    Redirect {
        target: String,
    },
    Sitemap {
        urls: Vec<String>,
    },
}

#[derive(Serialize)]
pub struct Home<'a> {
    pub body: Option<String>,
    pub domains: Vec<DomainCard<'a>>,
    /// Only the home page shows them: an added guideline changes no other page's chrome.
    pub counts: Counts,
}

#[derive(Serialize)]
pub struct DomainPage<'a> {
    pub domain: DomainCard<'a>,
    pub body: String,
    pub toc: Vec<TocEntry>,
    pub prev: Option<Neighbour<'a>>,
    pub next: Option<Neighbour<'a>>,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct GuidelinePage<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub body: String,
    pub toc: Vec<TocEntry>,
    pub domain: TitledLink<'a>,
    pub roles: Vec<RoleLink<'a>>,
    pub tags: Vec<TagLink<'a>>,
    pub last_reviewed: Option<ReviewDate<'a>>,
    pub references: &'a [Reference],
    /// What the source document asks, and what this page adds to it.
    pub requirements: &'a [String],
    pub added_practice: &'a [String],
    pub mappings: Vec<MappingGroup<'a>>,
    /// Mappings derived through crosswalks, kept apart from the authored ones.
    pub derived: Vec<DerivedRow<'a>>,
    /// The threats it addresses, each with its catalog.
    pub threats: Vec<ThreatLink<'a>>,
    pub examples: Vec<ExampleCard<'a>>,
    pub related: Vec<RelatedCard<'a>>,
    pub backlinks: Vec<RelatedCard<'a>>,
    pub prev: Option<Neighbour<'a>>,
    pub next: Option<Neighbour<'a>>,
    pub edit_url: Option<String>,
}

/// A date shown to readers, with its machine form for `<time datetime>`.
#[derive(Serialize)]
pub struct ReviewDate<'a> {
    pub iso: &'a str,
    pub human: String,
}

#[derive(Serialize)]
pub struct ExamplePage<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub body: String,
    pub toc: Vec<TocEntry>,
    pub tags: Vec<TagLink<'a>>,
    pub guidelines: Vec<GuidelineCard<'a>>,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct PlainPage<'a> {
    pub summary: &'a Option<String>,
    pub body: String,
    pub toc: Vec<TocEntry>,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct FrameworkPage<'a> {
    pub framework: FrameworkRef<'a>,
    pub source_url: &'a Option<String>,
    pub license: &'a Option<String>,
    pub description: Option<String>,
    pub sections: Vec<ControlSection<'a>>,
    pub controls: usize,
    /// For a threat catalog: how many entries guidelines address.
    pub mapped: usize,
    /// A threat catalog (`kind: threats`): its entries are addressed, not mapped.
    pub threats: bool,
    /// The baselines (OSCAL profiles) that select from it.
    pub baselines: Vec<BaselineSummary<'a>>,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct BaselineSummary<'a> {
    pub title: &'a str,
    pub url: String,
    pub selected: usize,
    pub mapped: usize,
}

#[derive(Serialize)]
pub struct BaselinePage<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub framework: FrameworkRef<'a>,
    pub selected: usize,
    pub mapped: usize,
    /// The selected controls by group of the framework, with the unmapped ones listed.
    pub families: Vec<BaselineFamily<'a>>,
    /// Selected ids the framework does not hold.
    pub missing: &'a [String],
}

#[derive(Serialize)]
pub struct BaselineFamily<'a> {
    pub title: Option<&'a str>,
    pub selected: usize,
    pub mapped: usize,
    pub unmapped: Vec<ControlLink<'a>>,
}

/// A group of a catalog with its controls (`title` is `None` for controls outside any group).
#[derive(Serialize)]
pub struct ControlSection<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    pub title: Option<&'a str>,
    pub depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Option<String>>,
    pub controls: Vec<ControlEntry<'a>>,
}

#[derive(Serialize)]
pub struct ControlEntry<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub slug: &'a str,
    /// Only mapped controls have a page of their own.
    pub url: Option<String>,
    pub external_url: &'a Option<String>,
    pub mapped: usize,
    pub depth: usize,
    pub withdrawn: bool,
    pub replaced_by: &'a [String],
}

#[derive(Serialize)]
pub struct ControlPage<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: Option<String>,
    pub external_url: &'a Option<String>,
    pub framework: FrameworkRef<'a>,
    pub anchor: &'a str,
    pub mapped_by: Vec<MappedBy<'a>>,
    pub properties: &'a std::collections::BTreeMap<String, String>,
    /// For a threat: the guidelines that address it and the controls that counter it.
    pub threats: bool,
    pub addressed_by: Vec<GuidelineCard<'a>>,
    pub mitigated_by: Vec<ControlLink<'a>>,
    /// For a control: the threats it counters.
    pub mitigates: Vec<ThreatLink<'a>>,
}

#[derive(Serialize)]
pub struct FrameworkSummary<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a Option<String>,
    pub url: String,
    pub controls: usize,
    pub mapped: usize,
    pub threats: bool,
}

#[derive(Serialize)]
pub struct TagCount<'a> {
    pub name: &'a str,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct TagPage<'a> {
    pub tag: String,
    pub guidelines: Vec<GuidelineCard<'a>>,
    pub examples: Vec<ExampleCard<'a>>,
}
