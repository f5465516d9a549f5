//! `retold serve --index DIR`: the HTTP API and web page over a persistent index
//! (`retold_server`).

use crate::Failure;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `retold serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Index directory (created with `retold index create`).
    #[arg(long)]
    index: PathBuf,
    /// Address to listen on (port 0: any free port; the address is printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// File holding the bearer token that writes (POST /v1/documents) must send
    /// (`Authorization: Bearer TOKEN`; the file's contents, trimmed).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Listen on an address that is not loopback (refused otherwise).
    #[arg(long)]
    allow_remote: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 16 << 20)]
    max_body_bytes: usize,
    /// Most documents in one POST /v1/documents.
    #[arg(long, default_value_t = 1000)]
    max_batch: usize,
    #[command(flatten)]
    semantic: crate::SemanticArgs,
}

/// Runs `retold serve` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> Result<(), Failure> {
    let token = match &args.token_file {
        None => None,
        Some(path) => {
            let t = std::fs::read_to_string(path)
                .map_err(|e| Failure::User(anyhow::anyhow!("{}: {e}", path.display())))?;
            let t = t.trim().to_string();
            if t.is_empty() {
                return Err(Failure::User(anyhow::anyhow!(
                    "{}: the token file is empty",
                    path.display()
                )));
            }
            Some(t)
        }
    };
    if args.max_batch == 0 || args.max_body_bytes == 0 {
        return Err(Failure::User(anyhow::anyhow!(
            "--max-batch and --max-body-bytes must be at least 1"
        )));
    }
    let models = args.semantic.load()?;
    let cfg = retold_server::ServerConfig {
        index_dir: args.index,
        addr: args.addr,
        allow_remote: args.allow_remote,
        token,
        max_body_bytes: args.max_body_bytes,
        max_batch: args.max_batch,
        models,
        config: retold::Config::default(),
    };
    let server = retold_server::Server::bind(cfg).map_err(failure)?;
    let addr = server.local_addr().map_err(failure)?;
    eprintln!("retold serve: listening on http://{addr}/");
    server.run().map_err(failure)
}

fn failure(e: retold_server::ServerError) -> Failure {
    if e.is_user_error() {
        Failure::User(e.into())
    } else {
        Failure::Internal(e.into())
    }
}
