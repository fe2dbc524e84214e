//! `hyperlearn demo`: a full daily run on bundled content, with no network and no set-up
//! beyond the model. The binary serves its own demo news site (feeds in seven languages and
//! their article pages, written for HyperLearn) from 127.0.0.1, keeps its store, index and
//! outbox under `var/demo/`, and adds a few demo learners.

mod site;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveTime;

pub use site::{SiteFile, StaticSite};

use crate::config::{Config, RawConfig};
use crate::generation::Generator;
use crate::pipeline::{self, RunOptions, Services};
use crate::report::RunReport;
use crate::store::NewLearner;

macro_rules! site_file {
    ($path:literal) => {
        SiteFile {
            path: $path,
            body: include_str!(concat!("site/", $path)),
        }
    };
}

/// The bundled demo site. `{{BASE}}` in a file is replaced by the server's base URL.
pub const DEMO_SITE: &[SiteFile] = &[
    site_file!("articles/de/fahrerloser-bus-kastelbach.html"),
    site_file!("articles/de/rheinauen-halbmarathon-rekord.html"),
    site_file!("articles/de/schueler-pflanzen-baeume-talbrueck.html"),
    site_file!("articles/en/beavers-cut-flooding-hollin-valley.html"),
    site_file!("articles/en/bramblecote-pumpkin-soup-prize.html"),
    site_file!("articles/en/garden-telescope-confirms-exoplanet.html"),
    site_file!("articles/en/lower-denholm-fibre-network.html"),
    site_file!("articles/en/otters-win-county-cup.html"),
    site_file!("articles/es/bosque-antiguo-vertedero-valdeluna.html"),
    site_file!("articles/es/nadadores-villaseca-doce-medallas.html"),
    site_file!("articles/es/teatro-alameda-castrovejo-reabre.html"),
    site_file!("articles/fr/abeilles-sommeil-eclairage-valmont.html"),
    site_file!("articles/fr/boulanger-vernelle-ble-oublie.html"),
    site_file!("articles/fr/robot-tri-dechets-college-montclair.html"),
    site_file!("articles/it/forno-bertoli-cento-anni.html"),
    site_file!("articles/it/liceo-galilei-satellite-in-orbita.html"),
    site_file!("articles/it/sub-volontari-puliscono-lago-sereno.html"),
    site_file!("articles/ru/detskaya-observatoriya-prirechensk.html"),
    site_file!("articles/ru/syrovarnya-kedrovka-novyj-ceh.html"),
    site_file!("articles/ru/vystavka-laptev-ozyorsk.html"),
    site_file!("feeds/de-rundschau.atom.xml"),
    site_file!("feeds/en-courier.rss.xml"),
    site_file!("feeds/es-valle.atom.xml"),
    site_file!("feeds/fr-matin.json"),
    site_file!("feeds/it-gazzetta.rss.xml"),
    site_file!("feeds/ru-vesti.rss.xml"),
];

/// The demo feeds: (name, path on the demo site, language).
const DEMO_FEEDS: &[(&str, &str, &str)] = &[
    ("The Riverside Courier", "/feeds/en-courier.rss.xml", "en"),
    ("Diario del Valle", "/feeds/es-valle.atom.xml", "es"),
    ("Le Petit Matin", "/feeds/fr-matin.json", "fr"),
    ("Rheintaler Rundschau", "/feeds/de-rundschau.atom.xml", "de"),
    ("Вести Приречья", "/feeds/ru-vesti.rss.xml", "ru"),
    ("La Gazzetta del Lago", "/feeds/it-gazzetta.rss.xml", "it"),
];

struct DemoLearner {
    email: &'static str,
    name: &'static str,
    lang: &'static str,
    level: f64,
    interests: &'static [&'static str],
    time: &'static str,
    tz: &'static str,
}

/// The demo learners, at different levels and with different interests.
const DEMO_LEARNERS: &[DemoLearner] = &[
    DemoLearner {
        email: "amy@demo.hyperlearn.localhost",
        name: "Amy",
        lang: "en",
        level: 2.0,
        interests: &["sport", "food"],
        time: "07:00",
        tz: "Europe/London",
    },
    DemoLearner {
        email: "ben@demo.hyperlearn.localhost",
        name: "Ben",
        lang: "en",
        level: 5.0,
        interests: &["science", "technology"],
        time: "06:30",
        tz: "America/New_York",
    },
    DemoLearner {
        email: "carmen@demo.hyperlearn.localhost",
        name: "Carmen",
        lang: "es",
        level: 3.0,
        interests: &["environment", "naturaleza"],
        time: "08:00",
        tz: "Europe/Madrid",
    },
    DemoLearner {
        email: "fleur@demo.hyperlearn.localhost",
        name: "Fleur",
        lang: "fr",
        level: 2.0,
        interests: &["cuisine", "pain"],
        time: "07:30",
        tz: "Europe/Paris",
    },
    DemoLearner {
        email: "dieter@demo.hyperlearn.localhost",
        name: "Dieter",
        lang: "de",
        level: 3.0,
        interests: &["Technik", "Verkehr"],
        time: "07:00",
        tz: "Europe/Berlin",
    },
    DemoLearner {
        email: "dmitri@demo.hyperlearn.localhost",
        name: "Дмитрий",
        lang: "ru",
        level: 4.0,
        interests: &["бизнес", "культура"],
        time: "09:00",
        tz: "Europe/Moscow",
    },
    DemoLearner {
        email: "giulia@demo.hyperlearn.localhost",
        name: "Giulia",
        lang: "it",
        level: 3.0,
        interests: &["ambiente", "cucina"],
        time: "07:45",
        tz: "Europe/Rome",
    },
];

/// The port the demo site prefers (stable URLs across runs keep re-runs idempotent).
pub const DEMO_PORT: u16 = 47480;

/// Options of `hyperlearn demo`.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Working folder (store, index, feeds, outbox).
    pub dir: PathBuf,
    pub outbox: Option<PathBuf>,
    /// Settings for `[model]` and `[lesson]` are taken from this file when it exists.
    pub config_file: PathBuf,
    pub fresh: bool,
    pub quiet: bool,
}

/// What the demo did.
pub struct DemoOutcome {
    pub report: RunReport,
    pub outbox: PathBuf,
    pub mails: Vec<PathBuf>,
}

/// Runs the demo end to end.
pub async fn run_demo(options: &DemoOptions) -> anyhow::Result<DemoOutcome> {
    if options.fresh && options.dir.exists() {
        std::fs::remove_dir_all(&options.dir)
            .with_context(|| format!("cannot remove {}", options.dir.display()))?;
    }
    let (site, config) = start_site(options).await?;

    let progress = pipeline::Progress::new(options.quiet);
    progress.say(format!("Demo site serving on {}", site.base_url()));
    progress.say(format!("Loading model {} ...", config.model.path.display()));
    let generator = Generator::start(&config.model)?;
    let services = Services::open(config)?;
    for l in DEMO_LEARNERS {
        services.store.upsert_learner(&NewLearner {
            email: l.email.to_string(),
            name: l.name.to_string(),
            lang: l.lang.to_string(),
            level: l.level,
            interests: l.interests.iter().map(|s| s.to_string()).collect(),
            delivery_time: NaiveTime::parse_from_str(l.time, "%H:%M")
                .expect("demo times are valid"),
            timezone: l.tz.to_string(),
        })?;
    }
    let report = pipeline::run(
        &services,
        Some(&generator),
        &RunOptions::full(options.quiet),
    )
    .await?;
    site.stop().await;
    let outbox = services.config.outbox_dir.clone();
    let mut mails: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    Ok(DemoOutcome {
        report,
        outbox,
        mails,
    })
}

/// The demo's working folder, its site serving on 127.0.0.1 and its configuration, with
/// the site's feeds listed (the demo, and benchmarks that need real feeds and pages).
pub async fn start_site(options: &DemoOptions) -> anyhow::Result<(StaticSite, Config)> {
    std::fs::create_dir_all(&options.dir)
        .with_context(|| format!("cannot create {}", options.dir.display()))?;
    let site = StaticSite::start(DEMO_SITE.to_vec(), Some(DEMO_PORT)).await?;
    let config = demo_config(options)?;
    write_demo_feeds(&config.feeds_dir, site.base_url())?;
    Ok((site, config))
}

fn demo_config(options: &DemoOptions) -> anyhow::Result<Config> {
    // Model and lesson settings come from the project's config.toml when there is one, so
    // that the demo runs on the same model as the service.
    let mut raw: RawConfig = if options.config_file.is_file() {
        let text = std::fs::read_to_string(&options.config_file)
            .with_context(|| format!("cannot read {}", options.config_file.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("invalid config file {}", options.config_file.display()))?
    } else {
        RawConfig::default()
    };
    let model_base = options
        .config_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let model_path = model_base.join(&raw.model.path);
    let dir = &options.dir;
    raw.paths.feeds_dir = dir.join("feeds").display().to_string();
    raw.paths.index_dir = dir.join("index").display().to_string();
    raw.paths.store = dir.join("hyperlearn.db").display().to_string();
    raw.paths.outbox_dir = options
        .outbox
        .clone()
        .unwrap_or_else(|| dir.join("outbox"))
        .display()
        .to_string();
    raw.paths.templates_dir = None;
    raw.model.path = model_path.display().to_string();
    raw.paths.wordfreq_dir = model_base
        .join(&raw.paths.wordfreq_dir)
        .display()
        .to_string();
    raw.fetch.allow_hosts = vec!["127.0.0.1".into()];
    // Our own server: no need to space requests out.
    raw.fetch.per_host_interval_ms = 0;
    raw.fetch.per_host_concurrency = 8;
    raw.mail.smtp = None;
    raw.mail.from = "HyperLearn Demo <lessons@demo.hyperlearn.localhost>".into();
    let mut config = Config::from_raw(raw, Path::new("."))?;
    // The demo's links are signed with a key of its own, kept in its folder.
    config.keep_token_key()?;
    Ok(config)
}

fn write_demo_feeds(dir: &Path, base_url: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut text =
        String::from("# Written by `hyperlearn demo` on every run: the demo site's feeds.\n");
    for (name, path, lang) in DEMO_FEEDS {
        text.push_str(&format!(
            "\n[[feed]]\nurl = \"{base_url}{path}\"\nname = \"{name}\"\nlang = \"{lang}\"\n"
        ));
    }
    std::fs::write(dir.join("demo.toml"), text)
        .with_context(|| format!("cannot write {}", dir.display()))?;
    Ok(())
}
