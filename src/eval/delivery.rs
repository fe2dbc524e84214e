//! `hyperlearn bench delivery`: N learners' lessons through the real ledger and lettre's
//! SMTP pool to an SMTP server on 127.0.0.1: messages per second and peak memory.
//!
//! Without `--smtp`, the bench starts its own minimal SMTP server in this process (it
//! accepts and counts messages, checking each has its Message-ID); its work shares the CPU
//! with the sender, so the figure is a lower bound for a relay on another machine.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::articles::{Article, Cefr, Level, TextSource};
use crate::config::Config;
use crate::exercise::Exercise;
use crate::generation::constructed_exercises;
use crate::pipeline::{self, RunOptions, Services, Timing};
use crate::store::NewLearner;
use crate::verification::ArticleText;

pub struct DeliveryBench {
    pub learners: usize,
    pub connections: usize,
    /// An SMTP server to send to (host:port); default: one in this process.
    pub smtp: Option<String>,
    pub record: bool,
}

/// A minimal SMTP server that accepts everything; returns its port and message counter.
async fn start_sink() -> anyhow::Result<(u16, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let _ = sink_session(stream, counter).await;
            });
        }
    });
    Ok((port, count))
}

async fn sink_session(
    stream: tokio::net::TcpStream,
    count: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 bench sink ready\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-bench\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut has_id = false;
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    has_id |= line.len() > 11 && line[..11].eq_ignore_ascii_case("message-id:");
                }
                if has_id {
                    count.fetch_add(1, Ordering::Relaxed);
                    b"250 accepted\r\n"
                } else {
                    b"554 no Message-ID\r\n"
                }
            }
            _ => b"500 unknown command\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// A lesson-sized message (about 12 KB, text and HTML) for one learner.
/// The bench lessons' article: enough people, numbers and speech for a lesson's worth of
/// constructed exercises.
const ARTICLE: &str = "The city council voted on Tuesday to extend the river path by two kilometres. \
    Walkers and cyclists will reach the old harbour without using the main road. \
    \"This path will change how people cross the city,\" said Mayor Lena Ortiz. \
    The work will cost 4.5 million euros and should end in 18 months. \
    Council member Tom Hale voted against the plan. \
    He said the money should go to the bus network instead. \
    About 3,000 people use the path every day, according to the council. \
    The first section will open in May.";

pub async fn bench_delivery(b: &DeliveryBench) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (host, port, sink) = match &b.smtp {
        Some(addr) => {
            let (h, p) = addr
                .rsplit_once(':')
                .context("--smtp takes HOST:PORT, e.g. 127.0.0.1:2525")?;
            (h.to_string(), p.parse().context("--smtp port")?, None)
        }
        None => {
            let (port, count) = start_sink().await?;
            ("127.0.0.1".to_string(), port, Some(count))
        }
    };
    let config_text = format!(
        "[paths]\nstore = \"bench.db\"\nindex_dir = \"index\"\nfeeds_dir = \"feeds\"\n\
         [mail.smtp]\nhost = \"{host}\"\nport = {port}\nsecurity = \"plain\"\n\
         [delivery]\nrate_per_second = 0\nconnections = {}\n",
        b.connections
    );
    let config = Config::parse(&config_text, dir.path())?;
    let services = Services::open(config)?;
    eprintln!("Seeding {} learners and their lessons ...", b.learners);
    let store = &services.store;
    let article_id = store
        .insert_article(&Article {
            url: "http://127.0.0.1/bench.html".into(),
            title: "River path to be extended".into(),
            byline: None,
            published: None,
            lang: "en".into(),
            text: ARTICLE.into(),
            level: Level {
                score: 3.0,
                cefr: Cefr::B1,
            },
            topics: vec![],
            image: None,
            source: "bench".into(),
            text_source: TextSource::Page,
        })?
        .id;
    let exercises: Vec<Exercise> = constructed_exercises(
        &ArticleText::new("en", ARTICLE),
        Cefr::B1,
        5,
        1,
        &HashSet::new(),
    )
    .into_iter()
    .map(|c| crate::generation::trim_bank(c).exercise)
    .collect();
    let now = Utc::now();
    let date = now.date_naive();
    let mut bytes = 0usize;
    for i in 0..b.learners {
        let email = format!("learner{i:05}@bench.example");
        let learner = store.add_learner(&NewLearner {
            email: email.clone(),
            name: format!("Learner {i}"),
            lang: "en".into(),
            level: 3.0,
            interests: vec![],
            delivery_time: chrono::NaiveTime::from_hms_opt(7, 0, 0).expect("valid"),
            timezone: "UTC".into(),
        })?;
        let kept = pipeline::keep_lesson(
            store,
            &services.renderer,
            &services.config.mail,
            &learner,
            article_id,
            date,
            exercises.clone(),
            vec![],
            now,
        )
        .await?;
        bytes += store.delivery_message(kept.id)?.len();
    }
    let memory_before = crate::eval::peak_memory_mib();
    eprintln!("Sending ...");
    let options = RunOptions {
        now,
        timing: Timing::Now,
        ..RunOptions::scheduled(crate::pipeline::Stage::Mail, true)
    };
    let started = Instant::now();
    let report = pipeline::run(&services, None, &options).await?;
    let seconds = started.elapsed().as_secs_f64();
    if report.mails_sent != b.learners {
        anyhow::bail!(
            "only {} of {} mails were sent:\n{report}",
            report.mails_sent,
            b.learners
        );
    }
    if let Some(count) = &sink
        && count.load(Ordering::Relaxed) != b.learners
    {
        anyhow::bail!(
            "the SMTP server received {} messages, expected {}",
            count.load(Ordering::Relaxed),
            b.learners
        );
    }
    let rate = b.learners as f64 / seconds;
    let peak = crate::eval::peak_memory_mib();
    let body = format!(
        "`hyperlearn bench delivery --learners {} --connections {}`, {} \n\n\
         | messages | mean size | connections | seconds | messages/s | peak memory (before sending) |\n\
         |---|---|---|---|---|---|\n\
         | {} | {:.1} KB | {} | {:.2} | {:.0} | {:.0} MiB ({:.0} MiB) |\n\n\
         Each message: ledger row to `sending` (committed), SMTP transaction, row to `sent` \
         (committed); SQLite in WAL mode on local disk.",
        b.learners,
        b.connections,
        match &b.smtp {
            Some(a) => format!("to the SMTP server at {a}"),
            None => "to the bench's own minimal SMTP server on 127.0.0.1 (same process)".into(),
        },
        b.learners,
        bytes as f64 / b.learners as f64 / 1000.0,
        b.connections,
        seconds,
        rate,
        peak,
        memory_before,
    );
    println!("{body}");
    if b.record {
        crate::eval::record("Delivery", &body)?;
        eprintln!("Recorded in BENCHMARKS.md");
    }
    Ok(())
}
