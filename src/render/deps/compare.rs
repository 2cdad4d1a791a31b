//! The comparisons behind [`super::Changes`]: an old and a new site, field by field, their
//! references compared through the remaps (the same id), never through bare indices.

use super::*;

pub(super) fn controls_changed(
    controls: &[Remap],
    frameworks: &Remap,
    differs: impl Fn(usize, usize, usize, usize) -> bool + Sync,
) -> Vec<Vec<bool>> {
    controls
        .iter()
        .enumerate()
        .map(|(f, remap)| match frameworks.get(f) {
            Some(nf) => remap.changed(|c, nc| differs(f, c, nf, nc)),
            None => vec![true; remap.0.len()],
        })
        .collect()
}

pub(super) fn tag_changes<'a>(old: &'a Site, new: &'a Site) -> HashMap<u64, bool> {
    let ids = |site: &'a Site, tagged: &'a crate::resolve::Tagged| {
        let guidelines: Vec<&str> = (tagged.guidelines.iter())
            .map(|&g| site.guidelines[g].guideline.meta.id.value.as_str())
            .collect();
        let examples: Vec<&str> = (tagged.examples.iter())
            .map(|&e| site.examples[e].example.meta.id.value.as_str())
            .collect();
        (tagged.slug.clone(), guidelines, examples)
    };
    old.tags
        .iter()
        .map(|(name, tagged)| {
            let same = new
                .tags
                .get(name)
                .is_some_and(|t| ids(new, t) == ids(old, tagged));
            (hash_of(name.as_str()), !same)
        })
        .collect()
}

/// Per old role (by the hash of its id): whether its guidelines or their checks changed.
pub(super) fn role_changes<'a>(old: &'a Site, new: &'a Site) -> HashMap<u64, bool> {
    let members =
        |site: &'a Site, role: &'a crate::resolve::Role| -> Vec<(&'a str, &'a [String])> {
            (role.guidelines.iter())
                .map(|&g| {
                    let guideline = &site.guidelines[g].guideline;
                    (
                        guideline.meta.id.value.as_str(),
                        guideline.checks.as_slice(),
                    )
                })
                .collect()
        };
    (old.roles.iter())
        .map(|role| {
            let same = (new.roles.iter().find(|r| r.id == role.id))
                .is_some_and(|r| members(new, r) == members(old, role));
            (hash_of(role.id.as_str()), !same)
        })
        .collect()
}

pub(super) fn order_changes(old: &Site, new: &Site) -> HashMap<Stop, bool> {
    /// A stop by kind and id.
    pub(super) fn named(site: &Site) -> Vec<(Stop, bool, &str)> {
        (crate::render::nav::ReadingOrder::stops(site).into_iter())
            .map(|stop| match stop {
                Stop::Domain(d) => (stop, true, site.domains[d].meta.id.value.as_str()),
                Stop::Guideline(g) => (
                    stop,
                    false,
                    site.guidelines[g].guideline.meta.id.value.as_str(),
                ),
            })
            .collect()
    }
    let (old_order, new_order) = (named(old), named(new));
    let key = |s: &(Stop, bool, &'_ str)| (s.1, s.2.to_string());
    let same_order = old_order.len() == new_order.len()
        && (old_order.iter().zip(&new_order)).all(|(a, b)| (a.1, a.2) == (b.1, b.2));
    if same_order {
        return old_order.iter().map(|s| (s.0, false)).collect();
    }
    let neighbours = |order: &[(Stop, bool, &str)], i: usize| {
        let prev = i.checked_sub(1).and_then(|j| order.get(j)).map(key);
        (prev, order.get(i + 1).map(key))
    };
    let new_place: HashMap<(bool, &str), usize> = (new_order.iter().enumerate())
        .map(|(i, s)| ((s.1, s.2), i))
        .collect();
    (old_order.iter().enumerate())
        .map(|(i, s)| {
            let same = new_place
                .get(&(s.1, s.2))
                .is_some_and(|&j| neighbours(&new_order, j) == neighbours(&old_order, i));
            (s.0, !same)
        })
        .collect()
}

pub(super) fn link_changes<'a>(
    old: &Site,
    new: &Site,
    links: impl Iterator<Item = &'a str>,
) -> HashMap<u64, bool> {
    let (old_links, new_links) = (SiteLinks(old), SiteLinks(new));
    let resolved = |links: &SiteLinks, scheme: &str, target: &str| {
        let target = target.split('#').next().unwrap_or(target);
        match links.resolve(scheme, target) {
            Ok(url) => Some(url),
            Err(_) if links.failed_to_load(scheme, target) => Some("#unloaded".into()),
            Err(_) => None,
        }
    };
    // Each distinct link once, judged in parallel (a large site's files hold some hundred
    // thousand links, a few tens of thousands of them distinct).
    let distinct: rustc_hash::FxHashSet<&str> = links.collect();
    let distinct: Vec<&str> = distinct.into_iter().collect();
    let judged: Vec<(u64, bool)> = distinct
        .par_iter()
        .map(|link| {
            let changed = match link.split_once(':') {
                None => true,
                Some((scheme, target)) => {
                    let before = resolved(&old_links, scheme, target);
                    // A link that failed before or fails now is never taken as unchanged: its
                    // diagnostic names the site's other ids.
                    before.is_none() || before != resolved(&new_links, scheme, target)
                }
            };
            (hash_of(link), changed)
        })
        .collect();
    let mut changes = HashMap::with_capacity(judged.len());
    for (hash, changed) in judged {
        // Two links of one hash: changed if either is.
        *changes.entry(hash).or_insert(false) |= changed;
    }
    changes
}

/// Field-by-field comparisons of an old and a new site, in ids rather than indices.
pub(super) struct Compare<'s> {
    pub old: &'s Site,
    pub new: &'s Site,
    pub maps: Maps<'s>,
}

/// Where the old site's entities are in the new one.
#[derive(Clone, Copy)]
pub(super) struct Maps<'s> {
    pub guidelines: &'s Remap,
    pub domains: &'s Remap,
    pub examples: &'s Remap,
    pub frameworks: &'s Remap,
    pub controls: &'s [Remap],
}

/// Whether two lists hold the same items in the same order.
pub(super) fn same_list<T>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
}

impl<'s> Compare<'s> {
    pub(super) fn site_differs(&self) -> bool {
        let chrome = |site: &'s Site| {
            let config = serde_json::to_string(&site.config).unwrap_or_default();
            let domains: Vec<(&str, String)> = (site.domains.iter().enumerate())
                .map(|(d, domain)| (domain.meta.title.as_str(), urls::domain(site, d)))
                .collect();
            let pages: Vec<(String, String, bool)> = (site.pages.iter().enumerate())
                .map(|(p, page)| (page.title(), urls::page(site, p), page.meta.hidden))
                .collect();
            let roles: Vec<_> = (site.roles.iter())
                .map(|r| {
                    (
                        &r.id,
                        &r.title,
                        &r.summary,
                        &r.owns,
                        &r.description,
                        &r.source,
                    )
                })
                .collect();
            let baselines: Vec<_> = (site.baselines.iter())
                .map(|b| {
                    let framework = &site.frameworks[b.framework];
                    let ids: Vec<&str> = (b.controls.iter())
                        .map(|&c| framework.controls[c].id.as_str())
                        .collect();
                    (&b.id, &b.title, &framework.id, ids, &b.missing, &b.source)
                })
                .collect();
            // A crosswalk's pairs decide derived mappings (compared per guideline); its name
            // and title are shown beside them.
            let crosswalks: Vec<_> = (site.crosswalks.iter())
                .map(|x| {
                    let (s, t) = (&site.frameworks[x.source], &site.frameworks[x.target]);
                    (&x.name, &x.title, &s.id, &t.id, &x.file)
                })
                .collect();
            (
                (config, domains, pages, roles),
                (baselines, crosswalks),
                site.content_dir.clone(),
            )
        };
        chrome(self.old) != chrome(self.new)
    }

    pub(super) fn landing_differs(&self) -> bool {
        let landing = |site: &'s Site| {
            site.landing
                .as_ref()
                .map(|p| (&p.meta, &p.body, &p.source, &p.slug))
        };
        landing(self.old) != landing(self.new)
    }

    pub(super) fn guideline_card_differs(&self, i: usize, j: usize) -> bool {
        let (a, b) = (
            &self.old.guidelines[i].guideline,
            &self.new.guidelines[j].guideline,
        );
        if Arc::ptr_eq(a, b) {
            return false;
        }
        // The URL is made from the slug alone.
        let card = |g: &'s Guideline| (&g.meta.id.value, &g.meta.title, &g.meta.summary, &g.slug);
        card(a) != card(b)
    }

    /// A guideline but its body, its references compared through the remaps (same id).
    pub(super) fn guideline_differs(&self, i: usize, j: usize) -> bool {
        let (a, b) = (&self.old.guidelines[i], &self.new.guidelines[j]);
        let same_file = Arc::ptr_eq(&a.guideline, &b.guideline) || {
            let (x, y) = (&a.guideline, &b.guideline);
            (&x.meta, &x.source, &x.slug, &x.domain) == (&y.meta, &y.source, &y.slug, &y.domain)
        };
        let maps = self.maps;
        let same_mapping = |x: &crate::resolve::ResolvedMapping,
                            y: &crate::resolve::ResolvedMapping| {
            maps.frameworks.get(x.framework) == Some(y.framework)
                && (maps.controls.get(x.framework)).and_then(|c| c.get(x.control))
                    == Some(y.control)
                && (x.relationship, &x.rationale, x.confidence)
                    == (y.relationship, &y.rationale, y.confidence)
        };
        let same_derived = |x: &crate::resolve::DerivedMapping,
                            y: &crate::resolve::DerivedMapping| {
            maps.frameworks.get(x.framework) == Some(y.framework)
                && (maps.controls.get(x.framework)).and_then(|c| c.get(x.control))
                    == Some(y.control)
                && (x.relationship, x.crosswalk, x.from) == (y.relationship, y.crosswalk, y.from)
        };
        let same_link = |x: &crate::resolve::Link, y: &crate::resolve::Link| {
            maps.guidelines.get(x.guideline) == Some(y.guideline)
                && (x.kind, &x.note) == (y.kind, &y.note)
        };
        // The domain's index too: coverage colours guidelines by it.
        let same_domain = a.domain == b.domain && maps.domains.get(a.domain) == Some(b.domain);
        !(same_file
            && same_domain
            && same_list(&a.mappings, &b.mappings, same_mapping)
            && same_list(&a.derived, &b.derived, same_derived)
            && same_list(&a.related, &b.related, same_link)
            && same_list(&a.backlinks, &b.backlinks, same_link)
            && same_list(&a.examples, &b.examples, |&x, &y| {
                maps.examples.get(x) == Some(y)
            }))
    }

    pub(super) fn domain_card_differs(&self, i: usize, j: usize) -> bool {
        let card = |site: &'s Site, d: usize| {
            let meta = &site.domains[d].meta;
            let guidelines: Vec<&str> = (site.guidelines_of(d))
                .map(|g| site.guidelines[g].guideline.meta.id.value.as_str())
                .collect();
            (
                &meta.id.value,
                &meta.title,
                &meta.summary,
                urls::domain(site, d),
                guidelines,
            )
        };
        card(self.old, i) != card(self.new, j)
    }

    pub(super) fn example_card_differs(&self, i: usize, j: usize) -> bool {
        let card = |site: &'s Site, e: usize| {
            let resolved = &site.examples[e];
            let meta = &resolved.example.meta;
            let guidelines: Vec<&str> = (resolved.guidelines.iter())
                .map(|&g| site.guidelines[g].guideline.meta.id.value.as_str())
                .collect();
            (
                &meta.id.value,
                &meta.title,
                meta.kind,
                urls::example(site, e),
                guidelines,
            )
        };
        card(self.old, i) != card(self.new, j)
    }

    pub(super) fn framework_ref_differs(&self, i: usize, j: usize) -> bool {
        let card = |site: &'s Site, f: usize| {
            let fw = &site.frameworks[f];
            (&fw.id, &fw.name, &fw.version, urls::framework(site, f))
        };
        card(self.old, i) != card(self.new, j)
    }

    pub(super) fn framework_differs(&self, i: usize, j: usize, controls: &Remap) -> bool {
        let (a, b) = (&self.old.frameworks[i], &self.new.frameworks[j]);
        let head = |f: &'s crate::resolve::Framework| {
            let sections: Vec<_> = (f.sections.iter())
                .map(|s| (&s.id, &s.title, &s.description, s.depth, s.controls.len()))
                .collect();
            (
                (
                    &f.name,
                    &f.version,
                    &f.url,
                    &f.license,
                    &f.description,
                    &f.source,
                    f.kind,
                ),
                sections,
                (f.loose_controls.len(), f.controls.len()),
            )
        };
        if head(a) != head(b) {
            return true;
        }
        // Same shape: compare each control, with its mapped count, in place.
        let ids = |f: &'s crate::resolve::Framework, list: &[usize]| -> Vec<String> {
            list.iter().map(|&c| f.controls[c].id.clone()).collect()
        };
        let same_groups = a.loose_controls.len() == b.loose_controls.len()
            && ids(a, &a.loose_controls) == ids(b, &b.loose_controls)
            && (a.sections.iter().zip(&b.sections))
                .all(|(x, y)| ids(a, &x.controls) == ids(b, &y.controls));
        !same_groups
            || (0..a.controls.len()).any(|c| {
                controls.get(c).is_none_or(|nc| {
                    let (x, y) = (&a.controls[c], &b.controls[nc]);
                    control_fields(x) != control_fields(y)
                        || x.mapped_by.len() != y.mapped_by.len()
                        || x.addressed_by.len() != y.addressed_by.len()
                })
            })
    }

    pub(super) fn control_card_differs(&self, f: usize, c: usize, nf: usize, nc: usize) -> bool {
        let card = |site: &'s Site, f: usize, c: usize| {
            let control = &site.frameworks[f].controls[c];
            let url = match !control.has_page() {
                true => format!("{}#{}", urls::framework(site, f), control.slug),
                false => urls::control(site, f, c),
            };
            (&control.id, &control.title, url)
        };
        card(self.old, f, c) != card(self.new, nf, nc)
    }

    pub(super) fn control_differs(&self, f: usize, c: usize, nf: usize, nc: usize) -> bool {
        let view = |site: &'s Site, f: usize, c: usize| {
            let control = &site.frameworks[f].controls[c];
            let mapped: Vec<_> = (control.mapped_by.iter())
                .map(|by| {
                    let resolved = &site.guidelines[by.guideline];
                    let m = &resolved.mappings[by.mapping];
                    let id = &resolved.guideline.meta.id.value;
                    (id, m.relationship, m.confidence, &m.rationale)
                })
                .collect();
            let guideline_id = |&g: &usize| &site.guidelines[g].guideline.meta.id.value;
            let addressed: Vec<_> = control.addressed_by.iter().map(guideline_id).collect();
            let framework = &site.frameworks[f];
            let mitigated: Vec<_> = (framework.mitigations.iter())
                .flat_map(|&m| control.mitigated_by.iter().map(move |&mc| (m, mc)))
                .map(|(m, mc)| (&site.frameworks[m].id, &site.frameworks[m].controls[mc].id))
                .collect();
            let mitigates: Vec<_> = (control.mitigates.iter())
                .map(|t| {
                    let threats = &site.frameworks[t.framework];
                    (&threats.id, &threats.controls[t.control].id)
                })
                .collect();
            // The description is rendered for the catalog file (its diagnostics name it).
            let source = &framework.source;
            (
                control_fields(control),
                urls::control(site, f, c),
                mapped,
                (addressed, mitigated, mitigates, framework.kind),
                source,
            )
        };
        self.control_card_differs(f, c, nf, nc) || view(self.old, f, c) != view(self.new, nf, nc)
    }

    /// The roles listing: each role's counts of guidelines and checks.
    pub(super) fn role_set_differs(&self) -> bool {
        let counts = |site: &'s Site| -> Vec<(usize, usize)> {
            (site.roles.iter())
                .map(|r| {
                    let checks = r.guidelines.iter();
                    let checks = checks.map(|&g| site.guidelines[g].guideline.checks.len());
                    (r.guidelines.len(), checks.sum())
                })
                .collect()
        };
        counts(self.old) != counts(self.new)
    }

    pub(super) fn tag_set_differs(&self) -> bool {
        let set = |site: &'s Site| -> Vec<(String, String, usize)> {
            (site.tags.iter())
                .map(|(name, t)| {
                    (
                        name.clone(),
                        t.slug.clone(),
                        t.guidelines.len() + t.examples.len(),
                    )
                })
                .collect()
        };
        set(self.old) != set(self.new)
    }
}

type ControlFields<'a> = (
    &'a str,
    &'a str,
    &'a Option<String>,
    &'a Option<String>,
    &'a str,
    usize,
    bool,
    &'a [String],
    &'a std::collections::BTreeMap<String, String>,
);

pub(super) fn control_fields(c: &crate::resolve::FrameworkControl) -> ControlFields<'_> {
    (
        &c.id,
        &c.title,
        &c.url,
        &c.description,
        &c.slug,
        c.depth,
        c.withdrawn,
        &c.replaced_by,
        &c.properties,
    )
}
