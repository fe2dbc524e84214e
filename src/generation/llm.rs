//! The inference engine: the only module that imports llama_cpp_2.
//!
//! One thread owns the llama.cpp model and context; the rest of the program sends it
//! requests over a channel and awaits the replies. The engine keeps the KV cache of the
//! previous prompt and re-uses its longest common prefix, so the article (which opens every
//! prompt of a lesson) is decoded once per lesson and shared by the generation and
//! verification passes that follow.

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
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EngineStats {
    pub requests: u64,
    pub prompt_tokens_evaluated: u64,
    pub prompt_tokens_cached: u64,
    pub generated_tokens: u64,
    pub prompt_seconds: f64,
    pub generation_seconds: f64,
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

/// Handle to the engine thread. Cheap to clone; the thread ends when every handle is gone.
#[derive(Clone)]
pub struct Engine {
    jobs: mpsc::Sender<Job>,
    info: Arc<ModelInfo>,
    stats: Arc<Mutex<EngineStats>>,
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
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<ModelInfo, LlmError>>();
        let stats = Arc::new(Mutex::new(EngineStats::default()));
        let config = config.clone();
        let thread_stats = stats.clone();
        std::thread::Builder::new()
            .name("llm-engine".into())
            .spawn(move || engine_thread(config, job_rx, ready_tx, thread_stats))
            .map_err(|e| LlmError::Context(e.to_string()))?;
        let info = ready_rx.recv().map_err(|_| LlmError::EngineGone)??;
        Ok(Engine {
            jobs,
            info: Arc::new(info),
            stats,
        })
    }

    /// Runs one completion.
    pub async fn complete(&self, request: CompletionRequest) -> Result<Completion, LlmError> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| LlmError::EngineGone)?;
        rx.await.map_err(|_| LlmError::EngineGone)?
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Totals so far.
    pub fn stats(&self) -> EngineStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn engine_thread(
    config: ModelConfig,
    jobs: mpsc::Receiver<Job>,
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
    let n_batch = 512u32;
    let ctx_params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(config.context_size))
        .with_n_batch(n_batch)
        .with_n_ubatch(n_batch)
        .with_n_threads(threads as i32)
        .with_n_threads_batch(threads as i32);
    let mut ctx = match model.new_context(backend, ctx_params) {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(LlmError::Context(e.to_string())));
            return;
        }
    };
    let template = model
        .chat_template(None)
        .or_else(|_| LlamaChatTemplate::new("chatml"))
        .map_err(|e| LlmError::Template(e.to_string()));
    let template = match template {
        Ok(t) => t,
        Err(e) => {
            let _ = ready.send(Err(e));
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
    let mut runner = Runner {
        model: &model,
        template,
        cached: Vec::new(),
        n_batch: n_batch as usize,
    };
    while let Ok(job) = jobs.recv() {
        let result = runner.run(&mut ctx, &job.request);
        if let (Ok(c), Ok(mut s)) = (&result, stats.lock()) {
            s.requests += 1;
            s.prompt_tokens_evaluated += (c.prompt_tokens - c.cached_tokens) as u64;
            s.prompt_tokens_cached += c.cached_tokens as u64;
            s.generated_tokens += c.generated_tokens as u64;
            s.prompt_seconds += c.prompt_time.as_secs_f64();
            s.generation_seconds += c.generation_time.as_secs_f64();
        }
        if result.is_err() {
            // The cache may be half-written; start clean next time.
            ctx.clear_kv_cache();
            runner.cached.clear();
        }
        let _ = job.reply.send(result);
    }
}

struct Runner<'m> {
    model: &'m LlamaModel,
    template: LlamaChatTemplate,
    /// Prompt tokens whose KV entries sit in sequence 0.
    cached: Vec<LlamaToken>,
    n_batch: usize,
}

impl Runner<'_> {
    fn run(
        &mut self,
        ctx: &mut llama_cpp_2::context::LlamaContext<'_>,
        req: &CompletionRequest,
    ) -> Result<Completion, LlmError> {
        let started = Instant::now();
        let deadline = started + req.timeout;
        let messages = [
            LlamaChatMessage::new("system".into(), req.prompt.system.clone()),
            LlamaChatMessage::new("user".into(), req.prompt.user.clone()),
        ];
        let messages: Vec<LlamaChatMessage> = messages
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| LlmError::Template(e.to_string()))?;
        let text = self
            .model
            .apply_chat_template(&self.template, &messages, true)
            .map_err(|e| LlmError::Template(e.to_string()))?;
        let vocab = self.model.vocab();
        let tokens = vocab.tokenize(text.as_bytes(), false, true);
        if tokens.is_empty() {
            return Err(LlmError::Template("empty prompt".into()));
        }
        let limit = ctx.n_ctx();
        if tokens.len() + req.max_tokens as usize > limit as usize {
            return Err(LlmError::PromptTooLong {
                tokens: tokens.len(),
                max_tokens: req.max_tokens,
                limit,
            });
        }

        // Re-use the longest common prefix with the previous prompt; always re-decode at
        // least the last prompt token so that its logits are fresh.
        let mut common = self
            .cached
            .iter()
            .zip(&tokens)
            .take_while(|(a, b)| a == b)
            .count();
        common = common.min(tokens.len() - 1);
        ctx.clear_kv_cache_seq(Some(0), Some(common as u32), None)
            .map_err(|e| LlmError::Decode(e.to_string()))?;
        self.cached.truncate(common);

        let mut batch = LlamaBatch::new(self.n_batch.max(1), 1);
        let mut pos = common;
        for chunk in tokens[common..].chunks(self.n_batch) {
            batch.clear();
            for (i, token) in chunk.iter().enumerate() {
                let last = pos + i == tokens.len() - 1;
                batch
                    .add(*token, (pos + i) as i32, &[0], last)
                    .map_err(|e| LlmError::Decode(e.to_string()))?;
            }
            ctx.decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            pos += chunk.len();
        }
        self.cached = tokens.clone();
        let prompt_time = started.elapsed();

        let mut sampler = TokenSampler::new(self.model, req)?;
        let gen_started = Instant::now();
        let mut out = Vec::<u8>::new();
        let mut generated = 0usize;
        let mut stop = StopReason::TokenLimit;
        let mut logits_index = batch.n_tokens() - 1;
        while generated < req.max_tokens as usize {
            if Instant::now() >= deadline {
                stop = StopReason::TimeLimit;
                break;
            }
            let token = sampler.next(ctx, logits_index);
            if vocab.is_eog(token) {
                stop = StopReason::Finished;
                break;
            }
            sampler.accept(token);
            out.extend(vocab.token_to_piece(token, true, None));
            generated += 1;
            batch.clear();
            batch
                .add(token, pos as i32, &[0], true)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            ctx.decode(&mut batch)
                .map_err(|e| LlmError::Decode(e.to_string()))?;
            pos += 1;
            logits_index = 0;
        }
        Ok(Completion {
            text: String::from_utf8_lossy(&out).into_owned(),
            stop,
            prompt_tokens: tokens.len(),
            cached_tokens: common,
            generated_tokens: generated,
            prompt_time,
            generation_time: gen_started.elapsed(),
        })
    }
}

/// Sampling with an optional grammar, grammar-checked lazily: the token the unconstrained
/// chain picks is checked against the grammar alone (one token, cheap); only when it is
/// not allowed is the grammar applied to the whole vocabulary and the pick repeated. Most
/// tokens (all the forced evidence text, most JSON punctuation) take the cheap path.
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
        let mut candidates = ctx.token_data_array_ith(idx);
        candidates.apply_sampler(&mut self.chain);
        let picked = candidates
            .selected_token()
            .expect("the chain ends in a selecting sampler");
        let Some(grammar) = self.grammar.as_mut() else {
            return picked;
        };
        let mut single =
            LlamaTokenDataArray::new(vec![LlamaTokenData::new(picked, 0.0, 0.0)], false);
        single.apply_sampler(grammar);
        if single.data[0].logit() != f32::NEG_INFINITY {
            return picked;
        }
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
