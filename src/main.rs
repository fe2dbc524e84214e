//! The `hyperlearn` binary: parses the command line, sets up logging and the runtime, runs
//! the command, and decides the exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = hyperlearn::cli::Cli::parse();
    let filter = hyperlearn::config::log_filter_from_env()
        // html5ever warns about every malformed page it repairs: noise, not news.
        .unwrap_or_else(|| "warn,llama-cpp-2=error,html5ever=error".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr);
    if hyperlearn::config::log_json_from_env() {
        logs.json().init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(hyperlearn::cli::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of the output stopped early (`| head`): the output ends there, as with
        // other Unix tools.
        Err(e)
            if e.downcast_ref::<hyperlearn::cli::StdoutError>()
                .is_some_and(|e| e.is_closed_pipe()) =>
        {
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
