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

#[test]
fn without_a_configured_key_one_is_generated_once_kept_private_and_rotatable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[paths]\nstore = \"var/hl.db\"\n").unwrap();
    let first = Config::from_file(&file).unwrap();
    let key_file = dir.path().join("var").join(TOKEN_KEY_FILE);
    assert_eq!(
        first.mail.token_key_origin,
        KeyOrigin::KeyFile(key_file.clone())
    );
    assert_eq!(first.mail.token_key.expose().len(), 64);
    assert_ne!(first.mail.token_key.expose(), PUBLIC_DEVELOPMENT_KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same key on every later start.
    let again = Config::from_file(&file).unwrap();
    assert_eq!(again.mail.token_key, first.mail.token_key);
    // Rotation writes a new one, still private.
    assert_eq!(rotate_token_key(&again).unwrap(), key_file);
    let rotated = Config::from_file(&file).unwrap();
    assert_ne!(rotated.mail.token_key, first.mail.token_key);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A configured key wins, and cannot be rotated here.
    std::fs::write(
        &file,
        "[paths]\nstore = \"var/hl.db\"\n[mail]\ntoken_key = \"an admin's own long random key\"\n",
    )
    .unwrap();
    let configured = Config::from_file(&file).unwrap();
    assert_eq!(configured.mail.token_key_origin, KeyOrigin::ConfigFile);
    assert!(rotate_token_key(&configured).is_err());
    // The key that once shipped in the source is refused.
    let public = Config::parse(
        "[mail]\ntoken_key = \"hyperlearn-development-key\"\n",
        Path::new("."),
    );
    assert!(matches!(
        public,
        Err(ConfigError::Invalid {
            key: "mail.token_key",
            ..
        })
    ));
    // Config text without a file gets a random key per process, never a shared one.
    let a = Config::parse("", Path::new(".")).unwrap();
    let b = Config::parse("", Path::new(".")).unwrap();
    assert_eq!(a.mail.token_key_origin, KeyOrigin::Ephemeral);
    assert_ne!(a.mail.token_key, b.mail.token_key);
}
