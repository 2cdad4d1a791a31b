//! Navigation: the reading order (each domain page, then its guidelines) that gives pages their
//! previous and next links, and the sidebar's guidelines, one script per domain (`assets/nav/<domain>.js`).

use std::collections::HashMap;

use super::urls;
use crate::resolve::Site;

/// A page of the reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stop {
    Domain(usize),
    Guideline(usize),
}

/// The reading order and each stop's place in it.
pub struct ReadingOrder {
    order: Vec<Stop>,
    place: HashMap<Stop, usize>,
}

impl ReadingOrder {
    pub fn of(site: &Site) -> Self {
        let order = Self::stops(site);
        let place = order.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        Self { order, place }
    }

    /// Every stop, in reading order.
    pub fn stops(site: &Site) -> Vec<Stop> {
        let mut order = Vec::with_capacity(site.domains.len() + site.guidelines.len());
        for d in 0..site.domains.len() {
            order.push(Stop::Domain(d));
            order.extend(site.guidelines_of(d).map(Stop::Guideline));
        }
        order
    }

    /// The stops before and after `at`.
    pub fn neighbours(&self, at: Stop) -> (Option<Stop>, Option<Stop>) {
        let Some(&i) = self.place.get(&at) else {
            return (None, None);
        };
        let prev = i.checked_sub(1).and_then(|j| self.order.get(j)).copied();
        (prev, self.order.get(i + 1).copied())
    }
}

/// Where the sidebar part of domain `d` is written.
pub fn part_path(site: &Site, d: usize) -> String {
    format!("assets/nav/{}.js", site.domains[d].folder)
}

/// The sidebar part of domain `d`: its guidelines as `[id, title]`, or `[id, title, file
/// stem]` when the page's name is not the lowercased id. A page loads only the part of its own
/// domain (others when the reader opens them), so no page pays for the whole tree.
pub fn part(site: &Site, d: usize) -> String {
    use super::deps::{Fact, record};
    record(Fact::DomainCard(d));
    let entries: Vec<Vec<String>> = site
        .guidelines_of(d)
        .map(|g| {
            record(Fact::GuidelineCard(g));
            let meta = &site.guidelines[g].guideline.meta;
            let id = meta.id.value.clone();
            let url = urls::guideline(site, g);
            let stem = url
                .strip_prefix("guidelines/")
                .and_then(|rest| rest.strip_suffix(".html"))
                .unwrap_or_default();
            let mut entry = vec![id, meta.title.clone()];
            if !entry[0].is_ascii() || stem != entry[0].to_lowercase() {
                entry.push(stem.to_string());
            }
            entry
        })
        .collect();
    let folder = serde_json::to_string(&site.domains[d].folder).unwrap_or_default();
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    format!("guidebookNavPart({folder},{json});\n")
}
