use clap::Parser;

use mipstock::cli::{run, Cli};

#[actix_web::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(failure) = run(cli).await {
        eprintln!("mipstock: {}", failure.message);
        std::process::exit(failure.status);
    }
}
