//! Spreadsheet catalogs: a catalog YAML whose `csv:` names a CSV file beside it and the
//! columns that hold each control's id, title, description and groups. Every other column
//! becomes a property of the control (ASVS's level `L`). Errors name the CSV row and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::{Catalog, Control, Group, Source, Spanned};

/// Reads the CSV that `catalog.csv` names (in `dir`, the catalog's folder) into its controls
/// and groups.
pub fn expand(catalog: &mut Catalog, dir: &Path, source: &Source) -> Result<(), Diagnostic> {
    let Some(spec) = catalog.csv.take() else {
        return Ok(());
    };
    let name = &spec.file.value;
    let at = source.at(&spec.file);
    if !crate::model::is_safe_name(name) || !name.to_ascii_lowercase().ends_with(".csv") {
        return Err(Diagnostic::error(
            "csv",
            &source.path,
            at,
            format!("`{name}` is not the name of a CSV file beside this catalog"),
        )
        .with_help("name a file in the same folder, such as `asvs-5.0.0.csv`"));
    }
    let csv_path = source.path.with_file_name(name);
    let bytes = std::fs::read(dir.join(name)).map_err(|e| {
        Diagnostic::error("csv", &source.path, at, format!("cannot read {name}: {e}"))
            .with_help("put the CSV file in the same folder as the catalog")
    })?;
    let table = Table::read(&bytes, &csv_path)?;
    let column = |name: &str| table.column(name, source, at);
    let id = column(&spec.id)?;
    let title = column(&spec.title)?;
    let description = spec.description.as_deref().map(column).transpose()?;
    let group_ids: Vec<usize> = (spec.group_id.iter().flat_map(|c| c.names()))
        .map(column)
        .collect::<Result<_, _>>()?;
    let group_titles: Vec<usize> = (spec.group_title.iter().flat_map(|c| c.names()))
        .map(column)
        .collect::<Result<_, _>>()?;
    if !group_titles.is_empty() && group_titles.len() != group_ids.len() {
        return Err(Diagnostic::error(
            "csv",
            &source.path,
            at,
            "`group-title` names a different number of columns than `group-id`",
        )
        .with_help("give one title column per level of `group-id`, outermost first"));
    }
    let used: Vec<usize> = [id, title]
        .into_iter()
        .chain(description)
        .chain(group_ids.iter().copied())
        .chain(group_titles.iter().copied())
        .collect();
    let mut groups = Groups::default();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for row in &table.rows {
        let cell = |c: usize| row.cells.get(c).map_or("", |s| s.trim());
        let control_id = cell(id);
        if control_id.is_empty() {
            return Err(table.error(row.line, &spec.id, "the id is empty"));
        }
        if let Some(first) = seen.insert(control_id.to_string(), row.line) {
            let message = format!("`{control_id}` is also the id on line {first}");
            return Err(table.error(row.line, &spec.id, &message));
        }
        let properties = (table.headers.iter().enumerate())
            .filter(|(c, _)| !used.contains(c) && !cell(*c).is_empty())
            .map(|(c, header)| (header.clone(), cell(c).to_string()))
            .collect();
        let control = Control {
            id: located(control_id.to_string()),
            title: cell(title).to_string(),
            url: None,
            description: description
                .map(|c| cell(c).to_string())
                .filter(|d| !d.is_empty()),
            aliases: Vec::new(),
            withdrawn: false,
            replaced_by: Vec::new(),
            properties,
            mitigated_by: Vec::new(),
            controls: Vec::new(),
        };
        let path: Vec<(String, String)> = (group_ids.iter().enumerate())
            .map(|(level, &c)| {
                let title = group_titles.get(level).map_or(cell(c), |&t| cell(t));
                (cell(c).to_string(), title.to_string())
            })
            .collect();
        groups.add(&path, control);
    }
    match group_ids.is_empty() {
        true => catalog.controls.extend(groups.controls),
        false => catalog.groups.extend(groups.into_groups()),
    }
    Ok(())
}

fn located(value: String) -> Spanned<String> {
    Spanned {
        value,
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}

/// A CSV file's header and rows, each row with its line in the file.
struct Table {
    path: PathBuf,
    headers: Vec<String>,
    rows: Vec<Row>,
}

struct Row {
    line: u64,
    cells: Vec<String>,
}

impl Table {
    fn read(bytes: &[u8], path: &Path) -> Result<Self, Diagnostic> {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let invalid = |e: csv::Error| {
            let line = e.position().map_or(1, |p| p.line());
            Diagnostic::error("csv", path, Position::new(line as usize, 1), e.to_string())
                .with_help(
                    "fix the CSV: UTF-8, a header row, the same number of cells on every row",
                )
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(invalid)?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(invalid)?;
            let line = record.position().map_or(0, |p| p.line());
            rows.push(Row {
                line,
                cells: record.iter().map(str::to_string).collect(),
            });
        }
        Ok(Table {
            path: path.to_path_buf(),
            headers,
            rows,
        })
    }

    /// The index of the column `name`, or an error at the catalog's `csv:` listing the columns.
    fn column(&self, name: &str, source: &Source, at: Position) -> Result<usize, Diagnostic> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            Diagnostic::error(
                "csv",
                &source.path,
                at,
                format!("{} has no column `{name}`", self.path.display()),
            )
            .with_help(format!("its columns are: {}", self.headers.join(", ")))
        })
    }

    fn error(&self, line: u64, column: &str, message: &str) -> Diagnostic {
        Diagnostic::error(
            "csv",
            &self.path,
            Position::new(line as usize, 1),
            format!("row {line}, column `{column}`: {message}"),
        )
        .with_help("every row needs its own id")
    }
}

/// Groups built in the order their rows come, nested by level.
#[derive(Default)]
struct Groups {
    order: Vec<String>,
    children: BTreeMap<String, (String, Groups)>,
    controls: Vec<Control>,
}

impl Groups {
    fn add(&mut self, path: &[(String, String)], control: Control) {
        let Some(((id, title), rest)) = path.split_first() else {
            self.controls.push(control);
            return;
        };
        if !self.children.contains_key(id) {
            self.order.push(id.clone());
        }
        let entry =
            (self.children.entry(id.clone())).or_insert_with(|| (title.clone(), Groups::default()));
        entry.1.add(rest, control);
    }

    fn into_groups(mut self) -> Vec<Group> {
        let mut groups = Vec::with_capacity(self.order.len());
        for id in std::mem::take(&mut self.order) {
            let Some((title, mut inner)) = self.children.remove(&id) else {
                continue;
            };
            let controls = std::mem::take(&mut inner.controls);
            groups.push(Group {
                id: located(id),
                title,
                description: None,
                groups: inner.into_groups(),
                controls,
            });
        }
        groups
    }
}
