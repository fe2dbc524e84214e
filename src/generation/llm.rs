//! The inference engine: the only module that imports llama_cpp_2.
//!
//! One thread owns the llama.cpp model and context; the rest of the program sends it
//! requests over a channel and awaits the replies. The thread runs up to
//! `parallel_sequences` requests at once, each in its own sequence (and its own stream of the
//! KV cache, so attention scans only that sequence's cells), and decodes them together in one
//! batch per step (continuous batching: a finished sequence's slot takes the next request at
//! once).
//!
//! Prompts of a lesson share their opening (system prompt + article). A new request re-uses
//! that prefix instead of decoding it again: from the KV cache its slot still holds, or by
//! copying the KV cells of another sequence that holds it (`seq_cp`), waiting for that
//! sequence to finish decoding the prefix when it is still on its way.
//!
//! The thread also scores texts ([`Engine::log_likelihood`]): in a small context of its own,
//! made on first use, between two generation steps.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;

use crate::config::ModelConfig;

/// Errors of the engine; each says what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// The model file is missing or unusable.
    #[error(
        "cannot load model {path}: {message} (set [model] path in config.toml; the README's set-up command downloads the test model)"
    )]
    Load { path: PathBuf, message: String },
    /// The llama.cpp context could not be created.
    #[error("cannot create model context: {0}")]
    Context(String),
    /// The chat template could not be applied.
    #[error("chat template failed: {0}")]
    Template(String),
    /// The grammar did not compile.
    #[error("grammar rejected by llama.cpp: {0}")]
    Grammar(String),
    /// Prompt and reply would not fit in the context.
    #[error(
        "prompt of {tokens} tokens plus {max_tokens} reply tokens exceeds the context of {limit}"
    )]
    PromptTooLong {
        tokens: usize,
        max_tokens: u32,
        limit: u32,
    },
    /// llama.cpp failed while decoding.
    #[error("decode failed: {0}")]
    Decode(String),
    /// The engine thread is gone.
    #[error("the inference engine stopped")]
    EngineGone,
}

/// A chat prompt: system instructions and one user message.
#[derive(Debug, Clone)]
pub struct ChatPrompt {
    pub system: String,
    pub user: String,
}

/// One completion request.
#[derive(Debug, Clone)]
pub struct CompletionRequest {
    pub prompt: ChatPrompt,
    /// GBNF grammar (root rule `root`) the reply must follow.
    pub grammar: Option<String>,
    pub max_tokens: u32,
    pub temperature: f32,
    pub seed: u32,
    /// Wall-clock limit for this request.
    pub timeout: Duration,
    /// Keep generating past end-of-generation tokens, up to `max_tokens` (benchmarks only:
    /// a fixed generation length, as llama.cpp's batched-bench uses).
    pub ignore_eog: bool,
}

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The model ended its reply (end-of-generation token).
    Finished,
    /// `max_tokens` was reached.
    TokenLimit,
    /// The request's time limit was reached.
    TimeLimit,
}

/// A completion.
#[derive(Debug, Clone)]
pub struct Completion {
    pub text: String,
    pub stop: StopReason,
    pub prompt_tokens: usize,
    /// Prompt tokens whose KV cache was re-used from the previous request.
    pub cached_tokens: usize,
    pub generated_tokens: usize,
    pub prompt_time: Duration,
    pub generation_time: Duration,
}

/// Totals since the engine started, for reports and benchmarks.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EngineStats {
    pub requests: u64,
    /// Prompt tokens decoded.
    pub prompt_tokens_evaluated: u64,
    /// Prompt tokens re-used from the KV cache (own slot or copied from another sequence).
    pub prompt_tokens_cached: u64,
    pub generated_tokens: u64,
    /// Time spent in steps that decoded prompt tokens.
    pub prompt_seconds: f64,
    /// Time spent in steps that decoded only generated tokens.
    pub generation_seconds: f64,
    /// Decode steps and the tokens they carried (batch occupancy).
    pub steps: u64,
    pub step_tokens: u64,
}

/// Facts about the loaded model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelInfo {
    pub path: PathBuf,
    pub description: String,
    pub parameters: u64,
    pub context_size: u32,
    pub threads: u32,
    pub gpu_layers: u32,
}

struct Job {
    request: CompletionRequest,
    reply: tokio::sync::oneshot::Sender<Result<Completion, LlmError>>,
}

/// What the engine thread is asked to do.
enum Work {
    Complete(Job),
    /// The log-probability of a text ([`Engine::log_likelihood`]).
    Score {
        context: String,
        text: String,
        reply: tokio::sync::oneshot::Sender<Result<f64, LlmError>>,
    },
}

/// The most tokens a scored text may have.
const SCORE_TOKENS: u32 = 256;

/// Handle to the engine thread. Cheap to clone; the thread ends when every handle is gone.
#[derive(Clone)]
pub struct Engine {
    thread: Arc<EngineThread>,
    info: Arc<ModelInfo>,
    stats: Arc<Mutex<EngineStats>>,
}

/// The engine thread's job queue and handle. Dropping the last one closes the queue and
/// waits for the thread to free the context and model, so they are never freed while the
/// process exits (a GPU driver shutting down aborts on a late free).
struct EngineThread {
    jobs: Option<mpsc::Sender<Work>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Drop for EngineThread {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn backend() -> &'static LlamaBackend {
    static BACKEND: OnceLock<LlamaBackend> = OnceLock::new();
    BACKEND.get_or_init(|| {
        // llama.cpp logs every tensor it loads; keep it quiet unless tracing asks for it.
        llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
        LlamaBackend::init().expect("llama backend is initialised once, here")
    })
}

impl Engine {
    /// Loads the model on a new thread and waits until it is ready.
    pub fn start(config: &ModelConfig) -> Result<Engine, LlmError> {
        if !config.path.is_file() {
            return Err(LlmError::Load {
                path: config.path.clone(),
                message: "no such file".into(),
            });
        }
        let (jobs, job_rx) = mpsc::channel::<Work>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<ModelInfo, LlmError>>();
        let stats = Arc::new(Mutex::new(EngineStats::default()));
        let config = config.clone();
        let thread_stats = stats.clone();
        let handle = std::thread::Builder::new()
            .name("llm-engine".into())
            .spawn(move || engine_thread(config, job_rx, ready_tx, thread_stats))
            .map_err(|e| LlmError::Context(e.to_string()))?;
        let thread = Arc::new(EngineThread {
            jobs: Some(jobs),
            handle: Some(handle),
        });
        let info = ready_rx.recv().map_err(|_| LlmError::EngineGone)??;
        Ok(Engine {
            thread,
            info: Arc::new(info),
            stats,
        })
    }

    /// Runs one completion.
    pub async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.thread
            .jobs
            .as_ref()
            .ok_or(LlmError::EngineGone)?
            .send(Work::Complete(Job { request, reply }))
            .map_err(|_| LlmError::EngineGone)?;
        rx.await.map_err(|_| LlmError::EngineGone)?
    }

    /// The natural log of the probability the model gives `text` after `context` (no chat
    /// template), each token of `text` given the ones before it, the first given the start
    /// of a text and `context`. Texts that differ in one word compare by how well that word
    /// fits its context.
    pub async fn log_likelihood(&self, context: &str, text: &str) -> Result<f64, LlmError> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.thread
            .jobs
            .as_ref()
            .ok_or(LlmError::EngineGone)?
            .send(Work::Score {
                context: context.to_string(),
                text: text.to_string(),
                reply,
            })
            .map_err(|_| LlmError::EngineGone)?;
        rx.await.map_err(|_| LlmError::EngineGone)?
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Whether the engine thread still runs (it holds the loaded model).
    pub fn is_running(&self) -> bool {
        self.thread.jobs.is_some()
            && self
                .thread
                .handle
                .as_ref()
                .is_some_and(|h| !h.is_finished())
    }

    /// Totals so far.
    pub fn stats(&self) -> EngineStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn engine_thread(
    config: ModelConfig,
    jobs: mpsc::Receiver<Work>,
    ready: mpsc::Sender<Result<ModelInfo, LlmError>>,
    stats: Arc<Mutex<EngineStats>>,
) {
    let backend = backend();
    let load_err = |message: String| LlmError::Load {
        path: config.path.clone(),
        message,
    };
    let params = LlamaModelParams::default().with_n_gpu_layers(config.gpu_layers);
    let model = match LlamaModel::load_from_file(backend, &config.path, &params) {
        Ok(m) => m,
        Err(e) => {
            let _ = ready.send(Err(load_err(e.to_string())));
            return;
        }
    };
    let threads = config.effective_threads();
    let slots = config.parallel_sequences.max(1);
    let n_batch = 512u32;
    // Each sequence gets `context_size` cells of its own stream.
    let n_ctx = config.context_size.saturating_mul(slots);
    let ctx_params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(n_batch)
        .with_n_ubatch(n_batch)
        .with_n_seq_max(slots)
        .with_kv_unified(false)
        .with_n_threads(threads as i32)
        .with_n_threads_batch(threads as i32);
    let mut ctx = match model.new_context(backend, ctx_params) {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(LlmError::Context(e.to_string())));
            return;
        }
    };
    let template = match model
        .chat_template(None)
        .or_else(|_| LlamaChatTemplate::new("chatml"))
    {
        Ok(t) => t,
        Err(e) => {
            let _ = ready.send(Err(LlmError::Template(e.to_string())));
            return;
        }
    };
    let info = ModelInfo {
        path: config.path.clone(),
        description: model
            .meta_val_str("general.name")
            .unwrap_or_else(|_| "unknown".into()),
        parameters: model.n_params(),
        context_size: ctx.n_ctx(),
        threads,
        gpu_layers: config.gpu_layers,
    };
    if ready.send(Ok(info)).is_err() {
        return;
    }
    let mut scheduler = Scheduler {
        model: &model,
        template,
        slots: (0..slots as i32)
            .map(|seq| Slot {
                seq,
                cached: Vec::new(),
                job: None,
            })
            .collect(),
        n_batch: n_batch as usize,
        per_sequence_ctx: config.context_size as usize,
        prefix_sharing: config.prefix_sharing,
        stats,
        threads: threads as i32,
        scorer: None,
    };
    scheduler.run(&mut ctx, &jobs);
}

/// A sequence of the KV cache and the request it is working on.
struct Slot {
    seq: i32,
    /// Tokens whose KV cells this sequence holds, at positions 0..cached.len().
    cached: Vec<LlamaToken>,
    job: Option<Active>,
}

/// A request being served.
struct Active {
    request: CompletionRequest,
    reply: tokio::sync::oneshot::Sender<Result<Completion, LlmError>>,
    /// The whole prompt.
    tokens: Vec<LlamaToken>,
    /// Prompt tokens re-used rather than decoded.
    reused: usize,
    /// Waiting for another slot to finish decoding a prefix this prompt shares:
    /// (that slot, shared length).
    wait_for: Option<(usize, usize)>,
    sampler: TokenSampler,
    /// A sampled token to decode in the next step.
    pending: Option<LlamaToken>,
    out: Vec<u8>,
    generated: usize,
    started: Instant,
    prompt_time: Option<Duration>,
    deadline: Instant,
}

/// Where a slot's logits are in the batch being decoded.
struct Scheduled {
    slot: usize,
    logits_at: Option<i32>,
    prompt_tokens: usize,
}

struct Scheduler<'m> {
    model: &'m LlamaModel,
    template: LlamaChatTemplate,
    slots: Vec<Slot>,
    n_batch: usize,
    per_sequence_ctx: usize,
    prefix_sharing: bool,
    stats: Arc<Mutex<EngineStats>>,
    threads: i32,
    /// The context [`Scheduler::score`] decodes in, made on first use.
    scorer: Option<llama_cpp_2::context::LlamaContext<'m>>,
}

fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Below this, sharing a prefix is not worth the bookkeeping.
const MIN_SHARED_PREFIX: usize = 32;

impl Scheduler<'_> {
    fn run(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        jobs: &mpsc::Receiver<Work>,
    ) {
        let mut batch =
            LlamaBatch::new(self.n_batch.max(self.slots.len()), self.slots.len() as i32);
        loop {
            // Admit requests while slots are free; block only when there is nothing to do.
            while self.slots.iter().any(|s| s.job.is_none()) {
                let idle = self.slots.iter().all(|s| s.job.is_none());
                let job = if idle {
                    match jobs.recv() {
                        Ok(j) => j,
                        Err(_) => return,
                    }
                } else {
                    match jobs.try_recv() {
                        Ok(j) => j,
                        Err(mpsc::TryRecvError::Empty) => break,
                        Err(mpsc::TryRecvError::Disconnected) => {
                            if self.slots.iter().all(|s| s.job.is_none()) {
                                return;
                            }
                            break;
                        }
                    }
                };
                match job {
                    Work::Complete(job) => self.admit(ctx, job),
                    Work::Score {
                        context,
                        text,
                        reply,
                    } => {
                        let _ = reply.send(self.score(&context, &text));
                    }
                }
            }
            if self.slots.iter().any(|s| s.job.is_some()) {
                self.step(ctx, &mut batch);
            }
        }
    }

    /// [`Engine::log_likelihood`], in a small context of its own, made on first use, so
    /// the sequences being generated keep their cache. It runs between two steps of them.
    fn score(&mut self, context: &str, text: &str) -> Result<f64, LlmError> {
        if self.scorer.is_none() {
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(SCORE_TOKENS))
                .with_n_batch(SCORE_TOKENS)
                .with_n_ubatch(SCORE_TOKENS)
                .with_n_seq_max(1)
                .with_n_threads(self.threads)
                .with_n_threads_batch(self.threads);
            let ctx = self
                .model
                .new_context(backend(), params)
                .map_err(|e| LlmError::Context(e.to_string()))?;
            self.scorer = Some(ctx);
        }
        let ctx = self.scorer.as_mut().expect("made above");
        let vocab = self.model.vocab();
        // The start of a text: the model's BOS token, or a line break where it has none.
        let bos = vocab.bos();
        let mut tokens = if bos.0 >= 0 {
            vec![bos]
        } else {
            vocab.tokenize(b"\n", false, false)
        };
        tokens.extend(vocab.tokenize(context.as_bytes(), false, false));
        let start = tokens.len();
        tokens.extend(vocab.tokenize(text.as_bytes(), false, false));
        if tokens.len() <= start || tokens.len() > SCORE_TOKENS as usize {
            return Err(LlmError::PromptTooLong {
                tokens: tokens.len(),
                max_tokens: 0,
                limit: SCORE_TOKENS,
            });
        }
        ctx.clear_kv_cache();
        let mut batch = LlamaBatch::new(tokens.len(), 1);
        for (pos, token) in tokens.iter().enumerate() {
            batch
                .add(*token, pos as i32, &[0], pos + 1 >= start)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
        }
        ctx.decode(&mut batch)
            .map_err(|e| LlmError::Decode(e.to_string()))?;
        let mut total = 0.0;
        for pos in start..tokens.len() {
            let logits = ctx.get_logits_ith(pos as i32 - 1);
            let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f64 = logits.iter().map(|l| f64::from(l - max).exp()).sum();
            total += f64::from(logits[tokens[pos].0 as usize] - max) - sum.ln();
        }
        Ok(total)
    }

    /// Prepares a request and gives it the slot whose cache re-uses most of its prompt.
    fn admit(&mut self, ctx: &mut llama_cpp_2::context::LlamaContext<'_>, job: Job) {
        let tokens = match self.prompt_tokens(&job.request) {
            Ok(t) => t,
            Err(e) => {
                let _ = job.reply.send(Err(e));
                return;
            }
        };
        if tokens.len() + job.request.max_tokens as usize > self.per_sequence_ctx {
            let _ = job.reply.send(Err(LlmError::PromptTooLong {
                tokens: tokens.len(),
                max_tokens: job.request.max_tokens,
                limit: self.per_sequence_ctx as u32,
            }));
            return;
        }
        let sampler = match TokenSampler::new(self.model, &job.request) {
            Ok(s) => s,
            Err(e) => {
                let _ = job.reply.send(Err(e));
                return;
            }
        };
        // The free slot whose own cache shares most of the prompt.
        let sharing = self.prefix_sharing;
        let (slot_idx, own) = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.job.is_none())
            .map(|(i, s)| {
                (
                    i,
                    if sharing {
                        common_prefix(&s.cached, &tokens)
                    } else {
                        0
                    },
                )
            })
            .max_by_key(|(i, n)| (*n, std::cmp::Reverse(*i)))
            .expect("admit is called with a free slot");
        // Another sequence that holds (or is about to hold) a longer shared prefix.
        let mut donor: Option<(usize, usize, bool)> = None; // (slot, shared, ready now)
        for (i, s) in self.slots.iter().enumerate() {
            if i == slot_idx || !sharing {
                continue;
            }
            let decoded = common_prefix(&s.cached, &tokens);
            let planned = s
                .job
                .as_ref()
                .map_or(0, |j| common_prefix(&j.tokens, &tokens));
            let (shared, ready) = if planned > decoded {
                (planned, false)
            } else {
                (decoded, true)
            };
            if shared > donor.map_or(own, |d| d.1) {
                donor = Some((i, shared, ready));
            }
        }
        let last = tokens.len() - 1;
        let mut wait_for = None;
        let reused = match donor {
            Some((d, shared, ready)) if shared >= own + MIN_SHARED_PREFIX => {
                let shared = shared.min(last);
                if ready {
                    self.copy_prefix(ctx, d, slot_idx, shared, &tokens);
                    shared
                } else {
                    // Start from our own cache; take the donor's cells when it has them.
                    self.truncate_slot(ctx, slot_idx, own.min(last));
                    wait_for = Some((d, shared));
                    own.min(last)
                }
            }
            _ => {
                self.truncate_slot(ctx, slot_idx, own.min(last));
                own.min(last)
            }
        };
        let now = Instant::now();
        self.slots[slot_idx].job = Some(Active {
            deadline: now + job.request.timeout,
            request: job.request,
            reply: job.reply,
            tokens,
            reused,
            wait_for,
            sampler,
            pending: None,
            out: Vec::new(),
            generated: 0,
            started: now,
            prompt_time: None,
        });
    }

    fn prompt_tokens(&self, request: &CompletionRequest) -> Result<Vec<LlamaToken>, LlmError> {
        let messages = [
            LlamaChatMessage::new("system".into(), request.prompt.system.clone()),
            LlamaChatMessage::new("user".into(), request.prompt.user.clone()),
        ]
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| LlmError::Template(e.to_string()))?;
        let text = self
            .model
            .apply_chat_template(&self.template, &messages, true)
            .map_err(|e| LlmError::Template(e.to_string()))?;
        let tokens = self.model.vocab().tokenize(text.as_bytes(), false, true);
        if tokens.is_empty() {
            return Err(LlmError::Template("empty prompt".into()));
        }
        Ok(tokens)
    }

    /// Keeps the first `keep` cached tokens of a slot, drops the rest of its cells.
    fn truncate_slot(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        slot: usize,
        keep: usize,
    ) {
        let s = &mut self.slots[slot];
        if ctx
            .clear_kv_cache_seq(Some(s.seq as u32), Some(keep as u32), None)
            .is_err()
        {
            let _ = ctx.clear_kv_cache_seq(Some(s.seq as u32), None, None);
            s.cached.clear();
            return;
        }
        s.cached.truncate(keep);
    }

    /// Gives `to` the first `shared` cells of `from` (which hold `tokens[..shared]`).
    fn copy_prefix(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        from: usize,
        to: usize,
        shared: usize,
        tokens: &[LlamaToken],
    ) {
        let (src, dst) = (self.slots[from].seq, self.slots[to].seq);
        // Each sequence has its own stream of the cache (so attention only scans its own
        // cells); llama.cpp copies between streams whole, so copy all and cut the tail.
        let _ = ctx.clear_kv_cache_seq(Some(dst as u32), None, None);
        let _ = ctx.copy_kv_cache_seq(src, dst, None, None);
        let _ = ctx.clear_kv_cache_seq(Some(dst as u32), Some(shared as u32), None);
        self.slots[to].cached = tokens[..shared].to_vec();
    }

    /// One decode step for every active request.
    fn step(&mut self, ctx: &mut llama_cpp_2::context::LlamaContext<'_>, batch: &mut LlamaBatch) {
        // Requests waiting for a shared prefix take it once it is decoded.
        for i in 0..self.slots.len() {
            let Some((donor, shared)) = self.slots[i].job.as_ref().and_then(|j| j.wait_for) else {
                continue;
            };
            let donor_ready = self.slots[donor].cached.len() >= shared
                || self.slots[donor].job.is_none()
                || self.slots[donor]
                    .job
                    .as_ref()
                    .is_some_and(|j| j.tokens.len() <= self.slots[donor].cached.len());
            if !donor_ready {
                continue;
            }
            let tokens = self.slots[i]
                .job
                .as_ref()
                .expect("waiting job")
                .tokens
                .clone();
            let available = common_prefix(&self.slots[donor].cached, &tokens).min(tokens.len() - 1);
            if available > self.slots[i].cached.len() {
                self.copy_prefix(ctx, donor, i, available, &tokens);
                if let Some(j) = self.slots[i].job.as_mut() {
                    j.reused = available;
                }
            }
            if let Some(j) = self.slots[i].job.as_mut() {
                j.wait_for = None;
            }
        }

        batch.clear();
        let mut scheduled: Vec<Scheduled> = Vec::new();
        let mut budget = self.n_batch;
        // Generated tokens first (one per sequence), then prompt chunks in the room left.
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(job) = slot.job.as_ref() else {
                continue;
            };
            if let Some(token) = job.pending {
                let pos = job.tokens.len() + job.generated - 1;
                if batch.add(token, pos as i32, &[slot.seq], true).is_ok() {
                    scheduled.push(Scheduled {
                        slot: i,
                        logits_at: Some(batch.n_tokens() - 1),
                        prompt_tokens: 0,
                    });
                    budget = budget.saturating_sub(1);
                }
            }
        }
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(job) = slot.job.as_ref() else {
                continue;
            };
            if job.wait_for.is_some()
                || job.pending.is_some()
                || job.prompt_time.is_some()
                || budget == 0
            {
                continue;
            }
            let from = slot.cached.len();
            let to = (from + budget).min(job.tokens.len());
            let mut added = 0;
            for pos in from..to {
                let last = pos == job.tokens.len() - 1;
                if batch
                    .add(job.tokens[pos], pos as i32, &[slot.seq], last)
                    .is_err()
                {
                    break;
                }
                added += 1;
            }
            budget -= added;
            let logits_at = (from + added == job.tokens.len()).then(|| batch.n_tokens() - 1);
            scheduled.push(Scheduled {
                slot: i,
                logits_at,
                prompt_tokens: added,
            });
        }
        if scheduled.is_empty() {
            // Only waiting requests (their donor finishes next step) or nothing at all.
            std::thread::yield_now();
            return;
        }

        let step_started = Instant::now();
        if let Err(e) = ctx.decode(batch) {
            self.fail_scheduled(ctx, &scheduled, LlmError::Decode(e.to_string()));
            return;
        }
        let prompt_tokens: usize = scheduled.iter().map(|s| s.prompt_tokens).sum();
        for s in &scheduled {
            let slot = &mut self.slots[s.slot];
            let job = slot.job.as_mut().expect("scheduled slot has a job");
            let from = slot.cached.len();
            slot.cached
                .extend_from_slice(&job.tokens[from..from + s.prompt_tokens]);
            // A decoded generated token sits in the cache after the prompt; `cached` tracks
            // only prompt tokens, which later prompts may share.
            job.pending = None;
        }

        // Sample for every sequence whose logits came out of this step.
        let mut finished = Vec::new();
        for s in &scheduled {
            let Some(at) = s.logits_at else { continue };
            let vocab = self.model.vocab();
            let job = self.slots[s.slot]
                .job
                .as_mut()
                .expect("scheduled slot has a job");
            if job.prompt_time.is_none() {
                job.prompt_time = Some(job.started.elapsed());
            }
            if Instant::now() >= job.deadline {
                finished.push((s.slot, StopReason::TimeLimit));
                continue;
            }
            let token = job.sampler.next(ctx, at);
            if vocab.is_eog(token) && !job.request.ignore_eog {
                finished.push((s.slot, StopReason::Finished));
                continue;
            }
            if !vocab.is_eog(token) {
                job.sampler.accept(token);
            }
            job.out.extend(vocab.token_to_piece(token, true, None));
            job.generated += 1;
            if job.generated >= job.request.max_tokens as usize {
                finished.push((s.slot, StopReason::TokenLimit));
            } else {
                job.pending = Some(token);
            }
        }
        let elapsed = step_started.elapsed().as_secs_f64();
        if let Ok(mut st) = self.stats.lock() {
            st.steps += 1;
            st.step_tokens += batch.n_tokens() as u64;
            if prompt_tokens > 0 {
                st.prompt_seconds += elapsed;
            } else {
                st.generation_seconds += elapsed;
            }
        }
        for (slot, stop) in finished {
            self.finish(ctx, slot, stop);
        }
    }

    fn finish(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        slot: usize,
        stop: StopReason,
    ) {
        let job = self.slots[slot]
            .job
            .take()
            .expect("finishing slot has a job");
        // Keep the prompt's cells for the next request; drop the generated ones.
        let keep = self.slots[slot].cached.len();
        self.truncate_slot(ctx, slot, keep);
        let prompt_time = job.prompt_time.unwrap_or_default();
        let completion = Completion {
            text: String::from_utf8_lossy(&job.out).into_owned(),
            stop,
            prompt_tokens: job.tokens.len(),
            cached_tokens: job.reused,
            generated_tokens: job.generated,
            prompt_time,
            generation_time: job.started.elapsed().saturating_sub(prompt_time),
        };
        if let Ok(mut st) = self.stats.lock() {
            st.requests += 1;
            st.prompt_tokens_evaluated +=
                (completion.prompt_tokens - completion.cached_tokens) as u64;
            st.prompt_tokens_cached += completion.cached_tokens as u64;
            st.generated_tokens += completion.generated_tokens as u64;
        }
        let _ = job.reply.send(Ok(completion));
    }

    /// A failed decode fails the requests in it; their sequences start clean.
    fn fail_scheduled(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        scheduled: &[Scheduled],
        error: LlmError,
    ) {
        // Free the cache of idle slots first: a full cache is the usual cause.
        for slot in self.slots.iter_mut().filter(|s| s.job.is_none()) {
            let _ = ctx.clear_kv_cache_seq(Some(slot.seq as u32), None, None);
            slot.cached.clear();
        }
        for s in scheduled {
            let slot = &mut self.slots[s.slot];
            let _ = ctx.clear_kv_cache_seq(Some(slot.seq as u32), None, None);
            slot.cached.clear();
            if let Some(job) = slot.job.take() {
                let _ = job.reply.send(Err(error.clone()));
            }
        }
        // Requests that were waiting on a failed sequence stop waiting.
        for slot in self.slots.iter_mut() {
            if let Some(job) = slot.job.as_mut() {
                job.wait_for = None;
            }
        }
    }
}

/// Tokens the grammar is tried on before the whole vocabulary (see [`TokenSampler::next`]).
const GRAMMAR_SHORTLIST: usize = 64;

/// The `n` tokens with the highest logits, unsorted.
fn top_tokens(logits: &[f32], n: usize) -> LlamaTokenDataArray {
    let mut ids: Vec<u32> = (0..logits.len() as u32).collect();
    let n = n.min(ids.len());
    if n > 0 && n < ids.len() {
        ids.select_nth_unstable_by(n - 1, |a, b| {
            logits[*b as usize].total_cmp(&logits[*a as usize])
        });
    }
    let data = ids[..n]
        .iter()
        .map(|&i| LlamaTokenData::new(LlamaToken::new(i as i32), logits[i as usize], 0.0))
        .collect();
    LlamaTokenDataArray::new(data, false)
}

/// Sampling with an optional grammar, grammar-checked lazily: the token the unconstrained
/// chain picks is checked against the grammar alone (one token, cheap); when it is not
/// allowed, the grammar is applied to a shortlist of the likeliest tokens, and only when
/// none of those is allowed to the whole vocabulary (tens of thousands of tokens, each
/// matched against the grammar: milliseconds). Most tokens (all the forced evidence text,
/// most JSON punctuation) take the cheapest path.
struct TokenSampler {
    grammar: Option<LlamaSampler>,
    chain: LlamaSampler,
}

impl TokenSampler {
    fn new(model: &LlamaModel, req: &CompletionRequest) -> Result<TokenSampler, LlmError> {
        let grammar = match &req.grammar {
            Some(g) => Some(
                LlamaSampler::grammar(model, g, "root")
                    .map_err(|e| LlmError::Grammar(e.to_string()))?,
            ),
            None => None,
        };
        let chain = if req.temperature <= 0.0 {
            LlamaSampler::greedy()
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::top_k(40),
                LlamaSampler::top_p(0.95, 1),
                LlamaSampler::temp(req.temperature),
                LlamaSampler::dist(req.seed),
            ])
        };
        Ok(TokenSampler { grammar, chain })
    }

    /// Picks the next token from the logits at `idx`. Does not accept it.
    fn next(&mut self, ctx: &llama_cpp_2::context::LlamaContext<'_>, idx: i32) -> LlamaToken {
        // The unconstrained pick, sampled by llama.cpp straight from the logits. (The chain
        // holds no grammar, so the accept inside `sample` changes nothing that matters.)
        let picked = self.chain.sample(ctx, idx);
        let Some(grammar) = self.grammar.as_mut() else {
            return picked;
        };
        let mut single =
            LlamaTokenDataArray::new(vec![LlamaTokenData::new(picked, 0.0, 0.0)], false);
        single.apply_sampler(grammar);
        if single.data[0].logit() != f32::NEG_INFINITY {
            return picked;
        }
        // Next, the grammar over the most likely tokens only: when one of them is allowed,
        // the best allowed token is among them (exactly so for greedy picks; for sampling,
        // what lies beyond the top_k(40) of the chain was cut off anyway).
        let logits = ctx.get_logits_ith(idx);
        let mut top = top_tokens(logits, GRAMMAR_SHORTLIST);
        top.apply_sampler(grammar);
        if top.data.iter().any(|d| d.logit() != f32::NEG_INFINITY) {
            top.apply_sampler(&mut self.chain);
            if let Some(token) = top.selected_token() {
                return token;
            }
        }
        // Rarely, nothing likely is allowed: the grammar over the whole vocabulary.
        let mut constrained = ctx.token_data_array_ith(idx);
        constrained.apply_sampler(grammar);
        constrained.apply_sampler(&mut self.chain);
        constrained
            .selected_token()
            .expect("the chain ends in a selecting sampler")
    }

    /// Advances the grammar past a token. Called once per token, and never for the
    /// end-of-generation token (accepting twice corrupts the grammar state).
    fn accept(&mut self, token: LlamaToken) {
        if let Some(grammar) = self.grammar.as_mut() {
            grammar.accept(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortlist_holds_the_highest_logits() {
        let logits = [0.5, 3.0, -1.0, 2.0, f32::NEG_INFINITY, 2.5];
        let mut got: Vec<i32> = top_tokens(&logits, 3)
            .data
            .iter()
            .map(|d| d.id().0)
            .collect();
        got.sort();
        assert_eq!(got, vec![1, 3, 5]);
        assert_eq!(top_tokens(&logits, 10).data.len(), logits.len());
        assert!(top_tokens(&[], 4).data.is_empty());
    }
}
