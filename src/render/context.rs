//! Builds the typed context ([`super::ser`]) of each page kind from the resolved site: titles,
//! URLs relative to the page, Markdown rendered through the caller's [`MarkdownCache`].

use std::sync::Arc;

use super::cache::{Body, Key, MarkdownCache};
use super::deps::{Fact, hash_of, record};
use super::links::SiteLinks;
use super::nav::{ReadingOrder, Stop};
use super::ser::*;
use super::{Job, Theme, urls};
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, Context as MarkdownContext, TextSection, TocEntry};
use crate::model::Source;
use crate::resolve::{Entity, Link, Site};

/// How many guidelines of each domain the home page lists.
const HOME_LIST: usize = 25;

pub struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) theme: &'a Theme,
    cache: &'a MarkdownCache,
    order: ReadingOrder,
    /// Changes whenever any typed link could resolve differently (see `cache`).
    links_fingerprint: u64,
    /// [`SiteInfo`], converted once for every page's template context.
    pub(super) site_info: tera::Value,
}

/// What the Markdown of a page found, gathered while its context is built.
#[derive(Default)]
pub(super) struct Found {
    pub diagnostics: Vec<Diagnostic>,
    pub typed_links: Vec<String>,
    pub anchor_links: Vec<markdown::AnchorLink>,
    /// Plain-text sections of the first (main) Markdown body rendered for the page.
    pub main_sections: Option<Vec<TextSection>>,
    /// The documents whose bodies print.html splices in, by marker number.
    pub print_bodies: Vec<super::print::PrintDoc>,
}

impl Found {
    fn take(&mut self, body: Arc<Body>) -> (String, Vec<TocEntry>) {
        self.diagnostics.extend(body.diagnostics.iter().cloned());
        self.typed_links.extend(body.typed_links.iter().cloned());
        self.anchor_links.extend(body.anchor_links.iter().cloned());
        self.main_sections
            .get_or_insert_with(|| body.sections.clone());
        (body.html.clone(), body.toc.clone())
    }
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme, cache: &'a MarkdownCache) -> Self {
        Self {
            site,
            theme,
            cache,
            order: ReadingOrder::of(site),
            links_fingerprint: links_fingerprint(site),
            site_info: serde_json::to_value(site_info(site)).unwrap_or_default(),
        }
    }

    /// A document's Markdown body rendered for a page at `root` (cached).
    pub(super) fn markdown(
        &self,
        text: &str,
        source: &Source,
        root: &str,
        line_offset: usize,
    ) -> Arc<Body> {
        let highlight = self.site.config.guidebook.highlight_code;
        let key = Key {
            text: text.to_string(),
            file: source.path.clone(),
            line_offset,
            root: root.to_string(),
            highlight,
            links: self.links_fingerprint,
        };
        self.cache.get_or_render(key, |highlights| {
            let links = SiteLinks(self.site);
            let cx = MarkdownContext {
                source,
                line_offset,
                root,
                links: &links,
                highlight: highlight.then_some(highlights),
            };
            let (rendered, diagnostics) = markdown::render(text, &cx);
            Body {
                html: rendered.html,
                toc: rendered.toc,
                diagnostics,
                typed_links: rendered.typed_links,
                sections: rendered.sections,
                anchor_links: rendered.anchor_links,
            }
        })
    }

    fn body(
        &self,
        text: &str,
        source: &Source,
        root: &str,
        found: &mut Found,
    ) -> (String, Vec<TocEntry>) {
        found.take(self.markdown(text, source, root, source.body_line_offset))
    }

    /// Markdown from a YAML field (catalog descriptions): positions point at the file's start.
    pub(super) fn inline_markdown(
        &self,
        text: Option<&str>,
        source: &Source,
        root: &str,
        found: &mut Found,
    ) -> Option<String> {
        Some(found.take(self.markdown(text?, source, root, 0)).0)
    }

    /// The page title and template data of `job`.
    pub(super) fn page_data(
        &self,
        job: &Job,
        root: &str,
        found: &mut Found,
    ) -> (String, PageData<'a>) {
        let site = self.site;
        match job {
            Job::Home => self.home(root, found),
            Job::Entity(Entity::Domain(d)) => self.domain(*d, root, found),
            Job::Entity(Entity::Guideline(g)) => self.guideline(*g, root, found),
            Job::Entity(Entity::Example(e)) => self.example(*e, root, found),
            Job::Examples => (
                recorded("Worked examples", Fact::Paths),
                PageData::Examples {
                    examples: self.example_cards(root, 0..site.examples.len()),
                },
            ),
            Job::Entity(Entity::Page(p)) => {
                record(Fact::Page(*p));
                record(Fact::Body(Entity::Page(*p)));
                let page = &site.pages[*p];
                let (body, toc) = self.body(&page.body, &page.source, root, found);
                let data = PlainPage {
                    summary: &page.meta.summary,
                    body,
                    toc,
                    edit_url: self.edit_url(&page.source),
                };
                (page.title(), PageData::Page(data))
            }
            Job::Entity(Entity::Framework(f)) => self.framework(*f, root, found),
            Job::Entity(Entity::Control { framework, control }) => {
                self.control(*framework, *control, root, found)
            }
            Job::Frameworks => ("Frameworks".into(), self.frameworks(root)),
            Job::Tags => ("Tags".into(), self.tags(root)),
            Job::Tag(tag) => {
                record(Fact::Tag(hash_of(tag.as_str())));
                let tagged = site.tags.get(tag);
                let guidelines = tagged.map_or(&[][..], |t| &t.guidelines);
                let examples = tagged.map_or(&[][..], |t| &t.examples);
                let data = TagPage {
                    tag: tag.clone(),
                    guidelines: guidelines
                        .iter()
                        .map(|&g| self.guideline_card(g, root))
                        .collect(),
                    examples: self.example_cards(root, examples.iter().copied()),
                };
                (format!("Tag: {tag}"), PageData::Tag(data))
            }
            Job::Roles => ("Roles".into(), self.roles(root)),
            Job::Role(r) => self.role(*r, root, found),
            Job::Baseline(b) => self.baseline(*b, root),
            Job::SelfAssessment => ("Self-assessment".into(), self.self_assessment(root)),
            Job::Print => self.print(None, root, found),
            Job::PrintPart(i, _) => self.print(Some(*i), root, found),
            Job::Coverage => (
                recorded("Coverage", Fact::Paths),
                PageData::Coverage(super::coverage::data(site, root)),
            ),
            Job::NotFound => ("Page not found".into(), PageData::NotFound {}),
            Job::Redirect(_, to) => (
                "Redirecting".into(),
                PageData::Redirect { target: to.clone() },
            ),
            Job::Sitemap => (
                recorded("sitemap", Fact::Paths),
                PageData::Sitemap {
                    urls: super::sitemap::urls(site),
                },
            ),
            Job::NavPart(_) => (String::new(), PageData::NotFound {}),
        }
    }

    fn home(&self, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        record(Fact::Landing);
        record(Fact::Paths);
        let site = self.site;
        let (title, body) = match &site.landing {
            Some(page) => {
                let (html, _) = self.body(&page.body, &page.source, root, found);
                let title = page.meta.title.as_deref().unwrap_or(site.config.title());
                (title.to_string(), Some(html))
            }
            None => (site.config.title().to_string(), None),
        };
        // The home page lists the first guidelines of each domain, and links to the rest: at
        // 10,000 guidelines listing them all made a 4 MB page.
        let domains = (0..site.domains.len())
            .map(|d| self.domain_card(d, root, Some(HOME_LIST)))
            .collect();
        let counts = Counts {
            guidelines: site.guidelines.len(),
            examples: site.examples.len(),
            frameworks: site.frameworks.len(),
        };
        (
            title,
            PageData::Home(Home {
                body,
                domains,
                counts,
            }),
        )
    }

    /// A domain with its guidelines, or the first `limit` of them.
    fn domain_card(&self, d: usize, root: &str, limit: Option<usize>) -> DomainCard<'a> {
        record(Fact::DomainCard(d));
        let site = self.site;
        let domain = &site.domains[d];
        let all = site.guidelines_of(d);
        let total = all.len();
        let shown = all.take(limit.unwrap_or(usize::MAX));
        let guidelines: Vec<GuidelineCard> = shown.map(|g| self.guideline_card(g, root)).collect();
        DomainCard {
            id: &domain.meta.id.value,
            title: &domain.meta.title,
            summary: &domain.meta.summary,
            url: format!("{root}{}", urls::domain(site, d)),
            more: total.checked_sub(guidelines.len()).filter(|&n| n > 0),
            guidelines,
        }
    }

    fn domain(&self, d: usize, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        record(Fact::Domain(d));
        record(Fact::Body(Entity::Domain(d)));
        let domain = &self.site.domains[d];
        let (body, toc) = self.body(&domain.body, &domain.source, root, found);
        let (prev, next) = self.neighbours(Stop::Domain(d), root);
        let data = DomainPage {
            domain: self.domain_card(d, root, None),
            body,
            toc: with_sections(toc, &[("guidelines", "Guidelines in this domain", true)]),
            prev,
            next,
            edit_url: self.edit_url(&domain.source),
        };
        (domain.meta.title.clone(), PageData::Domain(data))
    }

    pub(super) fn guideline_card(&self, g: usize, root: &str) -> GuidelineCard<'a> {
        record(Fact::GuidelineCard(g));
        let meta = &self.site.guidelines[g].guideline.meta;
        GuidelineCard {
            id: &meta.id.value,
            title: &meta.title,
            summary: &meta.summary,
            url: format!("{root}{}", urls::guideline(self.site, g)),
        }
    }

    fn example_cards(
        &self,
        root: &str,
        examples: impl Iterator<Item = usize>,
    ) -> Vec<ExampleCard<'a>> {
        let site = self.site;
        examples
            .map(|e| {
                record(Fact::ExampleCard(e));
                let resolved = &site.examples[e];
                let meta = &resolved.example.meta;
                ExampleCard {
                    id: &meta.id.value,
                    title: &meta.title,
                    kind: meta.kind.as_str(),
                    url: format!("{root}{}", urls::example(site, e)),
                    guidelines: resolved
                        .guidelines
                        .iter()
                        .map(|&g| self.guideline_card(g, root))
                        .collect(),
                }
            })
            .collect()
    }

    fn tag_links(&self, tags: &'a [String], root: &str) -> Vec<TagLink<'a>> {
        tags.iter()
            .filter_map(|name| Some((name, self.site.tags.get(name)?)))
            .map(|(name, tagged)| TagLink {
                name,
                url: format!("{root}{}", urls::tag(&tagged.slug)),
            })
            .collect()
    }

    fn related_cards(&self, links: &'a [Link], root: &str) -> Vec<RelatedCard<'a>> {
        links
            .iter()
            .map(|l| RelatedCard {
                card: self.guideline_card(l.guideline, root),
                kind: l.kind.as_str(),
                note: &l.note,
            })
            .collect()
    }

    fn guideline(&self, g: usize, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        record(Fact::Guideline(g));
        record(Fact::Body(Entity::Guideline(g)));
        let site = self.site;
        let resolved = &site.guidelines[g];
        let guideline = &resolved.guideline;
        let meta = &guideline.meta;
        let (body, toc) = self.body(&guideline.body, &guideline.source, root, found);
        let (prev, next) = self.neighbours(Stop::Guideline(g), root);
        let has_related = !resolved.related.is_empty() || !resolved.backlinks.is_empty();
        let toc = with_sections(
            toc,
            &[
                (
                    "source",
                    "What the source asks",
                    !meta.requirements.is_empty() || !meta.added_practice.is_empty(),
                ),
                (
                    "mappings",
                    "Control mappings",
                    !resolved.mappings.is_empty(),
                ),
                (
                    "derived",
                    "Derived through crosswalks",
                    !resolved.derived.is_empty(),
                ),
                ("threats", "Threats addressed", !resolved.threats.is_empty()),
                ("examples", "Worked examples", !resolved.examples.is_empty()),
                ("related", "Related guidelines", has_related),
                ("references", "References", !meta.references.is_empty()),
            ],
        );
        let domain = &site.domains[resolved.domain];
        let data = GuidelinePage {
            id: &meta.id.value,
            title: &meta.title,
            summary: &meta.summary,
            body,
            toc,
            domain: TitledLink {
                title: &domain.meta.title,
                url: format!("{root}{}", urls::domain(site, resolved.domain)),
            },
            last_reviewed: meta.last_reviewed.as_ref().map(|date| ReviewDate {
                iso: date.iso(),
                human: date.human(),
            }),
            roles: self.role_links(g, root),
            tags: self.tag_links(&meta.tags, root),
            references: &meta.references,
            requirements: &meta.requirements,
            added_practice: &meta.added_practice,
            mappings: self.mapping_groups(g, root),
            derived: (resolved.derived.iter())
                .map(|d| {
                    let from = &resolved.mappings[d.from];
                    DerivedRow {
                        control: self.control_link(d.framework, d.control, root),
                        framework: self.framework_ref(d.framework, root),
                        relationship: d.relationship.as_str(),
                        from: &site.frameworks[from.framework].controls[from.control].id,
                        via: &site.crosswalks[d.crosswalk].title,
                    }
                })
                .collect(),
            threats: (resolved.threats.iter())
                .map(|t| self.threat_link(*t, root))
                .collect(),
            examples: self.example_cards(root, resolved.examples.iter().copied()),
            related: self.related_cards(&resolved.related, root),
            backlinks: self.related_cards(&resolved.backlinks, root),
            prev,
            next,
            edit_url: self.edit_url(&guideline.source),
        };
        (
            format!("{} {}", meta.id.value, meta.title),
            PageData::Guideline(Box::new(data)),
        )
    }

    /// A guideline's mappings, grouped by framework in catalog order.
    pub(super) fn mapping_groups(&self, g: usize, root: &str) -> Vec<MappingGroup<'a>> {
        let site = self.site;
        let mappings = &site.guidelines[g].mappings;
        let mut frameworks: Vec<usize> = mappings.iter().map(|m| m.framework).collect();
        frameworks.sort_unstable();
        frameworks.dedup();
        let row = |m: &'a crate::resolve::ResolvedMapping| {
            record(Fact::ControlCard(m.framework, m.control));
            let control = &site.frameworks[m.framework].controls[m.control];
            MappingRow {
                id: &control.id,
                title: &control.title,
                url: format!("{root}{}", urls::control(site, m.framework, m.control)),
                relationship: m.relationship.as_str(),
                confidence: m.confidence,
                rationale: &m.rationale,
            }
        };
        frameworks
            .into_iter()
            .map(|f| MappingGroup {
                framework: self.framework_ref(f, root),
                rows: mappings
                    .iter()
                    .filter(|m| m.framework == f)
                    .map(row)
                    .collect(),
            })
            .collect()
    }

    fn example(&self, e: usize, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        record(Fact::Example(e));
        record(Fact::Body(Entity::Example(e)));
        let resolved = &self.site.examples[e];
        let example = &resolved.example;
        let (body, toc) = self.body(&example.body, &example.source, root, found);
        let data = ExamplePage {
            id: &example.meta.id.value,
            kind: example.meta.kind.as_str(),
            body,
            toc,
            tags: self.tag_links(&example.meta.tags, root),
            guidelines: resolved
                .guidelines
                .iter()
                .map(|&g| self.guideline_card(g, root))
                .collect(),
            edit_url: self.edit_url(&example.source),
        };
        (example.meta.title.clone(), PageData::Example(data))
    }

    fn tags(&self, root: &str) -> PageData<'a> {
        record(Fact::Tags);
        let tags = self.site.tags.iter().map(|(name, tagged)| TagCount {
            name,
            url: format!("{root}{}", urls::tag(&tagged.slug)),
            count: tagged.guidelines.len() + tagged.examples.len(),
        });
        PageData::Tags {
            tags: tags.collect(),
        }
    }

    /// Previous and next page in reading order: each domain page, then its guidelines.
    fn neighbours(&self, at: Stop, root: &str) -> (Option<Neighbour<'a>>, Option<Neighbour<'a>>) {
        record(Fact::Order(at));
        let link = |stop: Stop| match stop {
            Stop::Domain(d) => Neighbour::Domain {
                title: &self.site.domains[d].meta.title,
                url: format!("{root}{}", urls::domain(self.site, d)),
            },
            Stop::Guideline(g) => Neighbour::Guideline(self.guideline_card(g, root)),
        };
        let (prev, next) = self.order.neighbours(at);
        (prev.map(link), next.map(link))
    }

    pub(super) fn edit_url(&self, source: &Source) -> Option<String> {
        let template = self.site.config.output.html.edit_url_template.as_ref()?;
        let path = crate::safe_path::slash_path(&source.path);
        // Checked again once filled in: `{path}` at the start of the template would let a
        // folder name choose the scheme.
        Some(template.replace("{path}", &path)).filter(|url| crate::markdown::is_safe_url(url))
    }
}

fn site_info(site: &Site) -> SiteInfo<'_> {
    let config = &site.config;
    let html = &config.output.html;
    let domains = site.domains.iter().enumerate().map(|(d, domain)| NavLink {
        title: domain.meta.title.as_str().into(),
        path: urls::domain(site, d),
        part: Some(super::nav::part_path(site, d)),
    });
    let pages = site
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.meta.hidden);
    let pages = pages.map(|(p, page)| NavLink {
        title: page.title().into(),
        path: urls::page(site, p),
        part: None,
    });
    SiteInfo {
        title: config.title(),
        description: &config.book.description,
        authors: &config.book.authors,
        language: &config.book.language,
        dir: match config.book.text_direction {
            Some(crate::config::TextDirection::Rtl) => "rtl",
            _ => "ltr",
        },
        git_repository_url: &html.git_repository_url,
        default_theme: html.default_theme.map_or("light", |t| t.palette()),
        dark_theme: html.preferred_dark_theme.map_or("dark", |t| t.palette()),
        print: config.guidebook.print,
        roles: !site.roles.is_empty(),
        content_security_policy: super::CONTENT_SECURITY_POLICY,
        search: SearchInfo {
            enable: html.search.enable,
            limit: html.search.limit_results.clamp(1, 50),
        },
        domains: domains.collect(),
        pages: pages.collect(),
    }
}

/// A digest of every typed-link target and the URL it resolves to.
fn links_fingerprint(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (g, guideline) in site.guidelines.iter().enumerate() {
        (&guideline.guideline.meta.id.value, urls::guideline(site, g)).hash(&mut hasher);
    }
    for (e, example) in site.examples.iter().enumerate() {
        (&example.example.meta.id.value, urls::example(site, e)).hash(&mut hasher);
    }
    for page in &site.pages {
        page.slug.hash(&mut hasher);
    }
    for framework in &site.frameworks {
        framework.id.hash(&mut hasher);
        for control in &framework.controls {
            (&control.id, &control.slug, control.has_page()).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// The table of contents followed by the sections the template adds after the body.
fn with_sections(mut toc: Vec<TocEntry>, sections: &[(&str, &str, bool)]) -> Vec<TocEntry> {
    let present = sections.iter().filter(|(_, _, present)| *present);
    toc.extend(present.map(|(id, title, _)| TocEntry {
        level: 2,
        id: (*id).into(),
        title: (*title).into(),
    }));
    toc
}

/// Records `fact` for a page titled `title`: listings show which entities exist.
fn recorded(title: &str, fact: Fact) -> String {
    record(fact);
    title.to_string()
}
