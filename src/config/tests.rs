use super::*;

#[test]
fn shipped_config_matches_the_defaults() {
    let text = include_str!("../../config.toml");
    let shipped: RawConfig = toml::from_str(text).expect("config.toml parses");
    let defaults = RawConfig::default();
    // Compare through Debug: every field, nested, without hand-listing them.
    assert_eq!(
        format!("{shipped:?}"),
        format!("{defaults:?}"),
        "config.toml and RawConfig::default() differ"
    );
    Config::parse(text, Path::new("/srv/hl")).expect("config.toml is valid");
}

#[test]
fn relative_paths_resolve_against_the_file_folder() {
    let c = Config::parse("[paths]\nstore = \"db/x.sqlite\"\n", Path::new("/srv/hl")).unwrap();
    assert_eq!(c.store_path, Path::new("/srv/hl/db/x.sqlite"));
    assert_eq!(c.feeds_dir, Path::new("/srv/hl/feeds"));
}

#[test]
fn a_typo_names_the_key() {
    let err = Config::parse("[model]\npaht = \"x.gguf\"\n", Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(err.contains("paht"), "{err}");
}

#[test]
fn bad_values_name_the_key() {
    let check = |text: &str, key: &str| {
        let err = Config::parse(text, Path::new(".")).unwrap_err().to_string();
        assert!(err.contains(key), "{err} should name {key}");
    };
    check("[model]\ncontext_size = 10\n", "model.context_size");
    check(
        "[lesson]\nmin_exercises = 5\nexercises = 3\n",
        "lesson.exercises",
    );
    check(
        "[mail.smtp]\nhost = \"h\"\nsecurity = \"ssl\"\n",
        "mail.smtp.security",
    );
    check("[schedule]\ndaily = \"0 5 * * *\"\n", "schedule.lessons");
    check("[delivery]\nconnections = 0\n", "delivery.connections");
}

#[test]
fn secrets_never_print() {
    let c = Config::parse("[mail]\ntoken_key = \"hunter2\"\n", Path::new(".")).unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}
