//! Navigation: the reading order (each domain page, then its guidelines) that gives pages their
//! previous and next links, and the sidebar tree, written once as `assets/nav.js`.

use std::collections::HashMap;

use serde::Serialize;

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

/// The navigation tree as one shared script, so pages do not each repeat the whole tree.
pub fn script(site: &Site) -> String {
    use super::deps::{Fact, record};
    for d in 0..site.domains.len() {
        record(Fact::DomainCard(d));
    }
    for g in 0..site.guidelines.len() {
        record(Fact::GuidelineCard(g));
    }
    #[derive(Serialize)]
    struct Node<'a> {
        t: std::borrow::Cow<'a, str>,
        u: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        c: Vec<Node<'a>>,
    }
    let tree: Vec<Node> = (0..site.domains.len())
        .map(|d| Node {
            t: site.domains[d].meta.title.as_str().into(),
            u: urls::domain(site, d),
            c: site
                .guidelines_of(d)
                .map(|g| {
                    let meta = &site.guidelines[g].guideline.meta;
                    Node {
                        t: format!("{} {}", meta.id.value, meta.title).into(),
                        u: urls::guideline(site, g),
                        c: Vec::new(),
                    }
                })
                .collect(),
        })
        .collect();
    let json = serde_json::to_string(&tree).unwrap_or_else(|_| "[]".into());
    format!("window.guidebookNav = {json};\n")
}
