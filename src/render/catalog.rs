//! The contexts of the catalog pages: the frameworks listing, each framework with its controls
//! by group, and each mapped control with the guidelines that map to it.

use super::context::{Found, Renderer};
use super::deps::{Fact, record};
use super::ser::*;
use super::urls;
use crate::resolve::ThreatRef;

impl<'a> Renderer<'a> {
    pub(super) fn frameworks(&self, root: &str) -> PageData<'a> {
        record(Fact::Paths);
        let site = self.site;
        let frameworks = site
            .frameworks
            .iter()
            .enumerate()
            .inspect(|(f, _)| record(Fact::Framework(*f)))
            .map(|(f, fw)| FrameworkSummary {
                id: &fw.id,
                name: &fw.name,
                version: &fw.version,
                url: format!("{root}{}", urls::framework(site, f)),
                controls: fw.controls.len(),
                mapped: fw.controls.iter().filter(|c| c.has_page()).count(),
                threats: fw.is_threats(),
            });
        // Whether the exports come in parts, and which, depends on every guideline's size.
        record(Fact::Everything);
        let parts = crate::export::parts(site).into_iter().flatten();
        PageData::Frameworks {
            frameworks: frameworks.collect(),
            export_parts: parts.map(|p| p.name).collect(),
        }
    }

    pub(super) fn framework(
        &self,
        f: usize,
        root: &str,
        found: &mut Found,
    ) -> (String, PageData<'a>) {
        record(Fact::Framework(f));
        let site = self.site;
        let framework = &site.frameworks[f];
        let control = |c: &usize| -> ControlEntry<'a> {
            let control = &framework.controls[*c];
            ControlEntry {
                id: &control.id,
                title: &control.title,
                slug: &control.slug,
                url: (control.has_page()).then(|| format!("{root}{}", urls::control(site, f, *c))),
                external_url: &control.url,
                mapped: control.mapped_by.len() + control.addressed_by.len(),
                depth: control.depth,
                withdrawn: control.withdrawn,
                replaced_by: &control.replaced_by,
            }
        };
        let mut sections = Vec::new();
        if !framework.loose_controls.is_empty() {
            sections.push(ControlSection {
                id: None,
                title: None,
                depth: 0,
                description: None,
                controls: framework.loose_controls.iter().map(control).collect(),
            });
        }
        for section in &framework.sections {
            let description = self.inline_markdown(
                section.description.as_deref(),
                &framework.source,
                root,
                found,
            );
            sections.push(ControlSection {
                id: Some(&section.id),
                title: Some(&section.title),
                depth: section.depth,
                description: Some(description),
                controls: section.controls.iter().map(control).collect(),
            });
        }
        let description = self.inline_markdown(
            framework.description.as_deref(),
            &framework.source,
            root,
            found,
        );
        let data = FrameworkPage {
            framework: self.framework_ref(f, root),
            source_url: &framework.url,
            license: &framework.license,
            description,
            sections,
            controls: framework.controls.len(),
            mapped: framework.controls.iter().filter(|c| c.has_page()).count(),
            threats: framework.is_threats(),
            baselines: self.baselines_of(f, root),
            edit_url: self.edit_url(&framework.source),
        };
        (framework.name.clone(), PageData::Framework(data))
    }

    pub(super) fn control(
        &self,
        f: usize,
        c: usize,
        root: &str,
        found: &mut Found,
    ) -> (String, PageData<'a>) {
        record(Fact::Control(f, c));
        let site = self.site;
        let framework = &site.frameworks[f];
        let control = &framework.controls[c];
        let description = self.inline_markdown(
            control.description.as_deref(),
            &framework.source,
            root,
            found,
        );
        let mapped_by = control.mapped_by.iter().map(|by| {
            let mapping = &site.guidelines[by.guideline].mappings[by.mapping];
            MappedBy {
                card: self.guideline_card(by.guideline, root),
                relationship: mapping.relationship.as_str(),
                confidence: mapping.confidence,
                rationale: &mapping.rationale,
            }
        });
        let data = ControlPage {
            id: &control.id,
            title: &control.title,
            description,
            external_url: &control.url,
            framework: self.framework_ref(f, root),
            anchor: &control.slug,
            mapped_by: mapped_by.collect(),
            properties: &control.properties,
            threats: framework.is_threats(),
            addressed_by: (control.addressed_by.iter())
                .map(|&g| self.guideline_card(g, root))
                .collect(),
            mitigated_by: (framework.mitigations.iter())
                .flat_map(|&m| control.mitigated_by.iter().map(move |&mc| (m, mc)))
                .map(|(m, mc)| self.control_link(m, mc, root))
                .collect(),
            mitigates: (control.mitigates.iter())
                .map(|t| self.threat_link(*t, root))
                .collect(),
        };
        (
            format!("{} {}", control.id, control.title),
            PageData::Control(data),
        )
    }

    /// A control named from another page (its card: id, title, and where its page is).
    pub(super) fn control_link(&self, f: usize, c: usize, root: &str) -> ControlLink<'a> {
        record(Fact::ControlCard(f, c));
        let site = self.site;
        let control = &site.frameworks[f].controls[c];
        let url = match control.has_page() {
            true => urls::control(site, f, c),
            false => format!("{}#{}", urls::framework(site, f), control.slug),
        };
        ControlLink {
            id: &control.id,
            title: &control.title,
            url: format!("{root}{url}"),
        }
    }

    pub(super) fn threat_link(&self, threat: ThreatRef, root: &str) -> ThreatLink<'a> {
        ThreatLink {
            threat: self.control_link(threat.framework, threat.control, root),
            framework: self.framework_ref(threat.framework, root),
        }
    }

    pub(super) fn framework_ref(&self, f: usize, root: &str) -> FrameworkRef<'a> {
        record(Fact::FrameworkRef(f));
        let framework = &self.site.frameworks[f];
        FrameworkRef {
            id: &framework.id,
            name: &framework.name,
            version: &framework.version,
            url: format!("{root}{}", urls::framework(self.site, f)),
        }
    }
}

impl<'a> Renderer<'a> {
    /// A baseline: how many of its selected controls guidelines map to, the others by family,
    /// and the ids its framework does not hold.
    pub(super) fn baseline(&self, b: usize, root: &str) -> (String, PageData<'a>) {
        let site = self.site;
        let baseline = &site.baselines[b];
        let f = baseline.framework;
        record(Fact::Framework(f));
        let framework = &site.frameworks[f];
        let selected: std::collections::HashSet<usize> =
            baseline.controls.iter().copied().collect();
        let mut groups: Vec<(Option<&'a str>, &'a [usize])> = Vec::new();
        if !framework.loose_controls.is_empty() {
            groups.push((None, &framework.loose_controls));
        }
        groups
            .extend((framework.sections.iter()).map(|s| (Some(s.title.as_str()), &s.controls[..])));
        let families = groups.into_iter().filter_map(|(title, controls)| {
            let chosen: Vec<usize> = controls
                .iter()
                .copied()
                .filter(|c| selected.contains(c))
                .collect();
            if chosen.is_empty() {
                return None;
            }
            let unmapped = chosen
                .iter()
                .filter(|&&c| framework.controls[c].mapped_by.is_empty());
            Some(BaselineFamily {
                title,
                selected: chosen.len(),
                mapped: chosen
                    .iter()
                    .filter(|&&c| !framework.controls[c].mapped_by.is_empty())
                    .count(),
                unmapped: unmapped.map(|&c| self.control_link(f, c, root)).collect(),
            })
        });
        let data = BaselinePage {
            id: &baseline.id,
            title: &baseline.title,
            framework: self.framework_ref(f, root),
            selected: baseline.controls.len(),
            mapped: self.baseline_mapped(b),
            families: families.collect(),
            missing: &baseline.missing,
        };
        (baseline.title.clone(), PageData::Baseline(data))
    }

    /// How many of a baseline's selected controls some guideline maps to.
    pub(super) fn baseline_mapped(&self, b: usize) -> usize {
        let baseline = &self.site.baselines[b];
        let framework = &self.site.frameworks[baseline.framework];
        (baseline.controls.iter())
            .filter(|&&c| !framework.controls[c].mapped_by.is_empty())
            .count()
    }

    /// The baselines that select from framework `f`, for its page.
    pub(super) fn baselines_of(&self, f: usize, root: &str) -> Vec<BaselineSummary<'a>> {
        (self.site.baselines.iter().enumerate())
            .filter(|(_, b)| b.framework == f)
            .map(|(i, b)| BaselineSummary {
                title: &b.title,
                url: format!("{root}{}", urls::baseline(&b.id)),
                selected: b.controls.len(),
                mapped: self.baseline_mapped(i),
            })
            .collect()
    }
}
