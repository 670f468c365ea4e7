//! `cargo xtask`: run `cargo xtask codegen` after changing anything in `protocol`; `cargo xtask dist` builds the
//! release bundle.

#![forbid(unsafe_code)]

use anyhow::bail;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("codegen") => {
            let changed = xtask::write_generated()?;
            if changed.is_empty() {
                println!("generated files are up to date");
            }
            for path in changed {
                println!("wrote {path}");
            }
            Ok(())
        }
        Some("check") => {
            let stale = xtask::stale_files();
            if !stale.is_empty() {
                bail!("stale generated files (run `cargo xtask codegen` and commit): {}", stale.join(", "));
            }
            Ok(())
        }
        Some("circles") => {
            let circles = xtask::circles::workspace_circles(&xtask::project_root())?;
            for circle in &circles {
                println!("{circle}");
            }
            if !circles.is_empty() {
                bail!("{} import circles", circles.len());
            }
            Ok(())
        }
        Some("dist") => {
            let arguments: Vec<String> = std::env::args().skip(2).collect();
            let archive = xtask::dist::run(&xtask::dist::parse_options(&arguments)?)?;
            println!("wrote {}", archive.display());
            Ok(())
        }
        _ => bail!("usage: cargo xtask <codegen|check|circles|dist [--profile release|dev] [--out DIR]>"),
    }
}
