use super::*;

#[test]
fn classifies_the_content_contract() {
    assert_eq!(classify(Path::new("index.md")), Entry::Landing);
    assert_eq!(
        classify(Path::new("guidelines/design/_domain.md")),
        Entry::Domain {
            folder: "design".into()
        }
    );
    assert_eq!(
        classify(Path::new("guidelines/design/sd-1.yaml")),
        Entry::Guideline {
            folder: "design".into(),
            slug: "sd-1".into(),
            yaml: true
        }
    );
    assert_eq!(
        classify(Path::new("frameworks/x.json")),
        Entry::OscalCatalog
    );
    assert_eq!(classify(Path::new("img/logo.png")), Entry::Asset);
    assert!(matches!(
        classify(Path::new("guidelines/sd-1.md")),
        Entry::Misplaced(_)
    ));
}

#[test]
fn editor_temporary_files_are_ignored() {
    for name in [
        ".sd-1.md.swp",
        "sd-1.md~",
        "#sd-1.md#",
        ".#sd-1.md",
        "4913",
        "x___jb_tmp___",
        ".DS_Store",
    ] {
        assert!(is_ignored(name), "{name}");
    }
    assert!(!is_ignored("sd-1.md"));
}
